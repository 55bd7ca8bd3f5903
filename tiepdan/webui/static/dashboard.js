/* The supervisors' dashboard: Chart.js charts from each canvas's data-chart (CSP: no inline
   script), every bar a link to the list behind it; "select all" boxes of the bulk-action lists. */
(function () {
  "use strict";

  var TONES = { danger: "#b3261e", warn: "#d89b00" };
  var DEFAULT = "#0b5cab";

  function drawChart(canvas) {
    var spec = JSON.parse(canvas.getAttribute("data-chart"));
    var links = spec.links || [];
    var chart = new window.Chart(canvas, {
      type: spec.type || "bar",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (set) {
          return { label: set.label, data: set.data, backgroundColor: TONES[set.tone] || DEFAULT };
        })
      },
      options: {
        responsive: true,
        indexAxis: spec.labels.length > 8 ? "y" : "x",
        scales: {
          x: { stacked: !!spec.stacked, ticks: { precision: 0 } },
          y: { stacked: !!spec.stacked, ticks: { precision: 0 } }
        },
        onClick: function (event, elements) {
          if (elements.length && links[elements[0].index]) {
            window.location.href = links[elements[0].index];
          }
        },
        onHover: function (event, elements) {
          event.native.target.style.cursor = elements.length ? "pointer" : "default";
        }
      }
    });
    canvas.setAttribute("data-rendered", "true");
    return chart;
  }

  function selectAll(box) {
    var table = box.closest("table");
    box.addEventListener("change", function () {
      Array.prototype.forEach.call(table.querySelectorAll("tbody input[type=checkbox][name=ids]"), function (each) {
        each.checked = box.checked;
      });
    });
  }

  function start() {
    if (window.Chart) {
      Array.prototype.forEach.call(document.querySelectorAll("canvas.chart[data-chart]"), drawChart);
    }
    Array.prototype.forEach.call(document.querySelectorAll("input.select-all"), selectAll);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
