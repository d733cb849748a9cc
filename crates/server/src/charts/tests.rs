use super::*;

fn parse(svg: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{svg}"))
}

fn texts(doc: &roxmltree::Document<'_>) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.has_tag_name("text") || n.has_tag_name("title"))
        .filter_map(|n| n.text().map(str::to_string))
        .collect()
}

#[test]
fn labels_in_japanese_and_hostile_text_come_out_escaped_and_well_formed() {
    let labels = vec![
        "フィッシングサイト".to_string(),
        "<script>alert(1)</script> & \"x\" 'y'".to_string(),
        "bell\u{7}".to_string(),
    ];
    let svg = hbars(
        "カテゴリ別件数 <&>",
        &labels,
        &[Series {
            name: "当チーム",
            values: vec![3.0, 1.0, 0.0],
            texts: None,
        }],
    );
    assert!(!svg.contains("<script>"), "{svg}");
    let doc = parse(&svg);
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    assert_eq!(root.attribute("role"), Some("img"));
    assert_eq!(root.attribute("aria-label"), Some("カテゴリ別件数 <&>"));
    let t = texts(&doc);
    assert!(t.contains(&"フィッシングサイト".to_string()), "{t:?}");
    assert!(t.contains(&"<script>alert(1)</script> & \"x\" 'y'".to_string()));
    assert!(t.contains(&"bell\u{fffd}".to_string()));
    assert!(t.contains(&"3".to_string()));
    assert_eq!(
        doc.descendants().filter(|n| n.has_tag_name("rect")).count(),
        3
    );
}

#[test]
fn two_series_side_by_side_have_a_legend_and_custom_texts() {
    let labels = vec!["スキャン".to_string(), "DoS/DDoS".to_string()];
    let svg = hbars(
        "全国との比較",
        &labels,
        &[
            Series {
                name: "当チーム",
                values: vec![50.0, 50.0],
                texts: Some(vec!["50.0% (1)".into(), "50.0% (1)".into()]),
            },
            Series {
                name: "JPCERT/CC",
                values: vec![90.0, 10.0],
                texts: Some(vec!["90.0% (9,000)".into(), "10.0% (1,000)".into()]),
            },
        ],
    );
    let doc = parse(&svg);
    let t = texts(&doc);
    for want in ["当チーム", "JPCERT/CC", "90.0% (9,000)", "DoS/DDoS"] {
        assert!(t.iter().any(|x| x == want), "{want} missing from {t:?}");
    }
}

#[test]
fn monthly_columns_and_time_ranges_parse_and_carry_their_labels() {
    let months: Vec<String> = (4..=12).map(|m| format!("{m}月")).collect();
    let svg = columns(
        "月別件数",
        &months,
        &[Series {
            name: "インシデント",
            values: (0..9).map(f64::from).collect(),
            texts: None,
        }],
    );
    let doc = parse(&svg);
    let t = texts(&doc);
    assert!(
        t.iter().any(|x| x == "4月") && t.iter().any(|x| x == "12月"),
        "{t:?}"
    );
    assert!(
        t.iter().any(|x| x == "8"),
        "the maximum is on the axis: {t:?}"
    );

    let empty = columns("空", &[], &[]);
    parse(&empty);

    let svg = ranges(
        "対応時間",
        &[
            Range {
                label: "受付確認まで".into(),
                median: Some(1.0),
                p90: Some(3.0),
                max: Some(10.0),
                text: "n=3 · 中央値 1.0 時間".into(),
            },
            Range {
                label: "封じ込めまで".into(),
                median: None,
                p90: None,
                max: None,
                text: "n=0".into(),
            },
        ],
        ["中央値", "90パーセンタイル", "最大"],
    );
    let doc = parse(&svg);
    let t = texts(&doc);
    for want in [
        "受付確認まで",
        "封じ込めまで",
        "中央値",
        "90パーセンタイル",
        "n=3 · 中央値 1.0 時間",
    ] {
        assert!(t.iter().any(|x| x == want), "{want} missing from {t:?}");
    }
    assert_eq!(
        doc.descendants().filter(|n| n.has_tag_name("line")).count(),
        1
    );
}
