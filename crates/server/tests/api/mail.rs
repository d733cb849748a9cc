//! Mail taken in live (as mailgate and the IMAP poller do): the report and its queued
//! acknowledgement, as the API shows them.

use crate::harness::app;
use crate::schema::check_response;
use hikeshi_domain::Actor;
use hikeshi_server::mail_config::MailConfig;

#[tokio::test]
async fn a_report_by_mail_lists_its_queued_acknowledgement() {
    let a = app().await;
    let mail = MailConfig {
        address: "csirt@example.org".into(),
        ..MailConfig::default()
    };
    let raw = "From: Taro <taro@example.jp>\r\nTo: csirt@example.org\r\n\
        Subject: =?UTF-8?B?5LiN5a+p44Gq44Oh44O844Or?=\r\nMessage-ID: <m1@example.jp>\r\n\
        Content-Type: text/plain; charset=UTF-8\r\n\r\n不審なメールを受信しました。\r\n";
    let taken = hikeshi_server::ack::take_mail(
        &a.store,
        &Actor::System,
        &hikeshi_ioc::Extractor::new(),
        raw.as_bytes().to_vec(),
        "abuse",
        Some(&mail),
        "Example CSIRT",
        540,
    )
    .await
    .unwrap();
    let id = taken.report.id.0;
    let r = a
        .get(&format!("/api/v1/reports/{id}/mail"), &a.viewer)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    check_response("GET", "/api/v1/reports/{id}/mail", 200, &r.body);
    let items = r.json()["items"].clone();
    assert_eq!(items.as_array().unwrap().len(), 1, "{items}");
    assert_eq!(items[0]["kind"], "ack");
    assert_eq!(items[0]["status"], "queued");
    assert_eq!(items[0]["lang"], "ja");
    assert_eq!(items[0]["recipients"][0], "taro@example.jp");
    assert_eq!(
        items[0]["subject"],
        format!("Re: [hikeshi #{id}] 不審なメール")
    );
    let r = a.get(&format!("/api/v1/reports/{id}"), &a.viewer).await;
    assert_eq!(r.json()["mailbox"], "abuse");
    check_response("GET", "/api/v1/reports/{id}", 200, &r.body);
    assert_eq!(
        a.get("/api/v1/reports/999/mail", &a.viewer).await.status,
        404
    );
    assert_eq!(
        a.get(&format!("/api/v1/reports/{id}/mail"), "")
            .await
            .status,
        401
    );
}
