"""The BPMN runtime. It knows nothing of petitions: it could run any legal procedure."""
