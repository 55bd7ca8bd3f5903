"""inbox indexes on task_index: the whole inbox order with the unit, task kinds by unit, my tasks

ix_task_due_order (due_date, created_at, id, unit_id) replaces ix_task_due (due_date): it serves
the same overdue-across-every-unit reads and also the first page of a large subtree in the
inbox's order without a sort. ix_task_spec_scope (task_spec, unit_id, role, assignee) answers the
inbox's task filter choices by seeks. ix_task_assignee_unit_due (assignee, unit_id, due_date)
replaces ix_task_assignee_due (assignee, due_date): without statistics SQLite answered "my tasks"
(assignee and unit) from the unit's queue index, reading every task of the unit. Measured with
bench/inbox.py (README, Performance).

Revision ID: 0008
Revises: 0007
"""
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_task_due_order", "task_index", ["due_date", "created_at", "id", "unit_id"], unique=False)
    op.create_index("ix_task_spec_scope", "task_index", ["task_spec", "unit_id", "role", "assignee"], unique=False)
    op.create_index("ix_task_assignee_unit_due", "task_index", ["assignee", "unit_id", "due_date"], unique=False)
    op.drop_index("ix_task_due", table_name="task_index")
    op.drop_index("ix_task_assignee_due", table_name="task_index")


def downgrade() -> None:
    op.create_index("ix_task_assignee_due", "task_index", ["assignee", "due_date"], unique=False)
    op.create_index("ix_task_due", "task_index", ["due_date"], unique=False)
    op.drop_index("ix_task_assignee_unit_due", table_name="task_index")
    op.drop_index("ix_task_spec_scope", table_name="task_index")
    op.drop_index("ix_task_due_order", table_name="task_index")
