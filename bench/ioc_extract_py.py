#!/usr/bin/env python3
"""Time the Python reference extractors on a corpus prefix: ioc-finder (whole text at once)
and iocextract (line by line, as its README suggests for large input). Prints one JSON line per
tool: bytes, seconds, MB/s (10^6 bytes/s) of wall
and of CPU time (the machines are shared), indicators found. Used by bench/ioc_extract.sh."""
import json
import sys
import time


def main():
    path, limit = sys.argv[1], int(sys.argv[2])
    with open(path, "rb") as f:
        data = f.read(limit)
    text = data.decode("utf-8", "ignore")
    nbytes = len(text.encode("utf-8"))

    from ioc_finder import find_iocs
    t, c = time.perf_counter(), time.process_time()
    found = find_iocs(text)
    dt, dc = time.perf_counter() - t, time.process_time() - c
    count = sum(len(v) for v in found.values() if isinstance(v, (list, dict)))
    print(json.dumps({"tool": "ioc-finder 9.4.1", "bytes": nbytes, "seconds": dt,
                      "mb_s": nbytes / dt / 1e6, "cpu_mb_s": nbytes / dc / 1e6, "found_unique": count}), flush=True)

    import iocextract
    t, c = time.perf_counter(), time.process_time()
    n = 0
    for line in text.splitlines():
        for _ in iocextract.extract_iocs(line, refang=True):
            n += 1
    dt, dc = time.perf_counter() - t, time.process_time() - c
    print(json.dumps({"tool": "iocextract 1.16.1", "bytes": nbytes, "seconds": dt,
                      "mb_s": nbytes / dt / 1e6, "cpu_mb_s": nbytes / dc / 1e6, "found": n}), flush=True)


if __name__ == "__main__":
    main()
