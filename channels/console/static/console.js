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
  var notice = document.querySelector(".notice[role=status]");
  if (notice) {
    notice.setAttribute("tabindex", "-1");
    notice.focus();
  }
})();
