"""End-to-end tests of the web UI in a real browser (headless Chromium): log in, take a report
through the public form, triage it into an incident, handle the incident through containment to
closed, switch language, and check that hostile report content stays inert under the CSP."""

import json
import re
import urllib.request
from pathlib import Path

from conftest import HANDLER, REPO, login, submit
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

CATALOG_KEYS = sorted(json.loads((REPO / "crates/server/locales/en.json").read_text()).keys())


def css(driver, selector):
    return driver.find_element(By.CSS_SELECTOR, selector)


def submit_report(driver, server, subject, body, attachment=None, lang="en"):
    """Send a report through the public form (no login); return its ticket number."""
    driver.get(server.url(f"/report?lang={lang}"))
    form = css(driver, "form[action='/report']")
    form.find_element(By.NAME, "name").send_keys("Taro Reporter")
    form.find_element(By.NAME, "email").send_keys("taro@example.jp")
    form.find_element(By.NAME, "organisation").send_keys("Example Corp")
    form.find_element(By.NAME, "subject").send_keys(subject)
    form.find_element(By.NAME, "description").send_keys(body)
    if attachment is not None:
        form.find_element(By.NAME, "attachments").send_keys(str(attachment))
    submit(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    ticket = css(driver, "#ticket").text
    m = re.fullmatch(r"\[hikeshi #(\d+)\]", ticket)
    assert m, f"ticket page shows {ticket!r}"
    return int(m.group(1))


def open_report_from_dashboard(driver, server, n):
    driver.get(server.url("/"))
    link = css(driver, f"table.list a[href='/reports/{n}']")
    submit(driver, link)
    assert driver.current_url == server.url(f"/reports/{n}")


def create_incident_from_report(driver, title):
    form = css(driver, "#create-incident")
    field = form.find_element(By.NAME, "title")
    field.clear()
    field.send_keys(title)
    Select(form.find_element(By.NAME, "category")).select_by_value("phishing")
    submit(driver, form.find_element(By.TAG_NAME, "button"))
    m = re.search(r"/incidents/(HK-\d{4}-\d{6})$", driver.current_url)
    assert m, f"creating the incident led to {driver.current_url}"
    return m.group(1)


def move_phase(driver, to, reason):
    form = css(driver, "#phase-form")
    Select(form.find_element(By.NAME, "to")).select_by_value(to)
    form.find_element(By.NAME, "reason").send_keys(reason)
    submit(driver, form.find_element(By.TAG_NAME, "button"))
    assert css(driver, ".stepper li.current").text == to.capitalize() or to == "closed"


def sla_done(driver):
    """Which SLA clocks the incident page shows as done (the third column has a time)."""
    return {
        r.find_element(By.TAG_NAME, "th").text: r.find_elements(By.TAG_NAME, "td")[1].text != ""
        for r in driver.find_elements(By.CSS_SELECTOR, "table.sla tr")
        if r.find_elements(By.TAG_NAME, "td")
    }


def test_login_form_rejects_wrong_password_then_accepts_right_one(driver, server):
    login(driver, server, password="not the password")
    err = css(driver, "p.error[role=alert]")
    assert err.text == "Wrong username or password."
    assert driver.current_url.endswith("/login")
    assert not driver.find_elements(By.CSS_SELECTOR, "form[action='/logout']")

    login(driver, server)
    assert driver.current_url == server.url("/")
    assert css(driver, "h1").text == "Dashboard"
    assert HANDLER in css(driver, "header .who").text


def test_public_report_becomes_an_incident(driver, server, tmp_path):
    evidence = tmp_path / "headers.txt"
    evidence.write_text("Received: from mail.evil.example (203.0.113.9)\n")
    n = submit_report(
        driver,
        server,
        "Phishing mail pretending to be our bank",
        "Several staff received a mail linking to hxxp://bank-login[.]example/ today.",
        attachment=evidence,
    )
    # The reporter is not signed in: the ticket page is all they get.
    assert not driver.find_elements(By.CSS_SELECTOR, "form[action='/logout']")

    login(driver, server)
    open_report_from_dashboard(driver, server, n)
    assert css(driver, "h1").text.startswith(f"Ticket #{n}") or f"#{n}" in css(driver, "h1").text
    assert "Several staff received a mail" in css(driver, "pre.body").text
    attachment_links = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "a[href*='/attachments/']")]
    assert attachment_links == ["headers.txt"]

    number = create_incident_from_report(driver, "Bank phishing campaign")
    assert css(driver, "h1 .number").text == number
    assert "Bank phishing campaign" in css(driver, "h1").text
    linked = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "section a[href^='/reports/']")]
    assert server.url(f"/reports/{n}") in linked

    # The report now points at its incident and has left the waiting queue.
    driver.get(server.url(f"/reports/{n}"))
    assert css(driver, f"dl.facts a[href='/incidents/{number}']")
    driver.get(server.url("/"))
    assert not driver.find_elements(By.CSS_SELECTOR, f"table.list a[href='/reports/{n}']")


