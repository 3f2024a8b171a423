// The monitor's class page: count the ticked students, tick all unpaid on the page,
// and disable the buttons once a form is sent (the server refuses a second
// payment anyway; this only spares a confusing message).
(function () {
  "use strict";
  var form = document.getElementById("record-form");
  if (!form) return;
  var checks = Array.prototype.slice.call(form.querySelectorAll(".pay-check"));
  var count = document.getElementById("selected-count");
  var submit = document.getElementById("record-selected");
  var all = document.getElementById("select-all");

  function update() {
    var n = checks.filter(function (c) { return c.checked && c.offsetParent !== null; }).length;
    if (count) count.textContent = n;
    if (submit) submit.disabled = n === 0;
  }
  checks.forEach(function (c) { c.addEventListener("change", update); });
  if (all) {
    all.addEventListener("change", function () {
      checks.forEach(function (c) { if (c.offsetParent !== null) c.checked = all.checked; });
      update();
    });
  }
  form.addEventListener("submit", function (event) {
    var sender = event.submitter;
    // A one-tap button sends only its own student.
    if (sender && sender.name === "one") {
      checks.forEach(function (c) { c.checked = false; });
    }
    window.setTimeout(function () {
      Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (b) {
        b.disabled = true;
      });
    }, 0);
  });
  update();
})();
