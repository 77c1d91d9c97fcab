// The writer's side of the chat (templates/chat/writer.html). Plain WebSocket, JSON
// frames with a "type" (docs/chat.md). Nothing is kept: no storage, no cookies. The
// secret to come back after a dropped connection lives in this page's memory only.
(function () {
  "use strict";

  // Quick exit: replace the page (no history entry back) and end the chat on the
  // server. Works on every step of the page.
  var socket = null;
  var leave = function () {};  // the chat room's, once there is one
  function quickExit(event) {
    if (event) event.preventDefault();
    try { leave(); if (socket) socket.close(); } catch (e) { /* leaving anyway */ }
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
  var left = false;  // the writer left the page on purpose
  var sent = [];
  var resumeToken = null;
  var gaveUpAt = 0;  // when reconnecting stops (ms)
  var retryDelay = 1000;

  function say(message) { status.textContent = message; }

  function add(who, body, cls) {
    var item = document.createElement("p");
    item.className = "chat-message " + cls;
    var content = document.createElement("span");
    content.className = "chat-message__text";
    content.textContent = body;
    if (who) {  // a notice of the chat's own (ended, back) has no sender
      var name = document.createElement("span");
      name.className = "chat-message__who";
      name.textContent = who + ": ";
      item.append(name);
    }
    item.append(content);
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
    // An ended chat needs no connection, and an open one would count as this
    // address's chat until the page is left.
    if (socket && socket.readyState === WebSocket.OPEN) socket.close();
  }

  var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  function connect() {
    if (left) return;  // a reconnect timer that fires while the page is leaving
    socket = new WebSocket(scheme + window.location.host + room.dataset.socket);
    socket.addEventListener("open", opened);
    socket.addEventListener("message", received);
    socket.addEventListener("close", closed);
  }
  function opened() {
    if (resumeToken) {
      socket.send(JSON.stringify({ type: "resume", token: resumeToken }));
      return;
    }
    socket.send(JSON.stringify({
      type: "start",
      language: room.dataset.language,
      age_group: room.dataset.ageGroup,
      safe: room.dataset.safe
    }));
  }
  // A dropped connection (not a close the server chose) tries to come back to the same
  // chat for as long as the server keeps it waiting.
  function closed(event) {
    // An older connection's close arriving late (the one a reconnect replaced) is no
    // news: only the current one counts.
    if (ended || event.target !== socket) return;
    if (event.code === 4001) return finish(strings.closed);
    if (event.code === 4002) return finish(strings.blocked);
    var resumable = resumeToken && Number(room.dataset.resumeSeconds) > 0;
    if (!resumable) return finish(event.code === 4003 ? strings.limited : strings.lost);
    if (!gaveUpAt) gaveUpAt = Date.now() + Number(room.dataset.resumeSeconds) * 1000;
    if (Date.now() + retryDelay > gaveUpAt) return finish(strings.lost);
    say(strings.reconnecting);
    form.hidden = true;
    setTimeout(connect, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 15000);
  }
  function received(event) {
    if (event.target !== socket) return;
    var frame = JSON.parse(event.data);
    switch (frame.type) {
      case "resume_token":
        resumeToken = frame.token;
        break;
      case "resumed":
        // Back: a later drop gets the whole wait, and quick first tries, again. (Not on
        // "open": a socket may open only to be turned away while the server still
        // holds the old one, and the tries must slow down meanwhile.)
        gaveUpAt = 0;
        retryDelay = 1000;
        say(strings.resumed);
        add("", strings.resumed, "chat-message--system");
        form.hidden = frame.state !== "active";
        break;
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
        if (frame.reason === "cannot_resume") {
          finish(strings.lost);
        } else {
          say(strings[frame.reason] || strings.error);
        }
        break;
    }
  }
  connect();
  // Leaving the page on purpose ends the chat at once, not after the wait for a return:
  // over the socket, or, while it is down and reconnecting, with a beacon carrying the
  // secret that would have resumed the chat.
  leave = function () {
    if (ended || left) return;
    left = true;  // a quick exit is followed by pagehide: say it once
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ type: "end" }));
    } else if (resumeToken) {
      navigator.sendBeacon(room.dataset.leave, new URLSearchParams({ token: resumeToken }));
    }
  };
  window.addEventListener("pagehide", function () { leave(); });

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
