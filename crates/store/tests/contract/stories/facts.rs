//! Facts about indicators (AS, organisation, registrant, name server, malware): recorded in
//! normal form, audited, and linking indicators across incidents in correlations and the graph;
//! someone who may not see an indicator can neither read nor change its facts.

use super::*;
use hikeshi_ioc::Link;

pub async fn facts_link_indicators_across_incidents_and_follow_visibility(f: &Fresh) {
    let s = &f.store;
    let alice = user(s, "alice", Role::Handler).await;
    let bob = user(s, "bob", Role::Handler).await;
    let a = s
        .create_incident(
            &Actor::User(alice.id),
            new_incident("A", Category::MalwareSite, vec![]),
        )
        .await
        .unwrap();
    let b = s
        .create_incident(
            &Actor::User(bob.id),
            new_incident("B", Category::Phishing, vec![]),
        )
        .await
        .unwrap();
    let mut red = new_incident("R", Category::Targeted, vec![]);
    red.tlp = Tlp::Red;
    let r = s
        .create_incident(&Actor::User(alice.id), red)
        .await
        .unwrap();
    let ctx = IndicatorContext::default;
    let x = s
        .attach_indicators(
            &Actor::User(alice.id),
            a.id,
            &[(ind(Kind::Ipv4, "198.51.100.7"), ctx())],
        )
        .await
        .unwrap()[0];
    let y = s
        .attach_indicators(
            &Actor::User(bob.id),
            b.id,
            &[(ind(Kind::Domain, "login-check.example"), ctx())],
        )
        .await
        .unwrap()[0];
    let z = s
        .attach_indicators(
            &Actor::User(alice.id),
            r.id,
            &[(ind(Kind::Domain, "secret.example"), ctx())],
        )
        .await
        .unwrap()[0];
    let (av, bv) = (Viewer::User(alice.id), Viewer::User(bob.id));

    // Recorded in normal form; the same fact twice is one.
    let fx = s
        .add_indicator_fact(&Actor::User(alice.id), av, x, Link::Asn, "as64500")
        .await
        .unwrap();
    assert_eq!(fx.value, "AS64500");
    s.add_indicator_fact(&Actor::User(bob.id), bv, y, Link::Asn, "ＡＳ６４５００")
        .await
        .unwrap();
    s.add_indicator_fact(&Actor::User(bob.id), bv, y, Link::Asn, "64500")
        .await
        .unwrap();
    s.add_indicator_fact(
        &Actor::User(bob.id),
        bv,
        y,
        Link::Registrant,
        "Bad@Evil.Example",
    )
    .await
    .unwrap();
    let facts = s.indicator_facts(bv, y).await.unwrap();
    assert_eq!(
        facts
            .iter()
            .map(|f| (f.link, f.value.as_str()))
            .collect::<Vec<_>>(),
        [
            (Link::Asn, "AS64500"),
            (Link::Registrant, "bad@evil.example")
        ]
    );
    // Derived keys are not facts: not listed, not recordable.
    assert!(
        s.indicator_facts(av, x)
            .await
            .unwrap()
            .iter()
            .all(|f| f.link.is_fact())
    );
    let e = s
        .add_indicator_fact(
            &Actor::User(alice.id),
            av,
            x,
            Link::Network,
            "198.51.100.0/24",
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Domain(_)), "{e}");
    let e = s
        .add_indicator_fact(&Actor::User(alice.id), av, x, Link::Asn, "AS-what")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("AS-what"), "{e}");

    // The shared AS links the two across incidents: in bob's correlations of y, and in the graph.
    let c = s.correlations(bv, y, Some(b.id)).await.unwrap();
    let w = c
        .weak
        .iter()
        .find(|w| w.indicator.value == "198.51.100.7")
        .expect("linked by AS");
    assert_eq!((w.key.as_str(), w.incidents.len()), ("AS64500", 1));
    let n = s
        .graph_neighbours(bv, &GraphNode::parse("k:asn:AS64500").unwrap())
        .await
        .unwrap();
    let got: Vec<String> = n.nodes.iter().map(|n| n.id.clone()).collect();
    for want in [format!("d:{}", x.0), format!("d:{}", y.0)] {
        assert!(got.contains(&want), "{want} in {got:?}");
    }

    // The RED-only indicator: bob may neither read nor change its facts; alice may.
    s.add_indicator_fact(&Actor::User(alice.id), av, z, Link::Asn, "AS64500")
        .await
        .unwrap();
    assert!(matches!(
        s.indicator_facts(bv, z).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        s.add_indicator_fact(&Actor::User(bob.id), bv, z, Link::Malware, "PlugX")
            .await,
        Err(StoreError::NotFound(_))
    ));
    let c = s.correlations(bv, y, None).await.unwrap();
    assert!(
        c.weak.iter().all(|w| w.indicator.value != "secret.example"),
        "the RED-only indicator does not show through a shared fact"
    );
    let n = s
        .graph_neighbours(bv, &GraphNode::parse("k:asn:AS64500").unwrap())
        .await
        .unwrap();
    assert!(n.nodes.iter().all(|n| n.id != format!("d:{}", z.0)));

    // Removal: audited; a fact that is not there is not found.
    s.remove_indicator_fact(&Actor::User(bob.id), bv, y, Link::Asn, "as64500")
        .await
        .unwrap();
    assert!(matches!(
        s.remove_indicator_fact(&Actor::User(bob.id), bv, y, Link::Asn, "AS64500")
            .await,
        Err(StoreError::NotFound(_))
    ));
    let actions: Vec<String> = s
        .recent_audit(7)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .filter(|a| a.starts_with("indicator.fact"))
        .collect();
    // x's AS, y's AS (once, though given three times), y's registrant, z's AS; one removal.
    assert_eq!(
        actions,
        [
            "indicator.fact_remove",
            "indicator.fact_add",
            "indicator.fact_add",
            "indicator.fact_add",
            "indicator.fact_add"
        ],
    );
    assert!(s.verify_audit().await.unwrap().is_ok());
}
