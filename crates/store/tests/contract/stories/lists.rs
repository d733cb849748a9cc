use super::*;
use sqlx::Executor;
use std::cmp::Reverse;

/// Run `sql` on the fresh database directly: the stories below give many rows one sort key, which
/// the store's own clock does not do on purpose.
async fn tamper(f: &Fresh, sql: &str) {
    conn(f).await.execute(sql).await.unwrap();
}

async fn conn(f: &Fresh) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    <sqlx::AnyConnection as sqlx::Connection>::connect(&f.url)
        .await
        .unwrap()
}

/// Every page of a keyset-paged list of 4 rows a page, following `next` from the top, then
/// `prev` back from the last page; the ids in list order both ways.
async fn walk<T, F, Fut>(list: F, id: fn(&T) -> i64) -> (Vec<i64>, Vec<i64>)
where
    F: Fn(Option<Seek>) -> Fut,
    Fut: std::future::Future<Output = Paged<T>>,
{
    let (mut forward, mut seek) = (Vec::new(), None);
    let (mut backward, mut back) = loop {
        let p = list(seek).await;
        assert!(p.total_exact, "a small list counts exactly");
        assert_eq!(
            p.prev.is_some(),
            seek.is_some(),
            "only the first page has no previous"
        );
        assert!(
            p.items.len() == 4 || p.next.is_none(),
            "only the last page is short"
        );
        forward.extend(p.items.iter().map(id));
        match p.next {
            Some(c) => seek = Some(Seek::After(c)),
            None => {
                break (
                    p.items.iter().map(id).collect::<Vec<_>>(),
                    p.prev.map(Seek::Before),
                );
            }
        }
    };
    while let Some(b) = back {
        let p = list(Some(b)).await;
        assert_eq!(p.items.len(), 4, "a page before another is full");
        assert!(p.next.is_some());
        let mut ids: Vec<i64> = p.items.iter().map(id).collect();
        ids.extend(backward);
        backward = ids;
        back = p.prev.map(Seek::Before);
    }
    (forward, backward)
}

/// Keyset paging through the incident and report lists neither loses nor repeats a row, forward
/// or backward, when many rows share the sort key's leading columns (ties broken by id), with
/// and without a filter; the order is the list's order.
pub async fn keyset_pages_neither_lose_nor_repeat_rows_with_ties(f: &Fresh) {
    let s = &f.store;
    for i in 0..23 {
        let c = if i % 3 == 0 {
            Category::Phishing
        } else {
            Category::Scan
        };
        s.create_incident(&Actor::Cli, new_incident(&format!("Case {i}"), c, vec![]))
            .await
            .unwrap();
    }
    for i in 0..17 {
        s.submit_report(&Actor::System, report(&format!("Report {i}"), "body"))
            .await
            .unwrap();
    }
    // Three update times and two priorities among 23 incidents; two receipt times among 17
    // reports.
    tamper(
        f,
        "UPDATE incidents SET updated_at = 1000 + (id % 3), \
         priority = CASE WHEN id % 2 = 0 THEN 'p2' ELSE 'p3' END",
    )
    .await;
    tamper(f, "UPDATE reports SET received_at = 5000 + (id % 2)").await;

    let all = s
        .list_incidents(
            Viewer::System,
            &IncidentFilter::default(),
            Page::new(None, Some(200)),
        )
        .await
        .unwrap();
    assert_eq!((all.total, all.items.len()), (23, 23));
    let mut expected: Vec<&Incident> = all.items.iter().collect();
    expected.sort_by_key(|i| (i.priority, Reverse(i.updated_at), Reverse(i.id.0)));
    let expected: Vec<i64> = expected.iter().map(|i| i.id.0).collect();
    assert_eq!(
        all.items.iter().map(|i| i.id.0).collect::<Vec<_>>(),
        expected
    );

    let list = |filter: IncidentFilter| {
        move |seek: Option<Seek>| {
            let filter = filter.clone();
            async move {
                s.list_incidents(Viewer::System, &filter, Page::new(None, Some(4)).seek(seek))
                    .await
                    .unwrap()
            }
        }
    };
    let (forward, backward) = walk(list(IncidentFilter::default()), |i: &Incident| i.id.0).await;
    assert_eq!(
        forward, expected,
        "forward pages in list order, each row once"
    );
    assert_eq!(
        backward, expected,
        "backward pages in list order, each row once"
    );

    let phishing = IncidentFilter {
        category: Some(Category::Phishing),
        ..Default::default()
    };
    let want: Vec<i64> = s
        .list_incidents(Viewer::System, &phishing, Page::new(None, Some(200)))
        .await
        .unwrap()
        .items
        .iter()
        .map(|i| i.id.0)
        .collect();
    assert_eq!(want.len(), 8);
    let (forward, backward) = walk(list(phishing), |i: &Incident| i.id.0).await;
    assert_eq!((&forward, &backward), (&want, &want));

    let reports = |seek: Option<Seek>| async move {
        s.list_reports(
            Viewer::System,
            &ReportFilter::default(),
            Page::new(None, Some(4)).seek(seek),
        )
        .await
        .unwrap()
    };
    let (forward, backward) = walk(reports, |r: &Report| r.id.0).await;
    let mut want: Vec<(i64, i64)> = (1..=17).map(|id| (5000 + id % 2, id)).collect();
    want.sort_by_key(|k| Reverse(*k));
    let want: Vec<i64> = want.into_iter().map(|(_, id)| id).collect();
    assert_eq!((&forward, &backward), (&want, &want));

    // A cursor reads back from its text, and the page after it holds only rows after it.
    let first = reports(None).await;
    let c = first.next.unwrap();
    assert_eq!(c.to_string().parse::<Cursor>(), Ok(c));
    let second = reports(Some(Seek::After(c))).await;
    assert_eq!(second.items.len(), 4);
    assert!(
        second
            .items
            .iter()
            .all(|r| (r.received_at, r.id.0) < (c.at, c.id))
    );
}

