//! OSV range semantics, listed versions, release scoping and confidence, as a table.

use hikeshi_vuln::{Confidence, Ecosystem, Package, Rule, match_package, osv};

fn advisory(affected: &str) -> hikeshi_vuln::Advisory {
    let text = format!(r#"{{"id": "T-1", "affected": [{affected}]}}"#);
    let parsed = osv::parse_osv("t.json", text.as_bytes());
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    parsed.records.into_iter().next().expect("one record")
}

fn pkg(ecosystem: Ecosystem, release: Option<&str>, name: &str, version: &str) -> Package {
    Package {
        name: name.into(),
        version: version.into(),
        ecosystem,
        release: release.map(str::to_owned),
    }
}

#[test]
fn osv_events_decide_as_the_specification_says() {
    let a = advisory(
        r#"{"package": {"ecosystem": "npm", "name": "left-pad"}, "ranges": [{"type": "SEMVER", "events": [
            {"introduced": "0"}, {"fixed": "1.0.0"}, {"introduced": "2.0.0"}, {"last_affected": "2.3.0"},
            {"introduced": "3.0.0"}, {"limit": "3.5.0"}]}]}"#,
    );
    let cases = [
        ("0.9.9", Some(Some("1.0.0"))),
        ("1.0.0", None),
        ("1.5.0", None),
        ("2.0.0", Some(None)),
        ("2.3.0", Some(None)),
        ("2.3.1", None),
        ("3.4.9", Some(None)),
        ("3.5.0", None),
        ("9.0.0", None),
        ("2.0.0-rc.1", None),
    ];
    for (version, want) in cases {
        let got = match_package(&a, &pkg(Ecosystem::Npm, None, "left-pad", version));
        assert_eq!(got.as_ref().map(|m| m.fixed.as_deref()), want, "{version}");
    }
}

#[test]
fn listed_versions_and_git_ranges() {
    let a = advisory(
        r#"{"package": {"ecosystem": "PyPI", "name": "Django"}, "versions": ["4.2.0", "4.2.1"],
            "ranges": [{"type": "GIT", "repo": "https://example.invalid/django", "events": [{"introduced": "abc123"}]}]}"#,
    );
    // PEP 503 names and PEP 440 equality (`4.2` == `4.2.0`) both apply.
    let m = match_package(&a, &pkg(Ecosystem::PyPI, None, "django", "4.2")).expect("listed");
    assert_eq!(
        m.rule,
        Rule::ListedVersion {
            version: "4.2.0".into()
        }
    );
    assert!(match_package(&a, &pkg(Ecosystem::PyPI, None, "Django", "4.2.2")).is_none());
}

#[test]
fn a_release_scoped_entry_judges_only_that_release() {
    let a = advisory(
        r#"{"package": {"ecosystem": "Debian:12", "name": "openssl"}, "ranges": [{"type": "ECOSYSTEM", "events": [
            {"introduced": "0"}, {"fixed": "3.0.15-1~deb12u1"}]}]}"#,
    );
    assert!(
        match_package(
            &a,
            &pkg(Ecosystem::Debian, Some("12"), "openssl", "3.0.14-1~deb12u1")
        )
        .is_some()
    );
    assert!(
        match_package(
            &a,
            &pkg(Ecosystem::Debian, Some("11"), "openssl", "1.1.1w-0+deb11u1")
        )
        .is_none()
    );
    assert!(
        match_package(
            &a,
            &pkg(Ecosystem::Ubuntu, Some("12"), "openssl", "3.0.14-1")
        )
        .is_none()
    );
}

#[test]
fn an_unreadable_installed_version_needs_review_instead_of_a_guess() {
    let a = advisory(
        r#"{"package": {"ecosystem": "npm", "name": "x"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "2.0.0"}]}]}"#,
    );
    let m = match_package(&a, &pkg(Ecosystem::Npm, None, "x", "1.0")).expect("reported");
    assert_eq!(m.confidence, Confidence::NeedsReview);
    assert!(matches!(m.rule, Rule::UnreadableVersion { .. }));
}
