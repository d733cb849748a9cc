"""Fixtures for the browser tests: the real `hikeshi serve` binary on a free loopback port with a
fresh data directory, a handler created through the command line, and headless Chromium driven
through Debian's chromedriver (selenium-manager never runs: the driver path is given and
SE_OFFLINE is set).

Environment:
  HIKESHI_BIN          the hikeshi binary to test (required)
  HIKESHI_SCREENSHOTS  1 = write PNG screenshots into docs/screenshots/
  CI                   true = a missing browser fails the run instead of skipping it
"""

import base64
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

os.environ["SE_OFFLINE"] = "true"  # before selenium is imported: never download a driver

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM = os.environ.get("HIKESHI_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("HIKESHI_CHROMEDRIVER", "/usr/bin/chromedriver")
REPO = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO / "docs" / "screenshots"

HANDLER = "hana"
HANDLER_PASSWORD = "correct horse battery staple 7"


def _missing(what):
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{what} (CI=true: the browser tests must run)", pytrace=False)
    pytest.skip(what)


class Server:
    def __init__(self, base, data_dir, proc, log):
        self.base = base
        self.data_dir = data_dir
        self.proc = proc
        self.log = log

    def url(self, path):
        return self.base + path


@pytest.fixture(scope="session")
def server():
    binary = os.environ.get("HIKESHI_BIN")
    if not binary or not os.access(binary, os.X_OK):
        pytest.fail(f"HIKESHI_BIN must name the hikeshi binary to test (got {binary!r})", pytrace=False)
    data_dir = tempfile.mkdtemp(prefix="hikeshi-browser-")
    subprocess.run(
        [binary, "--data-dir", data_dir, "user", "add", HANDLER, "--role", "handler", "--password-stdin"],
        input=HANDLER_PASSWORD + "\n",
        text=True,
        check=True,
        capture_output=True,
    )
    log_path = Path(data_dir) / "serve.log"
    log = open(log_path, "w+")
    proc = subprocess.Popen(
        [binary, "--data-dir", data_dir, "serve", "--demo", "--listen", "127.0.0.1:0"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "TZ": "UTC"},
    )
    base = None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        m = re.search(r"hikeshi listening on (http://127\.0\.0\.1:\d+)", log_path.read_text())
        if m:
            base = m.group(1)
            break
        time.sleep(0.05)
    if base is None:
        proc.kill()
        pytest.fail("hikeshi serve did not start:\n" + log_path.read_text(), pytrace=False)
    yield Server(base, data_dir, proc, log_path)
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def browser_paths():
    for path, pkg in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not os.access(path, os.X_OK):
            _missing(f"{path} not found: install Debian's {pkg} package")
    return CHROMIUM, CHROMEDRIVER


@pytest.fixture
def driver(browser_paths, tmp_path):
    chromium, chromedriver = browser_paths
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "--lang=en-US",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        opts.add_argument(arg)
    # Console messages (CSP violations among them) readable with driver.get_log("browser").
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(service=Service(executable_path=chromedriver), options=opts)
    d.implicitly_wait(0)
    yield d
    d.quit()


def _gone(element):
    """A wait condition: `element` no longer belongs to the page. Chromium reports that either as
    a stale element or, when the navigation lands between two DevTools calls, as an inspector
    error saying the node "does not belong to the document" — the same fact in other words."""

    def check(_driver):
        try:
            element.is_enabled()
            return False
        except StaleElementReferenceException:
            return True
        except WebDriverException as e:
            if "does not belong to the document" in str(e) or "No node with given id" in str(e):
                return True
            raise

    return check


def submit(driver, button):
    """Click a form's button and wait until the next page has replaced this one (a click does
    not wait for the POST and its redirect; password hashing in a debug build takes a while)."""
    button.click()
    WebDriverWait(driver, 30).until(_gone(button))
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")


def login(driver, server, username=HANDLER, password=HANDLER_PASSWORD):
    driver.get(server.url("/login"))
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(password)
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]"))


@pytest.fixture
def handler(driver, server):
    """A browser signed in as the handler."""
    login(driver, server)
    assert driver.find_elements(By.CSS_SELECTOR, "form[action='/logout']"), "login failed"
    return driver


@pytest.fixture
def shot():
    """shot(driver, name): a full-page PNG in docs/screenshots/ when HIKESHI_SCREENSHOTS=1."""
    enabled = os.environ.get("HIKESHI_SCREENSHOTS") == "1"

    def take(driver, name):
        if not enabled:
            return
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        # The whole page, not just the window: Chrome's DevTools capture beyond the viewport.
        size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        png = driver.execute_cdp_cmd(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 6000), "scale": 1},
            },
        )["data"]
        (SCREENSHOT_DIR / f"{name}.png").write_bytes(base64.b64decode(png))

    return take


def api_token(server, name):
    """A fresh API token of the handler, made through the command line."""
    return subprocess.run(
        [os.environ["HIKESHI_BIN"], "--data-dir", server.data_dir, "user", "token", HANDLER, "--name", name],
        capture_output=True, text=True, check=True,
    ).stdout.strip()


def api(server, token, method, path, body=None):
    """One JSON request to the API with a bearer token; the decoded answer."""
    req = urllib.request.Request(
        server.url(path),
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")
