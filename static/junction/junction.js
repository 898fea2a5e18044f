// Small behaviours on top of server-rendered pages. Everything works without
// this file; it only makes the <details> menus behave like menus.
(function () {
  "use strict";

  function menus() {
    return document.querySelectorAll("details[data-scope-menu]");
  }

  // Opening one menu closes the others, and focuses its search field.
  document.addEventListener("toggle", function (event) {
    var menu = event.target;
    if (!(menu instanceof HTMLDetailsElement) || !menu.hasAttribute("data-scope-menu")) return;
    if (!menu.open) return;
    menus().forEach(function (other) { if (other !== menu) other.open = false; });
    var search = menu.querySelector("input[type=search]");
    if (search) search.focus();
  }, true);

  // A click outside, or Escape, closes an open menu.
  document.addEventListener("click", function (event) {
    menus().forEach(function (menu) {
      if (menu.open && !menu.contains(event.target)) menu.open = false;
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    menus().forEach(function (menu) {
      if (menu.open) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
  });
})();
