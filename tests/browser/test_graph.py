"""The infrastructure graph in a real browser: Cytoscape.js draws an incident's neighbourhood
under the strict CSP (no violation logged), a node expands into the other incident and the shared
domain, filters hide node types, and the drawing exports as SVG and PNG."""

import os
import subprocess

from conftest import HANDLER, api
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait


def count(d, attr):
    return int(d.find_element(By.ID, "graph").get_attribute(attr) or 0)


def test_graph_draws_expands_filters_and_exports(handler, server, shot, tmp_path):
    binary = os.environ["HIKESHI_BIN"]
    token = subprocess.run(
        [binary, "--data-dir", server.data_dir, "user", "token", HANDLER, "--name", "graph"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    a = api(server, token, "POST", "/api/v1/incidents", {"title": "グラフ確認 A", "category": "malware-site", "tlp": "green"})
    b = api(server, token, "POST", "/api/v1/incidents", {"title": "グラフ確認 B", "category": "phishing", "tlp": "green"})
    got = api(server, token, "POST", f"/api/v1/incidents/{a['id']}/indicators",
              {"items": [{"value": "www.graph-check.example.com"}, {"value": "hxxp://dl.graph-check[.]example.com/a.exe"}]})
    www = got["items"][0]["id"]
    api(server, token, "POST", f"/api/v1/incidents/{b['id']}/indicators", {"items": [{"value": "www.graph-check.example.com"}]})
    # An internal host that touched the domain, recorded by a sweep of a proxy log.
    log = tmp_path / "access.log"
    log.write_text("1764000000.123     45 10.1.2.3 TCP_MISS/200 1234 GET http://www.graph-check.example.com/ - HIER_DIRECT/203.0.113.5 text/html\n")
    wanted = tmp_path / "ioc.txt"
    wanted.write_text("www.graph-check.example.com\n")
    sweep = subprocess.run(
        [binary, "--data-dir", server.data_dir, "sweep", "--indicators", str(wanted), "--incident", a["number"], str(log)],
        capture_output=True, text=True,
    )
    assert sweep.returncode == 0, sweep.stderr

    d = handler
    d.get(server.url(f"/incidents/{a['number']}?lang=ja"))
    d.find_element(By.ID, "graph-link").click()
    WebDriverWait(d, 20).until(lambda _: count(d, "data-nodes") >= 4)
    # The incident, its two indicators and the host: nodes and edges are drawn.
    assert count(d, "data-nodes") == 4 and count(d, "data-edges") >= 3
    assert d.find_element(By.TAG_NAME, "h1").text == "インフラストラクチャグラフ"
    violations = [e for e in d.get_log("browser") if "Content Security Policy" in e.get("message", "")]
    assert not violations, violations

    # Expand the domain: the other incident and the registrable domain appear.
    Select(d.find_element(By.ID, "graph-pick")).select_by_value(f"d:{www}")
    info = d.find_element(By.ID, "graph-info").text
    assert "www.graph-check.example.com" in info
    d.find_element(By.ID, "graph-expand").click()
    WebDriverWait(d, 20).until(lambda _: count(d, "data-nodes") >= 6)
    ids = d.execute_script("return document.getElementById('graph-app').hikeshiGraph.cy.nodes().map(n => n.id())")
    assert f"i:{b['id']}" in ids and "k:registrable-domain:example.com" in ids, ids
    shot(d, "graph")

    # Filter: hiding shared infrastructure hides those nodes only.
    before = count(d, "data-visible")
    key_box = d.find_element(By.CSS_SELECTOR, "#graph-filter input[value='key']")
    key_box.click()
    WebDriverWait(d, 5).until(lambda _: count(d, "data-visible") < before)
    key_box.click()
    WebDriverWait(d, 5).until(lambda _: count(d, "data-visible") == before)

    # Export: the SVG names the nodes; the PNG is a real image.
    svg = d.execute_script("return document.getElementById('graph-app').hikeshiGraph.svg()")
    assert svg.startswith("<svg") and "www.graph-check.example.com" in svg and svg.count("<g data-node=") == count(d, "data-nodes")
    png = d.execute_script("return document.getElementById('graph-app').hikeshiGraph.cy.png({full: true})")
    assert png.startswith("data:image/png;base64,") and len(png) > 2000

    # The page also works without script: the neighbours are links to their own graph pages.
    rows = d.find_elements(By.CSS_SELECTOR, "#graph-list tr[data-node]")
    assert {r.get_attribute("data-node") for r in rows} >= {f"d:{www}", "h:10.1.2.3"}
