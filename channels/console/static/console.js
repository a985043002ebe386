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
  // After an action, move focus to the status message so screen readers and keyboard users land there.
  var notice = document.querySelector(".notice[role=status]");
  if (notice) {
    notice.setAttribute("tabindex", "-1");
    notice.focus();
  }
})();
