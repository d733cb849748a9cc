//! A MISP event as another MISP instance writes it (composite types, an object, a galaxy, tags
//! of other taxonomies, TLP on an attribute) imports whole: every indicator, the rest kept.

use hikeshi_domain::tlp::Tlp;
use hikeshi_exchange::misp::read_event;
use hikeshi_ioc::Kind;

#[test]
fn a_native_misp_event_with_composites_objects_and_galaxies_imports_whole() {
    let got = read_event(include_bytes!("data/misp/composite_event.json")).unwrap();
    assert!(got.rejected.is_empty(), "{:?}", got.rejected);
    let inds: Vec<(Kind, &str, Option<Tlp>)> = got
        .indicators
        .iter()
        .map(|i| (i.indicator.kind, i.indicator.value.as_str(), i.tlp))
        .collect();
    let amber = Some(Tlp::Amber);
    let sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    assert_eq!(
        inds,
        [
            (Kind::Domain, "c2.evil.example.com", amber),
            (Kind::Ipv4, "198.51.100.20", amber),
            (Kind::Ipv4, "198.51.100.21", amber),
            (Kind::Filename, "請求書.pdf.exe", Some(Tlp::Red)),
            (Kind::Sha256, sha, Some(Tlp::Red)),
            (Kind::Domain, "update.evil.example.com", amber),
            (Kind::Email, "info@evil.example.com", amber),
            (Kind::Filename, "loader.dll", amber),
            (Kind::Md5, "0cc175b9c0f1b6a831c399e269772661", amber),
        ]
    );
    // 2026-11-19T09:00+09:00 is midnight UTC.
    assert_eq!(got.indicators[5].first_seen, Some(1_795_046_400_000));
    assert_eq!(got.indicators[5].comment, "port 443");
    let kept: Vec<String> = got
        .kept
        .iter()
        .map(|k| {
            let what = k
                .as_object()
                .unwrap()
                .keys()
                .find(|k| *k != "event_uuid")
                .unwrap();
            format!("{what}:{}", k.get("attribute_uuid").is_some())
        })
        .collect();
    assert_eq!(
        kept,
        [
            "Tag:false", // rsit and galaxy tags of the event
            "Galaxy:false",
            "Tag:true",        // the kill-chain tag of the email attribute, with its uuid
            "Attribute:false", // the comment
            "Attribute:false", // the relative uri
            "Object:false",
        ]
    );
}
