// Passkeys (WebAuthn): add one on the passkeys page, or use one at the second sign-in
// step. Each form[data-passkey] stays hidden unless the browser has the WebAuthn API.
// On submit: POST the form to its data-begin address for the options (JSON), let the
// browser's passkey answer, put the answer in the form's "credential" field as JSON and
// POST the form to its action. The answer is {"redirect": url} or {"error": text}.
(function () {
  "use strict";

  if (!window.PublicKeyCredential || !navigator.credentials) return;

  function toBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    var binary = atob(base64 + "===".slice((base64.length + 3) % 4));
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      return Object.assign({}, item, { id: toBytes(item.id) });
    });
  }

  function creationOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = toBytes(json.challenge);
    options.user = Object.assign({}, json.user, { id: toBytes(json.user.id) });
    options.excludeCredentials = descriptors(json.excludeCredentials);
    return options;
  }

  function requestOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = toBytes(json.challenge);
    options.allowCredentials = descriptors(json.allowCredentials);
    return options;
  }

  // The answer as the server reads it (the WebAuthn JSON form, as PublicKeyCredential's
  // toJSON() gives where the browser has it).
  function answerJSON(credential) {
    var response = credential.response;
    var json = {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: { clientDataJSON: toBase64url(response.clientDataJSON) },
    };
    if (response.attestationObject) {
      json.response.attestationObject = toBase64url(response.attestationObject);
      if (response.getTransports) json.response.transports = response.getTransports();
    } else {
      json.response.authenticatorData = toBase64url(response.authenticatorData);
      json.response.signature = toBase64url(response.signature);
      if (response.userHandle) json.response.userHandle = toBase64url(response.userHandle);
    }
    return JSON.stringify(json);
  }

  function post(url, form) {
    return fetch(url, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      // 429: locked out, and signed out; the page then shows where to go.
      if (response.status === 429) {
        window.location.reload();
        return new Promise(function () {});
      }
      return response.json().then(function (body) {
        if (!response.ok) {
          var refused = new Error(body.error || "");
          refused.fromServer = true;
          throw refused;
        }
        return body;
      });
    });
  }

  function start(form) {
    var kind = form.dataset.passkey;
    var error = form.querySelector("[data-passkey-error]");
    var button = form.querySelector("button[type=submit]");
    error.textContent = "";
    button.disabled = true;
    post(form.dataset.begin, form)
      .then(function (json) {
        return kind === "add"
          ? navigator.credentials.create({ publicKey: creationOptions(json) })
          : navigator.credentials.get({ publicKey: requestOptions(json) });
      })
      .then(function (credential) {
        form.elements.credential.value = answerJSON(credential);
        return post(form.action, form);
      })
      .then(function (body) {
        window.location.assign(body.redirect);
      })
      .catch(function (reason) {
        // Refused by the server (its words), or cancelled in the browser's dialog.
        error.textContent = reason && reason.fromServer && reason.message
          ? reason.message
          : form.dataset.failed;
        button.disabled = false;
        button.focus();
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-passkey-unsupported]").forEach(function (note) {
      note.hidden = true;
    });
    document.querySelectorAll("form[data-passkey]").forEach(function (form) {
      form.hidden = false;
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        if (form.reportValidity()) start(form);
      });
    });
  });
})();
