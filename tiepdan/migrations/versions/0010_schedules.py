"""reception schedules, duty plans and their rosters; publications linked to their notice

Revision ID: 0010
Revises: 0009

Backfill: the publication procedure now stores the notice it issues in publication.document_id
when no decision was named. Before, it issued exactly one notice per publication it planned, in
the same step, so the k-th such publication of a petition goes with the k-th publication notice
of that petition.
"""
from collections import defaultdict

from alembic import op
import sqlalchemy as sa

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reception_schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.String(length=5), nullable=False),
        sa.Column("ends_at", sa.String(length=5), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("leader_id", sa.Integer(), nullable=False),
        sa.Column("leader_title", sa.String(length=10), nullable=False),
        sa.Column("topics", sa.Text(), nullable=False),
        sa.Column("postponed_from", sa.Date(), nullable=True),
        sa.Column("postpone_reason", sa.Text(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("cancel_reason", sa.Text(), nullable=False),
        sa.Column("posted_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.ForeignKeyConstraint(["leader_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reception_schedule_unit_day", "reception_schedule", ["unit_id", "day"], unique=False)
    op.create_index("ix_reception_schedule_day", "reception_schedule", ["day"], unique=False)
    op.create_table(
        "duty_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_duty_plan_unit_starts", "duty_plan", ["unit_id", "starts_on"], unique=False)
    op.create_table(
        "duty_plan_unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("duties", sa.Text(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["duty_plan.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_id", "unit_id", name="uq_duty_plan_unit"),
    )
    op.create_table(
        "duty_roster",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=False),
        sa.Column("task", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["duty_plan.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_id", "day", "user_id", name="uq_duty_roster_day_user"),
    )
    op.create_index("ix_duty_roster_user_day", "duty_roster", ["user_id", "day"], unique=False)
    _link_notices()


def _link_notices() -> None:
    conn = op.get_bind()
    notices = defaultdict(list)
    for petition_id, doc_id in conn.execute(sa.text(
        "SELECT petition_id, id FROM case_document WHERE kind = 'publication' AND leaves_unit "
        "AND petition_id IS NOT NULL ORDER BY petition_id, id"
    )):
        notices[petition_id].append(doc_id)
    pending = defaultdict(list)
    for petition_id, publication_id, document_id in conn.execute(sa.text(
        "SELECT petition_id, id, document_id FROM publication ORDER BY petition_id, id"
    )):
        pending[petition_id].append((publication_id, document_id))
    for petition_id, publications in pending.items():
        for (publication_id, document_id), notice_id in zip(publications, notices.get(petition_id, [])):
            if document_id is None:
                conn.execute(sa.text("UPDATE publication SET document_id = :d WHERE id = :p"),
                             {"d": notice_id, "p": publication_id})


def downgrade() -> None:
    op.drop_index("ix_duty_roster_user_day", table_name="duty_roster")
    op.drop_table("duty_roster")
    op.drop_table("duty_plan_unit")
    op.drop_index("ix_duty_plan_unit_starts", table_name="duty_plan")
    op.drop_table("duty_plan")
    op.drop_index("ix_reception_schedule_day", table_name="reception_schedule")
    op.drop_index("ix_reception_schedule_unit_day", table_name="reception_schedule")
    op.drop_table("reception_schedule")
