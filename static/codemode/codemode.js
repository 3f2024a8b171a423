// Code mode: copy the monitor's reminder text.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button) return;
  var field = document.querySelector(button.getAttribute("data-copy"));
  if (!field) return;
  field.select();
  if (navigator.clipboard) {
    navigator.clipboard.writeText(field.value).then(function () { button.textContent = "已复制"; });
  } else {
    document.execCommand("copy");
    button.textContent = "已复制";
  }
});
