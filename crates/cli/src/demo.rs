//! `serve --demo`: a small, realistic data set in Japanese and English, in different phases, so
//! a first look at hikeshi shows a working desk rather than empty tables. Loaded only into a
//! database without incidents. Addresses and domains are from the documentation ranges
//! (RFC 5737, RFC 2606), never real victims.

use hikeshi_domain::*;
use hikeshi_store::{IncidentPatch, NewIncident, Store};

fn report(name: &str, email: &str, org: &str, subject: &str, body: &str) -> NewReport {
    let mut r = NewReport {
        channel: Some(Channel::Mail),
        reporter_name: name.into(),
        reporter_email: email.into(),
        reporter_org: org.into(),
        subject: subject.into(),
        body: body.into(),
        raw: format!("From: {name} <{email}>\r\nSubject: {subject}\r\n\r\n{body}").into_bytes(),
        raw_content_type: "message/rfc822".into(),
        ..Default::default()
    };
    r.extract_indicators(hikeshi_ioc::default_extractor());
    r
}

fn incident(title: &str, category: Category, tlp: Tlp, reports: Vec<ReportId>) -> NewIncident {
    NewIncident {
        title: title.into(),
        summary: String::new(),
        category,
        rsit: None,
        attacker: None,
        asset: None,
        tlp,
        impact: Impact::default(),
        owner: None,
        reports,
        is_exercise: false,
    }
}

