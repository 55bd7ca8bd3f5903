// The chart of a report form on /reports: a horizontal bar per row that has a figure. The
// figures come from the canvas's data-chart attribute (no inline script: the CSP forbids it).
(function () {
  "use strict";
  var canvas = document.getElementById("report-chart");
  if (!canvas || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(canvas.dataset.chart);
  canvas.parentElement.style.height = Math.max(200, data.labels.length * 26 + 60) + "px";
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [{ label: data.title, data: data.values, backgroundColor: "#1f5f99" }]
    },
    options: {
      indexAxis: "y",
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: false }, title: { display: true, text: data.title } },
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } } }
    }
  });
  canvas.dataset.ready = "1";
})();
