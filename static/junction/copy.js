// Copy buttons for code blocks, revealed secrets and every value shown with
// templates/includes/value.html. The buttons are
// rendered `hidden` so that a page without JavaScript shows none that
// cannot work; this file shows them, also in content htmx swaps in later.
(function () {
  "use strict";

  function showButtons(root) {
    root.querySelectorAll("[data-copy][hidden]").forEach(function (button) {
      button.hidden = false;
    });
  }

  function selectContents(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function copyText(source) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(source.textContent);
    }
    // Plain-HTTP hosts have no Clipboard API: copy a selection instead.
    selectContents(source);
    return document.execCommand("copy") ? Promise.resolve() : Promise.reject();
  }

  function say(button, words) {
    var label = button.querySelector("[data-copy-label]");
    if (!label) return;
    label.textContent = words;
    // An icon-only button (includes/value.html) shows a tick meanwhile.
    button.classList.toggle("copied", words === "Copied");
    window.clearTimeout(button._copyTimer);
    button._copyTimer = window.setTimeout(function () {
      label.textContent = "Copy";
      button.classList.remove("copied");
    }, 1500);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var block = button.closest("[data-copy-block]");
    var source = block && block.querySelector("[data-copy-source]");
    if (!source) return;
    copyText(source).then(
      function () { say(button, "Copied"); },
      function () {
        // Leave the text selected so the keyboard shortcut works.
        selectContents(source);
        say(button, "Press Ctrl+C");
      }
    );
  });

  document.addEventListener("DOMContentLoaded", function () { showButtons(document); });
  document.addEventListener("htmx:load", function (event) { showButtons(event.target); });
})();
