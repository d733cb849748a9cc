"""Sweeping uploaded logs from the incident page in a real browser: the page's script (/static/app.js)
sends the files to the API with the CSRF header, follows the job's progress until it ends, and the
page then shows the job done and its sightings, defanged and linked to no live URL; no CSP
violation on the way."""

import json
import os
import subprocess
import urllib.request

from conftest import HANDLER
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

LOG = (
    "1700000000.001    120 10.0.0.7 TCP_TUNNEL/200 900 CONNECT cdn.sweep-check.example.net:443 - HIER_DIRECT/198.51.100.9 -\n"
    "1700000000.002    120 10.0.0.8 TCP_TUNNEL/200 900 CONNECT other.example.org:443 - HIER_DIRECT/198.51.100.9 -\n"
)


def api(server, token, method, path, body=None):
    req = urllib.request.Request(
        server.url(path),
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")


def test_uploaded_logs_are_swept_from_the_incident_page(handler, server, tmp_path):
    token = subprocess.run(
        [os.environ["HIKESHI_BIN"], "--data-dir", server.data_dir, "user", "token", HANDLER, "--name", "sweep"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    inc = api(server, token, "POST", "/api/v1/incidents", {"title": "スイープの確認", "category": "malware-site"})
    api(server, token, "POST", f"/api/v1/incidents/{inc['id']}/indicators",
        {"items": [{"value": "sweep-check[.]example[.]net", "role": "c2"}]})
    log = tmp_path / "proxy.log"
    log.write_text(LOG)
    d = handler
    d.get(server.url(f"/incidents/{inc['number']}?lang=ja"))
    section = d.find_element(By.ID, "sweeps")
    assert "ログのスイープ" in section.text
    form = d.find_element(By.ID, "sweep-upload-form")
    form.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(log))
    form.find_element(By.TAG_NAME, "button").click()
    # The upload reloads the page with the job queued; the script follows it and reloads again
    # when it has ended.
    WebDriverWait(d, 60).until(
        lambda _: d.find_elements(By.CSS_SELECTOR, '#sweep-jobs tr[data-state="done"]'))
    row = d.find_element(By.CSS_SELECTOR, '#sweep-jobs tr[data-state="done"]')
    assert "upload:proxy.log" in row.text
    assert "完了" in row.text
    sightings = d.find_element(By.ID, "sightings").text
    assert "cdn.sweep-check.example.net" not in sightings
    assert "sweep-check[.]example[.]net" in sightings and "10.0.0.7" in sightings
    violations = [e for e in d.get_log("browser") if "Content Security Policy" in e.get("message", "")]
    assert not violations, violations
    assert not d.execute_script("return [...document.scripts].some(s => !s.src)")
