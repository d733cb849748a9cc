#!/usr/bin/env bash
# The whole test suite. README's test command and CI (.ci/run) both run exactly this.
#
# It starts what the tests need on loopback (a throwaway PostgreSQL cluster, installed from
# Debian packages when missing) unless HIKESHI_TEST_POSTGRES_URL already points at one, checks
# the dependency rules of DESIGN.md §4, and runs every test of the workspace. The store contract
# tests run on SQLite always and on PostgreSQL through HIKESHI_TEST_POSTGRES_URL; with CI=true a
# missing PostgreSQL fails the run instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."

started_pg=0
started_mail=0
cleanup() {
  [ "$started_pg" = 1 ] && scripts/pg-test-server.sh stop || true
  [ "$started_mail" = 1 ] && scripts/mail-test-server.sh stop || true
}
trap cleanup EXIT

if [ -z "${HIKESHI_TEST_POSTGRES_URL:-}" ]; then
  HIKESHI_TEST_POSTGRES_URL=$(scripts/pg-test-server.sh start)
  started_pg=1
fi
export HIKESHI_TEST_POSTGRES_URL
# Tests that need PostgreSQL fail rather than skip when this is set.
export HIKESHI_REQUIRE_POSTGRES=1
echo "PostgreSQL for tests: ${HIKESHI_TEST_POSTGRES_URL%%:hikeshi@*}:***@${HIKESHI_TEST_POSTGRES_URL#*@}"

# Real Postfix (SMTP) and Dovecot (IMAP) on loopback for the mail end-to-end test, installed from
# Debian packages when missing; with HIKESHI_REQUIRE_MAIL=1 that test fails instead of skipping.
if [ -z "${HIKESHI_TEST_SMTP:-}" ] || [ -z "${HIKESHI_TEST_IMAP:-}" ] || [ -z "${HIKESHI_TEST_MAIL_CA:-}" ]; then
  mail_env=$(scripts/mail-test-server.sh start)
  eval "$mail_env"
  started_mail=1
fi
export HIKESHI_TEST_SMTP HIKESHI_TEST_IMAP HIKESHI_TEST_IMAPS HIKESHI_TEST_MAIL_CA
export HIKESHI_REQUIRE_MAIL=1
echo "Mail servers for tests: SMTP $HIKESHI_TEST_SMTP, IMAP $HIKESHI_TEST_IMAP"

echo "== dependency rules (DESIGN.md §4): pure crates use no async runtime, SQL, HTTP or templates"
bad=0
for crate in hikeshi-ioc hikeshi-sweep hikeshi-domain hikeshi-exchange hikeshi-mail hikeshi-vuln; do
  [ -d "crates/${crate#hikeshi-}" ] || continue
  for dep in tokio sqlx axum hyper minijinja; do
    if cargo tree -p "$crate" -e normal --prefix none 2>/dev/null | grep -qE "^$dep v"; then
      echo "  $crate depends on $dep"; bad=1
    fi
  done
done
[ "$bad" = 0 ] || { echo "dependency rule broken"; exit 1; }
echo "  ok"

# External checks against independent implementations, from pinned Python virtualenvs (PyPI).
# They run before the test suite so that cargo's summary stays the last thing printed.
if [ "${HIKESHI_SKIP_EXTERNAL:-0}" != 1 ]; then
  echo "== external checks (pinned Python virtualenvs)"
  cargo build -q -p hikeshi
  target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
  export SCRATCH=${HIKESHI_SCRATCH:-/tmp/hikeshi-external}
  HIKESHI_BIN="$target_dir/debug/hikeshi" VENV="$SCRATCH/venv-ioc" scripts/external/ioc_suites.sh 2>&1 \
    | sed -e 's/^/  ioc-finder suite: /' -e 's/\([0-9]*\) passed, \([0-9]*\) failed/\1 cases agree, \2 differ (docs\/indicators.md explains each)/'
  # Version ordering against univers and packaging (and dpkg when installed): fails on any
  # disagreement not explained in the script.
  cargo build -q -p hikeshi-vuln --example vuln_order
  [ -x "$SCRATCH/venv-versions/bin/python" ] || python3 -m venv "$SCRATCH/venv-versions"
  "$SCRATCH/venv-versions/bin/pip" install -q -r scripts/external/requirements-version-crosscheck.txt
  "$SCRATCH/venv-versions/bin/python" scripts/external/version_crosscheck.py --bin "$target_dir/debug/examples/vuln_order" 2>&1 \
    | tail -n 12 | sed 's/^/  version cross-check: /'

  # Sharing with the real clients: stix2-validator/stix2-patterns on every bundle we write,
  # PyMISP loading our MISP events and feeds, taxii2-client walking our TAXII server, PyMISP
  # against our MISP API, and our feed client pulling from medallion. Any difference fails.
  echo "== sharing checks (stix2-validator, PyMISP, taxii2-client, medallion)"
  SCRATCH="$SCRATCH" VENV="$SCRATCH/venv-misp" scripts/external/misp_check.sh 2>&1 | tail -n 5 | sed 's/^/  misp: /'
  SCRATCH="$SCRATCH" VENV="$SCRATCH/venv-sharing" HIKESHI_BIN="$target_dir/debug/hikeshi" scripts/external/sharing_check.sh 2>&1 \
    | grep -E '^(ok |FAIL|all |[0-9]+ checks|stix_check|patterns|---)|Error|error' | sed 's/^/  sharing: /'

  # The web UI in a real browser: Debian's Chromium and ChromeDriver (never a downloaded one)
  # drive the built binary through tests/browser (pytest + pinned selenium). With CI=true a
  # missing browser fails the run instead of skipping.
  echo "== browser tests (headless Chromium, tests/browser)"
  missing=()
  for pkg in chromium chromium-driver fonts-noto-cjk; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null) >&2
    else
      echo "the browser tests need Debian packages: ${missing[*]} (install them as root: apt-get install ${missing[*]})"
      exit 1
    fi
  fi
  [ -x "$SCRATCH/venv-browser/bin/python" ] || python3 -m venv "$SCRATCH/venv-browser"
  "$SCRATCH/venv-browser/bin/pip" install -q -r tests/browser/requirements.txt
  HIKESHI_BIN="$target_dir/debug/hikeshi" "$SCRATCH/venv-browser/bin/python" -m pytest -q -p no:cacheprovider tests/browser 2>&1 \
    | sed 's/^/  browser: /'
fi

# The PDF report test (crates/cli/tests/stats_report.rs) prints with Chromium and reads the PDF
# back with poppler's pdftotext/pdftoppm; under CI=true it fails when they are missing.
for pkg in chromium fonts-noto-cjk poppler-utils; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" && [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null) >&2
  fi
done

echo "== cargo test --workspace"
cargo test --workspace --no-fail-fast "$@"
