use super::*;

fn ids(n: &Neighbourhood) -> Vec<String> {
    let mut v: Vec<String> = n.nodes.iter().map(|x| x.id.clone()).collect();
    v.sort();
    v
}

fn has_edge(n: &Neighbourhood, a: &str, b: &str, rel: &str) -> bool {
    n.edges.iter().any(|e| {
        e.rel == rel && ((e.source == a && e.target == b) || (e.source == b && e.target == a))
    })
}

/// From one incident a handler walks to the internal hosts, the shared infrastructure and the
/// other incidents; nothing held only under TLP:RED shows to someone not named on it.
pub async fn the_graph_walks_across_incidents_without_leaking_red(f: &Fresh) {
    let s = &f.store;
    let alice = user(s, "alice", Role::Handler).await;
    let bob = user(s, "bob", Role::Handler).await;
    s.upsert_assets(
        &Actor::Cli,
        &[AssetRecord {
            name: "pc-7".into(),
            addresses: vec!["10.0.0.7".into()],
            owner: "Ito".into(),
            department: "Sales".into(),
            criticality: "high".into(),
            location: String::new(),
            os: String::new(),
            software: vec![],
        }],
    )
    .await
    .unwrap();
    let a = s
        .create_incident(
            &Actor::User(alice.id),
            new_incident("A", Category::MalwareSite, vec![]),
        )
        .await
        .unwrap();
    let b = s
        .create_incident(
            &Actor::User(alice.id),
            new_incident("B", Category::Phishing, vec![]),
        )
        .await
        .unwrap();
    let mut secret = new_incident("S", Category::Targeted, vec![]);
    secret.tlp = Tlp::Red;
    let c = s
        .create_incident(&Actor::User(alice.id), secret)
        .await
        .unwrap();
    let plain = IndicatorContext::default();
    let got = s
        .attach_indicators(
            &Actor::User(alice.id),
            a.id,
            &[
                (ind(Kind::Domain, "www.evil.example.com"), plain.clone()),
                (
                    ind(Kind::Url, "http://dl.evil.example.com/a.exe"),
                    plain.clone(),
                ),
            ],
        )
        .await
        .unwrap();
    let (www, url) = (got[0], got[1]);
    let got = s
        .attach_indicators(
            &Actor::User(alice.id),
            b.id,
            &[
                (ind(Kind::Domain, "dl.evil.example.com"), plain.clone()),
                (ind(Kind::Domain, "www.evil.example.com"), plain.clone()),
            ],
        )
        .await
        .unwrap();
    let dl = got[0];
    // The same registrable domain, but known only from a TLP:RED incident.
    let got = s
        .attach_indicators(
            &Actor::User(alice.id),
            c.id,
            &[(ind(Kind::Domain, "mail.evil.example.com"), plain.clone())],
        )
        .await
        .unwrap();
    let hidden = got[0];
    s.record_sightings(
        &Actor::Cli,
        a.id,
        &[NewSighting {
            indicator: ind(Kind::Domain, "www.evil.example.com"),
            source: "proxy.log".into(),
            line: 1,
            offset: 0,
            field: "url".into(),
            host: "10.0.0.7".into(),
            destination: "www.evil.example.com".into(),
            seen_at: String::new(),
        }],
    )
    .await
    .unwrap();

    let (ia, ib, ic) = (
        format!("i:{}", a.id.0),
        format!("i:{}", b.id.0),
        format!("i:{}", c.id.0),
    );
    let (dwww, durl, ddl, dhidden) = (
        format!("d:{}", www.0),
        format!("d:{}", url.0),
        format!("d:{}", dl.0),
        format!("d:{}", hidden.0),
    );
    let bobv = Viewer::User(bob.id);

    // The incident: its indicators, and the internal host that touched one of them.
    let n = s
        .graph_neighbours(bobv, &GraphNode::Incident(a.id))
        .await
        .unwrap();
    assert_eq!(n.center.as_ref().unwrap().id, ia);
    assert_eq!(ids(&n), {
        let mut v = vec![dwww.clone(), durl.clone(), "h:10.0.0.7".to_owned()];
        v.sort();
        v
    });
    assert!(has_edge(&n, "h:10.0.0.7", &dwww, "touched"));
    assert!(!n.truncated);

    // The domain: both incidents holding it, its registrable domain, the host.
    let n = s
        .graph_neighbours(bobv, &GraphNode::Indicator(www))
        .await
        .unwrap();
    let got = ids(&n);
    for want in [&ia, &ib, "k:registrable-domain:example.com", "h:10.0.0.7"] {
        assert!(got.iter().any(|g| g == want), "{want} in {got:?}");
    }

    // The registrable domain links every sibling the viewer may know of, not the RED one.
    let key = GraphNode::parse("k:registrable-domain:example.com").unwrap();
    let n = s.graph_neighbours(bobv, &key).await.unwrap();
    let got = ids(&n);
    assert!(got.contains(&dwww) && got.contains(&ddl), "{got:?}");
    assert!(
        !got.contains(&dhidden),
        "RED-only indicator leaked: {got:?}"
    );
    let n = s
        .graph_neighbours(Viewer::User(alice.id), &key)
        .await
        .unwrap();
    assert!(
        ids(&n).contains(&dhidden),
        "alice is named on the RED incident"
    );
    let n = s.graph_neighbours(Viewer::System, &key).await.unwrap();
    assert!(ids(&n).contains(&dhidden));

    // A domain is the host of the URLs on it: dl.evil.example.com ↔ the URL-host key ↔ the URL.
    let n = s
        .graph_neighbours(bobv, &GraphNode::Indicator(dl))
        .await
        .unwrap();
    assert!(ids(&n).contains(&"k:url-host:dl.evil.example.com".to_owned()));
    let n = s
        .graph_neighbours(
            bobv,
            &GraphNode::parse("k:url-host:dl.evil.example.com").unwrap(),
        )
        .await
        .unwrap();
    assert!(
        ids(&n).contains(&durl) && ids(&n).contains(&ddl),
        "{:?}",
        ids(&n)
    );

    // The host: what it touched, where, and which asset it is.
    let n = s
        .graph_neighbours(bobv, &GraphNode::Host("10.0.0.7".into()))
        .await
        .unwrap();
    let got = ids(&n);
    assert!(got.contains(&dwww) && got.contains(&ia), "{got:?}");
    let asset = n.nodes.iter().find(|x| x.group == "asset").expect("asset");
    assert_eq!(
        (asset.label.as_str(), asset.detail.as_str()),
        ("pc-7", "Ito / Sales")
    );
    let back = s
        .graph_neighbours(bobv, &GraphNode::parse(&asset.id).unwrap())
        .await
        .unwrap();
    assert!(ids(&back).contains(&"h:10.0.0.7".to_owned()));

    // What bob may not see is not there at all.
    assert!(matches!(
        s.graph_neighbours(bobv, &GraphNode::Incident(c.id)).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        s.graph_neighbours(bobv, &GraphNode::Indicator(hidden))
            .await,
        Err(StoreError::NotFound(_))
    ));
    let n = s
        .graph_neighbours(Viewer::User(alice.id), &GraphNode::Indicator(hidden))
        .await
        .unwrap();
    assert!(ids(&n).contains(&ic));

    // The URL forms.
    for bad in ["", "x:1", "i:", "i:x", "k:whois:a", "k:network:", "h:"] {
        assert_eq!(GraphNode::parse(bad), None, "{bad:?}");
    }
    for good in [ia.as_str(), "k:network:192.0.2.0/24", "h:pc-7", "a:3"] {
        assert_eq!(GraphNode::parse(good).unwrap().key(), good);
    }
}
