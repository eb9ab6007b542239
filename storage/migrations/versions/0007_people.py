"""People: names found the same way on every database, emails, HR imports, console identity.

People and programs get ``name_key`` (the name casefolded, Unicode-normalised and without
accents, computed in Python: see ``storage.names``), indexed with the tenant; people get an
email address and the dates an HR import saw them and saw them leave. Existing rows get
their keys here. Console people, whose user id was a lossy slug of their name (``李华`` was
``me``), get their exact name as user id when no other console person has it.

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-06 06:00:00
"""

from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

import storage.types
from storage.names import name_key

revision = '0007'
down_revision = '0005'
branch_labels = None
depends_on = None


def _old_console_id(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.strip().lower()).strip("-")[:100] or "me"


def _console_id(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).split())[:128]


def upgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('email', sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column('imported_at', storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('leaving_at', storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('looked_up_at', storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_people_tenant_id_name_key', ['tenant_id', 'name_key'], unique=False)
        batch_op.create_index('ix_people_tenant_id_email', ['tenant_id', 'email'], unique=False)
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=120), nullable=False, server_default=''))
        batch_op.create_index('ix_programs_tenant_id_name_key', ['tenant_id', 'name_key'], unique=False)
    _fill_keys()


def _fill_keys() -> None:
    bind = op.get_bind()
    people = sa.table('people', sa.column('id', sa.Integer), sa.column('tenant_id', sa.Integer),
                      sa.column('platform', sa.String), sa.column('user_id', sa.String),
                      sa.column('display_name', sa.String), sa.column('name_key', sa.String),
                      sa.column('address', sa.JSON))
    programs = sa.table('programs', sa.column('id', sa.Integer), sa.column('name', sa.String),
                        sa.column('name_key', sa.String))
    rows = bind.execute(sa.select(people.c.id, people.c.tenant_id, people.c.platform, people.c.user_id,
                                  people.c.display_name, people.c.address)).all()
    taken = {(row.tenant_id, row.user_id) for row in rows if row.platform == 'console'}
    for row in rows:
        values: dict[str, object] = {'name_key': name_key(row.display_name or '')}
        exact = _console_id(row.display_name or '')
        if (row.platform == 'console' and exact and row.user_id != exact
                and row.user_id == _old_console_id(row.display_name or '') and (row.tenant_id, exact) not in taken):
            taken.add((row.tenant_id, exact))
            values['user_id'] = exact
            if isinstance(row.address, dict):
                values['address'] = {**row.address, 'user_id': exact}
        bind.execute(people.update().where(people.c.id == row.id).values(**values))
    for program_id, name in bind.execute(sa.select(programs.c.id, programs.c.name)).all():
        bind.execute(programs.update().where(programs.c.id == program_id).values(name_key=name_key(name or '')))


def downgrade() -> None:
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.drop_index('ix_programs_tenant_id_name_key')
        batch_op.drop_column('name_key')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index('ix_people_tenant_id_email')
        batch_op.drop_index('ix_people_tenant_id_name_key')
        batch_op.drop_column('looked_up_at')
        batch_op.drop_column('leaving_at')
        batch_op.drop_column('imported_at')
        batch_op.drop_column('email')
        batch_op.drop_column('name_key')
