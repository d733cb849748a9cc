#!/usr/bin/env python3
"""Run ioc-finder's own find_iocs test cases against `hikeshi ioc extract`.

    HIKESHI_BIN=target/release/hikeshi python3 ioc_finder_adapter.py SDIST_DIR REPORT.md

SDIST_DIR is the unpacked ioc-finder sdist (its tests/find_iocs_cases are data: text, expected
results, options). Each case runs through `$HIKESHI_BIN ioc extract --format jsonl -`; the JSON
lines are mapped to ioc-finder's result keys and compared, per kind we support.

Mapping, so that like is compared with like (each rule is listed in docs/indicators.md):
- ioc-finder lists the host of every URL and the domain of every address under `domains` (and
  URL hosts that are addresses under `ipv4s`); hikeshi reports a URL once and gives its host as a
  correlation key, so the adapter adds URL and e-mail hosts to `domains`/`ipv4s`/`ipv6s`.
- ASNs are `ASN1234` there and `AS1234` here; URLs, IPv6 addresses and networks are compared in
  normal form on both sides (URL scheme and host lower case, default port dropped, empty path `/`;
  RFC 5952 addresses; networks by their network address).
- Cases with options (`parse_domain_from_url=False` …) test ioc-finder switches we do not have
  and are skipped; a case counts for a kind when it expects that kind or hikeshi reported it.
"""
import collections
import ipaddress
import json
import os
import subprocess
import sys
from urllib.parse import urlsplit

KINDS = {  # ioc-finder key -> hikeshi kind
    "domains": "domain", "urls": "url", "ipv4s": "ipv4", "ipv6s": "ipv6", "ipv4_cidrs": "cidr",
    "email_addresses": "email", "md5s": "md5", "sha1s": "sha1", "sha256s": "sha256",
    "sha512s": "sha512", "asns": "asn", "cves": "cve",
}


def norm_url(u):
    try:
        p = urlsplit(u)
    except ValueError:
        return u
    host = (p.hostname or "").lower()
    port = p.port if p.port not in (None, {"http": 80, "https": 443, "ftp": 21}.get(p.scheme.lower())) else None
    auth = host if ":" not in host else f"[{host}]"
    if port:
        auth += f":{port}"
    path = p.path or "/"
    out = f"{p.scheme.lower()}://{auth}{path}"
    if p.query:
        out += "?" + p.query
    if p.fragment:
        out += "#" + p.fragment
    return out


def norm(key, v):
    if key == "asns":
        return "AS" + v.upper().removeprefix("ASN").removeprefix("AS").strip()
    if key == "urls":
        return norm_url(v)
    if key == "cves":
        return v.upper()
    try:
        if key == "ipv6s":
            return str(ipaddress.ip_address(v))
        if key == "ipv4_cidrs":
            return str(ipaddress.ip_network(v, strict=False))
    except ValueError:
        return v
    return v.lower()


def hikeshi(text):
    out = subprocess.run([os.environ["HIKESHI_BIN"], "ioc", "extract", "--format", "jsonl", "-"],
                         input=text.encode("utf-8"), capture_output=True, check=True).stdout
    got = collections.defaultdict(set)
    for line in out.decode("utf-8").splitlines():
        if not line.strip():
            continue
        e = json.loads(line)
        got[e["kind"]].add(e["value"])
        if e["kind"] in ("url", "email"):
            host = urlsplit(e["value"]).hostname if e["kind"] == "url" else e["value"].rsplit("@", 1)[1]
            if host:
                kind = "ipv4" if host.replace(".", "").isdigit() else "ipv6" if ":" in host else "domain"
                got[kind].add(host)
    return got


def main():
    sdist, report = sys.argv[1], sys.argv[2]
    sys.path.insert(0, sdist)
    from tests.find_iocs_cases import ALL_TESTS  # noqa: E402  (the sdist's own case data)

    passed, total = collections.Counter(), collections.Counter()
    failures, skipped = [], 0
    for case in ALL_TESTS:
        text, expected, args = case.values
        if args:
            skipped += 1
            continue
        got = hikeshi(text)
        for key, kind in KINDS.items():
            want = {norm(key, v) for v in expected.get(key, [])}
            have = {norm(key, v) for v in got.get(kind, set())}
            if not want and not have:
                continue
            total[kind] += 1
            if want == have:
                passed[kind] += 1
            else:
                failures.append((case.id, kind, text, sorted(want - have), sorted(have - want)))

    lines = ["| kind | cases | passed | pass rate |", "|---|---|---|---|"]
    for kind in sorted(total):
        lines.append(f"| {kind} | {total[kind]} | {passed[kind]} | {100 * passed[kind] / total[kind]:.0f}% |")
    all_t, all_p = sum(total.values()), sum(passed.values())
    lines.append(f"| all | {all_t} | {all_p} | {100 * all_p / max(all_t, 1):.0f}% |")
    lines.append(f"\n{skipped} cases with ioc-finder options skipped.\n\nDifferences:\n")
    for cid, kind, text, missing, extra in failures:
        short = text if len(text) < 120 else text[:117] + "..."
        lines.append(f"- `{cid}` ({kind}): missing {missing}, extra {extra}; text: {short!r}")
    with open(report, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines[: len(total) + 3]))
    print(f"{all_p} passed, {all_t - all_p} failed")


if __name__ == "__main__":
    main()
