// The site works at one address, PUBLIC_URL (written into this tag's data-origin when the
// pages are built). Reached under another one (127.0.0.1 for localhost, a second host name),
// the login cookie would belong to the other name and signing in would fail without a word,
// so the page moves itself to the public address at once, keeping the path. Under `make prod`
// nginx already redirects such requests; this covers `make run`, whose pages come from the
// frontend dev server.
(function () {
  var script = document.currentScript;
  var origin = script && script.getAttribute("data-origin");
  var here = window.location;
  if (origin && here.origin !== origin && /^https?:$/.test(here.protocol)) {
    here.replace(origin + here.pathname + here.search + here.hash);
  }
})();
