#!/usr/bin/env python3
"""Cross-check hikeshi-vuln's version ordering against independent implementations.

Compares our `compare(ecosystem, a, b)` (through the `vuln_order` example, which reads
`ECOSYSTEM<TAB>A<TAB>B` lines) with the Python package `univers` (Debian, RPM, semver, OpenSSL)
and `packaging` (PEP 440) on thousands of generated pairs per ecosystem plus every pair of real
release lists. Prints each disagreement; exits 1 if any is not explained in EXPLAINED below.

Set up (pinned, so a new univers release cannot silently move the baseline):
    python3 -m venv .venv-crosscheck
    .venv-crosscheck/bin/pip install -r scripts/external/requirements-version-crosscheck.txt
    .venv-crosscheck/bin/python scripts/external/version_crosscheck.py
Options: --bin PATH (a built vuln_order; default: cargo run --release --example vuln_order),
--pairs N per ecosystem (default 4000), --seed S (default 2014), --dpkg-pairs N (Debian pairs
also compared with `dpkg --compare-versions` when dpkg is installed; default 600).
"""

import argparse
import itertools
import os
import random
import shutil
import subprocess
import sys

from packaging.version import InvalidVersion, Version as PepVersion
from univers.versions import DebianVersion, OpensslVersion, RpmVersion, SemverVersion


def sign(x, y):
    return "<" if x < y else ">" if x > y else "="


def ref_debian(a, b):
    return sign(DebianVersion(a), DebianVersion(b))


def ref_dpkg(a, b):
    """dpkg itself, where installed: the reference that matters most for Debian and Ubuntu."""
    def run(op):
        p = subprocess.run(["dpkg", "--compare-versions", a, op, b], capture_output=True, text=True)
        # A version starting with '-' is taken for an option (exit 2): invalid either way.
        if "bad syntax" in p.stderr or p.returncode > 1:
            # dpkg only warns about some (a version not starting with a digit) and compares
            # anyway; Debian policy forbids them, so both are counted as invalid here.
            raise ValueError(p.stderr.strip())
        return p.returncode == 0
    return "<" if run("lt") else "=" if run("eq") else ">"


def ref_rpm(a, b):
    return sign(RpmVersion(a), RpmVersion(b))


def ref_semver(a, b):
    return sign(SemverVersion(a), SemverVersion(b))


def ref_pep440(a, b):
    return sign(PepVersion(a), PepVersion(b))


def ref_openssl(a, b):
    return sign(OpensslVersion(a), OpensslVersion(b))


# --- generators -------------------------------------------------------------------------------

def gen_debian(r):
    def part(alphabet, n):
        return "".join(r.choice(alphabet) for _ in range(n))
    up = str(r.randint(0, 12))
    for _ in range(r.randint(0, 4)):
        up += r.choice([".", ".", "~", "+", ""]) + r.choice([str(r.randint(0, 20)), part("abcxyz", r.randint(1, 3)), "rc1", "dfsg"])
    v = up
    if r.random() < 0.6:
        v += "-" + r.choice([str(r.randint(0, 5)), "%d+deb%du%d" % (r.randint(1, 3), r.randint(7, 12), r.randint(0, 9)),
                             "%dubuntu%d.%d" % (r.randint(0, 4), r.randint(0, 5), r.randint(0, 20)), "0~bpo1", "1.1"])
    if r.random() < 0.15:
        v = "%d:%s" % (r.randint(0, 3), v)
    return v


def gen_rpm(r):
    def seg():
        return r.choice([str(r.randint(0, 30)), r.choice(["a", "b", "rc", "git", "el", "fc", "p"]) + str(r.randint(0, 9)), "0"])
    ver = seg()
    for _ in range(r.randint(0, 3)):
        ver += r.choice([".", ".", "_", "~", "^", "+"]) + seg()
    v = ver
    if r.random() < 0.7:
        rel = str(r.randint(1, 40))
        for _ in range(r.randint(0, 2)):
            rel += r.choice([".el6_5", ".el7", ".%d" % r.randint(0, 9), ".fc39", "~rc1", "^git2"])
        v += "-" + rel
    if r.random() < 0.15:
        v = "%d:%s" % (r.randint(0, 3), v)
    return v


def gen_semver(r):
    v = "%d.%d.%d" % (r.randint(0, 3), r.randint(0, 12), r.randint(0, 12))
    if r.random() < 0.4:
        ids = [r.choice(["alpha", "beta", "rc", str(r.randint(0, 11)), "x-y", "0a"]) for _ in range(r.randint(1, 3))]
        v += "-" + ".".join(ids)
    if r.random() < 0.15:
        v += "+" + r.choice(["build.1", "sha.abc", "20240101"])
    return v