def test_incident_handling_from_triage_to_closed(driver, server, shot):
    n = submit_report(driver, server, "Defaced web server", "Our top page was replaced at 09:10 JST.")
    login(driver, server)
    open_report_from_dashboard(driver, server, n)
    number = create_incident_from_report(driver, "Web defacement")

    for to in ("triage", "analysis", "containment"):
        move_phase(driver, to, f"to {to}")
    # SLA clocks: analysis was the first response; containment is done only once it is left.
    assert sla_done(driver) == {"Acknowledge": True, "First response": True, "Containment": False}

    # A task, ticked done.
    form = css(driver, "#task-form")
    form.find_element(By.NAME, "title").send_keys("Image the web server disk")
    Select(form.find_element(By.NAME, "assignee")).select_by_value(HANDLER)
    submit(driver, form.find_element(By.TAG_NAME, "button"))
    row = driver.find_element(By.XPATH, "//tr[td[text()='Image the web server disk']]")
    assert "done" not in row.get_attribute("class")
    assert row.find_element(By.TAG_NAME, "button").text == "☐"
    submit(driver, row.find_element(By.TAG_NAME, "button"))
    row = driver.find_element(By.XPATH, "//tr[td[text()='Image the web server disk']]")
    assert "done" in row.get_attribute("class")
    assert row.find_element(By.TAG_NAME, "button").text == "☑"

    # A decision.
    form = css(driver, "#decision-form")
    form.find_element(By.NAME, "subject").send_keys("Take www1 offline")
    form.find_element(By.NAME, "decision").send_keys("Approved")
    form.find_element(By.NAME, "decided_by").send_keys("CISO Sato")
    submit(driver, form.find_element(By.TAG_NAME, "button"))
    row = driver.find_element(By.XPATH, "//tr[td[text()='Take www1 offline']]")
    assert "Approved" in row.text and "CISO Sato" in row.text

    # A note.
    form = css(driver, "#note-form")
    form.find_element(By.NAME, "text").send_keys("Backup from 2026-11-25 is clean.")
    submit(driver, form.find_element(By.TAG_NAME, "button"))
    assert "Backup from 2026-11-25 is clean." in [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#timeline .ev-note .note")]

    # Indicators: paste, review, attach.
    form = css(driver, "#extract-form")
    form.find_element(By.NAME, "text").send_keys(
        "The page loaded hxxp://evil[.]example[.]com/x and talked to 10.0.0.5 internally."
    )
    submit(driver, form.find_element(By.TAG_NAME, "button"))
    review = css(driver, "#review-form")
    rows = {r.find_elements(By.TAG_NAME, "td")[2].text: r for r in review.find_elements(By.CSS_SELECTOR, "tbody tr")}
    assert "hxxp://evil[.]example[.]com/x" in rows, f"review rows: {list(rows)}"
    assert "10[.]0[.]0[.]5" in rows or "10.0.0.5" in rows, f"review rows: {list(rows)}"
    # Both carry a warning and so start unticked: the private address, and the URL because
    # example.com is a documentation domain (RFC 2606). The handler ticks the URL only.
    url_row = rows["hxxp://evil[.]example[.]com/x"]
    ip_row = rows.get("10[.]0[.]0[.]5") or rows["10.0.0.5"]
    # The tag says which kind of list (translated); the list's own name is its tooltip.
    ip_tags = ip_row.find_elements(By.CSS_SELECTOR, ".tag")
    url_tags = url_row.find_elements(By.CSS_SELECTOR, ".tag")
    assert [t.text for t in ip_tags] == ["Private or shared address"]
    assert [t.get_attribute("title") for t in ip_tags] == ["Private and shared IP address space"]
    assert [t.text for t in url_tags] == ["Documentation example"]
    assert [t.get_attribute("title") for t in url_tags] == ["Documentation domain names"]
    assert not ip_row.find_element(By.CSS_SELECTOR, "input[type=checkbox]").is_selected()
    url_box = url_row.find_element(By.CSS_SELECTOR, "input[type=checkbox]")
    assert not url_box.is_selected()
    url_box.click()
    assert url_box.is_selected()
    submit(driver, review.find_element(By.TAG_NAME, "button"))
    assert driver.current_url.startswith(server.url(f"/incidents/{number}"))
    values = [c.text for c in driver.find_elements(By.CSS_SELECTOR, "#indicators tbody td code")]
    assert "hxxp://evil[.]example[.]com/x" in values
    assert not any("10.0.0.5" in v or "10[.]0[.]0[.]5" in v for v in values)
    # Defanged everywhere on the page, the timeline and the weak correlations included.
    added = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "#timeline li.ev-indicator-added")]
    assert len(added) == 1 and "hxxp://evil[.]example[.]com/x" in added[0], added
    live = re.findall(r"https?://\S+", css(driver, "main").text)
    assert live == [], f"live URLs shown: {live}"

    move_phase(driver, "closed", "handled")
    assert sla_done(driver) == {"Acknowledge": True, "First response": True, "Containment": True}
    assert css(driver, "h1 + p .phase").get_attribute("class").split() == ["phase", "phase-closed"]

    # The timeline lists the phase changes in the order they happened.
    moves = [re.search(r"(\w+) → (\w+)", li.text).groups() for li in driver.find_elements(By.CSS_SELECTOR, "#timeline li.ev-phase")]
    chronological = [("New", "Triage"), ("Triage", "Analysis"), ("Analysis", "Containment"), ("Containment", "Closed")]
    assert moves in (chronological, chronological[::-1]), moves
    shot(driver, "incident-closed-en")


