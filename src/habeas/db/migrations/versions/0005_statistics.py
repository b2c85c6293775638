"""Person-level episodes for the public statistics (issue 12): table `stat_episodes`.

A projection: filled from the log by the next command that catches projections up
(its position starts at 0), or by `habeas rebuild`.

Revision ID: 0005
Revises: 0003 (to be re-pointed at 0004 when 0004_access lands)
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stat_episodes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("case", sa.String(160), nullable=False),
        sa.Column("episode", sa.String(20), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("region", sa.String(128)),
        sa.Column("person", sa.String(128)),
        sa.Column("started_at", sa.DateTime),
        sa.Column("ended_at", sa.DateTime),
        sa.Column("end_year", sa.Integer),
        sa.Column("held_until", sa.DateTime),
        sa.Column("sentenced_at", sa.DateTime),
        sa.Column("due_at", sa.DateTime),
        sa.Column("late", sa.Boolean),
        sa.Column("outcome", sa.String(60)),
        sa.Column("detail", sa.String(60)),
        sa.Column("link", sa.String(40)),
        sa.Column("flag", sa.Boolean),
        sa.Column("flag2", sa.Boolean),
        sa.Column("flag3", sa.Boolean),
        sa.Column("iccs", sa.String(60)),
        sa.Column("article", sa.String(16)),
    )
    op.create_index("ix_stat_episodes_case", "stat_episodes", ["case"])
    op.create_index("ix_stat_episodes_kind_year", "stat_episodes", ["episode", "year"])
    op.create_index("ix_stat_episodes_link", "stat_episodes", ["link"])


def downgrade() -> None:
    op.drop_index("ix_stat_episodes_link", table_name="stat_episodes")
    op.drop_index("ix_stat_episodes_kind_year", table_name="stat_episodes")
    op.drop_index("ix_stat_episodes_case", table_name="stat_episodes")
    op.drop_table("stat_episodes")
    op.execute("DELETE FROM projection_positions WHERE name = 'episodes'")
