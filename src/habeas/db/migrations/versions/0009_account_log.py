"""The account log (issue 23): tables `accounts` and `account_head`.

Who may sign in, with which role, agency, region, title and token, and which sessions were
opened, were rows anyone with the database could change unseen (a prison officer turned
admin). Every such change is now a record of a hash chain of its own, signed by checkpoints
with the two other logs; `users` and `sessions` are checked against a replay of it by
`habeas verify`. Users and sessions stored before this revision are adopted into the chain
by `habeas init` (`ledger.accounts.adopt`).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("by_id", sa.String(128), nullable=False),
        sa.Column("by_role", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("login", sa.String(128), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "account_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("account_head")
    op.drop_table("accounts")
