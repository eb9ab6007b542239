"""Operations: when an outbox row failed for good, and how the cadence jobs' last runs went.

``nudges.failed_at`` (indexed) lets `/mentoring status` list the last day's failures; the
``job_runs`` table keeps, per cadence job and across replicas, its last start, success and
failure and how many runs failed in a row.

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-06 08:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = '0009'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('nudges', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_at', storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_nudges_failed_at'), ['failed_at'], unique=False)
    op.create_table(
        'job_runs',
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('last_started_at', storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('last_succeeded_at', storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('last_failed_at', storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('failures_in_a_row', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_job_runs')),
    )


def downgrade() -> None:
    op.drop_table('job_runs')
    with op.batch_alter_table('nudges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nudges_failed_at'))
        batch_op.drop_column('failed_at')