fn text(q: &str) -> IncidentFilter {
    IncidentFilter {
        text: Some(q.into()),
        ..Default::default()
    }
}

fn sorted(mut t: Vec<String>) -> Vec<String> {
    t.sort();
    t
}

async fn titles(s: &Store, v: Viewer, q: &str) -> Vec<String> {
    let p = s.list_incidents(v, &text(q), Page::default()).await;
    sorted(p.unwrap().items.into_iter().map(|i| i.title).collect())
}

async fn subjects(s: &Store, v: Viewer, q: &str) -> Vec<String> {
    let f = ReportFilter {
        text: Some(q.into()),
        ..Default::default()
    };
    let p = s.list_reports(v, &f, Page::default()).await;
    sorted(p.unwrap().items.into_iter().map(|r| r.subject).collect())
}

/// Text search finds any substring, Japanese included, case-insensitively, through the text
/// index of migration 0017; one or two characters are matched among the newest rows; the index
/// follows a changed title and a deleted report; a TLP:RED incident's text (and the reports
/// linked to it) are found only by the people named on it.
pub async fn text_search_finds_substrings_follows_changes_and_keeps_red_hidden(f: &Fresh) {
    let s = &f.store;
    let alice = user(s, "alice", Role::Handler).await;
    let bob = user(s, "bob", Role::Handler).await;
    let (va, vb) = (Viewer::User(alice.id), Viewer::User(bob.id));
    let mut n = new_incident("標的型メール攻撃の調査", Category::Targeted, vec![]);
    n.summary = "Spear PHISHING against the finance team".into();
    let open = s.create_incident(&Actor::User(alice.id), n).await.unwrap();
    let leak = s
        .submit_report(
            &Actor::System,
            report("機密情報の漏えい", "社外秘の設計書が公開されています"),
        )
        .await
        .unwrap();
    let mut n = new_incident(
        "極秘プロジェクトの情報漏えい",
        Category::Other,
        vec![leak.id],
    );
    n.tlp = Tlp::Red;
    s.create_incident(&Actor::User(alice.id), n).await.unwrap();
    s.submit_report(
        &Actor::System,
        report("Phishing site \"login\" 100% copy", "ｆｕｌｌ幅 text"),
    )
    .await
    .unwrap();

    // Substrings of three characters or more, Japanese without spaces, any case.
    assert_eq!(titles(s, vb, "メール攻").await, ["標的型メール攻撃の調査"]);
    assert_eq!(
        titles(s, vb, "phishing AGAINST").await,
        ["標的型メール攻撃の調査"]
    );
    assert_eq!(
        titles(s, va, "漏えい").await,
        ["極秘プロジェクトの情報漏えい"]
    );
    assert!(
        titles(s, vb, "漏えい").await.is_empty(),
        "bob is not named on the red incident"
    );
    assert!(titles(s, vb, "極秘プロ").await.is_empty());
    // Its report goes with it.
    assert_eq!(subjects(s, va, "設計書").await, ["機密情報の漏えい"]);
    assert!(subjects(s, vb, "設計書").await.is_empty());
    // Reporter address and name, quotes and wildcards taken literally.
    assert_eq!(subjects(s, va, "taro@example.jp").await.len(), 2);
    assert_eq!(subjects(s, va, "TARO@EXA").await.len(), 2);
    assert_eq!(subjects(s, va, "山田 太").await.len(), 2);
    assert_eq!(subjects(s, vb, "taro@example.jp").await.len(), 1);
    // A whole address is the reporter's whole address, not a part of a longer one.
    let mut other = report("Another reporter", "");
    other.reporter_email = "Mtaro@Example.jp".into();
    s.submit_report(&Actor::System, other).await.unwrap();
    assert_eq!(subjects(s, va, "taro@example.jp").await.len(), 2);
    assert_eq!(
        subjects(s, vb, "mtaro@example.jp").await,
        ["Another reporter"]
    );
    assert_eq!(subjects(s, vb, "mtaro@exa").await, ["Another reporter"]);
    assert_eq!(
        subjects(s, vb, "\"login\" 100%").await,
        ["Phishing site \"login\" 100% copy"]
    );
    assert!(subjects(s, vb, "100%%").await.is_empty());
    assert!(subjects(s, vb, "taro@example.jpx").await.is_empty());
    // A whole address written in a report is found as the indicator extracted from it, not as
    // text: the same words in a report whose indicators were not extracted are found by a part
    // of the address only.
    let mut cited = report(
        "Phish sent as hanako@evil.example.jp",
        "From: Hanako@Evil.example.jp",
    );
    cited.extract_indicators(hikeshi_ioc::default_extractor());
    s.submit_report(&Actor::System, cited).await.unwrap();
    let plain = report("Also from hanako@evil.example.jp", "");
    s.submit_report(&Actor::System, plain).await.unwrap();
    assert_eq!(
        subjects(s, vb, "HANAKO@evil.example.jp").await,
        ["Phish sent as hanako@evil.example.jp"]
    );
    assert_eq!(subjects(s, vb, "hanako@evil.example").await.len(), 2);
    // One or two characters: matched among the newest rows, TLP still applied.
    assert_eq!(titles(s, vb, "標的").await, ["標的型メール攻撃の調査"]);
    assert_eq!(titles(s, vb, "攻").await, ["標的型メール攻撃の調査"]);
    assert!(titles(s, vb, "極").await.is_empty());
    assert_eq!(titles(s, va, "極").await, ["極秘プロジェクトの情報漏えい"]);

    // A new title replaces the old one in the index.
    s.update_incident(
        &Actor::User(alice.id),
        open.id,
        IncidentPatch {
            title: Some("ランサムウェア感染".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(
        titles(s, vb, "メール攻").await.is_empty(),
        "the old title is gone"
    );
    assert_eq!(titles(s, vb, "ウェア感").await, ["ランサムウェア感染"]);
    assert_eq!(titles(s, vb, "finance").await, ["ランサムウェア感染"]);

    // A deleted report leaves the index too (on SQLite the index is a table of its own).
    let gone = s
        .submit_report(&Actor::System, report("削除予定の報告", "xyzzy"))
        .await
        .unwrap();
    assert_eq!(subjects(s, vb, "xyzzy").await, ["削除予定の報告"]);
    tamper(f, &format!("DELETE FROM reports WHERE id = {}", gone.id.0)).await;
    assert!(subjects(s, vb, "xyzzy").await.is_empty());
    if s.backend() == Backend::Sqlite {
        let mut c = conn(f).await;
        for (table, gone) in [("reports_text", "xyzzy"), ("incidents_text", "メール攻")] {
            let sql = format!("SELECT COUNT(*) AS n FROM {table} WHERE {table} MATCH '\"{gone}\"'");
            let n: i64 = sqlx::Row::get(&sqlx::query(&sql).fetch_one(&mut c).await.unwrap(), "n");
            assert_eq!(n, 0, "{gone} is out of {table}");
        }
    }
}
