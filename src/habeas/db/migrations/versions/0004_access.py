"""Access and accountability (issue 9): users, and the read log hash-chained.

`reads` gains the action asked, whether it was allowed, whether the reader was assigned,
the reason, and its hash; `id` becomes its position in the read log's own chain
(`habeas.ledger.reads`), whose head is `read_head`. Reads stored before are renumbered
here without gaps, in their order, and chained by `habeas init` (`ledger.reads.adopt`).
`users` holds who may sign in (argon2 hashes).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reads") as batch:
        batch.alter_column("case", existing_type=sa.String(160), nullable=True)
        batch.add_column(sa.Column("action", sa.String(40), nullable=False, server_default="case:read"))
        batch.add_column(sa.Column("allowed", sa.Boolean, nullable=False, server_default="1"))
        batch.add_column(sa.Column("assigned", sa.Boolean, nullable=False, server_default="0"))
        batch.add_column(sa.Column("reason", sa.Text, nullable=True))
        batch.add_column(sa.Column("hash", sa.String(64), nullable=True))
    op.create_table(
        "read_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("login", sa.String(128), primary_key=True),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("agency", sa.String(128)),
        sa.Column("region", sa.String(128)),
        sa.Column("person_case", sa.String(160)),
        sa.Column("person_party", sa.String(128)),
        sa.Column("secret_hash", sa.Text, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("blocked_until", sa.DateTime),
    )
    _chain_the_reads_stored_before()


def _chain_the_reads_stored_before() -> None:
    """Renumber the reads stored before without gaps, in their order; `habeas init` then
    chains them (`habeas.ledger.reads.adopt`: the chain is the ledger's, not the schema's)."""
    conn = op.get_bind()
    reads = sa.table("reads", sa.column("id"))
    ids = [row[0] for row in conn.execute(sa.text("SELECT id FROM reads ORDER BY id"))]
    for position, old in enumerate(ids, start=1):
        if old != position:  # ascending, so the new id is always free
            conn.execute(reads.update().where(reads.c.id == old).values(id=position))


def downgrade() -> None:
    op.drop_table("users")
    op.drop_table("read_head")
    with op.batch_alter_table("reads") as batch:
        for column in ("hash", "reason", "assigned", "allowed", "action"):
            batch.drop_column(column)
