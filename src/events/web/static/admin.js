// Piccolo Admin, as Convene serves it (events/admin/skin.py). The Vue app renders no
// landmarks, form labels not tied to their fields, and icon-only menu buttons: name them
// as Vue renders (and re-renders) the page, so screen readers can find their way.
(function () {
  "use strict";
  function mark(selector, role, label) {
    document.querySelectorAll(selector).forEach(function (el) {
      if (el.getAttribute("role") !== role) el.setAttribute("role", role);
      if (label && el.getAttribute("aria-label") !== label) el.setAttribute("aria-label", label);
    });
  }
  function labelFields() {
    // <div><label>Title</label><div>…<input name="title">…</div></div>: the label is a
    // child of one of the field's near ancestors. Its text names the field.
    document.querySelectorAll("input:not([type=hidden]), textarea, select").forEach(function (field) {
      if (field.id || field.hasAttribute("aria-label") || field.closest("label")) return;
      var box = field.parentElement;
      for (var depth = 0; box && depth < 5; depth += 1, box = box.parentElement) {
        var label = box.querySelector(":scope > label");
        if (label) {
          var text = label.textContent.trim();
          if (text) field.setAttribute("aria-label", text);
          return;
        }
      }
    });
  }
  function fix() {
    mark("#nav", "banner");
    // What follows the top bar is the content, or the table list beside the content.
    mark("#nav ~ * > .sidebar_wrapper", "navigation", "Tables");
    mark("#nav ~ :not(:has(> .sidebar_wrapper))", "main");
    mark("#nav ~ * > .sidebar_wrapper ~ *", "main");
    mark("[data-uitest=drop_down_button]:not([aria-label])", "button", "More actions");
    labelFields();
  }
  new MutationObserver(fix).observe(document.documentElement, { childList: true, subtree: true });
  fix();
})();
