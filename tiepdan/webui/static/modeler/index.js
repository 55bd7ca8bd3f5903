/* The modeler page (templates/modeler.html): bpmn-js's Modeler with the properties panel and
   tiepdan's own panels, the save / scenarios / publish buttons and their results.

   Everything the page needs comes from data-* attributes of #modeler (URLs, the CSRF token, the
   Vietnamese or English texts) and from JSON endpoints: no inline script (CSP). Our diagrams carry
   no DI, so a diagram without it is laid out with bpmn-auto-layout first; a saved draft then
   carries the layout. The versions page uses the same bundle for its visual diff (#diff-canvas):
   the newer version drawn with what was added or changed coloured. */
import Modeler from "bpmn-js/lib/Modeler";
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from "bpmn-js-properties-panel";
import { layoutProcess } from "bpmn-auto-layout";

import spiffworkflow from "./spiffworkflow.json";
import TiepdanPropertiesProvider from "./tiepdan-provider.js";

const TiepdanModule = {
  __init__: ["tiepdanPropertiesProvider"],
  tiepdanPropertiesProvider: ["type", TiepdanPropertiesProvider],
};

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
  if (text !== undefined) node.textContent = text;
  return node;
}

async function request(url, root, body) {
  const options = { credentials: "same-origin", headers: { Accept: "application/json" } };
  if (body !== undefined) {
    options.method = "POST";
    options.headers["Content-Type"] = "application/json";
    options.headers["X-CSRFToken"] = root.dataset.csrf;
    options.body = JSON.stringify(body);
  }
  const response = await fetch(url, options);
  let data = {};
  try {
    data = await response.json();
  } catch (err) {
    data = { error: root.dataset.msgError };
  }
  return { ok: response.ok, status: response.status, data };
}

class Page {
  constructor(root) {
    this.root = root;
    this.texts = JSON.parse(root.dataset.texts);
    this.versionId = root.dataset.versionId ? Number(root.dataset.versionId) : null;
    this.status = document.getElementById("modeler-status");
    this.problems = document.getElementById("modeler-problems");
    this.scenarios = document.getElementById("modeler-scenarios");
    this.marked = [];
  }

  say(message, kind) {
    this.status.className = `flash ${kind || "info"}`;
    this.status.textContent = message;
    this.status.hidden = false;
  }

  async start() {
    const [options, diagram] = await Promise.all([
      request(this.root.dataset.optionsUrl, this.root),
      request(this.root.dataset.xmlUrl, this.root),
    ]);
    if (!options.ok || !diagram.ok) throw new Error("cannot load the diagram");
    this.modeler = new Modeler({
      container: "#modeler-canvas",
      propertiesPanel: { parent: "#modeler-properties" },
      additionalModules: [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, TiepdanModule],
      moddleExtensions: { spiffworkflow },
      tiepdan: { options: options.data, texts: this.texts },
    });
    const xml = diagram.data.has_di ? diagram.data.xml : await layoutProcess(diagram.data.xml);
    const { warnings } = await this.modeler.importXML(xml);
    this.modeler.get("canvas").zoom("fit-viewport");
    if (warnings.length) this.say(`${this.texts.importWarnings}: ${warnings.map((w) => w.message).join("; ")}`, "warning");
    this.modeler.on("commandStack.changed", () => {
      this.dirty = true;
      this.enable();
    });
    this.root.setAttribute("data-ready", "true");
    document.getElementById("modeler-save").addEventListener("click", () => this.save());
    document.getElementById("modeler-run").addEventListener("click", () => this.runScenarios());
    document.getElementById("modeler-publish").addEventListener("click", () => this.publish());
    this.enable();
  }

  enable() {
    const saved = this.versionId !== null && !this.dirty;
    document.getElementById("modeler-run").disabled = !saved;
    document.getElementById("modeler-publish").disabled = !saved;
  }

  clearProblems() {
    const canvas = this.modeler.get("canvas");
    const overlays = this.modeler.get("overlays");
    this.marked.forEach((id) => canvas.removeMarker(id, "tiepdan-problem"));
    overlays.remove({ type: "tiepdan-problem" });
    this.marked = [];
    this.problems.replaceChildren();
    this.problems.hidden = true;
  }

