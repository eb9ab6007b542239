"""The whole product's schema: every table later features fill with behaviour.

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 08:54:38.762785
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('processed_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('event_id', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_processed_events')),
    sa.UniqueConstraint('source', 'event_id', name=op.f('uq_processed_events_source'))
    )
    with op.batch_alter_table('processed_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_processed_events_created_at'), ['created_at'], unique=False)

    op.create_table('tenants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('external_id', sa.String(length=128), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tenants')),
    sa.UniqueConstraint('platform', 'external_id', name=op.f('uq_tenants_platform'))
    )
    op.create_table('people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.String(length=128), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_people_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people')),
    sa.UniqueConstraint('tenant_id', 'platform', 'user_id', name=op.f('uq_people_tenant_id'))
    )
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_people_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('conversation_states',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('flow', sa.String(length=32), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('step', sa.String(length=32), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_conversation_states_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_conversation_states_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation_states')),
    sa.UniqueConstraint('person_id', 'flow', 'subject', name=op.f('uq_conversation_states_person_id'))
    )
    with op.batch_alter_table('conversation_states', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversation_states_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_conversation_states_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('nudges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_nudges_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_nudges_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nudges')),
    sa.UniqueConstraint('key', name=op.f('uq_nudges_key'))
    )
    with op.batch_alter_table('nudges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nudges_person_id'), ['person_id'], unique=False)
        batch_op.create_index('ix_nudges_status_due_at', ['status', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_nudges_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('profiles',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=True),
    sa.Column('department', sa.String(length=200), nullable=True),
    sa.Column('manager', sa.String(length=200), nullable=True),
    sa.Column('manager_person_id', sa.Integer(), nullable=True),
    sa.Column('skills_offered', sa.JSON(), nullable=False),
    sa.Column('topics_wanted', sa.JSON(), nullable=False),
    sa.Column('topics_free_text', sa.Text(), nullable=True),
    sa.Column('style', sa.String(length=32), nullable=True),
    sa.Column('formats', sa.JSON(), nullable=False),
    sa.Column('location', sa.String(length=16), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=True),
    sa.Column('work_start', sa.Time(), nullable=True),
    sa.Column('work_end', sa.Time(), nullable=True),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['manager_person_id'], ['people.id'], name=op.f('fk_profiles_manager_person_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_profiles_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_profiles_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_profiles'))
    )
    with op.batch_alter_table('profiles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_profiles_manager_person_id'), ['manager_person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_profiles_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('programs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('cadence', sa.String(length=16), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('formats', sa.JSON(), nullable=False),
    sa.Column('topics', sa.JSON(), nullable=False),
    sa.Column('baseline_skills', sa.JSON(), nullable=False),
    sa.Column('reminder_hours', sa.Integer(), nullable=False),
    sa.Column('allow_same_level', sa.Boolean(), nullable=False),
    sa.Column('match_weights', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['people.id'], name=op.f('fk_programs_created_by_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_programs_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programs')),
    sa.UniqueConstraint('tenant_id', 'name', name=op.f('uq_programs_tenant_id'))
    )
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programs_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programs_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('allowed', sa.Boolean(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['people.id'], name=op.f('fk_audit_log_actor_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_audit_log_program_id_programs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_audit_log_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('circles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('cadence', sa.String(length=16), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_circles_program_id_programs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_circles_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circles'))
    )
    with op.batch_alter_table('circles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_circles_program_id'), ['program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_circles_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('enrollments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('paused_until', sa.Date(), nullable=True),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confidentiality_accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('onboarded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_enrollments_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_enrollments_program_id_programs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_enrollments_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrollments')),
    sa.UniqueConstraint('program_id', 'person_id', name=op.f('uq_enrollments_program_id'))
    )
    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrollments_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrollments_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('pairs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('mentee_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('cadence', sa.String(length=16), nullable=True),
    sa.Column('fit_score', sa.Float(), nullable=True),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('paused_until', sa.Date(), nullable=True),
    sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.Text(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['mentee_id'], ['people.id'], name=op.f('fk_pairs_mentee_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mentor_id'], ['people.id'], name=op.f('fk_pairs_mentor_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_pairs_program_id_programs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_pairs_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pairs'))
    )
    with op.batch_alter_table('pairs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pairs_mentee_id'), ['mentee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pairs_mentor_id'), ['mentor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pairs_program_id'), ['program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pairs_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('program_admins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['people.id'], name=op.f('fk_program_admins_added_by_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_program_admins_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_program_admins_program_id_programs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_program_admins_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program_admins')),
    sa.UniqueConstraint('program_id', 'person_id', name=op.f('uq_program_admins_program_id'))
    )
    with op.batch_alter_table('program_admins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_program_admins_added_by_id'), ['added_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_program_admins_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_program_admins_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('research_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('writeup', sa.Text(), nullable=True),
    sa.Column('links', sa.JSON(), nullable=False),
    sa.Column('audience', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_research_assignments_program_id_programs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_research_assignments_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_research_assignments'))
    )
    with op.batch_alter_table('research_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_research_assignments_program_id'), ['program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_research_assignments_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('skill_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('skill', sa.String(length=120), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('rated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_skill_ratings_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_skill_ratings_program_id_programs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_skill_ratings_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skill_ratings')),
    sa.UniqueConstraint('program_id', 'person_id', 'skill', 'stage', name=op.f('uq_skill_ratings_program_id'))
    )
    with op.batch_alter_table('skill_ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_skill_ratings_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_skill_ratings_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('assignment_mentors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['research_assignments.id'], name=op.f('fk_assignment_mentors_assignment_id_research_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_assignment_mentors_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_assignment_mentors_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment_mentors')),
    sa.UniqueConstraint('assignment_id', 'person_id', name=op.f('uq_assignment_mentors_assignment_id'))
    )
    with op.batch_alter_table('assignment_mentors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_mentors_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_mentors_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('circle_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_circle_members_circle_id_circles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_circle_members_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_circle_members_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circle_members')),
    sa.UniqueConstraint('circle_id', 'person_id', name=op.f('uq_circle_members_circle_id'))
    )
    with op.batch_alter_table('circle_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_circle_members_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_circle_members_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('pair_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('period', sa.String(length=32), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['pair_id'], ['pairs.id'], name=op.f('fk_feedback_pair_id_pairs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_feedback_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_feedback_program_id_programs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_feedback_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback')),
    sa.UniqueConstraint('program_id', 'person_id', 'kind', 'period', name=op.f('uq_feedback_program_id'))
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_program_id'), ['program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('pair_id', sa.Integer(), nullable=True),
    sa.Column('circle_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_flags_circle_id_circles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pair_id'], ['pairs.id'], name=op.f('fk_flags_pair_id_pairs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_flags_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_flags_program_id_programs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_flags_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_flags')),
    sa.UniqueConstraint('key', name=op.f('uq_flags_key'))
    )
    with op.batch_alter_table('flags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_flags_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_flags_program_id'), ['program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_flags_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('goals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pair_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('baseline_rating', sa.Integer(), nullable=False),
    sa.Column('baseline_note', sa.Text(), nullable=True),
    sa.Column('target_note', sa.Text(), nullable=True),
    sa.Column('current_rating', sa.Integer(), nullable=True),
    sa.Column('final_rating', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['pair_id'], ['pairs.id'], name=op.f('fk_goals_pair_id_pairs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_goals_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goals'))
    )
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goals_pair_id'), ['pair_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_goals_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('pair_id', sa.Integer(), nullable=True),
    sa.Column('circle_id', sa.Integer(), nullable=True),
    sa.Column('assignment_id', sa.Integer(), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=True),
    sa.Column('recurring', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('canceled_by_id', sa.Integer(), nullable=True),
    sa.Column('outcome_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['research_assignments.id'], name=op.f('fk_sessions_assignment_id_research_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['canceled_by_id'], ['people.id'], name=op.f('fk_sessions_canceled_by_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_sessions_circle_id_circles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['people.id'], name=op.f('fk_sessions_created_by_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['pair_id'], ['pairs.id'], name=op.f('fk_sessions_pair_id_pairs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_sessions_program_id_programs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_sessions_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sessions'))
    )
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sessions_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sessions_canceled_by_id'), ['canceled_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sessions_circle_id'), ['circle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sessions_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sessions_pair_id'), ['pair_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sessions_program_id'), ['program_id'], unique=False)
        batch_op.create_index('ix_sessions_status_starts_at', ['status', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sessions_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('attended', sa.Boolean(), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('will_try', sa.Text(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_attendance_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_attendance_session_id_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_attendance_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance')),
    sa.UniqueConstraint('session_id', 'person_id', name=op.f('uq_attendance_session_id'))
    )
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('checkins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('usefulness', sa.Integer(), nullable=True),
    sa.Column('topics', sa.JSON(), nullable=False),
    sa.Column('private_note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_checkins_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_checkins_session_id_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_checkins_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkins')),
    sa.UniqueConstraint('session_id', 'person_id', name=op.f('uq_checkins_session_id'))
    )
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkins_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkins_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('goal_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('checkin_id', sa.Integer(), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['checkin_id'], ['checkins.id'], name=op.f('fk_goal_updates_checkin_id_checkins'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['goal_id'], ['goals.id'], name=op.f('fk_goal_updates_goal_id_goals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_goal_updates_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goal_updates'))
    )
    with op.batch_alter_table('goal_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goal_updates_goal_id'), ['goal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_goal_updates_tenant_id'), ['tenant_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('goal_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goal_updates_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_goal_updates_goal_id'))

    op.drop_table('goal_updates')
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkins_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_checkins_person_id'))

    op.drop_table('checkins')
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_attendance_person_id'))

    op.drop_table('attendance')
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sessions_tenant_id'))
        batch_op.drop_index('ix_sessions_status_starts_at')
        batch_op.drop_index(batch_op.f('ix_sessions_program_id'))
        batch_op.drop_index(batch_op.f('ix_sessions_pair_id'))
        batch_op.drop_index(batch_op.f('ix_sessions_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_sessions_circle_id'))
        batch_op.drop_index(batch_op.f('ix_sessions_canceled_by_id'))
        batch_op.drop_index(batch_op.f('ix_sessions_assignment_id'))

    op.drop_table('sessions')
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goals_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_goals_pair_id'))

    op.drop_table('goals')
    with op.batch_alter_table('flags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_flags_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_flags_program_id'))
        batch_op.drop_index(batch_op.f('ix_flags_person_id'))

    op.drop_table('flags')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_program_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_person_id'))

    op.drop_table('feedback')
    with op.batch_alter_table('circle_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_circle_members_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_circle_members_person_id'))

    op.drop_table('circle_members')
    with op.batch_alter_table('assignment_mentors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_mentors_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_assignment_mentors_person_id'))

    op.drop_table('assignment_mentors')
    with op.batch_alter_table('skill_ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_skill_ratings_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_skill_ratings_person_id'))

    op.drop_table('skill_ratings')
    with op.batch_alter_table('research_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_research_assignments_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_research_assignments_program_id'))

    op.drop_table('research_assignments')
    with op.batch_alter_table('program_admins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_program_admins_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_program_admins_person_id'))
        batch_op.drop_index(batch_op.f('ix_program_admins_added_by_id'))

    op.drop_table('program_admins')
    with op.batch_alter_table('pairs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pairs_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_pairs_program_id'))
        batch_op.drop_index(batch_op.f('ix_pairs_mentor_id'))
        batch_op.drop_index(batch_op.f('ix_pairs_mentee_id'))

    op.drop_table('pairs')
    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrollments_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_enrollments_person_id'))

    op.drop_table('enrollments')
    with op.batch_alter_table('circles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_circles_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_circles_program_id'))

    op.drop_table('circles')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_created_at'))
        batch_op.drop_index(batch_op.f('ix_audit_log_actor_id'))

    op.drop_table('audit_log')
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programs_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_programs_created_by_id'))

    op.drop_table('programs')
    with op.batch_alter_table('profiles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_profiles_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_profiles_manager_person_id'))

    op.drop_table('profiles')
    with op.batch_alter_table('nudges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nudges_tenant_id'))
        batch_op.drop_index('ix_nudges_status_due_at')
        batch_op.drop_index(batch_op.f('ix_nudges_person_id'))

    op.drop_table('nudges')
    with op.batch_alter_table('conversation_states', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversation_states_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_conversation_states_person_id'))

    op.drop_table('conversation_states')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_people_tenant_id'))

    op.drop_table('people')
    op.drop_table('tenants')
    with op.batch_alter_table('processed_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_processed_events_created_at'))

    op.drop_table('processed_events')
