// Behaviour shared by every page, as a static file (the Content-Security-Policy runs no inline
// script): a <select data-submit-on-change> submits its form when its value changes (the
// language switch; a <noscript> button does the same without script).
(function () {
  document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();

// The menu's groups (<details>, which open and close without script): one open at a time (the
// name attribute does it where the browser knows it), closed on Escape (focus back on its
// button), on a click outside it and when focus leaves it; the arrow keys move through its links.
(function () {
  var groups = Array.prototype.slice.call(document.querySelectorAll("nav.mainnav details.navgroup"));
  if (!groups.length) return;
  function close(group, refocus) {
    group.open = false;
    if (refocus) group.querySelector("summary").focus();
  }
  groups.forEach(function (group) {
    var links = Array.prototype.slice.call(group.querySelectorAll("a"));
    group.addEventListener("toggle", function () {
      if (group.open) groups.forEach(function (other) { if (other !== group) other.open = false; });
    });
    group.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && group.open) {
        event.preventDefault();
        close(group, true);
      } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        group.open = true;
        var at = links.indexOf(document.activeElement);
        var step = event.key === "ArrowDown" ? 1 : -1;
        var next = at < 0 ? (step > 0 ? 0 : links.length - 1) : (at + step + links.length) % links.length;
        links[next].focus();
      }
    });
    group.addEventListener("focusout", function (event) {
      if (group.open && event.relatedTarget && !group.contains(event.relatedTarget)) close(group, false);
    });
  });
  document.addEventListener("click", function (event) {
    groups.forEach(function (group) {
      if (group.open && !group.contains(event.target)) close(group, false);
    });
  });
})();
