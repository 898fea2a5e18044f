// Small behaviours on top of server-rendered pages. Everything works without
// this file; it makes the <details> menus behave like menus, keeps a search
// field from sending its search twice, and keeps the focus where the person
// was when htmx swaps part of a page.
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

  /* State (#17): where the focus goes after a swap. */
  // htmx gives the focus back to the element of the new content with the
  // same id (a facet's checkbox, a service card, a tab), or to the one marked
  // autofocus (the first field in error, a wizard step's heading: marked by
  // the server, so that a page without JavaScript does the same). When the
  // swap replaced what the keyboard was on and neither applies, the focus
  // would fall to the page's body: it goes to the first field in error, else
  // to the new content, so that the next Tab continues from there.
  var focusWasInside = new WeakSet();

  function noteFocusInside(event) {
    var target = event.detail.target;
    var active = document.activeElement;
    if (target && active && active !== document.body && target.contains(active)) {
      focusWasInside.add(event.detail.xhr);
    }
  }
  // Before the request (the clicked button may then be disabled, which
  // blurs it) and before the swap (the keyboard may have moved in since).
  document.addEventListener("htmx:beforeRequest", noteFocusInside);
  document.addEventListener("htmx:beforeSwap", noteFocusInside);

  document.addEventListener("htmx:afterSettle", function (event) {
    var xhr = event.detail.xhr;
    var content = event.target;
    if (!xhr || !focusWasInside.has(xhr) || !(content instanceof HTMLElement)) return;
    focusWasInside.delete(xhr);
    var active = document.activeElement;
    var lost = !active || active === document.body || !document.body.contains(active);
    if (!lost && !content.contains(active)) return;  // the person has moved on
    var invalid = content.querySelector('[aria-invalid="true"]');
    if (invalid) {
      if (!(content.contains(active) && active.getAttribute("aria-invalid") === "true")) {
        invalid.focus();
      }
      return;
    }
    if (!lost) return;
    if (!content.hasAttribute("tabindex")) content.setAttribute("tabindex", "-1");
    content.focus({ preventScroll: true });
  });

  // A folding panel the person opened (the marketplace's Filters on a
  // phone) stays open when a swap replaces it with its folded markup (once
  // settled: htmx puts the new markup's own classes back while settling).
  // Bootstrap leaves an empty style attribute on it, which htmx would copy
  // onto the new markup while it settles: the Content-Security-Policy
  // refuses inline styles, so it goes first.
  var openPanels = new WeakMap();
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!(target instanceof HTMLElement)) return;
    var open = [];
    var panels = Array.prototype.slice.call(target.querySelectorAll(".collapse[id], .collapsing[id]"));
    if (target.matches(".collapse[id], .collapsing[id]")) panels.push(target);
    panels.forEach(function (panel) {
      panel.removeAttribute("style");
      if (panel.classList.contains("show") || panel.classList.contains("collapsing")) {
        open.push(panel.id);
      }
    });
    if (open.length) openPanels.set(event.detail.xhr, open);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var open = openPanels.get(event.detail.xhr);
    if (!open) return;
    open.forEach(function (id) {
      var panel = document.getElementById(id);
      if (!panel) return;
      panel.classList.remove("collapsing");
      panel.classList.add("collapse", "show");
      document.querySelectorAll('[aria-controls="' + id + '"]').forEach(function (toggle) {
        toggle.setAttribute("aria-expanded", "true");
        toggle.classList.remove("collapsed");
      });
    });
  });
})();
