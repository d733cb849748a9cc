#!/usr/bin/env python3
"""Writes crates/server/openapi.json. The document is kept as data here so it stays readable;
a server test checks that every documented operation is routed and every routed API operation is
documented, and the API tests validate responses against these schemas."""
import json, pathlib

def ref(n): return {"$ref": f"#/components/schemas/{n}"}
def arr(s): return {"type": "array", "items": s}
S = lambda **kw: {"type": "string", **kw}
I = {"type": "integer", "format": "int64"}
B = {"type": "boolean"}
T = S(format="date-time")
NT = {"type": ["string", "null"], "format": "date-time"}
NI = {"type": ["integer", "null"], "format": "int64"}
def obj(props, req=(), extra=False):
    o = {"type": "object", "properties": props, "additionalProperties": extra}
    if req: o["required"] = list(req)
    return o
def enum(*v): return {"type": "string", "enum": list(v)}

phases = enum("new","triage","analysis","containment","eradication","recovery","lessons","closed","rejected","merged")
cats = enum("phishing","defacement","malware-site","scan","dos","ics","targeted","other")
tlp = enum("clear","green","amber","amber+strict","red")
prio = enum("p1","p2","p3","p4")
impact_props = {"functional": enum("none","low","medium","high"), "information": enum("none","privacy","proprietary","integrity"),
                "recoverability": enum("regular","supplemented","extended","not-recoverable"), "criticality": enum("low","medium","high","critical")}
schemas = {
 "Error": obj({"error": obj({"code": S(), "message": S()}, ["code","message"])}, ["error"]),
 "Rsit": obj({"class": S(), "type": S()}, ["class","type"]),
 "Impact": obj(impact_props, list(impact_props)),
 "ImpactPatch": obj(impact_props),
 "Incident": obj({
   "id": I, "number": S(pattern="^HK-[0-9]{4}-[0-9]{6,}$"), "title": S(), "summary": S(), "phase": phases, "category": cats,
   "rsit": ref("Rsit"), "attacker": enum("unknown","hacktivist","financial","targeted"), "asset": enum("it","ics"), "tlp": tlp,
   "impact": ref("Impact"), "priority": prio,
   "sla": obj({"acknowledge_due": T, "first_response_due": T, "containment_due": T, "breached": arr(enum("acknowledge","first_response","containment"))},
              ["acknowledge_due","first_response_due","containment_due","breached"]),
   "owner": NI, "reported_at": T, "created_at": T, "updated_at": T, "acknowledged_at": NT, "first_response_at": NT,
   "contained_at": NT, "closed_at": NT, "owner_reached_at": NT, "merged_into": NI, "exercise": B, "writeup": ref("Writeup"),
   "constituency": S(), "coordinated_at": NT},
   ["id","number","title","summary","phase","category","rsit","attacker","asset","tlp","impact","priority","sla","owner","reported_at",
    "created_at","updated_at","acknowledged_at","first_response_at","contained_at","closed_at","owner_reached_at","merged_into","exercise","writeup",
    "constituency","coordinated_at"]),
 "Attachment": obj({"id": I, "filename": S(), "content_type": S(), "size": I}, ["id","filename","content_type","size"]),
 "Report": obj({
   "id": I, "ticket": S(), "received_at": T, "channel": enum("web","api","mail","cli"),
   "reporter": obj({"name": S(), "email": S(), "organisation": S()}, ["name","email","organisation"]),
   "subject": S(), "body": S(), "lang": S(), "status": enum("new","linked","rejected"), "incident_id": NI,
   "reject_reason": {"type": ["string","null"]}, "mailbox": S(), "raw_size": I, "raw_content_type": S(), "attachments": arr(ref("Attachment"))},
   ["id","ticket","received_at","channel","reporter","subject","body","lang","status","incident_id","reject_reason","mailbox","raw_size","raw_content_type","attachments"]),
 "OutgoingMail": obj({
   "id": I, "kind": enum("ack","notification"), "recipients": arr(S()), "subject": S(), "lang": S(), "message_id": S(),
   "status": enum("queued","sending","sent","failed"), "attempts": I, "next_attempt_at": T, "last_error": S(),
   "created_at": T, "sent_at": NT,
   "answered_at": NT, "answered_by": NI},
   ["id","kind","recipients","subject","lang","message_id","status","attempts","next_attempt_at","last_error",
    "created_at","sent_at","answered_at","answered_by"]),
 "Event": obj({"id": I, "at": T, "actor": NI, "actor_name": {"type": ["string","null"]}, "kind": S(), "data": {"type": "object"}},
              ["id","at","actor","actor_name","kind","data"]),
 "Task": obj({"id": I, "incident_id": I, "title": S(), "assignee": NI, "assignee_name": {"type": ["string","null"]}, "due_at": NT, "done_at": NT, "created_at": T},
             ["id","incident_id","title","assignee","assignee_name","due_at","done_at","created_at"]),
 "Decision": obj({"id": I, "incident_id": I, "subject": S(), "decision": S(), "decided_by": S(), "decided_at": T, "recorded_by": NI, "note": S()},
                 ["id","incident_id","subject","decision","decided_by","decided_at","recorded_by","note"]),
 "User": obj({"id": I, "username": S(), "display_name": S(), "email": S(), "role": enum("viewer","handler","admin"), "lang": S(),
              "time_zone": S(description="IANA zone for dates shown to this user; empty = JST on Japanese pages, else the server's zone"),
              "must_change_password": B, "disabled": B, "created_at": T, "password": S(description="only when generated, shown once"), "csrf_token": S(description="GET /me with a session only")},
             ["id","username","display_name","email","role","lang","must_change_password","disabled","created_at"]),
}
def page_of(n): return obj({"items": arr(ref(n)), "page": I, "per_page": I,
    "total": {**I, "description": "rows matched; incident and report lists count up to 10,000 (see total_exact)"},
    "total_exact": B | {"description": "false when total is 10,000 and more rows matched"},
    "next": {"type": ["string", "null"], "description": "incident and report lists: the cursor of the next page, for after="},
    "prev": {"type": ["string", "null"], "description": "incident and report lists: the cursor of the previous page, for before="}},
    ["items","page","per_page","total"])
