// 自动排班: planning can take up to ten seconds; say so and keep the button from being
// pressed twice (each press would plan again).
(function () {
  "use strict";
  var form = document.getElementById("plan-form");
  if (!form) { return; }
  form.addEventListener("submit", function () {
    var button = document.getElementById("plan-button");
    if (!button) { return; }
    button.disabled = true;
    button.textContent = form.getAttribute("data-busy-text") || button.textContent;
  });
}());
