// Copy buttons for phone numbers. Without the Clipboard API the buttons stay hidden and
// the number is still a selectable link. Delegated, so results loaded by htmx work too.
(function () {
  "use strict";

  function reveal(root) {
    if (!navigator.clipboard) return;
    root.querySelectorAll("button.copy[hidden]").forEach(function (button) {
      button.hidden = false;
    });
  }

  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  document.addEventListener("htmx:afterSettle", function (event) { reveal(event.target); });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.copy");
    if (!button) return;
    navigator.clipboard.writeText(button.dataset.copy).then(function () {
      var label = button.firstChild;
      var original = label.textContent;
      label.textContent = button.dataset.copied || "✓";
      setTimeout(function () { label.textContent = original; }, 1500);
    });
  });

  // The call timer. The start is kept in this tab's sessionStorage only: a call record
  // holds the hour, never the minute, so the exact time must not reach the server.
  var TIMER_KEY = "hotline-call-started";
  function tickTimer() {
    var timer = document.getElementById("call-timer");
    if (!timer) { sessionStorage.removeItem(TIMER_KEY); return; }
    var started = Number(sessionStorage.getItem(TIMER_KEY));
    if (!started) { started = Date.now(); sessionStorage.setItem(TIMER_KEY, String(started)); }
    var seconds = Math.max(0, Math.floor((Date.now() - started) / 1000));
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    timer.textContent = minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }
  document.addEventListener("DOMContentLoaded", tickTimer);
  document.addEventListener("htmx:afterSettle", tickTimer);
  setInterval(tickTimer, 1000);

  // Alt+L jumps back to the place box from anywhere on the desk.
  document.addEventListener("keydown", function (event) {
    if (event.altKey && (event.key === "l" || event.key === "L")) {
      var where = document.getElementById("id_where");
      if (where) { event.preventDefault(); where.focus(); where.select(); }
    }
  });
})();
