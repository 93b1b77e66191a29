// The navbar's menu on a phone (components/navbar.py), and the skip link.
//
// The menu button is a disclosure: it opens the links, the search box and the language below
// the bar (aria-expanded says so) and puts the focus on the first link; Escape, the button, a
// click outside or following a link closes it (Escape and the button give the focus back to the
// button). One listener per event on the document, so it works for every page's navbar without
// a component of its own and costs nothing until used. On a desktop the button is not shown and
// the menu is the navbar's row.
(function () {
  var FOCUSABLE = "a[href], button:not([disabled]), input:not([disabled]), select:not([disabled])";

  function menuOf(button) {
    return document.getElementById(button.getAttribute("aria-controls"));
  }

  function openButton() {
    return document.querySelector('.nav-menu-button[aria-expanded="true"]');
  }

  function setOpen(button, open, refocus) {
    var menu = menuOf(button);
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (menu) menu.toggleAttribute("data-open", open);
    if (open && menu) {
      var first = menu.querySelector(FOCUSABLE);
      if (first) first.focus();
    } else if (refocus) {
      button.focus();
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    var skip = target.closest(".skip-link");
    if (skip) {
      // The router writes the href as "/<page>/#main".
      var main = document.getElementById(skip.getAttribute("href").split("#")[1]);
      if (main) {
        event.preventDefault();
        main.focus();
        main.scrollIntoView();
      }
      return;
    }
    var button = target.closest(".nav-menu-button");
    if (button) {
      setOpen(button, button.getAttribute("aria-expanded") !== "true", true);
      return;
    }
    var open = openButton();
    if (!open) return;
    var menu = menuOf(open);
    var inside = menu && menu.contains(target);
    if (!inside || target.closest("a[href]")) setOpen(open, false, false);
  });

  document.addEventListener("submit", function (event) {
    var open = openButton();
    if (open && menuOf(open) && menuOf(open).contains(event.target)) setOpen(open, false, false);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = openButton();
    if (open) setOpen(open, false, true);
  });
})();
