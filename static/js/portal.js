// Every page: a wide table that scrolls sideways on a phone says so, so the columns
// past the edge (身份证号, 更正 …) are not mistaken for missing.
(function () {
  "use strict";
  var boxes = Array.prototype.slice.call(document.querySelectorAll(".table-responsive"));
  if (!boxes.length) { return; }
  function mark() {
    boxes.forEach(function (box) {
      var wide = box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle("is-scrollable", wide);
      var hint = box.previousElementSibling;
      if (!hint || !hint.classList.contains("scroll-hint")) {
        hint = document.createElement("div");
        hint.className = "scroll-hint small text-muted";
        hint.textContent = "表格较宽，可左右滑动查看 →";
        hint.setAttribute("aria-hidden", "true");
        box.parentNode.insertBefore(hint, box);
      }
      hint.hidden = !wide;
    });
  }
  mark();
  window.addEventListener("resize", mark);
}());

// Behaviour named in the markup, so no page needs inline script (the
// Content-Security-Policy allows none): data-print prints the page, data-autosubmit
// submits its form on change, data-confirm asks before a form is sent.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-print]") : null;
    if (button) { window.print(); }
  });
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.hasAttribute && field.hasAttribute("data-autosubmit") && field.form) {
      field.form.submit();
    }
  });
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
}());
