// The roster import's progress bar: polls the job's status until it is done.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box) { return; }
  var bar = box.querySelector(".progress-bar");
  var count = box.querySelector(".progress-count");
  function poll() {
    fetch(box.dataset.statusUrl, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (s) {
      bar.style.width = s.percent + "%"; bar.textContent = s.percent + "%"; count.textContent = s.done;
      if (s.state === "checking" || s.state === "importing") { setTimeout(poll, 700); } else { location.reload(); }
    }).catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 500);
}());
