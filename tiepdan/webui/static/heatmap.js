/* The heatmap of a process version: bpmn-js's viewer draws the diagram (laid out by
   bpmn-auto-layout when it carries no DI, as case_diagram.js does), each element where tasks wait
   is coloured by how many (heat-1 .. heat-5, relative to the busiest) and carries a badge with the
   count, the average and the longest wait, linking to the tasks. Data from data-heatmap-url. */
(function () {
  "use strict";

  var LEVELS = 5;

  function fail(container, message) {
    container.classList.add("failed");
    container.textContent = message;
  }

  function badge(container, cell) {
    var link = document.createElement("a");
    link.className = "heat-badge";
    link.href = cell.link;
    link.textContent = String(cell.count);
    link.title = container.getAttribute("data-label-avg") + " " + cell.avg_days + " " +
      container.getAttribute("data-label-days") + " · " + container.getAttribute("data-label-max") + " " +
      cell.max_days + " " + container.getAttribute("data-label-days");
    return link;
  }

  function paint(viewer, container, cells) {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    var overlays = viewer.get("overlays");
    var ids = Object.keys(cells);
    var most = ids.reduce(function (top, id) { return Math.max(top, cells[id].count); }, 0);
    ids.forEach(function (id) {
      if (!registry.get(id)) { return; }
      var level = Math.max(1, Math.ceil(cells[id].count / most * LEVELS));
      canvas.addMarker(id, "heat-" + level);
      overlays.add(id, "heat", { position: { top: -12, right: 12 }, html: badge(container, cells[id]) });
    });
  }

  function draw(container) {
    var errorText = container.getAttribute("data-error") || "Error";
    if (!window.BpmnJS || !window.BpmnAutoLayout) {
      fail(container, errorText);
      return Promise.resolve();
    }
    return fetch(container.getAttribute("data-heatmap-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        var hasLayout = data.xml.indexOf("BPMNDiagram") !== -1;
        var xml = hasLayout ? Promise.resolve(data.xml) : window.BpmnAutoLayout.layoutProcess(data.xml);
        return xml.then(function (laidOut) {
          var viewer = new window.BpmnJS({ container: container });
          return viewer.importXML(laidOut).then(function () {
            paint(viewer, container, data.cells || {});
            viewer.get("canvas").zoom("fit-viewport");
            container.setAttribute("data-rendered", "true");
          });
        });
      })
      .catch(function (err) {
        fail(container, errorText);
        if (window.console) { window.console.error(err); }
      });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".heatmap-canvas[data-heatmap-url]"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
