"""hikeshi's sharing endpoints driven by the real clients (run by sharing_check.sh).

1. REST: incidents with indicators at several TLP levels, a TLP:GREEN sharing group, publish.
2. taxii2-client: discovery, API root, collections, page through objects (limit/next), manifest,
   add an envelope and poll its status; nothing above the ceiling ever comes back.
3. PyMISP: connect, add an event with attributes, search it, fetch it, and compare it unchanged.
4. Our feed client pulls from medallion (objects written there by taxii2-client), twice: the
   second poll brings nothing new (the cursor works).
5. The CLI exports STIX bundles (several ceilings) into $BUNDLES for the validator.
"""
import json, os, subprocess, sys, uuid
import requests
from taxii2client.v21 import Server, Collection, as_pages
from pymisp import PyMISP, MISPEvent

URL, TOKEN = os.environ["HIKESHI_URL"], os.environ["HIKESHI_TOKEN"]
MED = os.environ["MEDALLION_URL"]
BIN, DATA, BUNDLES = os.environ["HIKESHI_BIN"], os.environ["HIKESHI_DATA"], os.environ["BUNDLES"]
H = {"Authorization": f"Bearer {TOKEN}"}
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def api(method, path, body=None):
    r = requests.request(method, URL + path, headers=H, json=body, timeout=30)
    if r.status_code >= 400:
        raise SystemExit(f"{method} {path}: {r.status_code} {r.text}")
    return r.json() if r.content else None


# 1. Data: one incident per level, its indicator at that level.
levels = {"clear": "clear-c2.example.com", "green": "green-c2.example.com", "amber": "amber-c2.example.com",
          "amber+strict": "strict-c2.example.com", "red": "red-c2.example.com"}
numbers = []
for tlp, value in levels.items():
    inc = api("POST", "/api/v1/incidents", {"title": f"{tlp} 事案", "category": "phishing", "tlp": tlp})
    api("POST", f"/api/v1/incidents/{inc['id']}/indicators",
        {"items": [{"value": value, "tlp": tlp, "role": "phishing"},
                   {"value": f"http://{value}/login.php", "tlp": tlp, "role": "phishing"}]})
    numbers.append(inc["number"])
group = api("POST", "/api/v1/sharing-groups", {"name": "external-check", "tlp_max": "green"})
for n in numbers:
    api("POST", f"/api/v1/sharing-groups/{group['id']}/publish", {"incident": n})
coll_id = group["uuid"]

# 2. taxii2-client against our server.
server = Server(URL + "/taxii2/", user="checker", password=TOKEN)
check(server.title.endswith("hikeshi TAXII 2.1"), "taxii2-client: discovery")
root = server.api_roots[0]
check("application/taxii+json;version=2.1" in root.versions, "taxii2-client: API root")
colls = {c.id: c for c in root.collections}
check(coll_id in colls and colls[coll_id].can_read and colls[coll_id].can_write, "taxii2-client: our collection listed")
coll = Collection(f"{URL}/taxii2/root/collections/{coll_id}/", user="checker", password=TOKEN)
seen, pages = [], 0
for env in as_pages(coll.get_objects, per_request=3):
    pages += 1
    seen.extend(env.get("objects", []))
text = json.dumps(seen)
check(pages > 1, f"taxii2-client: paged through {len(seen)} objects in {pages} pages")
check("green-c2.example.com" in text and "clear-c2.example.com" in text, "taxii2-client: CLEAR and GREEN indicators served")
check(not any(v in text for v in ("amber-c2", "strict-c2", "red-c2")), "taxii2-client: nothing above TLP:GREEN served")
man = coll.get_manifest()
check(len(man.get("objects", [])) >= 1 and all("date_added" in m for m in man["objects"]), "taxii2-client: manifest")
ind_id = f"indicator--{uuid.uuid4()}"
green = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
envelope = {"objects": [{"type": "indicator", "spec_version": "2.1", "id": ind_id, "created": "2026-01-02T03:04:05.000Z",
                         "modified": "2026-01-02T03:04:05.000Z", "name": "pushed by taxii2-client",
                         "pattern": "[ipv4-addr:value = '198.51.100.7']", "pattern_type": "stix",
                         "valid_from": "2026-01-02T03:04:05Z", "object_marking_refs": [green]}]}
status = coll.add_objects(envelope, wait_for_completion=True, poll_interval=1, timeout=30)
check(status.status == "complete" and status.success_count == 1 and status.failure_count == 0, "taxii2-client: add objects, status complete")
got = coll.get_object(ind_id)
check(got["objects"][0]["pattern"] == "[ipv4-addr:value = '198.51.100.7']", "taxii2-client: object read back unchanged")

