"""Withdraw the statistics released before the suppression was mended (issue 23).

Until 7 December 2026 the suppression was told only the last indicator's relations, and knew
no count within another: a released year's margins could give back the small counts it
withheld. A released year is kept and read from `stat_releases` for good, so the mended code
alone would go on publishing those cells. Releases are derived figures, not facts of the log:
this revision drops them, and each closed year is released again, with the mended suppression,
the first time it is asked for. A year released again counts the log as it stands then (a late
record since the first release now counts): that once, the figures of a released year may move.

Downgrading has nothing to give back: the withdrawn figures were unsafe to publish.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(sa.text("DELETE FROM stat_releases"))


def downgrade() -> None:
    pass
