"""Search in a real browser: `/` focuses the header's search box on any page, a defanged
indicator typed there finds the incident holding it and the indicator (linked to its graph),
and the search is saved as a filter, listed, and opened again."""

from conftest import api, api_token, submit
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait


def test_search_from_the_header_and_save_the_filter(handler, server, shot):
    token = api_token(server, "search")
    inc = api(server, token, "POST", "/api/v1/incidents", {"title": "検索の確認", "category": "malware-site", "tlp": "green"})
    api(server, token, "POST", f"/api/v1/incidents/{inc['id']}/indicators",
        {"items": [{"value": "dl.search-check.example.net"}, {"value": "http://dl.search-check.example.net/a.exe"}]})

    d = handler
    d.get(server.url("/reports?lang=en"))
    # `/` focuses the header's box, which is the first search box on the page.
    ActionChains(d).send_keys("/").perform()
    box = d.switch_to.active_element
    assert box.get_attribute("name") == "q"
    assert box.find_element(By.XPATH, "./ancestor::header")
    box.send_keys("hxxp://dl[.]search-check[.]example[.]net/a.exe")
    box.send_keys(Keys.ENTER)
    WebDriverWait(d, 20).until(EC.presence_of_element_located((By.ID, "search-incidents")))
    assert "/search?q=" in d.current_url
    incidents = d.find_element(By.ID, "search-incidents")
    assert inc["number"] in incidents.text and "検索の確認" in incidents.text
    rows = d.find_elements(By.CSS_SELECTOR, "#search-indicators tbody tr")
    values = [r.find_element(By.TAG_NAME, "code").text for r in rows]
    # The URL itself first, then (among the demo data's) the domain under the same registrable
    # domain; both defanged.
    assert values[0] == "hxxp://dl[.]search-check[.]example[.]net/a.exe", values
    assert "dl[.]search-check[.]example[.]net" in values, values
    graph = rows[0].find_element(By.LINK_TEXT, "Graph").get_attribute("href")
    assert "/graph?node=d:" in graph
    shot(d, "search")

    # Save this search, find it listed, open it.
    form = d.find_element(By.CSS_SELECTOR, "form.save-filter")
    form.find_element(By.NAME, "name").send_keys("朝の確認")
    submit(d, form.find_element(By.TAG_NAME, "button"))
    d.get(server.url("/search?lang=en"))
    link = d.find_element(By.LINK_TEXT, "朝の確認")
    link.click()
    WebDriverWait(d, 20).until(EC.presence_of_element_located((By.ID, "search-incidents")))
    assert "検索の確認" in d.find_element(By.ID, "search-incidents").text
    assert d.find_element(By.CSS_SELECTOR, "header input[name=q]").get_attribute("value") == "hxxp://dl[.]search-check[.]example[.]net/a.exe"
    # The CSP still forbids inline script: the page has none.
    assert not d.execute_script("return [...document.scripts].some(s => !s.src)")

    # Delete it: the list is empty again.
    submit(d, d.find_element(By.CSS_SELECTOR, "#saved-filters button.delete"))
    assert not d.find_elements(By.LINK_TEXT, "朝の確認")
