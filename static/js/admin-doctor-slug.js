// The doctor admin's slug without the title: "Dr. Kiran Rao" fills in "kiran-rao", not "dr-kiran-rao".
// Django's prepopulate.js calls the global URLify(text, length, allowUnicode) on every keystroke in the
// name; this wraps it to drop the leading titles first, the same words as doctors.models.NAME_TITLES.
// The server does the same when the slug arrives empty or as the whole name (DoctorAdminForm.clean_slug).
(function () {
  "use strict";
  var urlify = window.URLify;
  if (typeof urlify !== "function") return;
  var TITLES = /^\s*(?:(?:dr|doctor|prof|professor)\.?\s+)+(?=\S)/i;
  window.URLify = function (text, length, allowUnicode) {
    return urlify(String(text).replace(TITLES, ""), length, allowUnicode);
  };
})();
