"""The public statistics released per closed year: table `stat_releases` (issue 23 item 5).

A year's figures are computed once, when the year is first asked for after it ended, and
kept: a report of a released year reads them, so two reports around a new case (or a late
record) cannot differ for it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stat_releases",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("min_count", sa.Integer, primary_key=True),
        sa.Column("released_at", sa.DateTime, nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("cells", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("stat_releases")
