//! The registry's defaults and the checks a saved template goes through.

use super::*;

fn text(subject: &str, body: &str) -> Text {
    Text {
        subject: subject.to_owned(),
        body: body.to_owned(),
    }
}

#[test]
fn every_default_compiles_uses_only_its_variables_and_renders_in_both_languages() {
    for def in REGISTRY {
        for lang in LANGS {
            let t = def.default_text(lang);
            assert!(
                !t.subject.trim().is_empty(),
                "{} {lang}: empty subject",
                def.name
            );
            assert!(!t.body.trim().is_empty(), "{} {lang}: empty body", def.name);
            let out =
                validate(def, lang, &t).unwrap_or_else(|e| panic!("{} {lang}: {e}", def.name));
            assert!(!out.subject.contains('\n'), "{} {lang}", def.name);
        }
    }
}

#[test]
fn names_are_unique_and_every_category_has_a_notification() {
    let mut names: Vec<&str> = REGISTRY.iter().map(|d| d.name).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(names.len(), before, "a template name is registered twice");
    for c in <hikeshi_domain::Category as hikeshi_domain::Named>::all() {
        let name = format!("notification.{}", hikeshi_domain::Named::as_str(*c));
        assert!(find(&name).is_some(), "{name} is not registered");
    }
}

#[test]
fn the_default_file_splits_into_subject_and_body() {
    let def = find("notification.scan").unwrap();
    let en = def.default_text("en");
    assert!(en.subject.starts_with("{{ ticket_tag }}"), "{}", en.subject);
    assert!(en.body.starts_with("{{ recipient_name"), "{}", en.body);
    let ja = def.default_text("ja");
    assert!(ja.subject.contains("のご連絡"), "{}", ja.subject);
}

#[test]
fn an_unknown_variable_is_refused_with_its_part_and_line() {
    let def = find("notification.other").unwrap();
    let err = validate(
        def,
        "en",
        &text("{{ ticket_tag }}", "Hello\n\n{{ team_nam }}\n"),
    )
    .unwrap_err();
    match err {
        TemplateError::Invalid {
            part,
            line,
            message,
        } => {
            assert_eq!((part, line), ("body", 3));
            assert!(message.contains("team_nam"), "{message}");
        }
        other => panic!("{other}"),
    }
}

#[test]
fn a_syntax_error_is_refused_with_its_line() {
    let def = find("notification.other").unwrap();
    let err = validate(def, "ja", &text("ok", "one\ntwo {% if %}\n")).unwrap_err();
    match err {
        TemplateError::Invalid { part, line, .. } => assert_eq!((part, line), ("body", 2)),
        other => panic!("{other}"),
    }
    let err = validate(def, "ja", &text("{{ ticket_tag", "body")).unwrap_err();
    assert!(
        matches!(
            err,
            TemplateError::Invalid {
                part: "subject",
                line: 1,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn loop_variables_and_builtins_are_not_unknown() {
    let def = find("notification.other").unwrap();
    let body = "{% for i in indicators %}{{ loop.index }} {{ i.value }}\n{% endfor %}{% for n in range(2) %}{{ n }}{% endfor %}";
    let out = validate(def, "en", &text("{{ ticket_tag }}", body)).unwrap();
    assert!(
        out.body.contains("1 hxxps://login[.]example-bank[.]test/"),
        "{}",
        out.body
    );
}

#[test]
fn text_is_not_escaped_and_the_subject_is_one_line() {
    let ctx = context! { a => "x & <y>", b => "one\r\ntwo" };
    let out = render_text(&text("{{ b }}\n{{ a }}", "{{ a }}"), &ctx).unwrap();
    assert_eq!(out.body, "x & <y>");
    assert_eq!(out.subject, "one two x & <y>");
}

#[test]
fn strict_undefined_fails_a_render_instead_of_printing_nothing() {
    let err = render_text(&text("s", "{{ missing }}"), &context! {}).unwrap_err();
    assert!(
        matches!(
            err,
            TemplateError::Invalid {
                part: "body",
                line: 1,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn line_of_finds_whole_identifiers_only() {
    assert_eq!(line_of("a\nteam_name\nteam\n", "team"), 3);
    assert_eq!(line_of("x", "y"), 1);
}
