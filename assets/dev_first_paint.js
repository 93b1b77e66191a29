// Development only (make run): the first paint production writes into a feed's or a profile's
// HTML, fetched from the backend and put into the page's placeholders until the live page
// replaces them (microblog/web/dev_first_paint.py says why). Not loaded in production.
(function () {
  var script = document.currentScript;
  var api = (script && script.dataset.api) || "";
  var asking = {};

  function empty(selector) {
    return Array.prototype.filter.call(document.querySelectorAll(selector), function (el) {
      // Not one the live list has taken over (assets/feed_first_paint.js hides it).
      return el.childNodes.length === 0 && el.style.display !== "none";
    });
  }

  function fill() {
    var address = location.pathname + location.search;
    if (!empty(".feed-first-paint").length && !empty(".nav-first-paint").length) return;
    if (asking[address]) return;
    asking[address] = true;
    fetch(api + "/_dev/first-paint?path=" + encodeURIComponent(address), { credentials: "include" })
      .then(function (answer) { return answer.ok ? answer.json() : {}; })
      .catch(function () { return {}; })
      .then(function (painted) {
        delete asking[address];
        if (address !== location.pathname + location.search) return;
        if (painted.content) empty(".feed-first-paint").forEach(function (el) { el.innerHTML = painted.content; });
        if (painted.nav) empty(".nav-first-paint").forEach(function (el) { el.innerHTML = painted.nav; });
      });
  }

  new MutationObserver(fill).observe(document.documentElement, { childList: true, subtree: true });
})();
