use super::*;

fn found(h: &[IndicatorHit]) -> Vec<(String, Matched, i64)> {
    h.iter()
        .map(|x| (x.value.clone(), x.matched, x.incidents))
        .collect()
}

/// A handler pastes an indicator however it reached them (defanged, full-width, a prefix, a
/// domain) and finds it, its neighbours under the same registrable domain, and what holds it;
/// nothing known only from a TLP:RED incident shows to someone not named on it.
pub async fn search_finds_indicators_as_pasted_without_leaking_red(f: &Fresh) {
    let s = &f.store;
    let alice = user(s, "alice", Role::Handler).await;
    let bob = user(s, "bob", Role::Handler).await;
    let (va, vb) = (Viewer::User(alice.id), Viewer::User(bob.id));
    let a = s
        .create_incident(
            &Actor::User(alice.id),
            new_incident("Malware site", Category::MalwareSite, vec![]),
        )
        .await
        .unwrap();
    let mut secret = new_incident("Targeted", Category::Targeted, vec![]);
    secret.tlp = Tlp::Red;
    let red = s
        .create_incident(&Actor::User(alice.id), secret)
        .await
        .unwrap();
    let plain = IndicatorContext::default();
    s.attach_indicators(
        &Actor::User(alice.id),
        a.id,
        &[
            (ind(Kind::Domain, "www.evil.example.com"), plain.clone()),
            (
                ind(Kind::Url, "http://dl.evil.example.com/a.exe"),
                plain.clone(),
            ),
            (ind(Kind::Domain, "other.example.org"), plain.clone()),
        ],
    )
    .await
    .unwrap();
    s.attach_indicators(
        &Actor::User(alice.id),
        red.id,
        &[
            (ind(Kind::Domain, "secret.evil.example.com"), plain.clone()),
            (ind(Kind::Domain, "www.evil.example.com"), plain.clone()),
        ],
    )
    .await
    .unwrap();

    // Defanged and full-width: the exact match first, then the rest of example.com.
    for q in [
        "www[.]evil[.]example[.]com",
        "ｗｗｗ．ｅｖｉｌ．ｅｘａｍｐｌｅ．ｃｏｍ",
    ] {
        let got = found(&s.search_indicators(vb, q, 20).await.unwrap());
        assert_eq!(
            got,
            [
                ("www.evil.example.com".to_owned(), Matched::Exact, 1),
                (
                    "http://dl.evil.example.com/a.exe".to_owned(),
                    Matched::Domain,
                    1
                ),
            ],
            "{q}"
        );
    }
    // Alice is named on the red incident: she sees its indicator and both incidents.
    let got = found(
        &s.search_indicators(va, "www.evil.example.com", 20)
            .await
            .unwrap(),
    );
    assert_eq!(
        got,
        [
            ("www.evil.example.com".to_owned(), Matched::Exact, 2),
            ("secret.evil.example.com".to_owned(), Matched::Domain, 1),
            (
                "http://dl.evil.example.com/a.exe".to_owned(),
                Matched::Domain,
                1
            ),
        ]
    );
    // A URL finds the rest of its host's registrable domain too.
    let got = found(
        &s.search_indicators(vb, "hxxp://dl[.]evil[.]example[.]com/a.exe", 20)
            .await
            .unwrap(),
    );
    assert_eq!(
        got,
        [
            (
                "http://dl.evil.example.com/a.exe".to_owned(),
                Matched::Exact,
                1
            ),
            ("www.evil.example.com".to_owned(), Matched::Domain, 1),
        ]
    );
    // A prefix, defanged; and one that only the red incident holds.
    let got = found(
        &s.search_indicators(vb, "hxxp://dl[.]evil", 20)
            .await
            .unwrap(),
    );
    assert_eq!(
        got,
        [(
            "http://dl.evil.example.com/a.exe".to_owned(),
            Matched::Prefix,
            1
        )]
    );
    assert!(
        s.search_indicators(vb, "secret.evil", 20)
            .await
            .unwrap()
            .is_empty()
    );
    // Searching for the red value itself lists its visible neighbours, never the value.
    let got = found(
        &s.search_indicators(vb, "secret[.]evil[.]example[.]com", 20)
            .await
            .unwrap(),
    );
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(
        got.iter()
            .all(|(v, m, _)| !v.starts_with("secret") && *m == Matched::Domain)
    );
    assert_eq!(
        s.search_indicators(va, "secret.evil", 20)
            .await
            .unwrap()
            .len(),
        1
    );
    // Too short a prefix finds nothing rather than a slice of the table; the limit holds.
    assert!(s.search_indicators(vb, "ww", 20).await.unwrap().is_empty());
    assert_eq!(
        s.search_indicators(va, "www.evil.example.com", 1)
            .await
            .unwrap()
            .len(),
        1
    );

    // The incident list's text search finds what holds the indicator, as pasted.
    let list = |v: Viewer, t: &str| {
        let f = IncidentFilter {
            text: Some(t.into()),
            ..Default::default()
        };
        async move {
            s.list_incidents(v, &f, Page::default())
                .await
                .unwrap()
                .items
                .iter()
                .map(|i| i.title.clone())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        list(vb, "hxxp://dl[.]evil[.]example[.]com/a.exe").await,
        ["Malware site"]
    );
    assert!(list(vb, "secret[.]evil[.]example[.]com").await.is_empty());
    assert_eq!(
        list(va, "secret[.]evil[.]example[.]com").await,
        ["Targeted"]
    );
    assert_eq!(list(vb, "malware").await, ["Malware site"]);

    // The report list too: a report mentioning the indicator, defanged in the search.
    let mut r = report("Phishing", "they went to other.example.org today");
    r.extract_indicators(hikeshi_ioc::default_extractor());
    let r = s.submit_report(&Actor::Public, r).await.unwrap();
    let rf = ReportFilter {
        text: Some("other[.]example[.]org".into()),
        ..Default::default()
    };
    let got = s.list_reports(vb, &rf, Page::default()).await.unwrap();
    assert_eq!(got.items.iter().map(|x| x.id).collect::<Vec<_>>(), [r.id]);
}

/// Saved filters belong to one user: unique names per scope, listed and deleted only by their
/// owner, every change audited.
pub async fn saved_filters_are_per_user_unique_and_audited(f: &Fresh) {
    let s = &f.store;
    let alice = user(s, "alice", Role::Handler).await;
    let bob = user(s, "bob", Role::Viewer).await;
    let (aa, ab) = (Actor::User(alice.id), Actor::User(bob.id));
    let mine = s
        .create_saved_filter(&aa, alice.id, " 朝の確認 ", "incidents", "?open=1&q=evil")
        .await
        .unwrap();
    assert_eq!(
        (mine.name.as_str(), mine.scope.as_str(), mine.query.as_str()),
        ("朝の確認", "incidents", "open=1&q=evil")
    );
    // The same name in the same scope is refused; in another scope, or for another user, it is
    // a different filter.
    let e = s
        .create_saved_filter(&aa, alice.id, "朝の確認", "incidents", "q=x")
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Conflict(_)), "{e}");
    s.create_saved_filter(&aa, alice.id, "朝の確認", "search", "q=evil.example.com")
        .await
        .unwrap();
    let bobs = s
        .create_saved_filter(&ab, bob.id, "朝の確認", "incidents", "q=bob")
        .await
        .unwrap();
    for (name, scope) in [("", "incidents"), ("x", "tasks")] {
        let e = s
            .create_saved_filter(&aa, alice.id, name, scope, "q=1")
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Domain(_)), "{e}");
    }
    let names = |v: Vec<SavedFilter>| {
        v.into_iter()
            .map(|x| format!("{}:{}", x.scope, x.query))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(s.saved_filters(alice.id, None).await.unwrap()),
        ["incidents:open=1&q=evil", "search:q=evil.example.com"]
    );
    assert_eq!(
        names(s.saved_filters(alice.id, Some("incidents")).await.unwrap()),
        ["incidents:open=1&q=evil"]
    );
    assert_eq!(
        names(s.saved_filters(bob.id, None).await.unwrap()),
        ["incidents:q=bob"]
    );
    // Bob cannot delete Alice's filter; it stays. Alice deletes hers.
    let e = s
        .delete_saved_filter(&ab, bob.id, mine.id)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound(_)), "{e}");
    assert_eq!(s.saved_filters(alice.id, None).await.unwrap().len(), 2);
    s.delete_saved_filter(&aa, alice.id, mine.id).await.unwrap();
    assert_eq!(s.saved_filters(alice.id, None).await.unwrap().len(), 1);
    assert_eq!(s.saved_filters(bob.id, None).await.unwrap()[0].id, bobs.id);
    let actions: Vec<String> = s
        .recent_audit(3)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            "saved_filter.delete",
            "saved_filter.create",
            "saved_filter.create"
        ]
    );
    assert!(s.verify_audit().await.unwrap().is_ok());
}
