// hikeshi's only script: copy buttons and keyboard shortcuts. Served from /static (the CSP
// allows scripts from this origin only, never inline). Every page works without it.
(function () {
  "use strict";

  // Copy buttons: <button data-copy="text" data-copied="label shown after copying">, or
  // data-copy-from="id" to copy the current value of an (editable) field.
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var ta = document.createElement("textarea");
      ta.value = text;
      ta.setAttribute("readonly", "");
      ta.style.position = "absolute";
      ta.style.left = "-9999px";
      document.body.appendChild(ta);
      ta.select();
      var ok = document.execCommand("copy");
      document.body.removeChild(ta);
      if (ok) { resolve(); } else { reject(new Error("copy refused")); }
    });
  }
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest("[data-copy], [data-copy-from]");
    if (!b) { return; }
    ev.preventDefault();
    var label = b.textContent;
    var from = b.getAttribute("data-copy-from");
    var field = from && document.getElementById(from);
    copyText(field ? field.value : b.getAttribute("data-copy")).then(function () {
      b.textContent = b.getAttribute("data-copied") || "✓";
      b.classList.add("copied");
      setTimeout(function () { b.textContent = label; b.classList.remove("copied"); }, 1500);
    });
  });

  // Keyboard shortcuts (not while typing): g d / g r / g i / g a / g s go to the dashboard,
  // reports, incidents, assets, statistics; / focuses the page's search box; ? shows the list.
  var pending = null;
  var targets = { d: "/", r: "/reports", i: "/incidents", a: "/assets", s: "/stats" };
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target)) { return; }
    var help = document.getElementById("shortcuts");
    if (pending === "g" && targets[ev.key]) {
      pending = null;
      window.location.href = targets[ev.key];
      return;
    }
    pending = null;
    if (ev.key === "g") {
      pending = "g";
    } else if (ev.key === "/") {
      var q = document.querySelector("input[name=q]");
      if (q) { ev.preventDefault(); q.focus(); }
    } else if (ev.key === "?" && help) {
      help.hidden = !help.hidden;
    } else if (ev.key === "Escape" && help) {
      help.hidden = true;
    }
  });

  // Sweep jobs on the incident page: while a job is queued or running, its row is refreshed from
  // the JSON API every two seconds; when one ends the page reloads to show its sightings. Log
  // uploads go to the API with the page's CSRF token as a header (the server reads the token
  // from URL-encoded forms only, and an upload is multipart).
  var sweeps = document.querySelector("[data-sweep-jobs]");
  function sweepActive(state) { return state === "queued" || state === "running"; }
  function sweepRow(row, j) {
    var cell = function (f) { return row.querySelector('[data-f="' + f + '"]'); };
    var label = sweeps.getAttribute("data-state-" + j.state) || j.state;
    if (j.cancel_requested && j.state === "running") {
      label += " (" + sweeps.getAttribute("data-cancelling") + ")";
    }
    cell("state").textContent = label;
    var bar = cell("bar");
    if (j.percent === null) { bar.removeAttribute("value"); } else { bar.value = j.percent; }
    cell("bytes").textContent = (j.bytes_done / 1e6).toFixed(1) + " / " + (j.bytes_total / 1e6).toFixed(1) + " MB";
    cell("lines").textContent = j.lines;
    cell("hits").textContent = j.hits;
    cell("error").textContent = j.error;
    row.setAttribute("data-state", j.state);
  }
  function refreshSweeps() {
    fetch(sweeps.getAttribute("data-sweep-jobs"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (!d) { return; }
        var active = false, ended = false;
        d.items.forEach(function (j) {
          var row = sweeps.querySelector('tr[data-job="' + j.id + '"]');
          if (!row) { return; }
          var was = sweepActive(row.getAttribute("data-state"));
          sweepRow(row, j);
          if (sweepActive(j.state)) { active = true; } else if (was) { ended = true; }
        });
        if (ended) {
          window.location.reload();
        } else if (active) {
          setTimeout(refreshSweeps, 2000);
        }
      })
      .catch(function () { setTimeout(refreshSweeps, 5000); });
  }
  if (sweeps && sweeps.querySelector('tr[data-state="queued"], tr[data-state="running"]')) {
    setTimeout(refreshSweeps, 1000);
  }
  document.addEventListener("submit", function (ev) {
    var f = ev.target.closest("form[data-sweep-upload]");
    if (!f) { return; }
    ev.preventDefault();
    var status = f.querySelector('[data-f="upload-status"]');
    status.textContent = f.getAttribute("data-sending");
    fetch(f.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": f.querySelector("input[name=csrf]").value, Accept: "application/json" },
      body: new FormData(f)
    })
      .then(function (r) { return r.json().then(function (d) { return { ok: r.ok, d: d }; }); })
      .then(function (x) {
        if (x.ok) {
          window.location.hash = "sweeps";
          window.location.reload();
        } else {
          status.textContent = x.d.error ? x.d.error.message : String(x.d);
        }
      })
      .catch(function (e) { status.textContent = String(e); });
  });
})();
