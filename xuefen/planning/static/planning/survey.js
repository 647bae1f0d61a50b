// Draws one bar chart per survey question from the data the page embeds (json_script).
(function () {
  var source = document.getElementById("survey-chart-data");
  if (!source || typeof Chart === "undefined") return;
  JSON.parse(source.textContent).forEach(function (chart) {
    var canvas = document.getElementById(chart.id);
    if (!canvas) return;
    var scores = chart.kind === "score";
    new Chart(canvas, {
      type: "bar",
      data: { labels: chart.labels, datasets: [{ data: chart.values, backgroundColor: scores ? "#1f7a3d" : "#b0252a" }] },
      options: { maintainAspectRatio: false, indexAxis: "y", plugins: { legend: { display: false } },
        scales: { x: scores ? { min: 0, max: 5 } : { min: 0, ticks: { precision: 0 } }, y: { ticks: { autoSkip: false } } } }
    });
  });
})();
