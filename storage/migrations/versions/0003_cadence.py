"""The cadence engine: what the tick needs on pairs, sessions and the outbox.

Pairs get ``next_check_at`` (the tick reads only pairs due) and ``resumed_at``; sessions
the zone they were scheduled in, their calendar identity and invite link; outbox rows
the pair and session they are about and when they were answered.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 14:07:14.369257
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('nudges', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pair_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('session_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('answered_at', storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_nudges_pair_id'), ['pair_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_nudges_session_id'), ['session_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_nudges_session_id_sessions'), 'sessions', ['session_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_nudges_pair_id_pairs'), 'pairs', ['pair_id'], ['id'], ondelete='CASCADE')

    with op.batch_alter_table('flags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_flags_pair_id'), ['pair_id'], unique=False)

    with op.batch_alter_table('pairs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resumed_at', storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('next_check_at', storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_pairs_status_next_check_at', ['status', 'next_check_at'], unique=False)

    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), nullable=False, server_default='UTC'))
        batch_op.add_column(sa.Column('calendar_uid', sa.String(length=80), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('calendar_sequence', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('invite_token', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('rescheduled_from_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_sessions_outcome_by_id'), ['outcome_by_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_sessions_invite_token'), ['invite_token'])
        batch_op.create_foreign_key(batch_op.f('fk_sessions_outcome_by_id_people'), 'people', ['outcome_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_sessions_rescheduled_from_id_sessions'), 'sessions', ['rescheduled_from_id'], ['id'], ondelete='SET NULL')



def downgrade() -> None:
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_sessions_rescheduled_from_id_sessions'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_sessions_outcome_by_id_people'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_sessions_invite_token'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_sessions_outcome_by_id'))
        batch_op.drop_column('rescheduled_from_id')
        batch_op.drop_column('invite_token')
        batch_op.drop_column('calendar_sequence')
        batch_op.drop_column('calendar_uid')
        batch_op.drop_column('timezone')
        batch_op.drop_column('outcome_by_id')

    with op.batch_alter_table('flags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_flags_pair_id'))

    with op.batch_alter_table('pairs', schema=None) as batch_op:
        batch_op.drop_index('ix_pairs_status_next_check_at')
        batch_op.drop_column('next_check_at')
        batch_op.drop_column('resumed_at')

    with op.batch_alter_table('nudges', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_nudges_pair_id_pairs'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_nudges_session_id_sessions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_nudges_session_id'))
        batch_op.drop_index(batch_op.f('ix_nudges_pair_id'))
        batch_op.drop_column('answered_at')
        batch_op.drop_column('session_id')
        batch_op.drop_column('pair_id')

