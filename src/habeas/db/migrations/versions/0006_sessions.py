"""Sessions of signed-in users (issue 10): table `sessions`; and a user's title (issue 9).

Signing in with a user's long-lived token (argon2, slow on purpose) gives a session: a
random token of its own, stored only as its SHA-256, that expires. The API's bearer
token and the web UI's cookie are a session's token. `users.title` names an office within
a role that the access policy tells apart (the head of a unit, the chair of a court).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("login", sa.String(128), sa.ForeignKey("users.login"), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("ended", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_sessions_login", "sessions", ["login"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("title", sa.String(40)))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("title")
    op.drop_index("ix_sessions_login", "sessions")
    op.drop_table("sessions")
