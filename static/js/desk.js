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

  // On a phone the topics are one row that scrolls sideways: bring the first ticked one
  // into view, so the operator sees what the results are filtered by.
  function showTickedTopic() {
    document.querySelectorAll(".chips--topics").forEach(function (row) {
      var ticked = row.querySelector("input:checked");
      if (!ticked || row.scrollWidth <= row.clientWidth) return;
      var chip = ticked.closest(".chip");
      row.scrollLeft += chip.getBoundingClientRect().left - row.getBoundingClientRect().left - 8;
    });
  }
  document.addEventListener("DOMContentLoaded", showTickedTopic);
  // Tabbing along that row: the whole chip into view, not only its checkbox.
  document.addEventListener("focusin", function (event) {
    var chip = event.target.closest && event.target.closest(".chips--topics .chip");
    if (chip) chip.scrollIntoView({ block: "nearest", inline: "nearest" });
  });

  // A key typed while a search is under way makes its answer stale: cancel it at once, so
  // that drawing it does not hold up the search for what is typed now (the search itself
  // waits a short debounce, hx-trigger in desk/home.html).
  document.addEventListener("input", function (event) {
    var form = event.target.form;
    if (form && form.id === "search" && window.htmx) window.htmx.trigger(form, "htmx:abort");
  }, true);

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

  // A refused call-log form: the focus goes to the first answer it refuses (each names
  // its message with aria-describedby), on a full page and after an htmx swap alike.
  function focusInvalid(root) {
    var panel = root && root.closest ? root.closest("#call-panel") || root.querySelector("#call-panel") : null;
    var invalid = panel && panel.querySelector("[aria-invalid=true]");
    if (invalid) invalid.focus();
  }
  document.addEventListener("DOMContentLoaded", function () { focusInvalid(document.body); });
  document.addEventListener("htmx:afterSettle", function (event) { focusInvalid(event.target); });

  // Alt+L jumps back to the place box from anywhere on the desk. Alt+K jumps to the call
  // panel's next step: "Start call"; during a call the first answer closing still needs,
  // else "Close call". Pressed in the panel it goes back to where the operator was; if
  // the results were drawn again meanwhile (a call started), to the same result's "Add
  // as referral". Neither key is taken by Chromium, Firefox, NVDA, JAWS or Orca on
  // Windows and Linux.
  var beforePanel = null;
  function backFromPanel() {
    var target = beforePanel;
    beforePanel = null;
    if (target && target.element.isConnected) return target.element;
    var cards = document.querySelectorAll("ol.hits > li");
    var card = target && target.card >= 0 ? cards[target.card] : null;
    if (!card) return null;
    return card.querySelector("form[action$='/referrals/'] button") ||
      (target.href && card.querySelector('a[href="' + CSS.escape(target.href) + '"]')) ||
      card.querySelector("a[href], button");
  }
  function nextStep(panel) {
    var start = panel.querySelector("form[action$='/start/'] button[type=submit]");
    if (start) return start;
    var needed = Array.prototype.find.call(panel.querySelectorAll("fieldset[data-needed]"),
      function (group) { return !group.querySelector("input:checked"); });
    return (needed && needed.querySelector("input")) || document.getElementById("call-close") ||
      document.getElementById("call-panel-heading");
  }
  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey) return;
    var key = event.key.toLowerCase();
    if (key === "l") {
      var where = document.getElementById("id_where");
      if (where) { event.preventDefault(); where.focus(); where.select(); }
    } else if (key === "k") {
      var panel = document.getElementById("call-panel");
      if (!panel) return;
      event.preventDefault();
      var active = document.activeElement;
      if (panel.contains(active)) {
        var back = backFromPanel();
        if (back) back.focus();
        return;
      }
      var card = active && active.closest ? active.closest("ol.hits > li") : null;
      beforePanel = active && active !== document.body ? {
        element: active,
        card: card ? Array.prototype.indexOf.call(card.parentNode.children, card) : -1,
        href: active.getAttribute("href"),
      } : null;
      nextStep(panel).focus();
    }
  });
})();
