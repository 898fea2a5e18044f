// Small behaviours of forms (issue #17, Errors). Every form works without
// this file: the help text states a text box's limit, and the server warns
// and asks again before it saves what a warning is about.
(function () {
  "use strict";

  var numbers = new Intl.NumberFormat("en-US");

  // A text box with a limit counts what is typed: "123 / 1,000" under it,
  // read out politely, so the limit is never a box that silently stops;
  // under the field's help text when it has one.
  function counterOf(field) {
    var counter = document.getElementById(field.id + "-count");
    if (!counter) {
      counter = document.createElement("div");
      counter.id = field.id + "-count";
      counter.className = "form-text char-count";
      counter.setAttribute("aria-live", "polite");
      var help = document.getElementById(field.id + "_helptext");
      (help || field).insertAdjacentElement("afterend", counter);
      var described = (field.getAttribute("aria-describedby") || "").split(" ");
      field.setAttribute("aria-describedby", described.concat(counter.id).join(" ").trim());
    }
    return counter;
  }

  function count(field) {
    var limit = field.maxLength;
    if (!field.id || limit <= 0) return;
    var counter = counterOf(field);
    counter.textContent = numbers.format(field.value.length) + " / " + numbers.format(limit);
    counter.classList.toggle("text-warning-emphasis", field.value.length >= limit);
  }

  // A select whose empty choice deserves a warning (the Environment to
  // Endpoint Mapping's "No endpoint") names it in data-empty-warning; the
  // warning shows while that choice is made, and its inputs (the server's
  // "you were told") are sent only then.
  function warn(select) {
    var warning = document.getElementById(select.getAttribute("data-empty-warning"));
    if (!warning) return;
    warning.hidden = select.value !== "";
    warning.querySelectorAll("input").forEach(function (input) {
      input.disabled = warning.hidden;
    });
  }

  function enhance(root) {
    root.querySelectorAll("textarea[maxlength]").forEach(count);
    root.querySelectorAll("select[data-empty-warning]").forEach(warn);
  }

  document.addEventListener("input", function (event) {
    if (event.target instanceof HTMLTextAreaElement && event.target.maxLength > 0) {
      count(event.target);
    }
  });
  document.addEventListener("change", function (event) {
    if (event.target instanceof HTMLSelectElement && event.target.hasAttribute("data-empty-warning")) {
      warn(event.target);
    }
  });
  // The page, then whatever htmx swaps in.
  enhance(document);
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });
})();