def gen_pep440(r):
    v = ".".join(str(r.randint(0, 12)) for _ in range(r.randint(1, 4)))
    if r.random() < 0.1:
        v = "%d!%s" % (r.randint(0, 2), v)
    if r.random() < 0.35:
        v += r.choice(["a", "b", "rc", "c", "alpha", "beta", "pre", "preview", "-rc", ".RC"]) + str(r.randint(0, 4))
    if r.random() < 0.2:
        v += r.choice([".post", "-post", "post", "-", ".rev", ".r"]) + str(r.randint(0, 3))
    if r.random() < 0.2:
        v += r.choice([".dev", "dev", "-dev"]) + str(r.randint(0, 3))
    if r.random() < 0.1:
        v += "+" + r.choice(["local", "ubuntu.1", "abc.5", "1"])
    if r.random() < 0.05:
        v = "v" + v
    return v


def gen_openssl(r):
    major = r.choice(["0.9.6", "0.9.7", "0.9.8", "1.0.0", "1.0.1", "1.0.2", "1.1.0", "1.1.1"])
    if r.random() < 0.2:
        return "3.%d.%d%s" % (r.randint(0, 4), r.randint(0, 15), r.choice(["", "", "-alpha1", "-beta2"]))
    letters = r.choice(["", "", "a", "e", "f", "g", "k", "y", "z", "za", "zb", "zh"])
    pre = r.choice(["", "", "", "", "-beta1", "-beta2", "-beta3", "-pre1", "-pre8"]) if letters == "" else ""
    return major + letters + pre


