// The operator's chat panel in the desk (templates/chat/desk_panel.html). One WebSocket
// for every chat the operator holds; frames as in docs/chat.md. Nothing is stored.
(function () {
  "use strict";
  var panel = document.getElementById("chat-desk");
  if (!panel) return;
  var strings = JSON.parse(document.getElementById("chat-desk-strings").textContent);
  var readyTexts = JSON.parse(document.getElementById("chat-ready-texts").textContent);
  var labels = JSON.parse(document.getElementById("chat-desk-labels").textContent);
  function label(code) { return labels[code] || code; }
  var available = document.getElementById("chat-available");
  var acceptButton = document.getElementById("chat-accept");
  var queueStatus = document.getElementById("chat-queue");
  var list = document.getElementById("chat-list");
  var template = document.getElementById("chat-template");
  var chats = {};  // chat id -> {element, language, away}
  // The tab's title counts what waits for this operator (writers in the queue while
  // they take chats, messages that came while the tab was hidden), so a desk in another
  // tab still shows it.
  var baseTitle = document.title;
  var waiting = 0;
  var unseen = 0;
  function retitle() {
    var count = (available.checked ? waiting : 0) + unseen;
    document.title = count ? "(" + count + ") " + baseTitle : baseTitle;
  }
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { unseen = 0; retitle(); }
  });
  var current = null;  // the chat "Send to chat" goes to
  var operators = [];

  var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  var socket = new WebSocket(scheme + window.location.host + panel.dataset.socket);
  function send(frame) { socket.send(JSON.stringify(frame)); }

  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }

  function line(chat, who, text, cls) {
    var log = chats[chat].element.querySelector(".chat-desk__log");
    var item = document.createElement("p");
    item.className = "chat-desk__line " + (cls || "");
    var name = document.createElement("strong");
    name.textContent = who ? who + ": " : "";
    var body = document.createElement("span");
    body.textContent = text;
    item.append(name, body);
    log.append(item);
    log.scrollTop = log.scrollHeight;
  }

  function select(chat) {
    current = chat;
    Object.keys(chats).forEach(function (id) {
      chats[id].element.classList.toggle("chat-desk__chat--current", id === chat);
    });
    refreshCardButtons();
  }

  function fillTransferOptions(element) {
    var selectBox = element.querySelector("select[name=to]");
    while (selectBox.options.length > 1) selectBox.remove(1);
    operators.forEach(function (op) {
      var option = document.createElement("option");
      option.value = String(op.id);
      option.textContent = op.name;
      selectBox.append(option);
    });
  }

  // The chats lead the column beside the search, moved in the document (not only drawn
  // there) so that the tab order matches what is seen.
  function lead() {
    if (panel.parentElement.firstElementChild !== panel) {
      panel.parentElement.prepend(panel);
    }
    panel.classList.add("chat-desk--lead");
  }

  // On a narrow screen the chats sit below the results: the strip's link is one tap to
  // them while any is held.
  var toChat = document.getElementById("to-chat");
  function showLink() {
    if (toChat) toChat.hidden = Object.keys(chats).length === 0;
  }

  function open(frame) {
    if (chats[frame.chat]) return;
    var element = template.content.firstElementChild.cloneNode(true);
    element.dataset.chat = frame.chat;
    var number = Object.keys(chats).length + 1;
    element.querySelector(".chat-desk__title").textContent = strings.writer + " " + number;
    element.querySelector(".chat-desk__facts").textContent =
      strings.language + ": " + label(frame.language) +
      (frame.age_group ? " · " + strings.age + ": " + label(frame.age_group) : "") +
      " · " + strings.safe + ": " + label(frame.safe);
    chats[frame.chat] = { element: element, language: frame.language };
    lead();
    list.append(element);
    fillTransferOptions(element);
    element.addEventListener("focusin", function () { select(frame.chat); });
    element.querySelector("form").addEventListener("submit", function (event) {
      event.preventDefault();
      var box = event.target.elements.text;
      var text = box.value.trim();
      if (!text) return;
      send({ type: "message", chat: frame.chat, text: text });
      line(frame.chat, strings.you, text, "chat-desk__line--mine");
      box.value = "";
    });
    element.querySelector("textarea").addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        event.target.form.requestSubmit();
      }
    });
    element.querySelectorAll("[data-ready]").forEach(function (button) {
      button.addEventListener("click", function () {
        var texts = readyTexts[Number(button.dataset.ready)].texts;
        var box = element.querySelector("textarea");
        box.value = texts[chats[frame.chat].language] || texts.nb;
        box.focus();
      });
    });
    element.querySelector("[data-action=transfer]").addEventListener("click", function () {
      send({ type: "transfer", chat: frame.chat, to: element.querySelector("select[name=to]").value });
    });
    element.querySelector("[data-action=end]").addEventListener("click", function () {
      send({ type: "end", chat: frame.chat });
    });
    element.querySelector("[data-action=block]").addEventListener("click", function () {
      send({ type: "block", chat: frame.chat });
    });
    select(frame.chat);
    showLink();
    element.querySelector("textarea").focus();
    if (frame.away) away(frame.chat, true);
  }

  // While the writer's connection is down nothing can reach them (nothing is kept), so
  // the reply box and "Send to chat" wait, and the log says why.
  function away(chat, gone) {
    var entry = chats[chat];
    if (!entry) return;
    entry.away = gone;
    entry.element.querySelectorAll(".chat-desk__send textarea, .chat-desk__send button").forEach(function (control) {
      control.disabled = gone;
    });
    line(chat, "", gone ? fill(strings.away, { minutes: panel.dataset.resumeMinutes }) : strings.back,
      "chat-desk__line--system");
    refreshCardButtons();
  }

  function close(chat, message, record) {
    var entry = chats[chat];
    if (!entry) return;
    line(chat, "", message, "chat-desk__line--system");
    entry.element.querySelector("form").hidden = true;
    entry.element.querySelector(".chat-desk__actions").hidden = true;
    var ready = entry.element.querySelector(".chat-desk__ready");
    if (ready) ready.hidden = true;
    if (record) {
      var link = entry.element.querySelector(".chat-desk__record");
      link.querySelector("a").href = panel.dataset.recordUrl + "?chat=" + encodeURIComponent(chat);
      link.hidden = false;
    }
    forget(chat);
  }

  // A chat no longer held (ended, or transferred away): "Send to chat" goes to another.
  function forget(chat) {
    delete chats[chat];
    if (current === chat) select(Object.keys(chats)[0] || null);
    showLink();
  }

  socket.addEventListener("open", function () { available.disabled = false; });
  socket.addEventListener("close", function () {
    queueStatus.textContent = strings.lost;
    available.disabled = true;
    acceptButton.disabled = true;
  });
  socket.addEventListener("message", function (event) {
    var frame = JSON.parse(event.data);
    switch (frame.type) {
      case "available":
        available.checked = frame.on;
        acceptButton.disabled = !frame.on;
        retitle();
        break;
      case "queue":
        queueStatus.textContent = fill(strings.waiting, {
          count: frame.waiting,
          minutes: Math.floor(frame.longest_wait_seconds / 60),
          held: frame.held,
          max: frame.max
        });
        operators = frame.operators || [];
        waiting = frame.waiting;
        retitle();
        Object.keys(chats).forEach(function (id) { fillTransferOptions(chats[id].element); });
        break;
      case "chat":
        open(frame);
        break;
      case "message":
        if (chats[frame.chat]) {
          line(frame.chat, strings.writer, frame.text, "chat-desk__line--writer");
          if (document.hidden) { unseen += 1; retitle(); }
        }
        break;
      case "away":
      case "back":
        away(frame.chat, frame.type === "away");
        break;
      case "service":
        if (chats[frame.chat]) line(frame.chat, "", fill(strings.service_sent, { name: frame.service.name }), "chat-desk__line--system");
        break;
      case "transferred":
        if (chats[frame.chat]) {
          chats[frame.chat].element.remove();
          forget(frame.chat);
        }
        queueStatus.textContent = strings.transferred;
        break;
      case "ended":
        close(frame.chat, strings["ended_" + frame.reason] || strings.ended, frame.record);
        break;
      case "error":
        queueStatus.textContent = fill(strings.error, { reason: frame.reason });
        break;
    }
  });
  available.addEventListener("change", function () {
    send({ type: "available", on: available.checked });
    retitle();
  });
  acceptButton.addEventListener("click", function () { send({ type: "accept" }); });

  // "Send to chat" on each result card while a chat is open: a button added here, so the
  // card's own markup needs nothing. The server builds the service's public details.
  function serviceId(card) {
    return card.dataset.serviceId || null;
  }
  function refreshCardButtons() {
    document.querySelectorAll("li.hit[data-service-id]").forEach(function (card) {
      var id = serviceId(card);
      var button = card.querySelector(":scope > .chat-send-service");
      if (!current || !id || (chats[current] && chats[current].away)) {
        if (button) button.remove();
        return;
      }
      if (!button) {
        button = document.createElement("button");
        button.type = "button";
        button.className = "button-link chat-send-service";
        button.textContent = strings.send_to_chat;
        button.addEventListener("click", function () {
          if (current) send({ type: "service", chat: current, service: Number(id) });
        });
        card.append(button);
      }
    });
  }
  new MutationObserver(function () { if (current) refreshCardButtons(); })
    .observe(document.body, { childList: true, subtree: true });
})();
