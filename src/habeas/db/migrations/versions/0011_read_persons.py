"""Whose data a read showed: `reads.persons` (issue 23, item 3).

A read record named its case, but not the persons whose data it showed: a party asking "who
looked at me" was shown every read of the case, another party's included, and could not be
told which lists and alerts named them. `persons` holds the party ids a read showed, as a
canonical JSON list; it is part of the chained record (`ledger.reads.record_of`), which
leaves it out when empty of meaning (NULL), so every record stored before keeps its hash:
NULL says "the case as a whole" (a refused attempt, a read from before this revision).

Downgrading drops the column and with it what records named: those records' hashes no
longer match, and `habeas verify` says so (the read log is append-only; this is a loss).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reads") as batch:
        batch.add_column(sa.Column("persons", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("reads") as batch:
        batch.drop_column("persons")
