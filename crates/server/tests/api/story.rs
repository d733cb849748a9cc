//! A report comes in through the API and is handled to closure, every response checked
//! against openapi.json.

use crate::harness::app;
use crate::schema::check_response;
use serde_json::json;

#[tokio::test]
async fn a_report_is_triaged_into_an_incident_and_handled_to_closure() {
    let a = app().await;
    let r = a
        .post(
            "/api/v1/reports",
            &a.handler,
            json!({"reporter_name": "山田", "reporter_email": "yamada@example.jp", "subject": "不審な通信",
                   "body": "192.0.2.10 から hxxp://evil[.]example/ へ通信しています",
                   "attachments": [{"filename": "proxy.log", "content_type": "text/plain", "data": "MTkyLjAuMi4xMCBHRVQ="}]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    check_response("POST", "/api/v1/reports", 201, &r.body);
    let rep = r.json();
    let ticket = rep["id"].as_i64().unwrap();
    assert_eq!(rep["ticket"], format!("[hikeshi #{ticket}]"));
    assert_eq!(rep["lang"], "ja");
    assert_eq!(rep["attachments"][0]["size"], 14);

    let raw = a
        .get(&format!("/api/v1/reports/{ticket}/raw"), &a.viewer)
        .await;
    assert_eq!(raw.status, 200);
    assert!(
        raw.text().contains("\"subject\":\"不審な通信\""),
        "raw body kept as sent"
    );
    let att = a
        .get(
            &format!(
                "/api/v1/reports/{ticket}/attachments/{}",
                rep["attachments"][0]["id"]
            ),
            &a.viewer,
        )
        .await;
    assert_eq!(att.body, b"192.0.2.10 GET");
    assert_eq!(att.header("content-type"), "application/octet-stream");

    let queue = a.get("/api/v1/reports?status=new", &a.viewer).await;
    check_response("GET", "/api/v1/reports", 200, &queue.body);
    assert_eq!(queue.json()["total"], 1);

    let inc = a
        .post("/api/v1/incidents", &a.handler, json!({"title": "C2 通信", "category": "malware-site", "tlp": "amber", "reports": [ticket], "owner": "me"}))
        .await;
    assert_eq!(inc.status, 201, "{}", inc.text());
    check_response("POST", "/api/v1/incidents", 201, &inc.body);
    let inc = inc.json();
    let number = inc["number"].as_str().unwrap().to_owned();
    assert_eq!(
        inc["rsit"],
        json!({"class": "malicious-code", "type": "malware-distribution"})
    );
    assert_eq!(inc["priority"], "p4");

    let patched = a
        .call("PATCH", &format!("/api/v1/incidents/{number}"), Some(&a.handler),
              Some(json!({"category": "targeted", "impact": {"functional": "high", "information": "privacy", "criticality": "high"}})))
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text());
    check_response("PATCH", "/api/v1/incidents/{id}", 200, &patched.body);
    let p = patched.json();
    assert_eq!(
        (p["attacker"].as_str(), p["priority"].as_str()),
        (Some("targeted"), Some("p1"))
    );
    assert_eq!(p["rsit"]["type"], "system-compromise");

    for to in ["triage", "analysis", "containment"] {
        let r = a
            .post(
                &format!("/api/v1/incidents/{number}/phase"),
                &a.handler,
                json!({"to": to, "reason": format!("go {to}")}),
            )
            .await;
        assert_eq!(r.status, 200, "{to}: {}", r.text());
    }
    let t = a.post(&format!("/api/v1/incidents/{number}/tasks"), &a.handler, json!({"title": "Isolate 192.0.2.10", "assignee": "handler", "due_at": "2026-12-01T09:00:00+09:00"})).await;
    assert_eq!(t.status, 201, "{}", t.text());
    check_response("POST", "/api/v1/incidents/{id}/tasks", 201, &t.body);
    let task_id = t.json()["id"].as_i64().unwrap();
    assert_eq!(t.json()["due_at"], "2026-12-01T00:00:00.000Z");
    let done = a
        .call(
            "PATCH",
            &format!("/api/v1/tasks/{task_id}"),
            Some(&a.handler),
            Some(json!({"done": true})),
        )
        .await;
    assert!(done.json()["done_at"].is_string());
    let d = a
        .post(&format!("/api/v1/incidents/{number}/decisions"), &a.handler,
              json!({"subject": "stop file server fs01", "decision": "approved", "decided_by": "情報システム部長"}))
        .await;
    assert_eq!(d.status, 201, "{}", d.text());
    check_response("POST", "/api/v1/incidents/{id}/decisions", 201, &d.body);
    assert_eq!(
        a.post(
            &format!("/api/v1/incidents/{number}/notes"),
            &a.handler,
            json!({"text": "fs01 reimaged"})
        )
        .await
        .status,
        201
    );
    for to in [
        "eradication",
        "recovery",
        "analysis",
        "containment",
        "eradication",
        "recovery",
        "lessons",
        "closed",
    ] {
        let r = a
            .post(
                &format!("/api/v1/incidents/{number}/phase"),
                &a.handler,
                json!({"to": to}),
            )
            .await;
        assert_eq!(r.status, 200, "{to}: {}", r.text());
    }
    let closed = a
        .get(&format!("/api/v1/incidents/{number}"), &a.viewer)
        .await
        .json();
    assert_eq!(closed["phase"], "closed");
    assert!(closed["closed_at"].is_string() && closed["contained_at"].is_string());

    let tl = a
        .get(&format!("/api/v1/incidents/{number}/timeline"), &a.viewer)
        .await;
    check_response("GET", "/api/v1/incidents/{id}/timeline", 200, &tl.body);
    let kinds: Vec<String> = tl.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect();
    for k in [
        "created",
        "report-linked",
        "classified",
        "phase",
        "task-added",
        "task-done",
        "decision",
        "note",
    ] {
        assert!(
            kinds.contains(&k.to_owned()),
            "timeline lacks {k}: {kinds:?}"
        );
    }
    let ats: Vec<String> = tl.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["at"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        ats.windows(2).all(|w| w[0] <= w[1]),
        "timeline in time order"
    );

    // Filters.
    for (q, n) in [
        ("phase=closed", 1),
        ("phase=triage", 0),
        ("category=targeted", 1),
        ("priority=p1", 1),
        ("assignee=me", 1),
        ("q=C2", 1),
        ("open=true", 0),
    ] {
        let r = a.get(&format!("/api/v1/incidents?{q}"), &a.handler).await;
        assert_eq!(r.status, 200, "{q}");
        assert_eq!(r.json()["total"], n, "{q}");
    }
    let audit = a.get("/api/v1/audit/verify", &a.admin).await.json();
    assert_eq!(audit["ok"], true, "{audit}");
}

#[tokio::test]
async fn reports_are_rejected_and_incidents_merged_over_the_api() {
    let a = app().await;
    let mk = |s: &'static str| json!({"body": s});
    let r1 = a
        .post("/api/v1/reports", &a.handler, mk("scan from 198.51.100.7"))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let r2 = a
        .post("/api/v1/reports", &a.handler, mk("same scanner again"))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let spam = a
        .post("/api/v1/reports", &a.handler, mk("buy cheap watches"))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let rej = a
        .post(
            &format!("/api/v1/reports/{spam}/reject"),
            &a.handler,
            json!({"reason": "spam"}),
        )
        .await;
    assert_eq!(rej.json()["status"], "rejected");
    let i1 = a
        .post(
            "/api/v1/incidents",
            &a.handler,
            json!({"title": "scan", "category": "scan", "reports": [r1]}),
        )
        .await
        .json();
    let i2 = a
        .post(
            "/api/v1/incidents",
            &a.handler,
            json!({"title": "scan 2", "category": "scan"}),
        )
        .await
        .json();
    let l = a
        .post(
            &format!("/api/v1/reports/{r2}/link"),
            &a.handler,
            json!({"incident": i2["number"]}),
        )
        .await;
    assert_eq!(l.status, 200, "{}", l.text());
    let m = a
        .post(
            &format!("/api/v1/incidents/{}/merge", i2["id"]),
            &a.handler,
            json!({"into": i1["number"], "reason": "same scanner"}),
        )
        .await;
    assert_eq!(m.status, 200, "{}", m.text());
    let reports = a
        .get(
            &format!("/api/v1/incidents/{}/reports", i1["id"]),
            &a.viewer,
        )
        .await
        .json();
    assert_eq!(reports["total"], 2);
    let merged = a
        .get(&format!("/api/v1/incidents/{}", i2["id"]), &a.viewer)
        .await
        .json();
    assert_eq!(
        (merged["phase"].as_str(), merged["merged_into"].as_i64()),
        (Some("merged"), i1["id"].as_i64())
    );
}