# Real release lists: every pair within a list is checked.
REAL = {
    "Generic": ["0.9.8", "0.9.8y", "0.9.8za", "0.9.8zh", "1.0.0", "1.0.0l", "1.0.0t", "1.0.1", "1.0.1a", "1.0.1e",
                "1.0.1f", "1.0.1g", "1.0.1u", "1.0.2-beta1", "1.0.2-beta2", "1.0.2-beta3", "1.0.2", "1.0.2k",
                "1.0.2u", "1.1.0-pre1", "1.1.0", "1.1.0l", "1.1.1", "1.1.1w", "3.0.0-alpha1", "3.0.0-beta2",
                "3.0.0", "3.0.13", "3.1.0", "3.2.1", "3.3.0"],
    "Debian": ["0.9.8o-4squeeze14", "1.0.1e-2", "1.0.1e-2+deb7u4", "1.0.1e-2+deb7u5", "1.0.1e-2+deb7u20",
               "1.0.1t-1+deb8u12", "1.1.0l-1~deb9u1", "1.1.1n-0+deb10u3", "1.1.1w-0+deb11u1", "3.0.11-1~deb12u2",
               "3.0.14-1~deb12u1", "3.0.15-1~deb12u1", "3.3.2-1", "1:9.11.5.P4+dfsg-5.1+deb10u7",
               "1:9.18.24-1", "2.4.10-10+deb8u12", "2.4.62-1~deb12u2", "7.64.0-4+deb10u9", "1.0.1-4ubuntu5.12",
               "1.0.1-4ubuntu5.2", "3.0.2-0ubuntu1.15", "3.0.2-0ubuntu1~18.04.1"],
    "Red Hat": ["1.0.1e-15.el6", "1.0.1e-16.el6_5", "1.0.1e-16.el6_5.4", "1.0.1e-16.el6_5.7", "1.0.1e-16.el6_5.15",
                "1.0.1e-30.el6_6.5", "1.0.1e-58.el6_10", "1:1.0.2k-8.el7", "1:1.0.2k-26.el7_9", "1:1.1.1k-7.el8_6",
                "1:3.0.7-27.el9", "1:3.0.7-28.el9_4", "3.0.7-16.el9_2", "2.4.6-97.el7_9.4", "2.4.37-62.module+el8.9.0+19699+7a7a2044",
                "4.18.0-513.5.1.el8_9", "5.14.0-362.8.1.el9_3"],
    "npm": ["4.17.15", "4.17.19", "4.17.20", "4.17.21", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
            "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "2.0.0-0", "10.0.0", "0.0.1"],
    "PyPI": ["1.11", "1.11.29", "2.0a1", "2.0b1", "2.0rc1", "2.0", "2.0.post1", "2.0.1.dev3", "2.2.28", "3.0",
             "3.2.25", "4.0a1", "4.2", "4.2.16", "5.0.9", "5.1rc1", "1!0.1", "0.1+local.7", "0.1"],
}

JUNK = ["abc", "1..0", "1.0 beta", " 1.0", "1.0/2", "-1", ":1.0", "1.0-", "é1.0", "1_0_0", "v", "1.0.0.0.0-a-b"]

GENERATED = {
    "Debian": (gen_debian, ref_debian, "univers DebianVersion"),
    "Red Hat": (gen_rpm, ref_rpm, "univers RpmVersion"),
    "npm": (gen_semver, ref_semver, "univers SemverVersion"),
    "PyPI": (gen_pep440, ref_pep440, "packaging.version"),
    "Generic": (gen_openssl, ref_openssl, "univers OpensslVersion"),
}


def explained(eco, a, b, ours, theirs):
    """The reason a disagreement is known and ours is right, or None.

    Each rule is narrow: it names the ecosystem, which side rejected, and what in the text
    caused it, so a new kind of disagreement is never swallowed by an old explanation.
    """
    ours_err, theirs_err = ours.startswith("error"), theirs.startswith("error")
    if eco == "Debian" and theirs_err and not ours_err and "dpkg" in theirs:
        return None
    if not ours_err and not theirs_err:
        if eco == "Generic" and any(v.split("-")[-1].startswith("pre") for v in (a, b)):
            # OpenSSL's `-preN` tags were pre-releases: 1.1.0-pre1 (2015-12-10) ... pre6 came
            # before 1.1.0 (2016-08-25). univers' LegacyOpensslVersion knows only `-beta` and
            # sorts `-pre` after the release.
            return "OpenSSL -preN is a pre-release; univers orders it after the release"
        return None
    # Our error names the version it rejected, quoted.
    culprit = next((v for v in (a, b) if '"%s"' % v in ours), None)
    if ours_err and not theirs_err:
        if culprit is not None and culprit.strip() != culprit:
            return "surrounding whitespace is refused by policy (inventory parsers trim first); the reference strips it"
        if culprit is not None and " " in culprit and eco in ("Debian", "Red Hat", "npm"):
            return "embedded whitespace is invalid in dpkg, rpm and SemVer versions; the reference accepts it"
        if eco == "npm":
            return "not SemVer 2.0 (npm and crates.io publish only SemVer); univers coerces it"
        if eco == "Debian" and culprit is not None and culprit.endswith("-"):
            return "dpkg rejects an empty revision ('revision number is empty'); univers accepts it"
        if eco == "Red Hat" and culprit is not None and (culprit.startswith("-") or culprit.endswith("-")):
            return "an rpm EVR with an empty version or release is malformed; univers accepts it"
        return None
    if theirs_err and not ours_err:
        if eco == "Generic":
            return "Generic covers any digit-led upstream version, wider than univers' OpenSSL-only scheme"
        if eco == "Red Hat" and any(v.isalpha() for v in (a, b)):
            return "rpm accepts an all-letter version and rpmvercmp orders it; univers requires a digit"
    return None


def run_ours(binary, lines):
    if binary:
        cmd = [binary]
    else:
        cmd = ["cargo", "run", "--quiet", "--release", "-p", "hikeshi-vuln", "--example", "vuln_order"]
    out = subprocess.run(cmd, input="\n".join(lines) + "\n", capture_output=True, text=True, check=True)
    return out.stdout.splitlines()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin")
    ap.add_argument("--pairs", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=2014)
    ap.add_argument("--dpkg-pairs", type=int, default=600, help="generated Debian pairs also run through dpkg")
    args = ap.parse_args()
    r = random.Random(args.seed)

    cases = []  # (eco, a, b, reference function, source)
    for eco, (gen, ref, name) in GENERATED.items():
        for _ in range(args.pairs):
            # One pair in twenty carries malformed text, so rejection is checked too.
            a = r.choice(JUNK) if r.random() < 0.05 else gen(r)
            cases.append((eco, a, gen(r), ref, name, "generated"))
        for a, b in itertools.combinations(REAL[eco], 2):
            cases.append((eco, a, b, ref, name, "real"))
    if shutil.which("dpkg"):
        debian = [c for c in cases if c[0] == "Debian"]
        for eco, a, b, _, _, source in debian[: args.dpkg_pairs] + [c for c in debian if c[5] == "real"]:
            cases.append((eco, a, b, ref_dpkg, "dpkg --compare-versions", source))
    else:
        print("dpkg not installed: Debian pairs are checked against univers only")
    ours = run_ours(args.bin, ["%s\t%s\t%s" % (c[0], c[1], c[2]) for c in cases])
    if len(ours) != len(cases):
        print("vuln_order printed %d lines for %d pairs" % (len(ours), len(cases)))
        return 2

    stats = {}
    unexplained = 0
    for (eco, a, b, ref, name, source), mine in zip(cases, ours):
        s = stats.setdefault((eco, name), {"pairs": 0, "agree": 0, "both_invalid": 0, "explained": 0, "unexplained": 0})
        s["pairs"] += 1
        try:
            theirs = ref(a, b)
        except (InvalidVersion, ValueError, TypeError, AttributeError, Exception) as e:  # noqa: B014
            theirs = "error: %s" % type(e).__name__
        mine_err, theirs_err = mine.startswith("error"), theirs.startswith("error")
        if mine_err and theirs_err:
            s["both_invalid"] += 1
            continue
        if mine == theirs:
            s["agree"] += 1
            continue
        reason = explained(eco, a, b, mine, theirs)
        if reason:
            s["explained"] += 1
            print("EXPLAINED %-8s %-9s %r vs %r: ours %s, %s %s: %s" % (eco, source, a, b, mine, name, theirs, reason))
        else:
            s["unexplained"] += 1
            unexplained += 1
            print("DISAGREE  %-8s %-9s %r vs %r: ours %s, %s %s" % (eco, source, a, b, mine, name, theirs))

    print()
    print("%-8s %-24s %7s %7s %12s %9s %11s" % ("eco", "reference", "pairs", "agree", "both invalid", "explained", "unexplained"))
    for (eco, name), s in stats.items():
        print("%-8s %-24s %7d %7d %12d %9d %11d" % (eco, name, s["pairs"], s["agree"], s["both_invalid"], s["explained"], s["unexplained"]))
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