def test_language_switch_sticks(driver, server):
    driver.get(server.url("/report?lang=ja"))
    assert css(driver, "html").get_attribute("lang") == "ja"
    assert css(driver, "form[action='/report'] button[type=submit]").text == "報告を送信"

    login(driver, server)
    assert css(driver, "h1").text == "ダッシュボード", "the choice made on the form page carries on"
    driver.get(server.url("/incidents"))
    assert css(driver, "html").get_attribute("lang") == "ja"
    assert css(driver, "header nav a[href='/']").text == "ダッシュボード"

    submit(driver, css(driver, "header a[href='?lang=en']"))
    assert css(driver, "html").get_attribute("lang") == "en"
    assert css(driver, "header nav a[href='/']").text == "Dashboard"
    driver.get(server.url("/"))
    assert css(driver, "h1").text == "Dashboard"

    driver.get(server.url("/?lang=ja"))
    assert css(driver, "h1").text == "ダッシュボード"
    driver.get(server.url("/reports"))
    assert css(driver, "html").get_attribute("lang") == "ja"


HOSTILE_SCRIPT = "<script>window.__pwned=1</script>"
HOSTILE_IMG = '<img src=x onerror="window.__pwned=2">'


def test_hostile_report_is_shown_inert(driver, server):
    assert driver.execute_script("return 6 * 7") == 42  # JavaScript does run in this browser
    n = submit_report(
        driver,
        server,
        f"Look {HOSTILE_IMG}",
        f"Hello {HOSTILE_SCRIPT} and {HOSTILE_IMG} bye",
    )
    login(driver, server)
    assert driver.execute_script("return window.__pwned") is None, "the dashboard ran report content"
    assert any(HOSTILE_IMG in a.text for a in driver.find_elements(By.CSS_SELECTOR, f"a[href='/reports/{n}']"))

    driver.get(server.url(f"/reports/{n}"))
    assert driver.execute_script("return window.__pwned") is None, "the report page ran report content"
    body = css(driver, "pre.body")
    assert HOSTILE_SCRIPT in body.text and HOSTILE_IMG in body.text
    assert not driver.find_elements(By.CSS_SELECTOR, "main script, main img"), "report content became markup"


