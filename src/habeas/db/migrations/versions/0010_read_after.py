"""Read-your-writes with a replica: `sessions.read_after`.

The primary's WAL position after a user's last write (`pg_current_wal_lsn()`), kept in their
session so that whichever API process serves their next read knows what it must show:
that read goes to the replica only once the replica has replayed past it
(`services.replicas`). Empty until the user writes, and always without a replica.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("read_after", sa.String(32)))


def downgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("read_after")
