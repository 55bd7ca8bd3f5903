"""tiepdan: citizen reception and petition handling for Vietnamese state agencies, on BPMN."""