PAGES_WITHOUT_LOGIN = ["/login", "/report"]


def test_csp_forbids_inline_script(driver, server):
    for path in PAGES_WITHOUT_LOGIN:
        with urllib.request.urlopen(server.url(path)) as res:
            csp = res.headers.get("Content-Security-Policy", "")
        directives = dict(
            (d.split()[0], d.split()[1:]) for d in (x.strip() for x in csp.split(";")) if d
        )
        assert directives.get("script-src") == ["'self'"], f"{path}: CSP {csp!r}"
        assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp

    login(driver, server)
    driver.get(server.url("/incidents"))
    first_incident = css(driver, "table.list a[href^='/incidents/HK-']").get_attribute("href")
    for url in [server.url(p) for p in ("/", "/reports", "/reports/1", "/incidents", "/report")] + [first_incident]:
        driver.get(url)
        inline = driver.execute_script(
            """
            const bad = [];
            for (const s of document.querySelectorAll('script')) if (!s.src) bad.push('inline <script>');
            for (const el of document.querySelectorAll('*'))
              for (const a of el.attributes) if (a.name.startsWith('on')) bad.push(el.tagName + ' ' + a.name);
            for (const a of document.querySelectorAll('a[href]'))
              if (a.getAttribute('href').trim().toLowerCase().startsWith('javascript:')) bad.push('javascript: link');
            return bad;
            """
        )
        assert inline == [], f"{url}: {inline}"
        assert "<script>" not in driver.page_source.replace(HOSTILE_SCRIPT.replace("<", "&lt;"), "")

    # The policy is enforced by the browser: an inline script added to the page does not run.
    driver.execute_script(
        "const s = document.createElement('script'); s.textContent = 'window.__inline = 1';"
        "document.body.appendChild(s);"
    )
    assert driver.execute_script("return window.__inline") is None


def test_pages_in_both_languages(driver, server, shot):
    """Every main page in Japanese and English: the right language, no raw catalog key shown
    (a missing message shows as its key), and screenshots when HIKESHI_SCREENSHOTS=1."""
    login(driver, server)
    driver.get(server.url("/incidents?lang=en"))
    incident = css(driver, "table.list a[href^='/incidents/HK-']").get_attribute("href")
    driver.get(server.url("/reports"))
    report = driver.find_elements(By.CSS_SELECTOR, "table.list a[href^='/reports/']")[-1].get_attribute("href")
    pages = {"dashboard": server.url("/"), "incident": incident, "report": report}
    expected_nav = {"ja": "ダッシュボード", "en": "Dashboard"}
    for lang in ("ja", "en"):
        for name, url in pages.items():
            driver.get(f"{url}?lang={lang}")
            assert css(driver, "html").get_attribute("lang") == lang, url
            assert css(driver, "header nav a[href='/']").text == expected_nav[lang]
            text = css(driver, "body").text
            leaked = [k for k in CATALOG_KEYS if re.search(r"(?<![\w.-])" + re.escape(k) + r"(?![\w-])", text)]
            assert leaked == [], f"{name} ({lang}) shows catalog keys: {leaked}"
            shot(driver, f"{name}-{lang}")

    # The public form, as a reporter sees it (signed out).
    submit(driver, css(driver, "form[action='/logout'] button"))
    for lang, label in (("ja", "報告を送信"), ("en", "Send report")):
        driver.get(server.url(f"/report?lang={lang}"))
        assert css(driver, "form[action='/report'] button[type=submit]").text == label
        shot(driver, f"public-form-{lang}")
