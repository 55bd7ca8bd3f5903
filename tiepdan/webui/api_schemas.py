"""marshmallow schemas of the REST API (webui.api): what the OpenAPI document describes."""
from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from tiepdan.cases.vocab import PETITION_TYPES

from .inbox import VIEWS


class ApiErrorSchema(Schema):
    """Every error answer: the HTTP code and name, a message, and per-field errors for 422."""

    code = fields.Integer(required=True)
    status = fields.String(required=True)
    message = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.String(),
                         metadata={"description": "field -> message (422)"})
    by = fields.String(allow_none=True, metadata={"description": "409: who completed or claimed the task"})
    by_name = fields.String(allow_none=True)
    at = fields.DateTime(allow_none=True, metadata={"description": "409: when (UTC)"})


class TaskQuerySchema(Schema):
    view = fields.String(load_default="mine", validate=validate.OneOf(VIEWS),
                         metadata={"description": "mine | queue (my unit, my roles, unclaimed) | units (leaders, supervisors)"})
    q = fields.String(load_default="", validate=validate.Length(max=200),
                      metadata={"description": "case number, petitioner name or content, with or without diacritics"})
    process = fields.String(load_default="", validate=validate.Length(max=100))
    task = fields.String(load_default="", validate=validate.Length(max=200))
    type = fields.String(load_default="", validate=validate.OneOf(["", *PETITION_TYPES]))
    overdue = fields.Boolean(load_default=False)
    received_from = fields.Date(load_default=None, data_key="from")
    received_to = fields.Date(load_default=None, data_key="to")
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))


class TaskSchema(Schema):
    id = fields.String(required=True)
    name = fields.String()
    task_spec = fields.String()
    process_id = fields.String()
    business_key = fields.String()
    receipt_no = fields.String(allow_none=True)
    title = fields.String()
    petition_type = fields.String(allow_none=True)
    received_on = fields.Date(allow_none=True)
    due_date = fields.Date(allow_none=True)
    working_days_left = fields.Integer(allow_none=True)
    overdue = fields.Boolean()
    due_soon = fields.Boolean()
    role = fields.String()
    unit = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    state = fields.String()
    form = fields.String(allow_none=True)
    links = fields.Dict(keys=fields.String(), values=fields.String())


class TaskPageSchema(Schema):
    items = fields.List(fields.Nested(TaskSchema))
    view = fields.String()
    page = fields.Integer()
    page_size = fields.Integer()
    has_next = fields.Boolean()


class ClaimedSchema(Schema):
    id = fields.String()
    assignee = fields.String()


class FormDataSchema(Schema):
    """The task's form data as a JSON object (field name -> value); validated against the task's
    form definition (422 with per-field errors)."""

    class Meta:
        unknown = INCLUDE


class CompletedSchema(Schema):
    id = fields.String()
    instance_id = fields.Integer()
    status = fields.String(metadata={"description": "the case's procedure after the step: running, waiting, completed, error"})
    open_tasks = fields.List(fields.String())
    error = fields.String(allow_none=True)


class PartySchema(Schema):
    ordinal = fields.Integer()
    role = fields.String()
    role_label = fields.String()
    kind = fields.String()
    is_representative = fields.Boolean()
    sealed = fields.Boolean()
    masked = fields.Boolean()
    can_reveal = fields.Boolean()
    name = fields.String()
    position = fields.String()
    organisation = fields.String()
    identity = fields.Dict(allow_none=True)


class CaseSchema(Schema):
    """The redacted view of the case (identity.redacted_view) with each party as this viewer may
    see it: a sealed identity is never included (reveal it on the case page, audited)."""

    business_key = fields.String()
    receipt_no = fields.String()
    receiving_unit = fields.Dict(allow_none=True)
    holding_unit = fields.Dict(allow_none=True)
    channel = fields.String()
    channel_label = fields.String()
    forwarded_by = fields.String(allow_none=True)
    forward_doc_no = fields.String(allow_none=True)
    forward_doc_date = fields.String(allow_none=True)
    received_on = fields.String(allow_none=True)
    letter_date = fields.String(allow_none=True)
    title = fields.String()
    content = fields.String()
    field = fields.String(allow_none=True)
    petition_type = fields.String(allow_none=True)
    petition_type_label = fields.String()
    anonymous = fields.Boolean()
    eligible = fields.Boolean(allow_none=True)
    eligibility_reasons = fields.List(fields.String())
    within_competence = fields.Boolean(allow_none=True)
    competent_unit = fields.Dict(allow_none=True)
    petitioner_count = fields.Integer()
    status = fields.String()
    status_label = fields.String()
    previous_resolution = fields.String()
    links = fields.Dict()
    transferred_to_unit = fields.Dict(allow_none=True)
    transfer_doc_no = fields.String(allow_none=True)
    guided_to = fields.String(allow_none=True)
    guidance_doc_no = fields.String(allow_none=True)
    parties = fields.List(fields.Nested(PartySchema))
    reception = fields.Dict(allow_none=True)
    tasks = fields.List(fields.Nested(TaskSchema))
    documents_url = fields.String()


class DocumentSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    number = fields.String()
    title = fields.String()
    filename = fields.String()
    media_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    leaves_unit = fields.Boolean()
    unit = fields.String()
    created_at = fields.DateTime()
    created_by = fields.String()
    download_url = fields.String()


class DocumentListSchema(Schema):
    business_key = fields.String()
    items = fields.List(fields.Nested(DocumentSchema))
