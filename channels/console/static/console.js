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

  // Keyboard (? lists the shortcuts): Ctrl+Enter (Cmd+Enter) sends the reply; j / k open the next / previous
  // conversation — on the inbox they move through its list, and Enter opens; "n" still means next.
  var shortcuts = document.getElementById("shortcuts");
  function typingIn(target) {
    return target && (/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable);
  }
  function follow(id) {
    var link = document.getElementById(id);
    if (link) window.location.href = link.href;
    return Boolean(link);
  }
  function step(by) {
    var links = Array.prototype.slice.call(document.querySelectorAll(".queue h2 a"));
    if (!links.length) return;
    var at = links.indexOf(document.activeElement);
    var to = at < 0 ? (by > 0 ? 0 : links.length - 1) : Math.min(links.length - 1, Math.max(0, at + by));
    links[to].focus();
  }
  function toggleShortcuts() {
    if (!shortcuts) return;
    if (shortcuts.open) shortcuts.close();
    else shortcuts.showModal();
  }
  var showShortcuts = document.getElementById("show-shortcuts");
  if (showShortcuts) showShortcuts.addEventListener("click", toggleShortcuts);
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target && target.id === "reply-text") {
      event.preventDefault();
      target.form.requestSubmit();
      return;
    }
    if (typingIn(target) || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "?") {
      event.preventDefault();
      toggleShortcuts();
    } else if (shortcuts && shortcuts.open) {
      return;
    } else if (event.key === "j" || event.key === "n") {
      if (!follow("next-conversation")) step(1);
    } else if (event.key === "k") {
      if (!follow("previous-conversation")) step(-1);
    }
  });

  // Desktop notifications are asked for only when the agent clicks the button (never on load).
  var notifyOn = document.getElementById("notify-on");
  var notifyState = document.getElementById("notify-state");
  function showNotifyState() {
    if (!notifyOn || !window.Notification) return;
    var permission = Notification.permission;
    notifyOn.hidden = permission !== "default";
    if (notifyState) {
      notifyState.textContent = permission === "granted"
        ? "Desktop notifications are on."
        : (permission === "denied" ? "Desktop notifications are blocked in this browser's settings." : "");
    }
  }
  if (notifyOn) {
    notifyOn.addEventListener("click", function () {
      Promise.resolve(Notification.requestPermission()).then(showNotifyState, showNotifyState);
    });
    showNotifyState();
  }

  // The navigation's and the title's count of conversations waiting for an agent, kept live; a rise is
  // announced (and shown as a desktop notification when the agent allowed them).
  var count = document.getElementById("waiting-count");
  var alert = document.getElementById("handoff-alert");
  if (!count) return;
  var seen = null;
  var title = document.title;
  function poll() {
    fetch("/console/handoffs/waiting", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (!body) return;
        count.textContent = body.waiting ? "(" + body.waiting + ")" : "";
        document.title = body.waiting ? "(" + body.waiting + ") " + title : title;
        if (seen !== null && body.waiting > seen) {
          if (alert) alert.hidden = false;
          if (window.Notification && Notification.permission === "granted") {
            var note = new Notification("Layer8: a conversation was handed off", {
              body: body.waiting + " waiting for an agent", tag: "layer8-handoff",
            });
            note.onclick = function () { window.focus(); window.location.href = "/console/handoffs"; };
          }
        }
        seen = body.waiting;
      })
      .catch(function () { /* offline for a moment: the next poll tries again */ });
  }
  poll();
  window.setInterval(poll, Number(count.dataset.pollMs || 5000));
})();
