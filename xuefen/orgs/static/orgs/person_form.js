// Fills birth date and sex from an 18-character ID number when those fields are still empty.
(function () {
  var id = document.querySelector("[data-id-number]");
  if (!id) return;
  id.addEventListener("change", function () {
    var v = id.value.replace(/\s/g, "").toUpperCase();
    if (!/^\d{17}[\dX]$/.test(v)) return;
    var birth = document.getElementById("id_birth_date");
    var sex = document.getElementById("id_sex");
    if (birth && !birth.value) birth.value = v.slice(6, 10) + "-" + v.slice(10, 12) + "-" + v.slice(12, 14);
    if (sex && !sex.value) sex.value = parseInt(v.charAt(16), 10) % 2 ? "M" : "F";
  });
})();
