"""petition acceptance and decision dates and outcome; in-app notifications; e-mail outbox

Revision ID: 0011
Revises: 0010

Backfill of the new petition columns from what the case file already holds:
- accepted_on: the local (UTC+7) day the case's first resolution procedure started (intake's
  acceptance starts it in the same step; a second instance starts at the appeal);
- decided_on and decision_outcome of a complaint: the line the decision writes to the case's
  result note ("Quyết định giải quyết khiếu nại số N ngày dd/mm/yyyy: Khiếu nại ... là đúng.");
- decided_on of a denunciation: the local day its conclusion document was stored (the signed
  date itself lives only in the workflow's data). Its outcome stays NULL: the conclusion form
  records whether a violation was found, not right / partly right / wrong.
"""
import re
from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

LOCAL = timedelta(hours=7)
RESOLUTION_PROCESSES = ("complaint_first", "complaint_second", "denunciation", "recommendation")
DECISION_NOTE = re.compile(r"Quyết định giải quyết khiếu nại số .*? ngày (\d{2})/(\d{2})/(\d{4}): (.*)")
OUTCOME_TEXT = {
    "là đúng một phần": "partly_upheld",
    "là đúng": "upheld",
    "là sai": "rejected",
}


def upgrade() -> None:
    # Plain nullable columns: ALTER TABLE in place on both databases (batch mode would rebuild
    # the petition table, which SQLite's foreign_keys=ON refuses once rows refer to it).
    op.add_column("petition", sa.Column("accepted_on", sa.Date(), nullable=True))
    op.add_column("petition", sa.Column("decided_on", sa.Date(), nullable=True))
    op.add_column("petition", sa.Column("decision_outcome", sa.String(length=20), nullable=True))
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_notification_user_read", "notification", ["user_id", "read_at"], unique=False)
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("recipient", sa.String(length=300), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    op.create_index("ix_outbox_status_next", "outbox", ["status", "next_attempt_at"], unique=False)
    _backfill(op.get_bind())


def _backfill(conn) -> None:
    petition = sa.table("petition", sa.column("id"), sa.column("business_key"), sa.column("petition_type"),
                        sa.column("result_note"), sa.column("accepted_on", sa.Date),
                        sa.column("decided_on", sa.Date), sa.column("decision_outcome"))
    instance = sa.table("process_instance", sa.column("business_key"), sa.column("process_id"),
                        sa.column("created_at", sa.DateTime))
    document = sa.table("case_document", sa.column("petition_id"), sa.column("kind"),
                        sa.column("created_at", sa.DateTime))
    started = conn.execute(
        sa.select(instance.c.business_key, sa.func.min(instance.c.created_at))
        .where(instance.c.process_id.in_(RESOLUTION_PROCESSES)).group_by(instance.c.business_key)
    ).all()
    for key, at in started:
        conn.execute(petition.update().where(petition.c.business_key == key)
                     .values(accepted_on=(at + LOCAL).date()))
    for pid, note in conn.execute(sa.select(petition.c.id, petition.c.result_note)
                                  .where(petition.c.petition_type == "complaint",
                                         petition.c.result_note.like("Quyết định giải quyết khiếu nại số %"))).all():
        match = DECISION_NOTE.match(note or "")
        if match is None:
            continue
        day, month, year, finding = match.groups()
        outcome = next((code for text, code in OUTCOME_TEXT.items() if text in finding), None)
        conn.execute(petition.update().where(petition.c.id == pid)
                     .values(decided_on=date(int(year), int(month), int(day)), decision_outcome=outcome))
    concluded = conn.execute(
        sa.select(document.c.petition_id, sa.func.min(document.c.created_at))
        .where(document.c.kind == "denounce_concl").group_by(document.c.petition_id)
    ).all()
    for pid, at in concluded:
        conn.execute(petition.update().where(petition.c.id == pid).values(decided_on=(at + LOCAL).date()))


def downgrade() -> None:
    op.drop_index("ix_outbox_status_next", table_name="outbox")
    op.drop_table("outbox")
    op.drop_index("ix_notification_user_read", table_name="notification")
    op.drop_table("notification")
    for column in ("decision_outcome", "decided_on", "accepted_on"):
        # SQLite 3.35+ drops a column without a key or index in place.
        op.execute(f"ALTER TABLE petition DROP COLUMN {column}")
