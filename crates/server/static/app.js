// hikeshi's only script: copy buttons and keyboard shortcuts. Served from /static (the CSP
// allows scripts from this origin only, never inline). Every page works without it.
(function () {
  "use strict";

  // Copy buttons: <button data-copy="text" data-copied="label shown after copying">.
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
    var b = ev.target.closest("[data-copy]");
    if (!b) { return; }
    ev.preventDefault();
    var label = b.textContent;
    copyText(b.getAttribute("data-copy")).then(function () {
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
})();