# 3. PyMISP against our MISP-compatible API.
misp = PyMISP(URL + "/misp/", TOKEN, ssl=False)
ev = MISPEvent()
ev.info = "PyMISP からのイベント"
ev.distribution = 1
ev.threat_level_id = 2
ev.analysis = 1
ev.add_tag("tlp:green")
ev.add_attribute("domain", "pymisp-c2.example.net", comment="C2")
ev.add_attribute("ip-dst", "203.0.113.9")
ev.add_attribute("sha256", "a" * 64)
created = misp.add_event(ev, pythonify=True)
check(not isinstance(created, dict), f"PyMISP: add_event ({created if isinstance(created, dict) else created.id})")
found = misp.search(controller="events", value="pymisp-c2.example.net", pythonify=True)
check(len(found) == 1 and found[0].uuid == ev.uuid, "PyMISP: search by value finds it")
back = misp.get_event(ev.uuid, pythonify=True)
orig = sorted((a.type, a.value, a.uuid, getattr(a, "comment", "")) for a in ev.attributes)
after = sorted((a.type, a.value, a.uuid, getattr(a, "comment", "")) for a in back.attributes)
check(orig == after, "PyMISP: attributes round-trip unchanged")
check(back.info == ev.info and back.uuid == ev.uuid and [t.name for t in back.tags] == ["tlp:green"], "PyMISP: event fields round-trip unchanged")
attrs = misp.search(controller="attributes", type_attribute="ip-dst", value="203.0.113.9", pythonify=True)
check(len(attrs) == 1 and attrs[0].value == "203.0.113.9", "PyMISP: attribute search")

# 4. Our feed client pulls from medallion.
med = Collection(f"{MED}/api1/collections/472c94ae-3113-4e3e-a4dd-a9f4ac7471d4/", user="feeduser", password="feedpass")
objs = []
for i in range(5):
    objs.append({"type": "indicator", "spec_version": "2.1", "id": f"indicator--{uuid.uuid4()}",
                 "created": "2026-02-01T00:00:00.000Z", "modified": "2026-02-01T00:00:00.000Z",
                 "pattern": f"[domain-name:value = 'feed{i}.example.org']", "pattern_type": "stix",
                 "valid_from": "2026-02-01T00:00:00Z", "object_marking_refs": [green]})
st = med.add_objects({"objects": objs})
check(st.status == "complete" and st.success_count == 5, "medallion: seeded with 5 indicators")
env = dict(os.environ, MED_PW="feedpass")
subprocess.run([BIN, "--data-dir", DATA, "feed", "add", "medallion", "--url", f"{MED}/api1/",
                "--collection", "472c94ae-3113-4e3e-a4dd-a9f4ac7471d4", "--user", "feeduser",
                "--secret-env", "MED_PW", "--default-tlp", "amber"], check=True, env=env, capture_output=True)
p1 = subprocess.run([BIN, "--data-dir", DATA, "feed", "poll", "medallion"], capture_output=True, text=True)
r1 = json.loads(p1.stdout.strip().splitlines()[-1]) if p1.stdout.strip() else {}
check(p1.returncode == 0 and r1.get("indicators") == 5 and r1.get("new_links") == 5 and r1.get("pages", 0) >= 3,
      f"hikeshi feed poll: 5 indicators from medallion over pages ({r1 or p1.stderr})")
seed2 = {"type": "indicator", "spec_version": "2.1", "id": f"indicator--{uuid.uuid4()}",
         "created": "2026-02-02T00:00:00.000Z", "modified": "2026-02-02T00:00:00.000Z",
         "pattern": "[ipv4-addr:value = '192.0.2.200']", "pattern_type": "stix", "valid_from": "2026-02-02T00:00:00Z"}
med.add_objects({"objects": [seed2]})
p2 = subprocess.run([BIN, "--data-dir", DATA, "feed", "poll", "medallion"], capture_output=True, text=True)
r2 = json.loads(p2.stdout.strip().splitlines()[-1]) if p2.stdout.strip() else {}
check(p2.returncode == 0 and r2.get("indicators") == 1 and r2.get("new_links") == 1,
      f"hikeshi feed poll again: only what was added since ({r2 or p2.stderr})")

# 5. CLI exports for the validator.
for tlp in ("clear", "green", "amber", "amber+strict", "red"):
    out = os.path.join(BUNDLES, f"cli-{tlp.replace('+', '-')}.json")
    subprocess.run([BIN, "--data-dir", DATA, "export", "stix", "--tlp-max", tlp, "--out", out], check=True, capture_output=True)
    body = open(out, encoding="utf-8").read()
    above = [v for t, v in levels.items() if list(levels).index(t) > list(levels).index(tlp)]
    check(not any(v in body for v in above), f"hikeshi export stix --tlp-max {tlp}: nothing above it")

print(f"{len(failures)} checks failed" if failures else "all sharing checks passed")
sys.exit(1 if failures else 0)
