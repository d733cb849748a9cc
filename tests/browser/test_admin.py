"""Administration in a real browser: an administrator demotes and disables an account from the
users table, and the disabled account can no longer log in; the mail and settings pages open in
both languages and show no secret."""

import os
import subprocess

from conftest import login, submit
from selenium.webdriver.common.by import By

BOSS, BOSS_PASSWORD = "boss", "a long admin password 42"
TEMP, TEMP_PASSWORD = "temp", "a long temp password 42"


def add_user(server, name, role, password):
    subprocess.run(
        [os.environ["HIKESHI_BIN"], "--data-dir", server.data_dir, "user", "add", name, "--role", role, "--password-stdin"],
        input=password + "\n", text=True, check=True, capture_output=True,
    )


def test_admin_disables_an_account_and_reads_mail_and_settings(driver, server, shot):
    add_user(server, BOSS, "admin", BOSS_PASSWORD)
    add_user(server, TEMP, "handler", TEMP_PASSWORD)
    d = driver
    login(d, server, BOSS, BOSS_PASSWORD)
    d.get(server.url("/admin?lang=en"))
    row = d.find_element(By.ID, f"user-{TEMP}")
    form = row.find_element(By.CSS_SELECTOR, "form.user-edit")
    form.find_element(By.CSS_SELECTOR, "select[name=role] option[value=viewer]").click()
    form.find_element(By.CSS_SELECTOR, "input[name=disabled]").click()
    submit(d, form.find_element(By.TAG_NAME, "button"))
    row = d.find_element(By.ID, f"user-{TEMP}")
    assert "disabled" in row.get_attribute("class")
    assert row.find_element(By.CSS_SELECTOR, "select[name=role] option[selected]").get_attribute("value") == "viewer"
    shot(d, "admin")

    d.get(server.url("/admin/mail?lang=ja"))
    assert d.find_element(By.TAG_NAME, "h1").text == "メール"
    assert d.find_element(By.ID, "outbox-counts").text
    d.get(server.url("/admin/settings?lang=en"))
    assert d.find_element(By.TAG_NAME, "h1").text == "Settings"
    assert d.find_element(By.ID, "set-database").text == "SQLite"
    assert "form_secret" not in d.page_source

    # Log out; the disabled account is refused at the login form.
    submit(d, d.find_element(By.CSS_SELECTOR, "form[action='/logout'] button"))
    login(d, server, TEMP, TEMP_PASSWORD)
    assert d.current_url.endswith("/login")
    assert not d.find_elements(By.CSS_SELECTOR, "form[action='/logout']")
