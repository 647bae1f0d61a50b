// Draws the roll-up charts from the data the page embeds (json_script); no inline script.
(function () {
  var source = document.getElementById("rollup-chart-data");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var COLORS = { excellent: "#14532d", good: "#1f7a3d", pass: "#6fbf8a", fail: "#b42318",
    exempt: "#9aa5b1", "": "#d9e2ec" };
  var grades = document.getElementById("grade-chart");
  if (grades) {
    new Chart(grades, {
      type: "doughnut",
      data: { labels: data.grades.labels, datasets: [{ data: data.grades.values,
        backgroundColor: data.grades.codes.map(function (c) { return COLORS[c] || "#9aa5b1"; }) }] },
      options: { maintainAspectRatio: false, plugins: { legend: { position: "bottom" } } }
    });
  }
  var children = document.getElementById("children-chart");
  if (children) {
    // One readable bar per child node: the box grows with their number.
    children.parentNode.style.height = Math.max(256, data.children.labels.length * 24 + 40) + "px";
    new Chart(children, {
      type: "bar",
      data: { labels: data.children.labels, datasets: [{ data: data.children.values, backgroundColor: "#b0252a" }] },
      options: { maintainAspectRatio: false, indexAxis: "y", plugins: { legend: { display: false } },
        scales: { x: { min: 0, max: 100, ticks: { callback: function (v) { return v + "%"; } } },
          y: { ticks: { autoSkip: false } } } }
    });
  }
})();
