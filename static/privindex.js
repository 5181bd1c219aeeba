// Progressive enhancement only: every page works without it. A "Copy" button on each snippet
// (and on the new token), copying the text of its <code>. Served from /static/, so a strict
// Content-Security-Policy (script-src 'self') allows it; no inline script anywhere.
(function () {
  "use strict";
  function addButton(pre) {
    var code = pre.querySelector("code") || pre;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy small";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy to the clipboard");
    button.addEventListener("click", function () {
      var text = code.textContent;
      var done = function () {
        button.textContent = "Copied";
        window.setTimeout(function () { button.textContent = "Copy"; }, 2000);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { select(code); });
      } else {
        select(code);
      }
    });
    pre.parentNode.insertBefore(button, pre.nextSibling);
  }
  function select(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var snippets = document.querySelectorAll("pre.snippet");
    for (var i = 0; i < snippets.length; i++) { addButton(snippets[i]); }
  });
})();