  showProblems(problems) {
    this.clearProblems();
    if (!problems.length) return;
    const registry = this.modeler.get("elementRegistry");
    const canvas = this.modeler.get("canvas");
    const overlays = this.modeler.get("overlays");
    const list = el("ul");
    problems.forEach((problem) => {
      const shape = registry.get(problem.element);
      const item = el("li", { "data-element": problem.element });
      item.append(el("code", {}, problem.element), document.createTextNode(`: ${problem.message}`));
      list.append(item);
      if (!shape) return;
      if (!this.marked.includes(problem.element)) {
        canvas.addMarker(problem.element, "tiepdan-problem");
        this.marked.push(problem.element);
      }
      overlays.add(problem.element, "tiepdan-problem", {
        position: { bottom: -4, left: 0 },
        html: el("div", { class: "tiepdan-problem-note", title: problem.message }, problem.message),
      });
      item.classList.add("link");
      item.addEventListener("click", () => this.modeler.get("selection").select(shape));
    });
    this.problems.append(el("h3", {}, this.texts.problems), list);
    this.problems.hidden = false;
  }

  async save() {
    const { xml } = await this.modeler.saveXML({ format: true });
    const note = document.getElementById("modeler-note").value;
    const result = await request(this.root.dataset.saveUrl, this.root, { xml, note });
    if (!result.ok) {
      this.say(result.data.error || this.texts.error, "error");
      this.showProblems(result.data.problems || []);
      return;
    }
    this.versionId = result.data.version_id;
    this.dirty = false;
    this.root.dataset.versionId = String(this.versionId);
    window.history.replaceState(null, "", result.data.url);
    this.showProblems(result.data.problems);
    this.say(result.data.message, result.data.problems.length ? "warning" : "success");
    this.enable();
  }

  async runScenarios() {
    const result = await request(this.root.dataset.scenariosUrl, this.root, { version_id: this.versionId });
    this.scenarios.replaceChildren();
    if (!result.ok) {
      this.say(result.data.error || this.texts.error, "error");
      return;
    }
    this.showScenarios(result.data.results);
    this.say(result.data.message, result.data.results.every((r) => r.ok) ? "success" : "error");
  }

  showScenarios(results) {
    const list = el("ul", { class: "scenario-results" });
    results.forEach((r) => {
      const item = el("li", { class: r.ok ? "pass" : "fail", "data-scenario": r.name });
      item.append(el("strong", {}, r.ok ? this.texts.pass : this.texts.fail), document.createTextNode(` ${r.name}`));
      if (r.failures.length) {
        const failures = el("ul");
        r.failures.forEach((f) => failures.append(el("li", {}, f)));
        item.append(failures);
      }
      list.append(item);
    });
    if (!results.length) list.append(el("li", {}, this.texts.noScenarios));
    this.scenarios.append(el("h3", {}, this.texts.scenarios), list);
    this.scenarios.hidden = false;
  }

  async publish() {
    const reason = document.getElementById("modeler-reason").value.trim();
    if (!reason) {
      this.say(this.texts.reasonRequired, "error");
      document.getElementById("modeler-reason").focus();
      return;
    }
    const result = await request(this.root.dataset.publishUrl, this.root, { version_id: this.versionId, reason });
    if (!result.ok) {
      this.say(result.data.error || this.texts.error, "error");
      this.showProblems(result.data.problems || []);
      if (result.data.results) this.showScenarios(result.data.results);
      return;
    }
    this.say(result.data.message, "success");
    if (result.data.url) {
      const link = el("a", { href: result.data.url }, this.texts.backToList);
      this.status.append(" ", link);
    }
  }
}

async function drawDiff(container) {
  const response = await fetch(container.dataset.xmlUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
  const data = await response.json();
  const viewer = new NavigatedViewer({ container, moddleExtensions: { spiffworkflow } });
  await viewer.importXML(data.has_di ? data.xml : await layoutProcess(data.xml));
  const canvas = viewer.get("canvas");
  const registry = viewer.get("elementRegistry");
  const mark = (ids, marker) => ids.split(/\s+/).filter((id) => id && registry.get(id)).forEach((id) => canvas.addMarker(id, marker));
  mark(container.dataset.added || "", "tiepdan-added");
  mark(container.dataset.changed || "", "tiepdan-changed");
  canvas.zoom("fit-viewport");
  container.setAttribute("data-rendered", "true");
}

function boot() {
  const diff = document.getElementById("diff-canvas");
  if (diff) drawDiff(diff).catch((err) => window.console && window.console.error(err));
  const root = document.getElementById("modeler");
  if (!root) return;
  const page = new Page(root);
  window.tiepdanModeler = page;
  page.start().catch((err) => {
    page.say(root.dataset.msgError, "error");
    root.setAttribute("data-ready", "failed");
    if (window.console) window.console.error(err);
  });
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
else boot();
