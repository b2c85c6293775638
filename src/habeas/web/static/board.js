// The detention board refreshes itself: every 30 seconds it fetches this page's rows
// (?partial=1) and swaps the table body. Without JavaScript, a <noscript> refresh does it.
(function () {
  "use strict";
  var table = document.getElementById("board");
  var seconds = table ? Number(table.getAttribute("data-refresh")) : 0;
  if (!seconds) { return; }
  function refresh() {
    var url = new URL(window.location.href);
    url.searchParams.set("partial", "1");
    fetch(url.toString(), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var holder = document.createElement("table");
        holder.innerHTML = html;
        var fresh = holder.querySelector("tbody");
        var old = document.getElementById("board-rows");
        if (fresh && old) {
          old.replaceWith(fresh);
          var at = document.getElementById("board-at");
          if (at) { at.textContent = fresh.getAttribute("data-at"); }
        }
      })
      .catch(function () { /* keep the rows shown; try again next time */ });
  }
  window.setInterval(refresh, seconds * 1000);
}());
