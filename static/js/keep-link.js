// The manage page of a booking without an email: "Copy link" and "Print this page" buttons beside the
// private link. Without JavaScript the link is still a read-only field to select and copy, and the
// browser's own print prints it (templates/appointments/appointment_manage.html).
(function () {
  "use strict";
  var actions = document.querySelector("[data-keep-link]");
  if (!actions) return;
  var status = actions.querySelector("[data-copy-status]");
  var copy = actions.querySelector("[data-copy-target]");
  var field = document.getElementById(copy.getAttribute("data-copy-target"));

  function copied(ok) {
    status.textContent = copy.getAttribute(ok ? "data-copied" : "data-copy-failed");
    if (!ok) {
      field.focus();
      field.select();
    }
  }

  copy.addEventListener("click", function () {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(
        function () { copied(true); },
        function () { copied(false); }
      );
    } else {
      field.focus();
      field.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (error) { ok = false; }
      copied(ok);
    }
  });
  actions.querySelector("[data-print]").addEventListener("click", function () { window.print(); });
  field.addEventListener("focus", function () { field.select(); });
  actions.hidden = false;
})();
