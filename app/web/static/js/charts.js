// Charts of the pages (Chart.js): a data block per canvas; the same figures are in a table.
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var colours = ["#1f5fa8", "#2e7d32", "#a14f00", "#6a3d9a"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var spec = JSON.parse(document.getElementById(canvas.getAttribute("data-chart")).textContent);
    var datasets = spec.series.map(function (s, i) {
      var line = s.kind === "line";
      return {
        type: line ? "line" : "bar",
        label: s.label,
        data: s.data,
        backgroundColor: line ? "#1b1b1b" : colours[i % colours.length],
        borderColor: line ? "#1b1b1b" : colours[i % colours.length],
        borderWidth: line ? 2 : 0,
        pointRadius: line ? 2 : 0,
        stepped: line ? "middle" : false,
        order: line ? 0 : 1
      };
    });
    var chart = new Chart(canvas, {
      type: spec.type || "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { position: "top", labels: { color: "#1b1b1b", font: { size: 13 } } } },
        scales: {
          x: { ticks: { color: "#1b1b1b", autoSkip: true, maxRotation: 60 } },
          y: { beginAtZero: true, title: { display: true, text: spec.y_label, color: "#1b1b1b" }, ticks: { color: "#1b1b1b" } }
        }
      }
    });
    canvas.setAttribute("data-ready", "true");
    canvas.chart = chart;
  });
})();
