// Refresh the queue board in place: a screen at the door must never need a hand.
(function () {
  "use strict";
  var board = document.getElementById("board");
  var body = document.getElementById("board-body");
  if (!board || !body || !window.fetch) {
    return;
  }
  var seconds = parseInt(board.getAttribute("data-refresh"), 10) || 20;
  function refresh() {
    var url = new URL(window.location.href);
    url.searchParams.set("partial", "1");
    fetch(url.toString(), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.text();
      })
      .then(function (html) {
        body.innerHTML = html;
        board.classList.remove("stale");
      })
      .catch(function () {
        // Offline or server restarting: keep the last board, marked as stale.
        board.classList.add("stale");
      });
  }
  window.shootdayBoardRefresh = refresh;
  setInterval(refresh, seconds * 1000);
})();
