"""Goals, check-ins, feedback and reports.

Feedback is kept per pair (a mentor answers a pulse for each mentee); programs get the last
day of their cycle; report links are signed with a key kept in ``signing_keys`` when none
is configured.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_constraint('uq_feedback_program_id', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_feedback_pair_id'), ['pair_id', 'person_id', 'kind', 'period'])

    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cycle_ends_on', sa.Date(), nullable=True))

    op.create_table(
        'signing_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=32), nullable=False),
        sa.Column('secret', sa.String(length=128), nullable=False),
        sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_keys')),
        sa.UniqueConstraint('purpose', name=op.f('uq_signing_keys_purpose')),
    )


def downgrade() -> None:
    op.drop_table('signing_keys')
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.drop_column('cycle_ends_on')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_constraint('uq_feedback_pair_id', type_='unique')
        batch_op.create_unique_constraint('uq_feedback_program_id', ['program_id', 'person_id', 'kind', 'period'])
