// The writer's side of the chat (templates/chat/writer.html). Plain WebSocket, JSON
// frames with a "type" (docs/chat.md). Nothing is kept: no storage, no cookies.
(function () {
  "use strict";

  // Quick exit: replace the page (no history entry back) and close the socket, which
  // ends the chat on the server. Works on every step of the page.
  var socket = null;
  function quickExit(event) {
    if (event) event.preventDefault();
    if (socket) {
      try { socket.send(JSON.stringify({ type: "end" })); socket.close(); } catch (e) { /* leaving anyway */ }
    }
    document.body.innerHTML = "";
    window.location.replace(document.body.dataset.quickExit);
  }
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") quickExit(event);
  });
  var exitLink = document.getElementById("quick-exit");
  if (exitLink) exitLink.addEventListener("click", quickExit);

  var room = document.getElementById("chat-room");
  if (!room) return;
  var strings = JSON.parse(document.getElementById("chat-strings").textContent);
  var status = document.getElementById("chat-status");
  var log = document.getElementById("chat-log");
  var form = document.getElementById("chat-send");
  var text = document.getElementById("chat-text");
  var services = document.getElementById("chat-services");
  var serviceList = document.getElementById("chat-service-list");
  var endButton = document.getElementById("chat-end");
  var again = document.getElementById("chat-again");
  var ended = false;
  var sent = [];

  function say(message) { status.textContent = message; }

  function add(who, body, cls) {
    var item = document.createElement("p");
    item.className = "chat-message " + cls;
    var name = document.createElement("span");
    name.className = "chat-message__who";
    name.textContent = who + ": ";
    var content = document.createElement("span");
    content.className = "chat-message__text";
    content.textContent = body;
    item.append(name, content);
    log.append(item);
    item.scrollIntoView({ block: "end" });
    return item;
  }

  function serviceText(service) {
    var lines = [service.name];
    if (service.phones.length) lines.push(strings.phone + ": " + service.phones.join(", "));
    if (service.hours_today) lines.push(strings.hours + ": " + service.hours_today);
    service.addresses.forEach(function (a) { lines.push(strings.address + ": " + a); });
    if (service.web) lines.push(strings.web + ": " + service.web);
    return lines.join("\n");
  }

  function finish(message) {
    if (ended) return;
    ended = true;
    say(message);
    add("", message, "chat-message--system");
    form.hidden = true;
    endButton.hidden = true;
    again.hidden = false;
  }

  var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  socket = new WebSocket(scheme + window.location.host + room.dataset.socket);
  socket.addEventListener("open", function () {
    socket.send(JSON.stringify({
      type: "start",
      language: room.dataset.language,
      age_group: room.dataset.ageGroup,
      safe: room.dataset.safe
    }));
  });
  socket.addEventListener("message", function (event) {
    var frame = JSON.parse(event.data);
    switch (frame.type) {
      case "queued":
        say(strings.queued.replace("%(position)s", frame.position).replace("%(minutes)s", frame.wait_minutes));
        form.hidden = true;
        break;
      case "accepted":
        say(strings.accepted);
        form.hidden = false;
        text.focus();
        break;
      case "requeued":
        say(strings.requeued);
        break;
      case "message":
        add(strings.operator, frame.text, "chat-message--operator");
        break;
      case "service":
        add(strings.service, serviceText(frame.service), "chat-message--service");
        sent.push(serviceText(frame.service));
        var item = document.createElement("li");
        item.textContent = serviceText(frame.service);
        serviceList.append(item);
        services.hidden = false;
        break;
      case "ended":
        finish(strings["ended_" + frame.reason] || strings.ended);
        break;
      case "error":
        say(strings[frame.reason] || strings.error);
        break;
    }
  });
  socket.addEventListener("close", function (event) {
    if (event.code === 4001) finish(strings.closed);
    else if (event.code === 4002) finish(strings.blocked);
    else if (event.code === 4003) finish(strings.limited);
    else finish(strings.lost);
  });

  function send() {
    var body = text.value.trim();
    if (!body || ended) return;
    socket.send(JSON.stringify({ type: "message", text: body }));
    add(strings.you, body, "chat-message--writer");
    text.value = "";
  }
  form.addEventListener("submit", function (event) { event.preventDefault(); send(); });
  text.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); send(); }
  });
  endButton.addEventListener("click", function () {
    socket.send(JSON.stringify({ type: "end" }));
  });
  document.getElementById("chat-copy").addEventListener("click", function () {
    navigator.clipboard.writeText(sent.join("\n\n")).then(function () { say(strings.copied); });
  });
})();
