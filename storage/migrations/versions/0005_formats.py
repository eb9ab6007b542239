"""Formats beyond one-to-one: circles and research assignments run on the cadence.

Circles and assignments get the tick's ``next_check_at`` (indexed with the status, as pairs
have), who created them and when they started; circle members keep why they were proposed;
nudges and flags can be about a circle or an assignment.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 20:14:27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('circle_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reasons', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('joined_at', storage.types.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('circles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('started_at', storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('ended_at', storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('next_check_at', storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_circles_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index('ix_circles_status_next_check_at', ['status', 'next_check_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_circles_created_by_id_people'), 'people', ['created_by_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('flags', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assignment_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_flags_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_flags_circle_id'), ['circle_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_flags_assignment_id_research_assignments'), 'research_assignments', ['assignment_id'], ['id'], ondelete='CASCADE')

    with op.batch_alter_table('nudges', schema=None) as batch_op:
        batch_op.add_column(sa.Column('circle_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('assignment_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_nudges_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_nudges_circle_id'), ['circle_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_nudges_circle_id_circles'), 'circles', ['circle_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_nudges_assignment_id_research_assignments'), 'research_assignments', ['assignment_id'], ['id'], ondelete='CASCADE')

    with op.batch_alter_table('research_assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('written_at', storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('next_check_at', storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_research_assignments_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index('ix_research_assignments_status_next_check_at', ['status', 'next_check_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_research_assignments_created_by_id_people'), 'people', ['created_by_id'], ['id'], ondelete='SET NULL')



def downgrade() -> None:
    with op.batch_alter_table('research_assignments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_research_assignments_created_by_id_people'), type_='foreignkey')
        batch_op.drop_index('ix_research_assignments_status_next_check_at')
        batch_op.drop_index(batch_op.f('ix_research_assignments_created_by_id'))
        batch_op.drop_column('next_check_at')
        batch_op.drop_column('written_at')
        batch_op.drop_column('created_by_id')

    with op.batch_alter_table('nudges', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_nudges_assignment_id_research_assignments'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_nudges_circle_id_circles'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_nudges_circle_id'))
        batch_op.drop_index(batch_op.f('ix_nudges_assignment_id'))
        batch_op.drop_column('assignment_id')
        batch_op.drop_column('circle_id')

    with op.batch_alter_table('flags', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_flags_assignment_id_research_assignments'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_flags_circle_id'))
        batch_op.drop_index(batch_op.f('ix_flags_assignment_id'))
        batch_op.drop_column('assignment_id')

    with op.batch_alter_table('circles', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_circles_created_by_id_people'), type_='foreignkey')
        batch_op.drop_index('ix_circles_status_next_check_at')
        batch_op.drop_index(batch_op.f('ix_circles_created_by_id'))
        batch_op.drop_column('next_check_at')
        batch_op.drop_column('ended_at')
        batch_op.drop_column('started_at')
        batch_op.drop_column('created_by_id')

    with op.batch_alter_table('circle_members', schema=None) as batch_op:
        batch_op.drop_column('joined_at')
        batch_op.drop_column('reasons')

