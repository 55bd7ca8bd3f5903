/* The case page's BPMN diagrams: bpmn-js's viewer (window.BpmnJS) draws each instance's process,
   laid out first by bpmn-auto-layout (window.BpmnAutoLayout), since our diagrams carry no DI.
   Data comes from the JSON endpoint named in data-diagram-url (CSP: no inline script). */
(function () {
  "use strict";

  function fail(container, message) {
    container.classList.add("failed");
    container.textContent = message;
  }

  function draw(container) {
    var url = container.getAttribute("data-diagram-url");
    var errorText = container.getAttribute("data-error") || "Error";
    if (!window.BpmnJS || !window.BpmnAutoLayout) {
      fail(container, errorText);
      return Promise.resolve();
    }
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        return window.BpmnAutoLayout.layoutProcess(data.xml).then(function (laidOut) {
          var viewer = new window.BpmnJS({ container: container });
          return viewer.importXML(laidOut).then(function () {
            var canvas = viewer.get("canvas");
            var registry = viewer.get("elementRegistry");
            (data.completed || []).forEach(function (id) {
              if (registry.get(id)) { canvas.addMarker(id, "tiepdan-done"); }
            });
            (data.current || []).forEach(function (id) {
              if (registry.get(id)) { canvas.addMarker(id, "tiepdan-current"); }
            });
            canvas.zoom("fit-viewport");
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
    var containers = document.querySelectorAll(".bpmn-canvas[data-diagram-url]");
    Array.prototype.forEach.call(containers, draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
