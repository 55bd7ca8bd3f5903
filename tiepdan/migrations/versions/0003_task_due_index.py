"""index task_index on due_date for the overdue view across all units

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_task_due", "task_index", ["due_date"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_task_due", table_name="task_index")
