/* tiepdan's groups in the properties panel: what our engine reads from a diagram (see
   docs/procedures.md and tiepdan/engine/validation.py), chosen from lists the server gives
   (config.tiepdan.options, from /processes/options.json) instead of typed by hand:
   - user tasks: form, deadline rule (+ start, variant, case clock), role (the lane), documents;
   - service tasks: the registered operation, its parameters and result variable;
   - timer events: the rule named in the timer's expression;
   - lanes: the role the lane's name stands for.
   Every change goes through the command stack, so undo and redo work as for bpmn-js's own. */
import { is, getBusinessObject } from "bpmn-js/lib/util/ModelUtil";
import { CheckboxEntry, SelectEntry, TextFieldEntry, isSelectEntryEdited, isTextFieldEntryEdited, isCheckboxEntryEdited } from "@bpmn-io/properties-panel";
import { useService } from "bpmn-js-properties-panel";

const MULTI = "properties-panel.multi-command-executor";
// The first string literal naming a rule in a timer expression, e.g. deadline("complaint.accept", ...).
const RULE_LITERAL = /(["'])([a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)+)\1/;

// --- reading and writing the spiffworkflow extension elements -----------------------------------

function extensionOf(bo, type) {
  const values = (bo.extensionElements && bo.extensionElements.values) || [];
  return values.find((v) => is(v, type));
}

export function taskProperty(element, name) {
  const props = extensionOf(getBusinessObject(element), "spiffworkflow:Properties");
  const prop = props && (props.values || []).find((p) => p.name === name);
  return (prop && prop.value) || "";
}

/* The commands that add `child` to the element's extension elements, creating the container when
   the element has none. */
function addExtension(element, child, bpmnFactory) {
  const bo = getBusinessObject(element);
  let ext = bo.extensionElements;
  const commands = [];
  if (!ext) {
    ext = bpmnFactory.create("bpmn:ExtensionElements", { values: [] });
    ext.$parent = bo;
    commands.push({ cmd: "element.updateModdleProperties", context: { element, moddleElement: bo, properties: { extensionElements: ext } } });
  }
  child.$parent = ext;
  commands.push({ cmd: "element.updateModdleProperties", context: { element, moddleElement: ext, properties: { values: [...(ext.values || []), child] } } });
  return commands;
}

export function setTaskProperty(element, name, value, injector) {
  const bpmnFactory = injector.get("bpmnFactory");
  const commandStack = injector.get("commandStack");
  const bo = getBusinessObject(element);
  let props = extensionOf(bo, "spiffworkflow:Properties");
  const commands = [];
  if (!props) {
    if (!value) return;
    props = bpmnFactory.create("spiffworkflow:Properties", { values: [] });
    commands.push(...addExtension(element, props, bpmnFactory));
  }
  const values = props.values || [];
  const prop = values.find((p) => p.name === name);
  if (!value) {
    if (prop) {
      commands.push({ cmd: "element.updateModdleProperties", context: { element, moddleElement: props, properties: { values: values.filter((p) => p !== prop) } } });
    }
  } else if (prop) {
    commands.push({ cmd: "element.updateModdleProperties", context: { element, moddleElement: prop, properties: { value } } });
  } else {
    const created = bpmnFactory.create("spiffworkflow:Property", { name, value });
    created.$parent = props;
    commands.push({ cmd: "element.updateModdleProperties", context: { element, moddleElement: props, properties: { values: [...values, created] } } });
  }
  if (commands.length) commandStack.execute(MULTI, commands);
}

function operatorOf(element) {
  return extensionOf(getBusinessObject(element), "spiffworkflow:ServiceTaskOperator");
}

function setOperator(element, properties, injector) {
  const bpmnFactory = injector.get("bpmnFactory");
  const commandStack = injector.get("commandStack");
  const operator = operatorOf(element);
  if (operator) {
    commandStack.execute("element.updateModdleProperties", { element, moddleElement: operator, properties });
  } else {
    const created = bpmnFactory.create("spiffworkflow:ServiceTaskOperator", properties);
    commandStack.execute(MULTI, addExtension(element, created, bpmnFactory));
  }
}

function parameterValue(element, id) {
  const operator = operatorOf(element);
  const params = (operator && operator.parameters && operator.parameters.parameters) || [];
  const param = params.find((p) => p.id === id);
  return (param && param.value) || "";
}

function setParameter(element, id, value, injector) {
  const bpmnFactory = injector.get("bpmnFactory");
  const commandStack = injector.get("commandStack");
  const operator = operatorOf(element);
  if (!operator) return;
  const commands = [];
  let container = operator.parameters;
  if (!container) {
    container = bpmnFactory.create("spiffworkflow:Parameters", { parameters: [] });
    container.$parent = operator;
    commands.push({ cmd: "element.updateModdleProperties", context: { element, moddleElement: operator, properties: { parameters: container } } });
  }
  const params = container.parameters || [];
  const param = params.find((p) => p.id === id);
  if (!value) {
    if (param) commands.push({ cmd: "element.updateModdleProperties", context: { element, moddleElement: container, properties: { parameters: params.filter((p) => p !== param) } } });
  } else if (param) {
    commands.push({ cmd: "element.updateModdleProperties", context: { element, moddleElement: param, properties: { value } } });
  } else {
    const created = bpmnFactory.create("spiffworkflow:Parameter", { id, type: "str", value });
    created.$parent = container;
    commands.push({ cmd: "element.updateModdleProperties", context: { element, moddleElement: container, properties: { parameters: [...params, created] } } });
  }
  if (commands.length) commandStack.execute(MULTI, commands);
}

// --- lanes: a task's role is the name of the lane holding it --------------------------------------

function allLanes(definitions) {
  const lanes = [];
  const visitLaneSet = (laneSet) => {
    (laneSet.lanes || []).forEach((lane) => {
      lanes.push(lane);
      if (lane.childLaneSet) visitLaneSet(lane.childLaneSet);
    });
  };
  const visit = (container) => {
    (container.laneSets || []).forEach(visitLaneSet);
    (container.flowElements || []).forEach((e) => { if (is(e, "bpmn:SubProcess")) visit(e); });
  };
  (definitions.rootElements || []).filter((e) => is(e, "bpmn:Process")).forEach(visit);
  return lanes;
}

function laneOf(definitions, bo) {
  return allLanes(definitions).find((lane) => (lane.flowNodeRef || []).includes(bo));
}

function processOf(bo) {
  let node = bo;
  while (node && !is(node, "bpmn:Process")) node = node.$parent;
  return node;
}

/* Move the task into the lane named `role`, making that lane in the process when there is none. */
function setRole(element, role, injector) {
  const bpmnFactory = injector.get("bpmnFactory");
  const commandStack = injector.get("commandStack");
  const definitions = injector.get("canvas").getRootElement().businessObject.$parent;
  const bo = getBusinessObject(element);
  const commands = [];
  const current = laneOf(definitions, bo);
  if (current) {
    commands.push({ cmd: "element.updateModdleProperties", context: { element, moddleElement: current, properties: { flowNodeRef: current.flowNodeRef.filter((n) => n !== bo) } } });
  }
  if (role) {
    const target = allLanes(definitions).find((lane) => (lane.name || "").trim() === role);
    if (target) {
      commands.push({ cmd: "element.updateModdleProperties", context: { element, moddleElement: target, properties: { flowNodeRef: [...(target.flowNodeRef || []), bo] } } });
    } else {
      const process = processOf(bo);
      let laneSet = (process.laneSets || [])[0];
      if (!laneSet) {
        laneSet = bpmnFactory.create("bpmn:LaneSet", { lanes: [] });
        laneSet.$parent = process;
        commands.push({ cmd: "element.updateModdleProperties", context: { element, moddleElement: process, properties: { laneSets: [...(process.laneSets || []), laneSet] } } });
      }
      const lane = bpmnFactory.create("bpmn:Lane", { name: role, flowNodeRef: [bo] });
      lane.$parent = laneSet;
      commands.push({ cmd: "element.updateModdleProperties", context: { element, moddleElement: laneSet, properties: { lanes: [...(laneSet.lanes || []), lane] } } });
    }
  }
  if (commands.length) commandStack.execute(MULTI, commands);
}

// --- entries ----------------------------------------------------------------------------------------

/* Options for a select: the empty choice, the known values, and the current value even when it is
   not known (so that a broken reference shows as what it is rather than as empty). */
function choices(known, current, texts) {
  const options = [{ value: "", label: texts.none }];
  known.forEach((o) => options.push({ value: o.value, label: o.label ? `${o.value} — ${o.label}` : o.value }));
  if (current && !known.some((o) => o.value === current)) {
    options.push({ value: current, label: `${current} (${texts.unknown})` });
  }
  return options;
}

function PropertySelect({ element, id, name, label, known }) {
  const injector = useService("injector");
  const texts = useService("config.tiepdan").texts;
  return SelectEntry({
    element, id, label,
    getValue: () => taskProperty(element, name),
    setValue: (value) => setTaskProperty(element, name, value, injector),
    getOptions: () => choices(known, taskProperty(element, name), texts),
  });
}

function PropertyText({ element, id, name, label, description }) {
  const injector = useService("injector");
  const debounce = useService("debounceInput");
  return TextFieldEntry({
    element, id, label, description, debounce,
    getValue: () => taskProperty(element, name),
    setValue: (value) => setTaskProperty(element, name, (value || "").trim(), injector),
  });
}

function FormEntry({ element, id }) {
  const { options, texts } = useService("config.tiepdan");
  return PropertySelect({ element, id, name: "form", label: texts.form, known: options.forms });
}

function RuleEntry({ element, id }) {
  const { options, texts } = useService("config.tiepdan");
  return PropertySelect({ element, id, name: "deadline_rule", label: texts.rule, known: options.rules });
}

function FromEntry({ element, id }) {
  const { texts } = useService("config.tiepdan");
  return PropertyText({ element, id, name: "deadline_from", label: texts.from, description: texts.fromHelp });
}

function VariantEntry({ element, id }) {
  const { texts } = useService("config.tiepdan");
  return PropertyText({ element, id, name: "deadline_variant", label: texts.variant, description: texts.variantHelp });
}

function AdjustedEntry({ element, id }) {
  const injector = useService("injector");
  const { texts } = useService("config.tiepdan");
  return CheckboxEntry({
    element, id, label: texts.adjusted,
    getValue: () => taskProperty(element, "deadline_adjusted").trim().toLowerCase() === "true",
    setValue: (value) => setTaskProperty(element, "deadline_adjusted", value ? "true" : "", injector),
  });
}

function RoleEntry({ element, id }) {
  const injector = useService("injector");
  const { options, texts } = useService("config.tiepdan");
  const definitions = () => injector.get("canvas").getRootElement().businessObject.$parent;
  const current = () => {
    const lane = laneOf(definitions(), getBusinessObject(element));
    return lane ? (lane.name || "").trim() : "";
  };
  return SelectEntry({
    element, id, label: texts.role,
    getValue: current,
    setValue: (value) => setRole(element, value, injector),
    getOptions: () => choices(options.roles, current(), texts),
  });
}

function LaneRoleEntry({ element, id }) {
  const modeling = useService("modeling");
  const { options, texts } = useService("config.tiepdan");
  const current = () => (getBusinessObject(element).name || "").trim();
  return SelectEntry({
    element, id, label: texts.role,
    getValue: current,
    setValue: (value) => modeling.updateProperties(element, { name: value }),
    getOptions: () => choices(options.roles, current(), texts),
  });
}

function documentsOf(element) {
  return taskProperty(element, "documents").split(",").map((d) => d.trim()).filter(Boolean);
}

function DocumentEntry({ element, id, document }) {
  const injector = useService("injector");
  return CheckboxEntry({
    element, id, label: document,
    getValue: () => documentsOf(element).includes(document),
    setValue: (checked) => {
      const others = documentsOf(element).filter((d) => d !== document);
      setTaskProperty(element, "documents", (checked ? [...others, document] : others).join(","), injector);
    },
  });
}

function OperationEntry({ element, id }) {
  const injector = useService("injector");
  const { options, texts } = useService("config.tiepdan");
  const current = () => (operatorOf(element) && operatorOf(element).id) || "";
  const known = options.operations.map((o) => ({ value: o.name, label: "" }));
  return SelectEntry({
    element, id, label: texts.operation,
    getValue: current,
    setValue: (value) => setOperator(element, { id: value }, injector),
    getOptions: () => choices(known, current(), texts),
  });
}

function ResultEntry({ element, id }) {
  const injector = useService("injector");
  const debounce = useService("debounceInput");
  const { texts } = useService("config.tiepdan");
  return TextFieldEntry({
    element, id, label: texts.result, debounce,
    getValue: () => (operatorOf(element) && operatorOf(element).resultVariable) || "",
    setValue: (value) => setOperator(element, { resultVariable: (value || "").trim() || undefined }, injector),
  });
}

function ParameterEntry({ element, id, parameter }) {
  const injector = useService("injector");
  const debounce = useService("debounceInput");
  const { texts } = useService("config.tiepdan");
  return TextFieldEntry({
    element, id, debounce,
    label: parameter.required ? `${parameter.name} *` : parameter.name,
    description: parameter.required ? texts.parameterRequired : texts.parameterHelp,
    getValue: () => parameterValue(element, parameter.name),
    setValue: (value) => setParameter(element, parameter.name, (value || "").trim(), injector),
  });
}

function timerExpression(element) {
  const bo = getBusinessObject(element);
  const definition = (bo.eventDefinitions || []).find((d) => is(d, "bpmn:TimerEventDefinition"));
  const body = definition && (definition.timeDate || definition.timeDuration);
  return { definition, body, text: (body && body.body) || "" };
}

function TimerRuleEntry({ element, id }) {
  const commandStack = useService("commandStack");
  const { options, texts } = useService("config.tiepdan");
  const current = () => {
    const match = RULE_LITERAL.exec(timerExpression(element).text);
    return match ? match[2] : "";
  };
  return SelectEntry({
    element, id, label: texts.timerRule, description: texts.timerRuleHelp,
    getValue: current,
    setValue: (value) => {
      const { body, text } = timerExpression(element);
      if (!body || !value) return;
      const updated = text.replace(RULE_LITERAL, (_m, quote) => `${quote}${value}${quote}`);
      commandStack.execute("element.updateModdleProperties", { element, moddleElement: body, properties: { body: updated } });
    },
    getOptions: () => choices(options.rules, current(), texts).filter((o) => o.value),
  });
}

// --- the provider ---------------------------------------------------------------------------------

function entry(id, component, isEdited, extra) {
  return { id, component, isEdited, ...extra };
}

export default class TiepdanPropertiesProvider {
  constructor(propertiesPanel, config) {
    this._config = config;
    propertiesPanel.registerProvider(400, this);
  }

  getGroups(element) {
    return (groups) => {
      const { options, texts } = this._config;
      if (is(element, "bpmn:UserTask") || is(element, "bpmn:ManualTask")) {
        groups.push({ id: "tiepdan-task", label: texts.groupTask, entries: [
          entry("tiepdan-role", RoleEntry, isSelectEntryEdited),
          ...(is(element, "bpmn:UserTask") ? [entry("tiepdan-form", FormEntry, isSelectEntryEdited)] : []),
        ] });
        groups.push({ id: "tiepdan-deadline", label: texts.groupDeadline, entries: [
          entry("tiepdan-deadline-rule", RuleEntry, isSelectEntryEdited),
          entry("tiepdan-deadline-from", FromEntry, isTextFieldEntryEdited),
          entry("tiepdan-deadline-variant", VariantEntry, isTextFieldEntryEdited),
          entry("tiepdan-deadline-adjusted", AdjustedEntry, isCheckboxEntryEdited),
        ] });
        groups.push({ id: "tiepdan-documents", label: texts.groupDocuments, entries:
          options.documents.map((document, n) => entry(`tiepdan-document-${n}`, DocumentEntry, isCheckboxEntryEdited, { document })),
        });
      }
      if (is(element, "bpmn:ServiceTask")) {
        const operator = operatorOf(element);
        const chosen = options.operations.find((o) => operator && o.name === operator.id);
        const declared = chosen ? chosen.parameters : [];
        const present = ((operator && operator.parameters && operator.parameters.parameters) || [])
          .filter((p) => !declared.some((d) => d.name === p.id))
          .map((p) => ({ name: p.id, required: false }));
        groups.push({ id: "tiepdan-operation", label: texts.groupOperation, entries: [
          entry("tiepdan-operation", OperationEntry, isSelectEntryEdited),
          entry("tiepdan-result", ResultEntry, isTextFieldEntryEdited),
          ...[...declared, ...present].map((parameter) =>
            entry(`tiepdan-parameter-${parameter.name}`, ParameterEntry, isTextFieldEntryEdited, { parameter })),
        ] });
      }
      if (is(element, "bpmn:Event") && timerExpression(element).body) {
        groups.push({ id: "tiepdan-timer", label: texts.groupDeadline, entries: [
          entry("tiepdan-timer-rule", TimerRuleEntry, isSelectEntryEdited),
        ] });
      }
      if (is(element, "bpmn:Lane")) {
        groups.push({ id: "tiepdan-lane", label: texts.groupTask, entries: [entry("tiepdan-lane-role", LaneRoleEntry, isSelectEntryEdited)] });
      }
      return groups;
    };
  }
}

TiepdanPropertiesProvider.$inject = ["propertiesPanel", "config.tiepdan"];