def items_of(n): return obj({"items": arr(ref(n))}, ["items"])
kinds = enum("ipv4","ipv6","cidr","domain","url","email","md5","sha1","sha256","sha512","filename","asn","cve","other")
roles = enum("unknown","c2","phishing","malware-distribution","dropper","payload","exfiltration","scanner","victim","other")
link = obj({"incident_id": I, "number": S(), "title": S(), "phase": phases}, ["incident_id","number","title","phase"])
schemas["Correlations"] = obj({
  "incidents": arr(link),
  "reports": arr(obj({"report_id": I, "subject": S(), "received_at": T}, ["report_id","subject","received_at"])),
  "weak": arr(obj({"link": enum("registrable-domain","network","url-host"), "key": S(), "kind": kinds, "value": S(), "incidents": arr(link)},
                  ["link","key","kind","value","incidents"])),
  "sources": arr(obj({"source": S(description="feed:N, import:stix:FILE, misp:event:UUID"), "source_ref": S(), "tlp": tlp, "first_at": T, "last_at": T},
                     ["source","source_ref","tlp","first_at","last_at"]))}, ["incidents","reports","weak","sources"])
schemas["IncidentIndicator"] = obj({"id": I, "kind": kinds, "value": S(), "defanged": S(), "role": roles, "tlp": tlp, "note": S(),
  "first_seen": NT, "last_seen": NT, "added_at": T, "sightings": I, "correlations": ref("Correlations")},
  ["id","kind","value","defanged","role","tlp","note","first_seen","last_seen","added_at","sightings","correlations"])
schemas["Extracted"] = obj({"kind": kinds, "value": S(), "raw": S(), "start": I, "end": I, "defanged": S(), "warnings": arr(S())},
  ["kind","value","raw","start","end","defanged","warnings"])
schemas["ReportIndicator"] = obj({"id": I, "kind": kinds, "value": S(), "defanged": S(), "source": S(), "raw": S(), "start": I, "end": I,
  "warnings": S(), "status": enum("proposed","accepted","dismissed")}, ["id","kind","value","defanged","source","raw","start","end","warnings","status"])
schemas["IncidentIndicatorList"] = items_of("IncidentIndicator")
schemas["Sighting"] = obj({"kind": kinds, "value": S(), "defanged": S(), "source": S(), "line": I, "field": S(), "host": S(),
  "destination": S(), "seen_at": S(), "asset": {"type": ["string","null"]}, "recorded_at": T},
  ["kind","value","defanged","source","line","field","host","destination","seen_at","asset","recorded_at"])
schemas["ExtractedList"] = items_of("Extracted")
schemas["ReportIndicatorList"] = items_of("ReportIndicator")
schemas["AffectedAsset"] = obj({"asset": S(), "addresses": arr(S()), "owner": S(), "department": S(), "criticality": S(), "package": S(),
  "installed": S(), "fixed": {"type": ["string","null"]}, "advisory": S(), "confidence": enum("exact","product-name-only","needs-review"),
  "rule": {"type": "object"}}, ["asset","addresses","owner","department","criticality","package","installed","fixed","advisory","confidence","rule"])
schemas["AffectedList"] = obj({"advisory": S(), "items": arr(ref("AffectedAsset"))}, ["advisory","items"])
asset_base = {"name": S(), "addresses": arr(S()), "owner": S(), "department": S(), "criticality": S(), "location": S(), "os": S()}
schemas["AssetSummary"] = obj({**asset_base, "software": I, "open_advisories": I}, ["name","addresses","owner","software","open_advisories"])
schemas["AssetList"] = items_of("AssetSummary")
schemas["Asset"] = obj({**asset_base, "software": arr(obj({"name": S(), "version": S(), "ecosystem": S(), "release": {"type": ["string","null"]}}, ["name","version","ecosystem"])),
                        "open_advisories": arr(ref("AffectedAsset"))}, ["name","addresses","owner","software","open_advisories"])
schemas["SightingList"] = items_of("Sighting")
schemas["IncidentPage"] = page_of("Incident"); schemas["ReportPage"] = page_of("Report")
schemas["Timeline"] = items_of("Event"); schemas["TaskList"] = items_of("Task"); schemas["DecisionList"] = items_of("Decision"); schemas["UserList"] = items_of("User")

