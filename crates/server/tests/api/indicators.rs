//! Indicators from a report's text to an incident, and where else they have been seen.

use crate::harness::app;
use crate::schema::check_response;
use serde_json::json;

#[tokio::test]
async fn indicators_in_a_report_are_proposed_accepted_and_correlated() {
    let a = app().await;
    let body = "C2: hxxp://evil[.]example[.]com/gate.php と １９２．０．２．１０ を確認。\nversion 1.2.3.4 of the agent; index.html is fine.";
    let r = a
        .post(
            "/api/v1/reports",
            &a.handler,
            json!({"subject": "C2 通信", "body": body}),
        )
        .await
        .json();
    let ticket = r["id"].as_i64().unwrap();
    let props = a
        .get(&format!("/api/v1/reports/{ticket}/indicators"), &a.viewer)
        .await;
    check_response("GET", "/api/v1/reports/{id}/indicators", 200, &props.body);
    let items = props.json()["items"].as_array().unwrap().clone();
    let values: Vec<&str> = items.iter().map(|i| i["value"].as_str().unwrap()).collect();
    assert!(
        values.contains(&"http://evil.example.com/gate.php"),
        "{values:?}"
    );
    assert!(
        values.contains(&"192.0.2.10"),
        "full-width address refanged: {values:?}"
    );
    assert!(
        !values.contains(&"1.2.3.4"),
        "a version number is not an address: {values:?}"
    );
    let url = items.iter().find(|i| i["kind"] == "url").unwrap();
    assert_eq!(url["raw"], "hxxp://evil[.]example[.]com/gate.php");
    assert_eq!(
        &body.as_bytes()
            [url["start"].as_u64().unwrap() as usize..url["end"].as_u64().unwrap() as usize],
        b"hxxp://evil[.]example[.]com/gate.php"
    );

    let inc = a
        .post(
            "/api/v1/incidents",
            &a.handler,
            json!({"title": "C2", "category": "malware-site", "reports": [ticket]}),
        )
        .await
        .json();
    let n = inc["number"].as_str().unwrap().to_owned();
    let ids: Vec<i64> = items
        .iter()
        .filter(|i| i["kind"] != "ipv4")
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    let acc = a
        .post(
            &format!("/api/v1/reports/{ticket}/indicators/accept"),
            &a.handler,
            json!({"indicators": ids, "role": "c2", "dismiss_rest": true}),
        )
        .await;
    assert_eq!(acc.status, 200, "{}", acc.text());
    check_response(
        "POST",
        "/api/v1/reports/{id}/indicators/accept",
        200,
        &acc.body,
    );
    let after = a
        .get(&format!("/api/v1/reports/{ticket}/indicators"), &a.viewer)
        .await
        .json();
    let ip = after["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "ipv4")
        .unwrap()
        .clone();
    assert_eq!(ip["status"], "dismissed");

    // A second incident reports the same host in another form.
    let other = a
        .post(
            "/api/v1/incidents",
            &a.handler,
            json!({"title": "other", "category": "scan"}),
        )
        .await
        .json();
    let att = a
        .post(&format!("/api/v1/incidents/{}/indicators", other["id"]), &a.handler,
              json!({"items": [{"value": "ｈｔｔｐ：／／ＥＶＩＬ．example．com/gate.php", "role": "c2", "tlp": "green", "note": "seen in proxy"},
                               {"value": "www.example.com"}]}))
        .await;
    assert_eq!(att.status, 201, "{}", att.text());
    check_response("POST", "/api/v1/incidents/{id}/indicators", 201, &att.body);

    let list = a
        .get(&format!("/api/v1/incidents/{n}/indicators"), &a.viewer)
        .await;
    check_response("GET", "/api/v1/incidents/{id}/indicators", 200, &list.body);
    let list = list.json();
    let url = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "url")
        .unwrap()
        .clone();
    assert_eq!(url["role"], "c2");
    assert_eq!(url["defanged"], "hxxp://evil[.]example[.]com/gate.php");
    let corr = &url["correlations"];
    assert_eq!(
        corr["incidents"][0]["title"], "other",
        "same URL in the other incident: {corr}"
    );
    assert_eq!(corr["reports"][0]["report_id"], ticket);
    let weak: Vec<&str> = corr["weak"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["value"].as_str().unwrap())
        .collect();
    assert!(
        weak.contains(&"www.example.com"),
        "same registrable domain: {weak:?}"
    );
    assert!(
        !corr.to_string().contains("seen in proxy"),
        "the other incident's note never shows here"
    );

    let c = a
        .get(
            &format!("/api/v1/indicators/{}/correlations", url["id"]),
            &a.viewer,
        )
        .await;
    check_response(
        "GET",
        "/api/v1/indicators/{indicator}/correlations",
        200,
        &c.body,
    );
    assert_eq!(
        a.get("/api/v1/indicators/424242/correlations", &a.viewer)
            .await
            .status,
        404
    );
    let del = a
        .call(
            "DELETE",
            &format!("/api/v1/incidents/{}/indicators/{}", other["id"], url["id"]),
            Some(&a.handler),
            None,
        )
        .await;
    assert_eq!(del.status, 204);
}

#[tokio::test]
async fn bad_indicators_are_refused_together_with_the_reason_for_each() {
    let a = app().await;
    let inc = a
        .post(
            "/api/v1/incidents",
            &a.handler,
            json!({"title": "t", "category": "other"}),
        )
        .await
        .json();
    let r = a
        .post(&format!("/api/v1/incidents/{}/indicators", inc["id"]), &a.handler,
              json!({"items": [{"value": "evil.example.com"}, {"value": "not an indicator at all"}, {"value": "1.2.3.4", "kind": "md5"}]}))
        .await;
    assert_eq!(r.status, 400);
    let msg = r.json()["error"]["message"].as_str().unwrap().to_owned();
    assert!(
        msg.contains("items[1]") && msg.contains("items[2]") && !msg.contains("items[0]"),
        "{msg}"
    );
    let list = a
        .get(
            &format!("/api/v1/incidents/{}/indicators", inc["id"]),
            &a.viewer,
        )
        .await
        .json();
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        0,
        "nothing attached"
    );

    let ex = a
        .post(
            "/api/v1/extract",
            &a.viewer,
            json!({"text": "mail from attacker(at)evil[.]example[.]com and 2001:db8::1"}),
        )
        .await;
    check_response("POST", "/api/v1/extract", 200, &ex.body);
    let kinds: Vec<String> = ex.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        kinds.contains(&"email".to_owned()) && kinds.contains(&"ipv6".to_owned()),
        "{kinds:?}"
    );
}
