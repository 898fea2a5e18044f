// Small behaviours on top of server-rendered pages. Everything works without
// this file; it makes the <details> menus behave like menus, and keeps a
// search field from sending its search twice.
(function () {
  "use strict";

  function menus() {
    return document.querySelectorAll("details[data-scope-menu]");
  }

  // A search field sends its search as one types (htmx "input changed
  // delay"). Its change event, which fires again when the focus leaves it (as
  // when a person clicks a result), would send the same search a second time,
  // and that answer's history push can cancel the navigation the click began.
  // The form still hears the change events of its selects and checkboxes.
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field instanceof HTMLInputElement && field.type === "search" &&
        field.form && field.form.hasAttribute("hx-get")) {
      event.stopPropagation();
    }
  }, true);

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
