// Layer8 console: small progressive enhancements; every page works without this file.
"use strict";
(function () {
  // A form posts once: its submit buttons are disabled while the request is on its way
  // (record-deal forms also carry an idempotency key, so a second post could not record twice anyway).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") return;
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (button) {
        button.disabled = true;
      });
    }, 0);
  });
  // A sign-in link (`/console/sign-in#code=ABCD-EFGH`, printed by `make run` and `layer8 signin code`)
  // carries its one-time code in the fragment, which never reaches a server log: post it, then forget it.
  var codeForm = document.getElementById("code-form");
  var linked = /^#code=([A-Za-z0-9-]{8,12})$/.exec(window.location.hash);
  if (codeForm && linked && !document.getElementById("sign-in-error")) {
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    codeForm.querySelector("#code").value = linked[1];
    codeForm.requestSubmit();
  }
  // After an action, move focus to the status message so screen readers and keyboard users land there.
  var notice = document.querySelector(".notice[role=status]:not([hidden])");
  if (notice) {
    notice.setAttribute("tabindex", "-1");
    notice.focus();
  }

  // Keyboard: Ctrl+Enter (Cmd+Enter) sends the reply; "n" opens the next waiting conversation.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target && target.id === "reply-text") {
      event.preventDefault();
      target.form.requestSubmit();
      return;
    }
    var typing = target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
    var next = document.getElementById("next-conversation");
    if (event.key === "n" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey && next) {
      window.location.href = next.href;
    }
  });

  // The navigation's count of conversations waiting for an agent, kept live; a rise is announced (and shown
  // as a desktop notification when the agent allowed them).
  var count = document.getElementById("waiting-count");
  var alert = document.getElementById("handoff-alert");
  if (!count) return;
  var seen = null;
  function poll() {
    fetch("/console/handoffs/waiting", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (!body) return;
        count.textContent = body.waiting ? "(" + body.waiting + ")" : "";
        if (seen !== null && body.waiting > seen) {
          if (alert) alert.hidden = false;
          if (window.Notification && Notification.permission === "granted") {
            new Notification("Layer8: a conversation was handed off");
          }
        }
        seen = body.waiting;
      })
      .catch(function () { /* offline for a moment: the next poll tries again */ });
  }
  poll();
  window.setInterval(poll, Number(count.dataset.pollMs || 5000));
})();
