"""Calendars: the organization's connection to Microsoft 365 or Google Workspace, what the bot
knows of each person's real calendar (cursor, push subscription, last problem), and each
session's event on the organiser's calendar.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-10 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'calendar_connections',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider', sa.String(length=16), nullable=False),
        sa.Column('directory', sa.String(length=200), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('problem', sa.Text(), nullable=True),
        sa.Column('connected_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', storage.types.UTCDateTime(), nullable=False),
        sa.Column('checked_at', storage.types.UTCDateTime(), nullable=True),
        sa.Column('last_sync_at', storage.types.UTCDateTime(), nullable=True),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['connected_by_id'], ['people.id'],
                                name=op.f('fk_calendar_connections_connected_by_id_people'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'],
                                name=op.f('fk_calendar_connections_tenant_id_tenants'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_connections')),
        sa.UniqueConstraint('tenant_id', name=op.f('uq_calendar_connections_tenant_id')),
    )
    with op.batch_alter_table('calendar_connections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_connections_connected_by_id'), ['connected_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calendar_connections_tenant_id'), ['tenant_id'], unique=False)

    op.create_table(
        'person_calendars',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('provider', sa.String(length=16), nullable=False),
        sa.Column('mailbox', sa.String(length=320), nullable=False),
        sa.Column('cursor', sa.Text(), nullable=True),
        sa.Column('next_sync_at', storage.types.UTCDateTime(), nullable=True),
        sa.Column('synced_at', storage.types.UTCDateTime(), nullable=True),
        sa.Column('subscription_id', sa.String(length=300), nullable=True),
        sa.Column('subscription_resource', sa.String(length=300), nullable=True),
        sa.Column('subscription_expires_at', storage.types.UTCDateTime(), nullable=True),
        sa.Column('client_state', sa.String(length=128), nullable=True),
        sa.Column('problem', sa.Text(), nullable=True),
        sa.Column('problem_at', storage.types.UTCDateTime(), nullable=True),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'],
                                name=op.f('fk_person_calendars_person_id_people'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'],
                                name=op.f('fk_person_calendars_tenant_id_tenants'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_person_calendars')),
        sa.UniqueConstraint('person_id', name=op.f('uq_person_calendars_person_id')),
    )
    with op.batch_alter_table('person_calendars', schema=None) as batch_op:
        batch_op.create_index('ix_person_calendars_next_sync_at', ['next_sync_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_calendars_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_calendars_subscription_id'), ['subscription_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_calendars_tenant_id'), ['tenant_id'], unique=False)

    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_event_id', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('calendar_event_key', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('calendar_push', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('calendar_owner_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_sessions_calendar_event_id'), ['calendar_event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sessions_calendar_push'), ['calendar_push'], unique=False)
        batch_op.create_index(batch_op.f('ix_sessions_calendar_owner_id'), ['calendar_owner_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_sessions_calendar_owner_id_people'), 'people',
                                    ['calendar_owner_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_sessions_calendar_owner_id_people'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_sessions_calendar_owner_id'))
        batch_op.drop_index(batch_op.f('ix_sessions_calendar_push'))
        batch_op.drop_index(batch_op.f('ix_sessions_calendar_event_id'))
        batch_op.drop_column('calendar_owner_id')
        batch_op.drop_column('calendar_push')
        batch_op.drop_column('calendar_event_key')
        batch_op.drop_column('calendar_event_id')
    op.drop_table('person_calendars')
    op.drop_table('calendar_connections')
