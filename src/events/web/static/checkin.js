// The check-in sheet with the keyboard: htmx replaces a row after a tap, which would drop
// the focus to the top of the page. After a check-in, the focus moves on to the next
// person not yet checked in (or stays on the row's Undo); after an undo, it stays on the
// row's check-in button. Searching (the whole list swapped) leaves the focus in the box.
(function () {
  "use strict";
  var sheet = document.getElementById("sheet");
  if (!sheet) return;
  var tapped = null; // the id of the row whose form was sent

  sheet.addEventListener("htmx:beforeRequest", function (event) {
    var row = event.target.closest ? event.target.closest("li.sheet-row") : null;
    tapped = row ? row.id : null;
  });

  sheet.addEventListener("htmx:load", function (event) {
    var row = event.target;
    if (!tapped || !row.matches || !row.matches("li.sheet-row") || row.id !== tapped) return;
    tapped = null;
    var target = null;
    if (row.querySelector(".sheet-undo")) {
      for (var next = row.nextElementSibling; next && !target; next = next.nextElementSibling) {
        target = next.querySelector(".sheet-button");
      }
    }
    target = target || row.querySelector("button");
    if (target) target.focus();
  });
})();
