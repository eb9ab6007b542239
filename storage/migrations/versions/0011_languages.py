"""Languages: a person's language (chosen in their profile) and the one their platform reports;
a program's default language.

Revision ID: 0011_languages
Revises: 0010
Create Date: 2026-12-06 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011_languages'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('platform_locale', sa.String(length=35), nullable=True))
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=False, server_default='en'))


def downgrade() -> None:
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('language')
        batch_op.drop_column('platform_locale')
