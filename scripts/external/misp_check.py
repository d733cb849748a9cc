#!/usr/bin/env python3
"""External check of hikeshi's MISP JSON and feeds against PyMISP (pinned in
requirements-misp.txt). Run through misp_check.sh, which builds the sample writer.

    misp_check.py SAMPLES_BIN OUT_DIR

1. Every event file in OUT_DIR/events (ours and two hand-written MISP events) must load with
   MISPEvent().load_file() and keep every attribute (top level and in objects) with the same
   uuid, type, category, value, to_ids and tag names; the event keeps its uuid, info, date and
   tags.
2. MISPEvent.to_json() of each must import into hikeshi exactly as the original file does
   (compared on the canonical summary `SAMPLES_BIN summary FILE` prints).
3. The feed in OUT_DIR/feed: each event loads, its manifest entry matches PyMISP's
   MISPEvent.manifest, hashes.csv holds exactly PyMISP's attributes_hashes('md5') per event, and
   MISPEvent.to_feed(with_meta=True) accepts it with the same hashes.

Exits non-zero on any difference, printing each one.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from pymisp import MISPEvent

failures: list[str] = []


def fail(msg: str) -> None:
    failures.append(msg)
    print(f"FAIL {msg}")


def raw_attributes(raw: dict) -> dict[str, dict]:
    e = raw.get("Event", raw)
    out = {}
    for a in e.get("Attribute", []) or []:
        out[a["uuid"]] = a
    for o in e.get("Object", []) or []:
        for a in o.get("Attribute", []) or []:
            out[a["uuid"]] = a
    return out


def as_bool(v) -> bool:
    if isinstance(v, str):
        return v.strip().lower() in ("1", "true")
    return bool(v)


def summary(bin_path: str, path: Path) -> dict:
    out = subprocess.run([bin_path, "summary", str(path)], check=True, capture_output=True)
    return json.loads(out.stdout)


def first_difference(a, b, where="") -> str:
    if type(a) is not type(b):
        return f"{where or '.'}: {a!r} != {b!r}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if a.get(k) != b.get(k):
                return first_difference(a.get(k), b.get(k), f"{where}.{k}")
    elif isinstance(a, list):
        if len(a) != len(b):
            return f"{where}: {len(a)} items != {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return first_difference(x, y, f"{where}[{i}]")
    return f"{where or '.'}: {a!r} != {b!r}"


def check_event_file(bin_path: str, path: Path, tmp: Path) -> MISPEvent | None:
    raw = json.loads(path.read_text(encoding="utf-8"))
    ev = MISPEvent()
    try:
        ev.load_file(str(path))
    except Exception as e:  # noqa: BLE001 - any failure to load is what we report
        fail(f"{path.name}: PyMISP could not load it: {e!r}")
        return None
    body = raw.get("Event", raw)
    if ev.uuid != body.get("uuid"):
        fail(f"{path.name}: uuid {ev.uuid!r} != {body.get('uuid')!r}")
    if ev.info != body.get("info"):
        fail(f"{path.name}: info {ev.info!r} != {body.get('info')!r}")
    if "date" in body and ev.date.isoformat() != body["date"]:
        fail(f"{path.name}: date {ev.date.isoformat()} != {body['date']}")
    want_tags = [t["name"] for t in body.get("Tag", []) or []]
    if [t.name for t in ev.tags] != want_tags:
        fail(f"{path.name}: event tags {[t.name for t in ev.tags]} != {want_tags}")

    loaded = {a.uuid: a for a in ev.attributes}
    for o in ev.objects:
        loaded.update({a.uuid: a for a in o.attributes})
    for uuid, a in raw_attributes(raw).items():
        p = loaded.get(uuid)
        if p is None:
            fail(f"{path.name}: attribute {uuid} ({a['type']} {a['value']!r}) is missing in PyMISP")
            continue
        checks = [("type", p.type, a["type"]), ("value", p.value, a["value"])]
        if "category" in a:
            # PyMISP silently replaces a category its describeTypes does not allow for the type.
            checks.append(("category", p.category, a["category"]))
        if "to_ids" in a:
            checks.append(("to_ids", p.to_ids, as_bool(a["to_ids"])))
        checks.append(("tags", [t.name for t in p.tags], [t["name"] for t in a.get("Tag", []) or []]))
        for what, got, want in checks:
            if got != want:
                fail(f"{path.name}: attribute {uuid} {what}: PyMISP has {got!r}, the file {want!r}")

    # PyMISP writes it back; hikeshi must read that exactly as it reads the original.
    again = tmp / f"pymisp-{path.name}"
    again.write_text(ev.to_json(), encoding="utf-8")
    ours, theirs = summary(bin_path, path), summary(bin_path, again)
    if ours != theirs:
        fail(f"{path.name}: import of PyMISP's to_json() differs: {first_difference(ours, theirs)}")
    elif not ours["indicators"]:
        fail(f"{path.name}: imported no indicator at all")
    return ev


def check_feed(feed: Path) -> None:
    manifest = json.loads((feed / "manifest.json").read_text(encoding="utf-8"))
    want_hashes: set[str] = set()
    for uuid, entry in manifest.items():
        path = feed / f"{uuid}.json"
        ev = MISPEvent()
        try:
            ev.load_file(str(path))
        except Exception as e:  # noqa: BLE001
            fail(f"feed/{path.name}: PyMISP could not load it: {e!r}")
            continue
        theirs = ev.manifest[ev.uuid]
        for key in ("info", "date"):
            if theirs[key] != entry.get(key):
                fail(f"feed manifest {uuid} {key}: PyMISP {theirs[key]!r}, ours {entry.get(key)!r}")
        for key in ("analysis", "threat_level_id", "timestamp"):
            if int(theirs[key]) != int(entry.get(key)):
                fail(f"feed manifest {uuid} {key}: PyMISP {theirs[key]!r}, ours {entry.get(key)!r}")
        for key in ("name", "uuid"):
            if theirs["Orgc"].get(key) != entry["Orgc"].get(key):
                fail(f"feed manifest {uuid} Orgc.{key} differs")
        if [t["name"] for t in theirs["Tag"]] != [t["name"] for t in entry.get("Tag", [])]:
            fail(f"feed manifest {uuid} tags differ")
        event_hashes = {f"{h},{ev.uuid}" for h in ev.attributes_hashes("md5")}
        want_hashes |= event_hashes
        fed = ev.to_feed(with_meta=True)
        if {f"{h},{ev.uuid}" for h in fed["Event"]["_hashes"]} != event_hashes:
            fail(f"feed {uuid}: to_feed(with_meta=True) hashes differ")
        if len(fed["Event"].get("Attribute", [])) != len(ev.attributes):
            fail(f"feed {uuid}: to_feed dropped attributes")
    got = [line for line in (feed / "hashes.csv").read_text().splitlines() if line]
    if set(got) != want_hashes:
        fail(f"hashes.csv: {len(set(got) - want_hashes)} lines PyMISP would not write, "
             f"{len(want_hashes - set(got))} it would write and we did not")


def main() -> int:
    bin_path, out = sys.argv[1], Path(sys.argv[2])
    files = sorted((out / "events").glob("*.json"))
    if not files:
        fail(f"no event files in {out / 'events'}")
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            before = len(failures)
            ev = check_event_file(bin_path, path, Path(tmp))
            if ev is not None and len(failures) == before:
                n = len(ev.attributes) + sum(len(o.attributes) for o in ev.objects)
                print(f"ok   {path.name}: {n} attributes, loaded and re-imported identically")
    before = len(failures)
    check_feed(out / "feed")
    print(f"{'ok  ' if len(failures) == before else 'FAIL'} feed: manifest and hashes.csv checked against PyMISP")
    if failures:
        print(f"{len(failures)} difference(s)")
        return 1
    print("all MISP checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
