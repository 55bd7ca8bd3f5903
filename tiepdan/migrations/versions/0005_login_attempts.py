"""login attempts: the failed sign-ins the web UI counts to rate-limit logins across processes.

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_login_attempt_username_at", "login_attempt", ["username", "at"], unique=False)
    op.create_index("ix_login_attempt_ip_at", "login_attempt", ["ip", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_login_attempt_ip_at", table_name="login_attempt")
    op.drop_index("ix_login_attempt_username_at", table_name="login_attempt")
    op.drop_table("login_attempt")
