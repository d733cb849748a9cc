"""The statistics page and the periodic report in a real browser: the charts are inline SVG
drawn by the server (no script), labelled in the page's language, the period selector works
without JavaScript, and the report opens from the page."""

import json
import re

from conftest import REPO, login, submit
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

CATALOG_KEYS = sorted(json.loads((REPO / "crates/server/locales/en.json").read_text()).keys())


def css(driver, selector):
    return driver.find_element(By.CSS_SELECTOR, selector)


def svg_text(driver, selector):
    return css(driver, selector).get_attribute("textContent")


def test_statistics_page_draws_svg_charts_with_japanese_labels(driver, server, shot):
    login(driver, server)
    driver.get(server.url("/?lang=ja"))
    nav = css(driver, "header nav a[href='/stats']")
    assert nav.text == "統計"
    submit(driver, nav)
    assert css(driver, "html").get_attribute("lang") == "ja"
    assert css(driver, "h1").text.startswith("統計")

    for chart in ("chart-category", "chart-monthly", "chart-times"):
        svg = css(driver, f"figure#{chart} svg")
        assert svg.get_attribute("role") == "img"
        assert svg.size["width"] > 100 and svg.size["height"] > 50, chart
    assert "フィッシングサイト" in svg_text(driver, "figure#chart-category svg")
    assert "カテゴリ別インシデント件数" in svg_text(driver, "figure#chart-category svg")
    assert "4月" in svg_text(driver, "figure#chart-monthly svg")
    assert "受付確認まで" in svg_text(driver, "figure#chart-times svg")
    assert "中央値" in css(driver, "#stats-times").text
    assert driver.find_elements(By.CSS_SELECTOR, "script:not([src])") == [], "no inline script"
    text = css(driver, "body").text
    leaked = [k for k in CATALOG_KEYS if re.search(r"(?<![\w.-])" + re.escape(k) + r"(?![\w-])", text)]
    assert leaked == [], f"the statistics page shows catalog keys: {leaked}"
    shot(driver, "stats-ja")

    # Another period through the selector, no script involved.
    select = Select(css(driver, "#period-form select[name=period]"))
    quarter = [o.get_attribute("value") for o in select.options if re.fullmatch(r"\d{4}Q\d", o.get_attribute("value"))][0]
    select.select_by_value(quarter)
    submit(driver, css(driver, "#period-form button"))
    assert f"period={quarter}" in driver.current_url
    assert css(driver, "#period-form select[name=period] option:checked").get_attribute("value") == quarter
    assert css(driver, "figure#chart-category svg").is_displayed()

    # The data links and the report.
    links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "#stats-downloads a")]
    assert any("/api/v1/stats/times" in h and "format=csv" in h for h in links)
    submit(driver, css(driver, "a#report-ja"))
    assert "インシデント報告対応レポート" in css(driver, "h1").text
    assert css(driver, "figure.chart svg").is_displayed()
    assert "主なインシデント" in css(driver, "body").text

    driver.get(server.url("/stats?lang=en"))
    assert "Incidents by category" in svg_text(driver, "figure#chart-category svg")
    shot(driver, "stats-en")
