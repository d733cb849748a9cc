"""Keyboard shortcuts and copy buttons in a real browser: the one script (/static/app.js, allowed
by the CSP as same-origin) copies an indicator defanged or as is, and `g i`, `/` and `?` work."""

import os
import subprocess

from conftest import HANDLER, api
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.support.ui import WebDriverWait


def test_copy_buttons_and_keyboard_shortcuts(handler, server):
    token = subprocess.run(
        [os.environ["HIKESHI_BIN"], "--data-dir", server.data_dir, "user", "token", HANDLER, "--name", "browser"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    inc = api(server, token, "POST", "/api/v1/incidents", {"title": "コピーの確認", "category": "phishing", "tlp": "green"})
    api(server, token, "POST", f"/api/v1/incidents/{inc['id']}/indicators",
        {"items": [{"value": "hxxps://copy-check[.]example[.]com/login", "role": "phishing"}]})
    d = handler
    d.get(server.url(f"/incidents/{inc['number']}?lang=ja"))
    # Copy buttons carry both forms; clicking one copies and says so.
    buttons = d.find_elements(By.CSS_SELECTOR, "#indicators button.copy")
    assert [b.get_attribute("data-copy") for b in buttons] == [
        "hxxps://copy-check[.]example[.]com/login",
        "https://copy-check.example.com/login",
    ]
    d.execute_cdp_cmd("Browser.grantPermissions", {"permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"], "origin": server.url("")})
    buttons[0].click()
    WebDriverWait(d, 5).until(lambda _: "copied" in buttons[0].get_attribute("class"))
    assert buttons[0].text == "コピーしました"
    copied = d.execute_async_script("const done = arguments[0]; navigator.clipboard.readText().then(done, e => done('ERR ' + e));")
    assert copied == "hxxps://copy-check[.]example[.]com/login"
    # ? shows the list, Escape hides it; g i goes to the incidents; / focuses the search box.
    body = d.find_element(By.TAG_NAME, "body")
    help_box = d.find_element(By.ID, "shortcuts")
    assert not help_box.is_displayed()
    ActionChains(d).send_keys("?").perform()
    assert help_box.is_displayed() and "キーボードショートカット" in help_box.text
    ActionChains(d).send_keys(Keys.ESCAPE).perform()
    assert not help_box.is_displayed()
    ActionChains(d).send_keys("g").send_keys("i").perform()
    WebDriverWait(d, 10).until(lambda _: d.current_url.rstrip("/").endswith("/incidents"))
    ActionChains(d).send_keys("/").perform()
    assert d.switch_to.active_element.get_attribute("name") == "q"
    # Typing into the box is not a shortcut.
    ActionChains(d).send_keys("gi").perform()
    assert d.current_url.rstrip("/").endswith("/incidents")
    assert d.switch_to.active_element.get_attribute("value") == "gi"
    # The CSP still forbids inline script: the page has none.
    assert not d.execute_script("return [...document.scripts].some(s => !s.src)")
