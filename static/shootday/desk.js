// The desk: after an action the search box is ready for the next student.
(function () {
  "use strict";
  var search = document.getElementById("id_q");
  var card = document.getElementById("student-card");
  if (search && !card) {
    search.focus();
    search.select();
  }
  // One tap is one action: a double tap must not post twice.
  document.querySelectorAll(".desk form[method=post]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        window.setTimeout(function () { button.disabled = true; }, 0);
      });
    });
  });
})();
