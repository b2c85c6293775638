"""Deadlines carry when they stop being an alert and how urgent they are, indexed.

`settled_at`: when the finding was met on time (NULL while it can still be an alert).
`urgent_at`: its due time, or the moment of a violation; for a duty with no due time,
the end of time (a value, not NULL, so both databases walk the index in one order).
An alert at T is a row started by T and not settled by T; ordered by `urgent_at`, the
breached come first (their urgency is before T), then the open ones.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from datetime import datetime

import sqlalchemy as sa
from alembic import op

END_OF_TIME = datetime(9999, 12, 31)  # the same value as habeas.projections.cases.END_OF_TIME
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deadlines") as batch:
        batch.add_column(sa.Column("settled_at", sa.DateTime, nullable=True))
        batch.add_column(sa.Column("urgent_at", sa.DateTime, nullable=True))
    op.execute(
        "UPDATE deadlines SET settled_at = met_at WHERE kind = 'deadline' AND met_at IS NOT NULL"
        " AND (due_at IS NULL OR met_at <= due_at)"
    )
    op.get_bind().execute(
        sa.text(
            "UPDATE deadlines SET urgent_at = CASE WHEN kind = 'violation' THEN started_at"
            " WHEN due_at IS NULL THEN :end ELSE due_at END"
        ).bindparams(sa.bindparam("end", type_=sa.DateTime)),
        {"end": END_OF_TIME},
    )
    op.drop_index("ix_deadlines_due", table_name="deadlines")
    op.create_index("ix_deadlines_urgent", "deadlines", ["urgent_at", "settled_at", "started_at"])
    op.create_index("ix_deadlines_settled", "deadlines", ["settled_at", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_deadlines_settled", table_name="deadlines")
    op.drop_index("ix_deadlines_urgent", table_name="deadlines")
    op.create_index("ix_deadlines_due", "deadlines", ["met_at", "due_at"])
    with op.batch_alter_table("deadlines") as batch:
        batch.drop_column("urgent_at")
        batch.drop_column("settled_at")
