// The infrastructure graph: draws /api/v1/graph neighbourhoods with Cytoscape.js (shipped in the
// binary, unmodified) and grows the graph as the handler expands nodes. Pan and zoom with the
// mouse or touch, drag nodes, double-click (or select + "Expand") to add a node's neighbours,
// filter by type, export PNG or SVG. The page's server-rendered table works without this script.
(function () {
  "use strict";
  var app = document.getElementById("graph-app");
  if (!app || typeof window.cytoscape !== "function") { return; }
  app.hidden = false;

  var COLORS = { incident: "#c0392b", indicator: "#2e6da4", key: "#d4a017", host: "#16a085", asset: "#7f5539" };
  var SHAPES = { incident: "round-rectangle", indicator: "ellipse", key: "diamond", host: "rectangle", asset: "round-hexagon" };
  var KIND_COLORS = { domain: "#2e6da4", url: "#6c3483", ipv4: "#1e8449", ipv6: "#1e8449", cidr: "#1e8449",
    email: "#ca6f1e", md5: "#566573", sha1: "#566573", sha256: "#566573", sha512: "#566573", filename: "#a04000" };
  function t(key) { return app.getAttribute("data-t-" + key) || key; }
  function color(d) { return d.group === "indicator" ? (KIND_COLORS[d.kind] || COLORS.indicator) : COLORS[d.group]; }

  var status = document.getElementById("graph-status");
  var expanded = {};
  var cy = window.cytoscape({
    container: document.getElementById("graph"),
    wheelSensitivity: 0.3,
    style: [
      { selector: "node", style: {
        "label": "data(label)", "font-size": 10, "text-valign": "bottom", "text-margin-y": 3,
        "text-wrap": "ellipsis", "text-max-width": 140, "background-color": "data(color)",
        "shape": "data(shape)", "width": 22, "height": 22, "border-width": 0 } },
      { selector: "node[group = 'incident']", style: { "width": 30, "height": 24, "font-weight": "bold" } },
      { selector: "node:selected", style: { "border-width": 3, "border-color": "#000" } },
      { selector: "node.expanded", style: { "border-width": 2, "border-color": "#555", "border-style": "double" } },
      { selector: "edge", style: { "width": 1.5, "line-color": "#aaa", "curve-style": "bezier" } },
      { selector: "edge[rel = 'touched']", style: { "line-color": "#16a085", "line-style": "dashed" } },
      { selector: "edge[rel = 'shares']", style: { "line-color": "#d4a017" } },
      { selector: ".filtered", style: { "display": "none" } }
    ]
  });

  function addAll(data) {
    var added = [];
    var nodes = (data.center ? [data.center] : []).concat(data.nodes || []);
    nodes.forEach(function (n) {
      if (cy.getElementById(n.id).length) { return; }
      added.push(cy.add({ group: "nodes", data: {
        id: n.id, label: n.label, group: n.group, kind: n.kind, detail: n.detail || "",
        tlp: n.tlp || "", href: n.href || "", color: color(n), shape: SHAPES[n.group] || "ellipse" } }));
    });
    (data.edges || []).forEach(function (e) {
      var id = e.source + "|" + e.target + "|" + e.rel;
      if (cy.getElementById(id).length) { return; }
      if (!cy.getElementById(e.source).length || !cy.getElementById(e.target).length) { return; }
      added.push(cy.add({ group: "edges", data: { id: id, source: e.source, target: e.target, rel: e.rel } }));
    });
    return added;
  }

  function layout(fit) {
    cy.layout({ name: "cose", animate: false, fit: fit !== false, randomize: false, nodeRepulsion: 9000,
      idealEdgeLength: 70, padding: 20 }).run();
  }

  function refresh() {
    var g = document.getElementById("graph");
    g.setAttribute("data-nodes", String(cy.nodes().length));
    g.setAttribute("data-edges", String(cy.edges().length));
    buildFilter();
    buildPick();
  }

  function expand(id) {
    if (expanded[id]) { return Promise.resolve(); }
    status.textContent = "…";
    return fetch(app.getAttribute("data-api") + "?node=" + encodeURIComponent(id), {
      credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (r) {
      if (!r.ok) { throw new Error(r.status + " " + r.statusText); }
      return r.json();
    }).then(function (data) {
      var center = cy.getElementById(id);
      var at = center.length ? center.position() : { x: 0, y: 0 };
      var added = addAll(data);
      added.forEach(function (el, i) {
        if (el.isNode() && el.id() !== id) {
          var a = (2 * Math.PI * i) / Math.max(added.length, 1);
          el.position({ x: at.x + 120 * Math.cos(a), y: at.y + 120 * Math.sin(a) });
        }
      });
      expanded[id] = true;
      cy.getElementById(id).addClass("expanded");
      // Small graphs are laid out and fitted again; in a large one the view stays where it is.
      layout(cy.nodes().length <= 150);
      status.textContent = data.truncated ? t("truncated") : "";
      refresh();
      applyFilter();
    }).catch(function (e) {
      status.textContent = t("failed") + " " + e.message;
    });
  }

  // Selection: the side panel shows the node and its actions.
  var info = document.getElementById("graph-info");
  var expandBtn = document.getElementById("graph-expand");
  var openLink = document.getElementById("graph-open");
  var fromLink = document.getElementById("graph-from");
  function row(dt, dd) {
    var a = document.createElement("dt"); a.textContent = dt;
    var b = document.createElement("dd"); b.textContent = dd;
    info.appendChild(a); info.appendChild(b);
  }
  function select(node) {
    info.textContent = "";
    if (!node || !node.length) { expandBtn.disabled = true; openLink.hidden = true; fromLink.hidden = true; return; }
    var d = node.data();
    row(t("group-" + d.group), d.label);
    if (d.kind) { row("", d.kind); }
    if (d.detail) { row("", d.detail); }
    if (d.tlp) { row("TLP", d.tlp.toUpperCase()); }
    expandBtn.disabled = !!expanded[d.id];
    expandBtn.setAttribute("data-node", d.id);
    openLink.hidden = !d.href;
    if (d.href) { openLink.href = d.href; }
    fromLink.hidden = false;
    fromLink.href = "/graph?node=" + encodeURIComponent(d.id);
    document.getElementById("graph-pick").value = d.id;
  }
  cy.on("tap", "node", function (ev) { cy.nodes().unselect(); ev.target.select(); select(ev.target); });
  cy.on("dbltap", "node", function (ev) { expand(ev.target.id()).then(function () { select(ev.target); }); });
  expandBtn.addEventListener("click", function () {
    var id = expandBtn.getAttribute("data-node");
    if (id) { expand(id).then(function () { select(cy.getElementById(id)); }); }
  });

  // Keyboard-reachable selection of any node in view.
  var pick = document.getElementById("graph-pick");
  function buildPick() {
    var current = pick.value;
    pick.textContent = "";
    cy.nodes().sort(function (a, b) {
      return (a.data("group") + a.data("label")).localeCompare(b.data("group") + b.data("label"));
    }).forEach(function (n) {
      var o = document.createElement("option");
      o.value = n.id();
      o.textContent = t("group-" + n.data("group")) + ": " + n.data("label");
      pick.appendChild(o);
    });
    if (current) { pick.value = current; }
  }
  pick.addEventListener("change", function () {
    var n = cy.getElementById(pick.value);
    cy.nodes().unselect(); n.select(); select(n);
    cy.animate({ center: { eles: n } }, { duration: 200 });
  });

  // Filters: one box per node type and indicator kind in view.
  var filterBox = document.getElementById("graph-filter");
  var hidden = {};
  function filterKey(n) { return n.data("group") === "indicator" ? "indicator:" + n.data("kind") : n.data("group"); }
  function buildFilter() {
    var keys = {};
    cy.nodes().forEach(function (n) { keys[filterKey(n)] = n.data("color"); });
    Object.keys(keys).sort().forEach(function (k) {
      if (filterBox.querySelector("input[value='" + k + "']")) { return; }
      var l = document.createElement("label");
      var i = document.createElement("input");
      i.type = "checkbox"; i.value = k; i.checked = !hidden[k];
      i.addEventListener("change", function () { hidden[k] = !i.checked; applyFilter(); });
      var sw = document.createElement("span");
      sw.className = "swatch swatch-" + k.split(":")[0];
      var parts = k.split(":");
      l.appendChild(i); l.appendChild(sw);
      l.appendChild(document.createTextNode(t("group-" + parts[0]) + (parts[1] ? " " + parts[1] : "")));
      filterBox.appendChild(l);
    });
  }
  function applyFilter() {
    var shown = 0;
    cy.nodes().forEach(function (n) {
      if (hidden[filterKey(n)]) { n.addClass("filtered"); } else { n.removeClass("filtered"); shown += 1; }
    });
    // Counted here: Cytoscape applies the class's style on its next frame.
    document.getElementById("graph").setAttribute("data-visible", String(shown));
  }

  // Export: PNG from Cytoscape, SVG written here from the positions in view.
  function download(blob, name) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); document.body.removeChild(a); }, 1000);
  }
  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  function svg() {
    var nodes = cy.nodes().filter(function (n) { return !n.hasClass("filtered"); });
    var edges = nodes.edgesWith(nodes);
    var bb = nodes.union(edges).boundingBox({ includeLabels: true });
    var pad = 20, w = Math.ceil(bb.w + 2 * pad), h = Math.ceil(bb.h + 2 * pad);
    var dx = pad - bb.x1, dy = pad - bb.y1;
    var out = ['<svg xmlns="http://www.w3.org/2000/svg" width="' + w + '" height="' + h + '" viewBox="0 0 ' + w + " " + h +
      '" font-family="sans-serif" font-size="10"><rect width="100%" height="100%" fill="#fff"/>'];
    edges.forEach(function (e) {
      var s = e.source().position(), d = e.target().position();
      out.push('<line x1="' + (s.x + dx) + '" y1="' + (s.y + dy) + '" x2="' + (d.x + dx) + '" y2="' + (d.y + dy) +
        '" stroke="#aaa" stroke-width="1.5"' + (e.data("rel") === "touched" ? ' stroke-dasharray="4 3"' : "") +
        '><title>' + esc(e.data("rel")) + "</title></line>");
    });
    nodes.forEach(function (n) {
      var p = n.position(), x = p.x + dx, y = p.y + dy, c = n.data("color"), g = n.data("group");
      var shape = g === "indicator" ? '<circle cx="' + x + '" cy="' + y + '" r="11"' :
        g === "key" ? '<polygon points="' + x + "," + (y - 12) + " " + (x + 12) + "," + y + " " + x + "," + (y + 12) + " " + (x - 12) + "," + y + '"' :
        '<rect x="' + (x - 13) + '" y="' + (y - 11) + '" width="26" height="22" rx="' + (g === "host" ? 0 : 4) + '"';
      out.push('<g data-node="' + esc(n.id()) + '">' + shape + ' fill="' + c + '"/><text x="' + x + '" y="' + (y + 24) +
        '" text-anchor="middle">' + esc(n.data("label")) + "</text></g>");
    });
    out.push("</svg>");
    return out.join("\n");
  }
  document.getElementById("graph-png").addEventListener("click", function () {
    cy.png({ output: "blob-promise", full: true, scale: 2, bg: "#ffffff" }).then(function (b) { download(b, "hikeshi-graph.png"); });
  });
  document.getElementById("graph-svg").addEventListener("click", function () {
    download(new Blob([svg()], { type: "image/svg+xml" }), "hikeshi-graph.svg");
  });
  document.getElementById("graph-fit").addEventListener("click", function () { cy.fit(undefined, 20); });
  document.getElementById("graph-layout").addEventListener("click", function () { layout(true); });

  // For tests and for scripts that want the drawing: the SVG text of what is in view.
  app.hikeshiGraph = { svg: svg, expand: expand, cy: cy };
  expand(app.getAttribute("data-start"));
})();
