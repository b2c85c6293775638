"""The log, its head, the case and deadline projections, and the read log.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("event_id", sa.String(128), nullable=False, unique=True),
        sa.Column("stream", sa.String(160), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("occurred_at", sa.String(40), nullable=False),
        sa.Column("utc_offset", sa.String(6), nullable=False),
        sa.Column("recorded_at", sa.String(40), nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("registrar", sa.Text, nullable=True),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("stream", "version", name="uq_events_stream_version"),
    )
    op.create_table(
        "chain_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "projection_positions",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("position", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "cases",
        sa.Column("case", sa.String(160), primary_key=True),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("region", sa.String(128)),
        sa.Column("article", sa.String(16)),
        sa.Column("part", sa.Integer),
        sa.Column("erdr_number", sa.String(40)),
        sa.Column("reported_at", sa.DateTime),
        sa.Column("registered_at", sa.DateTime),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("last_position", sa.BigInteger, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
    )
    op.create_index("ix_cases_region", "cases", ["region"])
    op.create_table(
        "deadlines",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("case", sa.String(160), nullable=False),
        sa.Column("code", sa.String(60), nullable=False),
        sa.Column("person", sa.String(128)),
        sa.Column("started_at", sa.DateTime),
        sa.Column("due_at", sa.DateTime),
        sa.Column("met_at", sa.DateTime),
        sa.Column("finding", sa.Text, nullable=False),
    )
    op.create_index("ix_deadlines_case", "deadlines", ["case"])
    op.create_index("ix_deadlines_due", "deadlines", ["met_at", "due_at"])
    op.create_table(
        "reads",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("read_at", sa.DateTime, nullable=False),
        sa.Column("actor_id", sa.String(128), nullable=False),
        sa.Column("actor_role", sa.String(40), nullable=False),
        sa.Column("actor_agency", sa.String(128)),
        sa.Column("case", sa.String(160), nullable=False),
        sa.Column("person", sa.String(128)),
        sa.Column("what", sa.String(60), nullable=False),
        sa.Column("purpose", sa.Text),
    )
    op.create_index("ix_reads_case", "reads", ["case", "person"])


def downgrade() -> None:
    for table in ("reads", "deadlines", "cases", "projection_positions", "chain_head", "events"):
        op.drop_table(table)
