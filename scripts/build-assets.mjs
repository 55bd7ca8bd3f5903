// Bundles the browser assets from node_modules with esbuild into node_modules/.tiepdan/
// (ignored by git, served by the web UI, never from a CDN): `npm run build`, run by `make setup`.
//  - bpmn-auto-layout.js: the auto-layout for diagrams without DI, as the global BpmnAutoLayout;
//  - modeler.js + modeler.css: bpmn-js's modeler with the properties panel and tiepdan's own
//    panels (tiepdan/webui/static/modeler/).
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = path.join(root, "node_modules", ".tiepdan");
const common = { bundle: true, minify: true, logLevel: "warning", absWorkingDir: root };

await Promise.all([
  build({
    ...common,
    entryPoints: ["bpmn-auto-layout"],
    format: "iife",
    globalName: "BpmnAutoLayout",
    outfile: path.join(out, "bpmn-auto-layout.js"),
  }),
  build({
    ...common,
    entryPoints: [path.join(root, "tiepdan", "webui", "static", "modeler", "index.js")],
    format: "iife",
    outfile: path.join(out, "modeler.js"),
  }),
  build({
    ...common,
    entryPoints: [path.join(root, "tiepdan", "webui", "static", "modeler", "modeler-assets.css")],
    outfile: path.join(out, "modeler.css"),
    loader: { ".woff": "file", ".woff2": "file", ".ttf": "file", ".eot": "file", ".svg": "file" },
    assetNames: "modeler-[name]",
  }),
]);
