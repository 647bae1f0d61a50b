// Behaviour shared by every page, as a static file (the Content-Security-Policy runs no inline
// script): a <select data-submit-on-change> submits its form when its value changes (the
// language switch; a <noscript> button does the same without script).
(function () {
  document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