userref = {"oneOf": [I, S(description="username, or 'me'")]}
incref = {"oneOf": [I, S(pattern="^HK-[0-9]{4}-[0-9]{6,}$")]}
schemas.update({
 "SharingGroup": obj({"id": I, "uuid": S(), "name": S(), "description": S(), "tlp_max": tlp, "created_at": T, "can_read": B, "can_write": B}, ["id","uuid","name","tlp_max"], extra=True),
 "SharingMember": obj({"principal": obj({"kind": enum("user","token"), "id": I}, ["kind","id"]), "name": S(), "access": obj({"read": B, "write": B}, ["read","write"])}, ["principal","name","access"]),
 "Published": obj({"withheld": I, "stix_added": I, "stix_unchanged": I, "stix_refused": I, "misp_event": {"type": ["string","null"]}}, ["withheld","stix_added","stix_unchanged","stix_refused"]),
 "Feed": obj({"id": I, "name": S(), "kind": S(), "url": S(), "collection": S(), "username": S(), "has_secret": B, "default_tlp": tlp, "interval_s": I, "enabled": B,
              "cursor": S(), "last_polled_at": NT, "last_error": S(), "last_count": I, "created_at": T},
             ["id","name","url","collection","has_secret","default_tlp","interval_s","enabled"]),
 "PollResult": obj({"feed": S(), "pages": I, "objects": I, "indicators": I, "new_links": I, "kept": I, "rejected": I, "cursor": S(), "error": S()}, ["feed","indicators","new_links","error"]),
 "ImportResult": obj({"source": S(), "indicators": I, "new_links": I, "groups": I, "relations": I, "kept": I,
                      "rejected": arr(obj({"object": S(), "reason": S()}, ["object","reason"]))}, ["source","indicators","new_links","kept","rejected"]),
})
bodies = {
 "NewReport": obj({"reporter_name": S(), "reporter_email": S(), "reporter_org": S(), "subject": S(), "body": S(minLength=1), "lang": enum("ja","en",""),
                   "attachments": arr(obj({"filename": S(), "content_type": S(), "data": S(contentEncoding="base64")}, ["filename","data"]))}, ["body"]),
 "Reject": obj({"reason": S()}, ["reason"]),
 "Link": obj({"incident": incref}, ["incident"]),
 "NewIncident": obj({"title": S(minLength=1), "summary": S(), "category": cats, "rsit": ref("Rsit"), "attacker": enum("unknown","hacktivist","financial","targeted"),
                     "asset": enum("it","ics"), "tlp": tlp, "impact": ref("ImpactPatch"), "owner": {"oneOf": [userref, {"type": "null"}]}, "reports": arr(I), "exercise": B},
                    ["title","category"]),
 "IncidentPatch": obj({"title": S(minLength=1), "summary": S(), "category": cats, "rsit": ref("Rsit"), "attacker": enum("unknown","hacktivist","financial","targeted"),
                       "asset": enum("it","ics"), "tlp": tlp, "impact": ref("ImpactPatch"), "owner": {"oneOf": [userref, {"type": "null"}]},
                       "constituency": S()}),
 "Phase": obj({"to": phases, "reason": S()}, ["to"]),
 "Merge": obj({"into": incref, "reason": S()}, ["into"]),
 "Member": obj({"user": userref}, ["user"]),
 "Note": obj({"text": S(minLength=1)}, ["text"]),
 "NewTask": obj({"title": S(minLength=1), "assignee": {"oneOf": [userref, {"type": "null"}]}, "due_at": T}, ["title"]),
 "TaskPatch": obj({"done": B}, ["done"]),
 "NewDecision": obj({"subject": S(minLength=1), "decision": S(minLength=1), "decided_by": S(minLength=1), "decided_at": T, "note": S()}, ["subject","decision","decided_by"]),
 "Extract": obj({"text": S()}, ["text"]),
 "AttachIndicators": obj({"items": arr(obj({"value": S(description="as written; defanged and full-width forms accepted"), "kind": kinds, "role": roles, "tlp": tlp,
                                            "note": S(), "first_seen": T, "last_seen": T}, ["value"]))}, ["items"]),
 "AcceptIndicators": obj({"incident": incref, "indicators": arr(I), "role": roles, "tlp": tlp, "dismiss_rest": B}, ["indicators"]),
 "NewSharingGroup": obj({"name": S(minLength=1), "description": S(), "tlp_max": tlp}, ["name","tlp_max"]),
 "SetSharingMember": obj({"user": S(description="user id or name"), "token": I, "read": B, "write": B}, ["read","write"]),
 "Publish": obj({"incident": incref}, ["incident"]),
 "NewFeed": obj({"name": S(minLength=1), "url": S(description="the remote API root"), "collection": S(), "username": S(), "secret": S(description="password or token; stored, never returned"),
                 "default_tlp": tlp, "interval_s": I}, ["name","url","collection"]),
 "NewToken": obj({"name": S(minLength=1)}, ["name"]),
 "NewUser": obj({"username": S(pattern="^[A-Za-z0-9._-]{1,64}$"), "role": enum("viewer","handler","admin"), "display_name": S(), "email": S(), "lang": S(), "password": S(minLength=12)}, ["username","role"]),
}
schemas.update(bodies)
schemas["MyPreferences"] = obj({"lang": enum("", "ja", "en"), "time_zone": S(description="an IANA name such as Asia/Tokyo, or empty for the default")})
schemas["GraphNode"] = obj({"id": S(description="i:ID incident, d:ID indicator, k:LINK:VALUE shared key, h:HOST internal host, a:ID asset"),
  "group": enum("incident","indicator","key","host","asset"), "kind": S(description="indicator kind, key link, incident phase or asset criticality"),
  "label": S(), "detail": S(), "tlp": {"type": ["string","null"]}, "href": S(description="the node's page, when it has one")}, ["id","group","kind","label","detail"])
schemas["Neighbourhood"] = obj({"center": ref("GraphNode"), "nodes": arr(ref("GraphNode")),
  "edges": arr(obj({"source": S(), "target": S(), "rel": enum("holds","shares","touched","is")}, ["source","target","rel"])),
  "truncated": {"type": "boolean", "description": "a relation had more neighbours than limit"}, "limit": I}, ["center","nodes","edges","truncated","limit"])

def resp(code, schema=None, desc="OK"):
    r = {"description": desc}
    if schema: r["content"] = {"application/json": {"schema": schema}}
    return {str(code): r}