/// Load the demo set; returns how many incidents were created (0 when there were already some).
pub async fn load(store: &Store) -> anyhow::Result<usize> {
    let existing = store
        .list_incidents(
            hikeshi_store::Viewer::System,
            &Default::default(),
            hikeshi_store::Page::new(Some(1), Some(1)),
        )
        .await?;
    if existing.total > 0 {
        return Ok(0);
    }
    let a = Actor::System;
    let r1 = store
        .submit_report(&a, report(
            "山田 花子", "hanako.yamada@example.jp", "Example 大学 情報基盤センター",
            "貴組織のサーバからのマルウエア配布について",
            "お世話になっております。\n貴組織の管理する hxxp://www.example[.]ac[.]jp/wp-content/uploads/inv.zip から\nマルウエアが配布されていることを確認しました。\nSHA-256: 2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae\nご確認をお願いいたします。",
        ))
        .await?;
    let r2 = store
        .submit_report(&a, report(
            "Abuse desk", "abuse@isp.example.net", "Example ISP",
            "Port scanning from 192.0.2.45",
            "Our sensors saw 192.0.2.45 (your AS) scanning 22/tcp and 3389/tcp across 198.51.100.0/24\nfrom 2026-11-20 03:10 UTC to 05:40 UTC. Logs attached on request.",
        ))
        .await?;
    let r3 = store
        .submit_report(&a, report(
            "佐藤 一郎", "ichiro.sato@example.co.jp", "Example 銀行",
            "当行を装ったフィッシングサイト",
            "当行を装ったフィッシングサイト hxxps://example-bank-login[.]example/ を確認しました。\nテイクダウンのご協力をお願いします。",
        ))
        .await?;
    store
        .submit_report(&a, report(
            "J. Doe", "jdoe@example.org", "",
            "Suspicious login page",
            "I think https://login.example.com/verify is a phishing page imitating your webmail. Screenshot on request.",
        ))
        .await?;
    store
        .submit_report(&a, report(
            "情報システム部", "it@example.co.jp", "Example 株式会社",
            "9月18日前後の攻撃予告について",
            "SNS 上で 9月18日 に国内組織への DDoS 攻撃を予告する投稿を確認しました。\n対象に当社ドメイン example.co.jp が含まれています。",
        ))
        .await?;

    let i1 = store
        .create_incident(
            &a,
            incident(
                "Web サーバ経由のマルウエア配布 (www.example.ac.jp)",
                Category::MalwareSite,
                Tlp::Amber,
                vec![r1.id],
            ),
        )
        .await?;
    store
        .update_incident(
            &a,
            i1.id,
            IncidentPatch {
                impact: Some(Impact {
                    functional: FunctionalImpact::Low,
                    information: InformationImpact::Integrity,
                    recoverability: Recoverability::Supplemented,
                    criticality: Criticality::High,
                }),
                summary: Some(
                    "CMS の脆弱性を悪用され、アップロード領域にマルウエアが置かれた。".into(),
                ),
                ..Default::default()
            },
        )
        .await?;
    for (to, why) in [
        (Phase::Triage, "報告内容を確認"),
        (Phase::Analysis, "ファイルの存在を確認"),
        (Phase::Containment, "該当ファイルを隔離"),
    ] {
        store.change_phase(&a, i1.id, to, why).await?;
    }
    store
        .add_decision(
            &a,
            i1.id,
            "www.example.ac.jp の公開停止",
            "承認: 再構築まで公開を停止する",
            "CISO 鈴木",
            time::now_ms(),
            "",
        )
        .await?;
    store
        .add_task(
            &a,
            i1.id,
            "アクセスログから感染した閲覧者を洗い出す",
            None,
            None,
        )
        .await?;

    let i2 = store
        .create_incident(
            &a,
            incident(
                "Scanning from 192.0.2.45",
                Category::Scan,
                Tlp::Green,
                vec![r2.id],
            ),
        )
        .await?;
    store
        .change_phase(&a, i2.id, Phase::Triage, "host identified as a lab machine")
        .await?;

    let i3 = store
        .create_incident(
            &a,
            incident(
                "当行を装ったフィッシングサイト",
                Category::Phishing,
                Tlp::Clear,
                vec![r3.id],
            ),
        )
        .await?;
    for to in [
        Phase::Triage,
        Phase::Analysis,
        Phase::Containment,
        Phase::Eradication,
        Phase::Recovery,
        Phase::Lessons,
        Phase::Closed,
    ] {
        store.change_phase(&a, i3.id, to, "").await?;
    }
    store
        .add_note(&a, i3.id, "ホスティング事業者によりテイクダウン済み。")
        .await?;

    let i4 = store
        .create_incident(
            &a,
            incident(
                "Targeted mail with malicious attachment to finance",
                Category::Targeted,
                Tlp::Red,
                vec![],
            ),
        )
        .await?;
    store.change_phase(&a, i4.id, Phase::Triage, "").await?;

    // Indicators, so correlations, exports and sharing have something to show: the same C2
    // domain in the malware-site and the targeted-mail incidents, each with its own marking.
    let ind = |kind: Kind, value: &str| Indicator {
        kind,
        value: value.into(),
    };
    let ctx = |role: IndicatorRole, tlp: Tlp, note: &str| IndicatorContext {
        role,
        tlp,
        note: note.into(),
        ..Default::default()
    };
    store
        .attach_indicators(
            &a,
            i1.id,
            &[
                (
                    ind(Kind::Url, "http://www.example.ac.jp/uploads/invoice.exe"),
                    ctx(
                        IndicatorRole::MalwareDistribution,
                        Tlp::Amber,
                        "アップロード領域に設置",
                    ),
                ),
                (
                    ind(Kind::Domain, "update-check.example.net"),
                    ctx(IndicatorRole::C2, Tlp::Amber, "検体の通信先"),
                ),
                (
                    ind(
                        Kind::Sha256,
                        "5f2b2d9f0c1e4a3b8d7c6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b",
                    ),
                    ctx(IndicatorRole::Payload, Tlp::Green, "invoice.exe"),
                ),
            ],
        )
        .await?;
    store
        .attach_indicators(
            &a,
            i2.id,
            &[(
                ind(Kind::Ipv4, "192.0.2.45"),
                ctx(IndicatorRole::Scanner, Tlp::Green, "lab machine"),
            )],
        )
        .await?;
    store
        .attach_indicators(
            &a,
            i3.id,
            &[
                (
                    ind(Kind::Url, "https://login.example-bank.com/verify"),
                    ctx(IndicatorRole::Phishing, Tlp::Clear, ""),
                ),
                (
                    ind(Kind::Domain, "example-bank.com"),
                    ctx(IndicatorRole::Phishing, Tlp::Clear, ""),
                ),
            ],
        )
        .await?;
    store
        .attach_indicators(
            &a,
            i4.id,
            &[(
                ind(Kind::Domain, "update-check.example.net"),
                ctx(IndicatorRole::C2, Tlp::Red, "添付ファイルの通信先"),
            )],
        )
        .await?;
    Ok(4)
}
