// Rule-set editor: a conversion shows only the nested lists its method uses (length bands for
// "by length", amounts by level for "per item"). Without this script every list shows; the server
// ignores nothing either way.
(function () {
  function sync(row) {
    var select = row.querySelector("select[name$='-method']");
    if (!select) return;
    row.querySelectorAll("[data-methods]").forEach(function (part) {
      var used = part.getAttribute("data-methods").split(" ").indexOf(select.value) >= 0;
      var filled = part.querySelector("fieldset.row") !== null;
      part.hidden = !used && !filled;
    });
  }
  document.querySelectorAll("fieldset.conversion").forEach(function (row) {
    sync(row);
    var select = row.querySelector("select[name$='-method']");
    if (select) select.addEventListener("change", function () { sync(row); });
  });
})();