ERR = {c: {"$ref": f"#/components/responses/E{c}"} for c in ("400","401","403","404","409","413","415","422")}
def op(summary, ok, body=None, params=(), errs=("400","401","403","404")):
    o = {"summary": summary, "responses": {**ok, **{e: ERR[e] for e in errs}}}
    if body: o["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref(body)}}}
    if params: o["parameters"] = list(params)
    return o
def q(name, schema, desc=""): return {"name": name, "in": "query", "required": False, "schema": schema, "description": desc}
PAGE = [q("page", {"type": "integer", "minimum": 1}), q("per_page", {"type": "integer", "minimum": 1, "maximum": 200})]
# Keyset paging on the incident and report lists (issue 8): one index range read at any depth.
SEEK = [q("after", S(), "the next page: a list response's next cursor (page= beyond 1 still works but reads every row before it)"),
        q("before", S(), "the previous page: a list response's prev cursor")]
ID = {"name": "id", "in": "path", "required": True, "schema": S(), "description": "incident id or number (HK-2026-000123)"}
RID = {"name": "id", "in": "path", "required": True, "schema": I}
paths = {
 "/api/v1/reports": {
   "get": op("List reports", resp(200, ref("ReportPage")), params=[q("status", enum("new","linked","rejected")), q("incident", I), q("q", S(), "text in subject, body, reporter; 3+ characters any substring through the text index, 1-2 characters among the newest 10,000 reports"), *PAGE, *SEEK]),
   "post": op("Submit a report; the response carries its ticket number", resp(201, ref("Report"), "stored"), "NewReport", errs=("400","401","413","415"))},
 "/api/v1/reports/{id}": {"get": op("One report", resp(200, ref("Report")), params=[RID])},
 "/api/v1/reports/{id}/raw": {"get": {"summary": "The raw submission, byte for byte", "parameters": [RID],
   "responses": {"200": {"description": "raw bytes", "content": {"application/octet-stream": {"schema": S(format="binary")}}}, "401": ERR["401"], "404": ERR["404"]}}},
 "/api/v1/reports/{id}/attachments/{attachment}": {"get": {"summary": "One attachment, as a download", "parameters": [RID, {"name": "attachment", "in": "path", "required": True, "schema": I}],
   "responses": {"200": {"description": "bytes", "content": {"application/octet-stream": {"schema": S(format="binary")}}}, "401": ERR["401"], "404": ERR["404"]}}},
 "/api/v1/reports/{id}/mail": {"get": op("Mail sent about a report (its acknowledgement): queued, sent, failed with the reason, answered",
   resp(200, items_of("OutgoingMail")), params=[RID], errs=("401","404"))},
 "/api/v1/reports/{id}/reject": {"post": op("Judge a report not an incident", resp(200, ref("Report")), "Reject", [RID], ("400","401","403","404","409"))},
 "/api/v1/reports/{id}/link": {"post": op("Link a report to an incident", resp(200, obj({"report": ref("Report"), "incident": ref("Incident")}, ["report","incident"])), "Link", [RID], ("400","401","403","404","409"))},
 "/api/v1/incidents": {
   "get": op("List incidents", resp(200, ref("IncidentPage")), params=[q("phase", phases), q("open", B), q("category", cats), q("priority", prio),
              q("assignee", S(), "user id, username or 'me': owner or task assignee"), q("q", S(), "text in title/summary (3+ characters any substring through the text index, 1-2 characters among the newest 10,000 incidents), or an incident number"), *PAGE, *SEEK]),
   "post": op("Open an incident (from reports)", resp(201, ref("Incident"), "created"), "NewIncident", errs=("400","401","403","404","422"))},
 "/api/v1/incidents/{id}": {"get": op("One incident", resp(200, ref("Incident")), params=[ID]),
                            "patch": op("Classify and edit; priority and SLA are recomputed", resp(200, ref("Incident")), "IncidentPatch", [ID], ("400","401","403","404","422"))},
 "/api/v1/incidents/{id}/phase": {"post": op("Move to another phase, with why", resp(200, ref("Incident")), "Phase", [ID], ("400","401","403","404","409"))},
 "/api/v1/incidents/{id}/merge": {"post": op("Merge this incident into another", resp(200, ref("Incident")), "Merge", [ID], ("400","401","403","404","409"))},
 "/api/v1/incidents/{id}/members": {"post": op("Name a person on the incident (sees it at TLP:RED)", resp(200, obj({"incident": I, "user": I}, ["incident","user"])), "Member", [ID], ("400","401","403","404","409"))},
 "/api/v1/incidents/{id}/timeline": {"get": op("The timeline, oldest first", resp(200, ref("Timeline")), params=[ID])},
 "/api/v1/incidents/{id}/notes": {"post": op("Add a note to the timeline", resp(201, None, "added"), "Note", [ID])},
 "/api/v1/incidents/{id}/tasks": {"get": op("Tasks", resp(200, ref("TaskList")), params=[ID]),
                                  "post": op("Add a task", resp(201, ref("Task"), "created"), "NewTask", [ID], ("400","401","403","404","409"))},
 "/api/v1/incidents/{id}/decisions": {"get": op("Decisions", resp(200, ref("DecisionList")), params=[ID]),
                                      "post": op("Record who decided what, when", resp(201, ref("Decision"), "created"), "NewDecision", [ID])},
 "/api/v1/incidents/{id}/reports": {"get": op("The incident's reports", resp(200, ref("ReportPage")), params=[ID])},
 "/api/v1/extract": {"post": op("Find the indicators in a text (nothing is stored)", resp(200, ref("ExtractedList")), "Extract", errs=("400","401"))},
 "/api/v1/incidents/{id}/indicators": {
   "get": op("The incident's indicators with its context and their correlations", resp(200, ref("IncidentIndicatorList")), params=[ID]),
   "post": op("Attach indicators (all or nothing; re-attaching updates the context)", resp(201, obj({"attached": I, "items": arr(obj({"id": I, "kind": kinds, "value": S()}, ["id","kind","value"]))}, ["attached","items"]), "attached"), "AttachIndicators", [ID])},
 "/api/v1/incidents/{id}/indicators/{indicator}": {"delete": {"summary": "Detach an indicator from the incident", "parameters": [ID, {"name": "indicator", "in": "path", "required": True, "schema": I}],
   "responses": {"204": {"description": "detached"}, "401": ERR["401"], "403": ERR["403"], "404": ERR["404"]}}},
 "/api/v1/indicators/{indicator}/correlations": {"get": op("Where else an indicator has been seen (TLP applied)", resp(200, ref("Correlations")), params=[{"name": "indicator", "in": "path", "required": True, "schema": I}])},
 "/api/v1/reports/{id}/indicators": {"get": op("Indicators found in a report, proposed for review", resp(200, ref("ReportIndicatorList")), params=[RID])},
 "/api/v1/reports/{id}/indicators/accept": {"post": op("Attach chosen proposals to an incident", resp(200, obj({"accepted": I, "incident": S()}, ["accepted","incident"])), "AcceptIndicators", [RID], ("400","401","403","404","422"))},
 "/api/v1/advisories/{id}/affected": {"get": op("Every asset running an affected version, with owner and fixed version", resp(200, ref("AffectedList")),
   params=[{"name": "id", "in": "path", "required": True, "schema": S(), "description": "advisory id or alias (CVE-…, GHSA-…, JVNDB-…)"}])},
 "/api/v1/advisories/{id}/respond": {"post": {"summary": "Open a vulnerability-response incident with the playbook's tasks per owner",
   "parameters": [{"name": "id", "in": "path", "required": True, "schema": S()}],
   "responses": {"201": {"description": "created", "content": {"application/json": {"schema": ref("Incident")}}}, "401": ERR["401"], "403": ERR["403"], "404": ERR["404"], "409": ERR["409"]}}},
 "/api/v1/graph": {"get": op("One node of the infrastructure graph and its neighbours (incidents, indicators, shared registrable domains/networks/URL hosts, internal hosts, assets), TLP applied",
   resp(200, ref("Neighbourhood")), params=[{"name": "node", "in": "query", "required": True, "schema": S(), "description": "i:ID, d:ID, k:LINK:VALUE, h:HOST or a:ID"}], errs=("400","401","404"))},
 "/api/v1/assets": {"get": op("Every asset with how many advisories it has open", resp(200, ref("AssetList")), errs=("401",))},
 "/api/v1/assets/{name}": {"get": op("One asset: installed software and open advisories (what matches now)", resp(200, ref("Asset")),
   params=[{"name": "name", "in": "path", "required": True, "schema": S(), "description": "the asset's name"}], errs=("401","404"))},
 "/api/v1/stats/summary": {"get": {"summary": "Reports, incidents and coordinated cases (first notification sent) of a period by category, priority, attacker class, RSIT and constituency (exercises apart), with the same counts per month of the period",
   "parameters": [q("period", S(), "FY2015, 2015, 2015Q2, 2015-04, FY2015Q1"), q("format", enum("json","csv"))],
   "responses": {"200": {"description": "counts", "content": {"application/json": {"schema": {"type": "object"}}, "text/csv": {"schema": S()}}}, "400": ERR["400"], "401": ERR["401"]}}},
 "/api/v1/stats/national": {"get": {"summary": "JPCERT/CC's national series totals for a period (imported with hikeshi stats import-jpcert)",
   "parameters": [q("period", S()), q("format", enum("json","csv"))],
   "responses": {"200": {"description": "totals", "content": {"application/json": {"schema": {"type": "object"}}, "text/csv": {"schema": S()}}}, "400": ERR["400"], "401": ERR["401"], "404": ERR["404"]}}},
 "/api/v1/stats/times": {"get": {"summary": "Time metrics of a period's incidents: report to acknowledgement, first response, owner reached, containment and closure (count, median, p90, max), SLA compliance per clock, reopen rate, monthly trend (exercises, merged and rejected left out); CSV is long format scope,metric,statistic,value",
   "parameters": [q("period", S(), "FY2015, 2015, 2015Q2, 2015-04, FY2015Q1"), q("format", enum("json","csv"))],
   "responses": {"200": {"description": "time metrics", "content": {"application/json": {"schema": {"type": "object"}}, "text/csv": {"schema": S()}}}, "400": ERR["400"], "401": ERR["401"]}}},
 "/api/v1/incidents/{id}/sightings": {"get": op("Sweep hits recorded on the incident, with internal host and asset", resp(200, ref("SightingList")), params=[ID])},
 "/api/v1/tasks/{id}": {"patch": op("Mark a task done or not", resp(200, ref("Task")), "TaskPatch", [RID])},
 "/api/v1/export": {"get": {"summary": "Indicators to share: STIX 2.1 bundle, MISP JSON, CSV or defanged text, capped at tlp_max (default amber); X-Hikeshi-Withheld counts what the ceiling left out",
   "parameters": [q("format", enum("stix","misp","csv","text")), q("tlp_max", tlp), q("incident", S(), "incident id or number; all visible incidents when absent"), q("lang", enum("en","ja"), "headings of the text format")],
   "responses": {"200": {"description": "the export, as a download", "content": {"application/stix+json;version=2.1": {"schema": {"type": "object"}}, "application/json": {"schema": {"type": "object"}},
                 "text/csv": {"schema": S()}, "text/plain": {"schema": S()}}}, "400": ERR["400"], "401": ERR["401"], "404": ERR["404"]}}},
 "/api/v1/import": {"post": {"summary": "Import a STIX 2.1 bundle or a MISP event: indicators linked to the file as their source, unknown objects kept, rejections named",
   "parameters": [q("format", enum("stix","misp")), q("default_tlp", tlp, "marking for indicators that arrive without one")],
   "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
   "responses": {**resp(200, ref("ImportResult")), "400": ERR["400"], "401": ERR["401"], "403": ERR["403"], "413": ERR["413"]}}},
 "/api/v1/sharing-groups": {"get": op("Sharing groups the caller may read or write (each is a TAXII collection)", resp(200, items_of("SharingGroup")), errs=("401",)),
                            "post": op("Create a sharing group with its TLP ceiling (admin)", resp(201, ref("SharingGroup"), "created"), "NewSharingGroup", errs=("400","401","403","409"))},
 "/api/v1/sharing-groups/{id}/members": {"get": op("Members of a group (admin)", resp(200, items_of("SharingMember")), params=[{"name": "id", "in": "path", "required": True, "schema": S(), "description": "group id, uuid or name"}], errs=("401","403","404")),
                                         "put": op("Give a user or one token read/write access; both false removes it (admin)", resp(200, items_of("SharingMember")), "SetSharingMember",
                                                   [{"name": "id", "in": "path", "required": True, "schema": S()}], ("400","401","403","404"))},
 "/api/v1/sharing-groups/{id}/publish": {"post": op("Publish an incident into the group: STIX objects into its TAXII collection and a MISP event, capped at its ceiling",
   resp(200, obj({"group": S(), "incident": S(), "tlp_max": tlp, "result": ref("Published")}, ["group","incident","tlp_max","result"])), "Publish",
   [{"name": "id", "in": "path", "required": True, "schema": S()}], ("400","401","403","404"))},
 "/api/v1/feeds": {"get": op("TAXII feeds with their last poll (secrets never shown)", resp(200, items_of("Feed")), errs=("401","403")),
                   "post": op("Add a TAXII 2.1 feed (admin)", resp(201, ref("Feed"), "created"), "NewFeed", errs=("400","401","403","409"))},
 "/api/v1/feeds/{id}/poll": {"post": {"summary": "Poll a feed now", "parameters": [{"name": "id", "in": "path", "required": True, "schema": S(), "description": "feed id or name"}],
   "responses": {**resp(200, ref("PollResult")), "401": ERR["401"], "403": ERR["403"], "404": ERR["404"]}}},
 "/api/v1/me": {"get": op("Who am I", resp(200, ref("User")), errs=("401",)),
   "patch": op("Change my language and display time zone", resp(200, ref("User")), "MyPreferences", errs=("400","401","422"))},
 "/api/v1/me/tokens": {"post": op("Create an API token (shown once)", resp(201, obj({"id": I, "name": S(), "token": S()}, ["id","name","token"]), "created"), "NewToken", errs=("400","401"))},
 "/api/v1/me/tokens/{id}": {"delete": {"summary": "Revoke one of my tokens", "parameters": [RID], "responses": {"204": {"description": "revoked"}, "401": ERR["401"], "404": ERR["404"]}}},
 "/api/v1/users": {"get": op("All users (admin)", resp(200, ref("UserList")), errs=("401","403")),
                   "post": op("Create a user (admin); a generated password is returned once", resp(201, ref("User"), "created"), "NewUser", errs=("400","401","403","409","422"))},
 "/api/v1/audit/verify": {"get": op("Verify the audit hash chain (admin)", resp(200, obj({"ok": B, "entries": I, "error": S()}, ["ok"])), errs=("401","403"))},
 "/api/v1/taxonomy": {"get": op("The vocabularies and the default RSIT mapping", resp(200, {"type": "object"}), errs=("401",))},
 "/api/v1/openapi.json": {"get": op("This document", resp(200, {"type": "object"}), errs=("401",))},
 "/health": {"get": {"summary": "Liveness (public)", "security": [], "responses": {**resp(200, obj({"status": S()}, ["status"])), **resp(503, obj({"status": S()}, ["status"]), "database unreachable")}}},
}
# Message templates (issue 5, "Out 2"): registry defaults, admin overrides, preview.
schemas["MessageTemplate"] = obj({"name": S(), "lang": enum("ja","en"), "subject": S(), "body": S(),
  "overridden": {"type": "boolean", "description": "an administrator's saved text replaces the built-in default"},
  "updated_by": NI, "updated_at": NI, "variables": arr(S()), "preview": obj({"subject": S(), "body": S()}, ["subject","body"])},
  ["name","lang","subject","body","overridden","variables"])
schemas["TemplateText"] = obj({"subject": S(), "body": S()}, ["subject","body"])
schemas["TemplatePreviewText"] = obj({"subject": S(), "body": S()})
schemas["TemplateRefusal"] = obj({"error": obj({"code": enum("invalid_template"), "message": S(), "part": enum("subject","body"), "line": I},
  ["code","message","part","line"])}, ["error"])
TPL = [{"name": "name", "in": "path", "required": True, "schema": S(), "description": "template name, e.g. notification.phishing"},
       {"name": "lang", "in": "path", "required": True, "schema": enum("ja","en")}]
REFUSED = {"422": {"description": "the text does not compile or names a variable the template does not get", "content": {"application/json": {"schema": ref("TemplateRefusal")}}}}
paths.update({
 "/api/v1/templates": {"get": op("Every message template in both languages, as in force (override or default)", resp(200, items_of("MessageTemplate")), errs=("401",))},
 "/api/v1/templates/{name}/{lang}": {
   "get": op("One template as in force, with the variables it gets", resp(200, ref("MessageTemplate")), params=TPL, errs=("401","404")),
   "put": {**op("Save an override (admin); refused with the part and line when invalid", resp(200, ref("MessageTemplate")), "TemplateText", TPL, ("400","401","403","404")),
           "responses": {**resp(200, ref("MessageTemplate")), **{e: ERR[e] for e in ("400","401","403","404")}, **REFUSED}},
   "delete": op("Reset to the built-in default (admin)", resp(200, ref("MessageTemplate")), params=TPL, errs=("401","403","404"))},
 "/api/v1/templates/{name}/{lang}/preview": {"post": {**op("Render a text (or, with {}, the template in force) against the template's sample variables", resp(200, ref("TemplateText")), "TemplatePreviewText", TPL),
   "responses": {**resp(200, obj({"name": S(), "lang": S(), "subject": S(), "body": S()}, ["name","lang","subject","body"])), **{e: ERR[e] for e in ("400","401","404")}, **REFUSED}}},
})

# Sweeps as background jobs (issue 4): start from an incident, follow, cancel.
schemas["SweepJob"] = obj({
  "id": I, "incident_id": I, "requested_by": NI, "requested_by_name": S(),
  "sources": arr(S(description="ROOT:relative/path for an allowed server-side root, upload:NAME for an uploaded file; the sightings' source")),
  "state": enum("queued","running","done","failed","cancelled"),
  "bytes_done": I, "bytes_total": I, "percent": NI, "lines": I, "hits": I, "new_sightings": I,
  "error": S(description="problems met (unreadable files, links leaving the root) or why it failed"),
  "cancel_requested": B, "attempts": I, "created_at": T, "started_at": NT, "finished_at": NT},
  ["id","incident_id","requested_by","requested_by_name","sources","state","bytes_done","bytes_total","percent","lines","hits",
   "new_sightings","error","cancel_requested","attempts","created_at","started_at","finished_at"])
schemas["SweepStart"] = obj({"sources": arr(obj({"root": S(description="a root name from the [sweep.allowed_paths] configuration"),
  "path": S(description="relative to the root; a directory is swept recursively; '.' or empty for the whole root")}, ["root"]))}, ["sources"])
JOB = {"name": "job", "in": "path", "required": True, "schema": I}
paths.update({
 "/api/v1/incidents/{id}/sweeps": {
   "get": op("The incident's sweep jobs, newest first", resp(200, items_of("SweepJob")), params=[ID]),
   "post": {**op("Start a sweep of the incident's indicators over allowed server-side paths (JSON) or uploaded logs "
                 "(multipart/form-data, fields named file; gzip, zstd and bzip2 are read transparently). Runs in the background; "
                 "its hits become sightings on the incident, linked to assets; lines already recorded are not recorded again",
                 resp(202, ref("SweepJob"), "queued"), params=[ID], errs=("400","401","403","404","413","415","422")),
            "requestBody": {"required": True, "content": {
              "application/json": {"schema": ref("SweepStart")},
              "multipart/form-data": {"schema": obj({"file": arr(S(format="binary"))}, ["file"], True)}}}}},
 "/api/v1/sweeps/{job}": {"get": op("One sweep job: state and progress", resp(200, ref("SweepJob")), params=[JOB], errs=("400","401","404"))},
 "/api/v1/sweeps/{job}/cancel": {"post": op("Ask a sweep job to stop: a queued job is cancelled at once, a running one within about a second "
                                            "(hits found until then are recorded)", resp(200, ref("SweepJob")), params=[JOB], errs=("400","401","403","404","409"))},
})

# Contacts and notifications from an incident (issue 5, "Out 2").
contact_tlp = enum("clear","green","amber","amber+strict")
schemas["Contact"] = obj({"id": I, "organisation": S(), "name": S(), "email": S(), "lang": enum("ja","en"),
  "kind": enum("owner","isp","cert","hosting","registrar","customer","other"), "notes": S(),
  "tlp_max": {**contact_tlp, "description": "the most restrictive marking they may receive; never red"}, "created_at": I, "updated_at": I},
  ["id","organisation","name","email","lang","kind","notes","tlp_max","created_at","updated_at"])
schemas["ContactBody"] = obj({"organisation": S(), "name": S(), "email": S(), "lang": enum("ja","en"),
  "kind": enum("owner","isp","cert","hosting","registrar","customer","other"), "notes": S(), "tlp_max": {**contact_tlp, "description": "default green"}}, ["email"])
schemas["Notification"] = obj({"id": I, "incident_id": I, "outbox_id": I, "contact_id": NI, "recipient": S(), "recipient_name": S(),
  "routes": arr(S(description="contact:ID or asset:NAME")), "template": S(), "lang": S(), "tlp": tlp, "indicators": I,
  "created_by": NI, "created_at": I, "subject": S(), "message_id": S(description="ours, without brackets; a reply naming it marks the notification answered"),
  "status": enum("queued","sending","sent","failed","answered"), "attempts": I, "last_error": S(), "sent_at": NI, "answered_at": NI,
  "answered_by": {**NI, "description": "the report the answer was stored as"}},
  ["id","incident_id","outbox_id","recipient","routes","template","lang","tlp","indicators","created_at","subject","message_id","status","attempts","last_error"])
schemas["NotifyRequest"] = obj({"contacts": arr(I), "assets": arr(S(description="asset name; its owner's address is used")),
  "template": S(description="default notification.<category>, else notification.other"),
  "indicators": arr(I), "note": S(description="the handler's free text (template variable note)")})
schemas["NotificationDraft"] = obj({
  "recipient": obj({"email": S(), "name": S(), "organisation": S(), "lang": enum("ja","en"), "tlp_max": tlp, "contact_id": NI, "routes": arr(S())},
                   ["email","name","organisation","lang","tlp_max","contact_id","routes"]),
  "template": S(), "tlp": tlp, "subject": S(), "body": S(), "indicators": I, "withheld": I,
  "attachment": {"oneOf": [obj({"filename": S(), "size": I}, ["filename","size"]), {"type": "null"}]}},
  ["recipient","template","tlp","subject","body","indicators","withheld","attachment"])
CID = {"name": "id", "in": "path", "required": True, "schema": I}
paths.update({
 "/api/v1/contacts": {"get": op("The contact directory", resp(200, items_of("Contact")), errs=("401",)),
                      "post": op("Add a contact (handlers and admins)", resp(201, ref("Contact"), "created"), "ContactBody", errs=("400","401","403","409","422"))},
 "/api/v1/contacts/{id}": {"get": op("One contact", resp(200, ref("Contact")), params=[CID], errs=("401","404")),
                           "put": op("Replace a contact's values", resp(200, ref("Contact")), "ContactBody", [CID], ("400","401","403","404","409","422")),
                           "delete": {"summary": "Remove a contact (notifications sent keep the address)", "parameters": [CID],
                                      "responses": {"204": {"description": "removed"}, "401": ERR["401"], "403": ERR["403"], "404": ERR["404"]}}},
 "/api/v1/incidents/{id}/notifications": {
   "get": op("The incident's notifications: recipient, template, language, marking, status (queued, sent, failed with the reason, answered)", resp(200, items_of("Notification")), params=[ID], errs=("401","404")),
   "post": op("Notify contacts and asset owners: one message per recipient in their language, indicators defanged and capped at their TLP clearance, a CSV attachment for more than 20; queued in the outbox",
              resp(201, items_of("Notification"), "queued"), "NotifyRequest", [ID], ("400","401","403","404","409","422"))},
 "/api/v1/incidents/{id}/notifications/preview": {"post": op("What a notify request would send, without sending", resp(200, items_of("NotificationDraft")), "NotifyRequest", [ID], ("400","401","403","404","409","422"))},
})

# Search across incidents, reports and indicators, and saved filters (issue 8, page 5).
schemas["IndicatorHit"] = obj({"id": I, "kind": kinds, "value": S(), "defanged": S(),
                               "matched": enum("exact","domain","prefix"), "incidents": I, "graph": S(description="the indicator's graph page")},
                              ["id","kind","value","defanged","matched","incidents","graph"])
schemas["SearchResult"] = obj({
  "q": S(),
  "incidents": obj({"items": arr(ref("Incident")), "total": I, "total_exact": B, "href": S(description="the full incident list for the query")}, ["items","total","total_exact","href"]),
  "reports": obj({"items": arr(ref("Report")), "total": I, "total_exact": B, "href": S(description="the full report list for the query")}, ["items","total","total_exact","href"]),
  "indicators": arr(ref("IndicatorHit"))}, ["q","incidents","reports","indicators"])
scopes = enum("search","incidents","reports")
schemas["SavedFilter"] = obj({"id": I, "name": S(), "scope": scopes, "query": S(description="the query string, without '?'"),
                              "href": S(description="the page the filter opens"), "created_at": T},
                             ["id","name","scope","query","href","created_at"])
schemas["NewSavedFilter"] = obj({"name": S(maxLength=100), "scope": scopes, "query": S(maxLength=2000)}, ["name","scope"])
paths.update({
 "/api/v1/search": {"get": op("Incidents, reports (the first 20 of each, with totals and the full list's link) and indicators matching q, TLP applied. "
   "An indicator may be typed defanged or in full-width form: it is refanged and normalised, then matched exactly, by its registrable domain (a domain, URL or mail address) and by prefix",
   resp(200, ref("SearchResult")), params=[{"name": "q", "in": "query", "required": True, "schema": S()}], errs=("400","401"))},
 "/api/v1/saved-filters": {
   "get": op("The caller's saved filters", resp(200, items_of("SavedFilter")), params=[q("scope", scopes)], errs=("400","401")),
   "post": op("Save a filter (a query string for the search page or the incident or report list) under a name unique per user and scope",
              resp(201, ref("SavedFilter"), "created"), "NewSavedFilter", errs=("400","401","409","415","422"))},
 "/api/v1/saved-filters/{id}": {"delete": {"summary": "Delete one of the caller's saved filters (another user's is not found)", "parameters": [RID],
   "responses": {"204": {"description": "deleted"}, "401": ERR["401"], "404": ERR["404"]}}},
})

# One incident's documents (issue 9, "Documents 2"): its report, the notice drafts, the write-up
# they draw on, and the time the owner was reached.
writeup_props = {"impact": S(description="the impact in words"), "accounts": S(description="accounts or people in scope"),
                 "data": S(description="data in scope"), "lessons": S(description="lessons learned")}
schemas["Writeup"] = obj(writeup_props, list(writeup_props))
schemas["WriteupPatch"] = obj(writeup_props)
schemas["OwnerReached"] = obj({"at": S(format="date-time", description="when; default now; not in the future"),
                               "note": S(description="who was reached and how")})
schemas["NoticeDraft"] = obj({"name": enum("notice.customer","notice.press"), "lang": enum("ja","en"), "subject": S(), "body": S()},
                             ["name","lang","subject","body"])
LANGQ = q("lang", enum("ja","en"), "default: the caller's language")
paths.update({
 "/api/v1/incidents/{id}/report": {"get": {"summary": "The incident's report (executive summary, key times, timeline, impact, scope, actions and decisions, "
     "defanged indicators, lessons learned) marked with its TLP; indicators marked above the incident are left out and withheld in free text. "
     "JSON by default, a standalone HTML document with format=html",
   "parameters": [ID, LANGQ, q("format", enum("json","html"))],
   "responses": {"200": {"description": "the report", "content": {"application/json": {"schema": obj({"lang": enum("ja","en"), "report": {"type": "object"}}, ["lang","report"])},
                                                              "text/html": {"schema": S()}}}, **{e: ERR[e] for e in ("400","401","404")}}}},
 "/api/v1/incidents/{id}/report.pdf": {"get": {"summary": "The incident's report as PDF (printed by the server's Chromium, one at a time; 503 names what is missing)",
   "parameters": [ID, LANGQ],
   "responses": {"200": {"description": "the report", "content": {"application/pdf": {"schema": S(format="binary")}}},
                 **{e: ERR[e] for e in ("400","401","404")}, "503": {"description": "no PDF engine, or it failed", "content": {"application/json": {"schema": ref("Error")}}}}}},
 "/api/v1/incidents/{id}/drafts": {"get": op("Customer notice and press release drafts from the incident, in Japanese and English, written with the templates notice.customer and notice.press",
   resp(200, items_of("NoticeDraft")), params=[ID], errs=("401","404"))},
 "/api/v1/incidents/{id}/writeup": {"patch": op("Change the report text (impact, accounts, data, lessons); each change is a timeline event", resp(200, ref("Incident")), "WriteupPatch", [ID], ("400","401","403","404"))},
 "/api/v1/incidents/{id}/owner-reached": {"post": op("Record that the owner of the affected system was reached (again: corrects the time); a timeline event; "
   "the time metrics measure report received to owner reached", resp(200, ref("Incident")), "OwnerReached", [ID], ("400","401","403","404","409"))},
})

# Administration (issue 8, "Administration"): accounts, everyone's tokens, mail status.
schemas["UserChange"] = obj({"role": enum("viewer","handler","admin"), "disabled": {"type": "boolean", "description": "ends the user's sessions; tokens are refused while disabled"},
                             "display_name": S(), "email": S()})
schemas["TokenRow"] = obj({"id": I, "username": S(), "name": S(), "created_at": I, "revoked_at": NI}, ["id","username","name","created_at","revoked_at"])
UNAME = {"name": "username", "in": "path", "required": True, "schema": S()}
MAILBOX = {"name": "label", "in": "path", "required": True, "schema": S(), "description": "the mailbox label from [mail] configuration"}
box_status = obj({"last_poll_at": NI, "last_ok_at": NI, "last_error": {"type": ["string","null"]}, "polls": I, "failures": I,
                  "new": I, "joined": I, "duplicate": I, "unreadable": I})
schemas["MailStatus"] = obj({"address": S(), "display_name": S(), "also_ours": arr(S()), "acknowledge": B, "ack_per_hour": I,
  "smtp": {"type": ["object","null"], "description": "host, port, security, username, password_set (never the password)"},
  "mailboxes": arr(obj({"label": S(), "host": S(), "port": I, "security": enum("tls","starttls","plain"), "username": S(), "password_set": B,
                        "folder": S(), "poll_seconds": I, "status": box_status}, extra=True)),
  "outbox": obj({"queued": I, "sending": I, "failed": I, "sent_24h": I, "oldest_unsent_at": NI,
                 "unsent": arr({"type": "object", "description": "unsent messages the caller may see (TLP applies), failed first"})})},
  ["smtp","mailboxes","outbox"])
paths.update({
 "/api/v1/users/{username}": {"patch": op("Change an account (admin): role, disabled, name, address. Refused (409) when it would leave no enabled administrator",
   resp(200, ref("User")), "UserChange", [UNAME], ("400","401","403","404","409"))},
 "/api/v1/users/{username}/password": {"post": {"summary": "Reset a user's password (admin): a generated one-time password is returned once (no-store), to be changed at the next login; the user's sessions end",
   "parameters": [UNAME], "responses": {**resp(200, obj({"username": S(), "password": S(), "must_change": B}, ["username","password","must_change"])), **{e: ERR[e] for e in ("401","403","404")}}}},
 "/api/v1/tokens": {"get": op("Every user's API tokens (admin); never the secret", resp(200, items_of("TokenRow")), errs=("401","403"))},
 "/api/v1/tokens/{id}": {"delete": {"summary": "Revoke anyone's token (admin)", "parameters": [RID], "responses": {"204": {"description": "revoked"}, **{e: ERR[e] for e in ("401","403","404")}}}},
 "/api/v1/mail/status": {"get": op("Mail settings without secrets, each IMAP mailbox's poller on this node, and the outgoing queue (admin)", resp(200, ref("MailStatus")), errs=("401","403"))},
 "/api/v1/mail/mailboxes/{label}/poll": {"post": {"summary": "Wake a mailbox's poller on this node now (admin)", "parameters": [MAILBOX],
   "responses": {"202": {"description": "the poller was woken"}, **{e: ERR[e] for e in ("401","403","404")}}}},
 "/api/v1/mail/outbox/{id}/retry": {"post": {"summary": "Make a failed outgoing message due now instead of after its backoff (admin; audited)", "parameters": [RID],
   "responses": {"204": {"description": "due now"}, **{e: ERR[e] for e in ("401","403","404")}}}},
})

# Facts about an indicator (issue 8, "Infrastructure graph": ASNs, organisations, registrants, malware).
schemas["Fact"] = obj({"link": enum("asn","organisation","registrant","name-server","malware"), "value": S(description="normal form")}, ["link","value"])
paths.update({
 "/api/v1/indicators/{id}/facts": {
   "get": op("Facts recorded about an indicator (404 when the caller may not see it)", resp(200, items_of("Fact")), params=[RID], errs=("401","404")),
   "post": op("Record a fact (handler); indicators sharing one are linked in correlations and the graph; recording it again changes nothing",
              resp(201, ref("Fact"), "recorded"), "Fact", [RID], ("400","401","403","404","422")),
   "delete": {"summary": "Remove a recorded fact (handler)", "parameters": [RID, {"name": "link", "in": "query", "required": True, "schema": S()},
              {"name": "value", "in": "query", "required": True, "schema": S()}],
              "responses": {"204": {"description": "removed"}, **{e: ERR[e] for e in ("400","401","403","404","422")}}}},
})

doc = {
 "openapi": "3.1.0",
 "info": {"title": "hikeshi API", "version": "1", "license": {"name": "Apache-2.0 OR MIT", "identifier": "Apache-2.0 OR MIT"},
          "description": "The REST API of hikeshi, the CSIRT's incident-response platform. Authenticate with `Authorization: Bearer <token>` (create one at POST /api/v1/me/tokens) or a session cookie; cookie-authenticated writes need the X-CSRF-Token header. Times are RFC 3339."},
 "servers": [{"url": "/"}],
 "security": [{"bearer": []}, {"session": []}],
 "paths": paths,
 "components": {
   "schemas": schemas,
   "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}, "session": {"type": "apiKey", "in": "cookie", "name": "hikeshi_session"}},
   "responses": {f"E{c}": {"description": d, "content": {"application/json": {"schema": ref("Error")}}} for c, d in
                 [("400","bad request"),("401","not logged in"),("403","not allowed"),("404","not found"),("409","conflict"),("413","too large"),("415","not JSON"),("422","invalid value")]},
 },
}
out = pathlib.Path(__file__).resolve().parents[2] / "crates/server/openapi.json"
out.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
print(f"wrote {out}")
