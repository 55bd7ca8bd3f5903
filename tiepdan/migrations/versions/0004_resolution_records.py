"""resolution records: clock events (suspension, continuation, extension), withdrawals,
publications, execution items; a petition's instance level and the case it appeals.

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _add_petition_columns() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with its REFERENCES clause in place. Batch mode would rebuild the
        # petition table, and with foreign_keys=ON dropping the old table fails as soon as a
        # party or document refers to a petition.
        op.execute("ALTER TABLE petition ADD COLUMN instance_level INTEGER NOT NULL DEFAULT '1'")
        op.execute("ALTER TABLE petition ADD COLUMN appeal_of_id INTEGER REFERENCES petition (id)")
    else:
        op.add_column("petition", sa.Column("instance_level", sa.Integer(), server_default="1", nullable=False))
        op.add_column("petition", sa.Column("appeal_of_id", sa.Integer(), nullable=True))
        op.create_foreign_key("petition_appeal_of_id_fkey", "petition", "petition", ["appeal_of_id"], ["id"])
    op.create_index(op.f("ix_petition_appeal_of_id"), "petition", ["appeal_of_id"], unique=False)


def upgrade() -> None:
    _add_petition_columns()
    op.create_table(
        "case_clock_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("complexity", sa.String(length=30), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decision_no", sa.String(length=60), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["petition_id"], ["petition.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_case_clock_event_petition_id"), "case_clock_event", ["petition_id"], unique=False)
    op.create_table(
        "withdrawal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("coerced", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["petition_id"], ["petition.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_withdrawal_petition_id"), "withdrawal", ["petition_id"], unique=False)
    op.create_table(
        "publication",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("form", sa.String(length=20), nullable=False),
        sa.Column("notice_on", sa.Date(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("keep_in_archive", sa.Boolean(), nullable=False),
        sa.Column("proof", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["case_document.id"]),
        sa.ForeignKeyConstraint(["petition_id"], ["petition.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_publication_petition_id"), "publication", ["petition_id"], unique=False)
    op.create_index("ix_publication_status_ends", "publication", ["status", "ends_on"], unique=False)
    op.create_index("ix_publication_unit_starts", "publication", ["unit_id", "starts_on"], unique=False)
    op.create_table(
        "execution_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("obligor", sa.String(length=300), nullable=False),
        sa.Column("obligor_unit_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["obligor_unit_id"], ["unit.id"]),
        sa.ForeignKeyConstraint(["petition_id"], ["petition.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_execution_item_petition_id"), "execution_item", ["petition_id"], unique=False)
    op.create_index("ix_execution_item_done_due", "execution_item", ["done_on", "due_on"], unique=False)


def downgrade() -> None:
    # Dropping a table drops its indexes.
    for table in ("execution_item", "publication", "withdrawal", "case_clock_event"):
        op.drop_table(table)
    op.drop_index(op.f("ix_petition_appeal_of_id"), table_name="petition")
    # SQLite cannot drop a column that a foreign key uses: batch mode rebuilds the table there
    # (on an empty or consistent database; foreign_keys=ON refuses to drop a referenced table
    # otherwise). PostgreSQL drops the columns in place.
    with op.batch_alter_table("petition") as batch:
        if op.get_bind().dialect.name != "sqlite":
            batch.drop_constraint("petition_appeal_of_id_fkey", type_="foreignkey")
        batch.drop_column("appeal_of_id")
        batch.drop_column("instance_level")
