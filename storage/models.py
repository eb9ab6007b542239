"""The whole product's schema.

Every row that belongs to an organization carries ``tenant_id``; queries go through
:class:`storage.repository.Repository`, which always filters on it. Timestamps are aware
UTC (:class:`storage.types.UTCDateTime`).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, validates

from storage.names import name_key
from storage.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Json = JSON()


class Base(DeclarativeBase):
    """Declarative base with stable constraint names for Alembic."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[str]: JSON}


class TenantOwned:
    """Mixin for rows that belong to one organization."""

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)


def _key_of(column: str) -> Any:
    """A default computing a name's key from ``column`` of the same INSERT (an ORM add or a
    Core insert alike)."""
    def default(context: DefaultExecutionContext) -> str:
        return name_key(str(context.get_current_parameters().get(column) or ""))
    return default


def person_fk(nullable: bool = False, ondelete: str = "CASCADE") -> Mapped[Any]:
    """A foreign key to ``people.id``."""
    return mapped_column(ForeignKey("people.id", ondelete=ondelete), nullable=nullable, index=True)


class Tenant(Base):
    """An organization: a Slack workspace, a Teams tenant, or the local console."""

    __tablename__ = "tenants"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]


class Person(TenantOwned, Base):
    """Someone the bot talks to, with the address used to reach them later.

    A person imported from HR data who has not been reached on the platform yet has the
    user id ``email:ADDRESS`` (see :data:`UNLINKED_PREFIX`) until the platform's directory
    or their first message tells who they are there.
    """

    __tablename__ = "people"
    __table_args__ = (
        UniqueConstraint("tenant_id", "platform", "user_id"),
        Index("ix_people_tenant_id_name_key", "tenant_id", "name_key"),
        Index("ix_people_tenant_id_email", "tenant_id", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str] = mapped_column(String(200))
    # display_name as lookups compare it (storage.names.name_key), on every database.
    name_key: Mapped[str] = mapped_column(String(200), default=_key_of("display_name"))
    email: Mapped[str | None] = mapped_column(String(320))
    # Set by an HR import: when the person was last in the file, and since when they are no
    # longer in it (they are leaving; nothing of theirs is deleted).
    imported_at: Mapped[datetime | None]
    leaving_at: Mapped[datetime | None]
    # When the platform's directory was last asked who this imported person is.
    looked_up_at: Mapped[datetime | None]

    @validates("display_name")
    def _keep_key(self, _column: str, value: str) -> str:
        self.name_key = name_key(value or "")
        return value
    address: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    # What the platform says about the person (Slack's users.info): a default for the
    # profile, which the person confirms during onboarding.
    platform_timezone: Mapped[str | None] = mapped_column(String(64))
    # The language the platform reports (Slack's locale, Teams' activity.locale), as received;
    # and the one the person chose in their profile, which wins (see bot.i18n.locales).
    platform_locale: Mapped[str | None] = mapped_column(String(35))
    language: Mapped[str | None] = mapped_column(String(16))
    name_confirmed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime | None]
    erased_at: Mapped[datetime | None]


class Profile(TenantOwned, Base):
    """What a person told the bot about themselves during onboarding."""

    __tablename__ = "profiles"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    level: Mapped[int | None]
    department: Mapped[str | None] = mapped_column(String(200))
    manager: Mapped[str | None] = mapped_column(String(200))
    manager_person_id: Mapped[int | None] = person_fk(nullable=True, ondelete="SET NULL")
    skills_offered: Mapped[list[str]] = mapped_column(Json, default=list)
    topics_wanted: Mapped[list[str]] = mapped_column(Json, default=list)
    topics_free_text: Mapped[str | None] = mapped_column(Text)
    style: Mapped[str | None] = mapped_column(String(32))
    formats: Mapped[list[str]] = mapped_column(Json, default=list)
    location: Mapped[str | None] = mapped_column(String(16))
    timezone: Mapped[str | None] = mapped_column(String(64))
    work_start: Mapped[time | None] = mapped_column(Time)
    work_end: Mapped[time | None] = mapped_column(Time)
    languages: Mapped[list[str]] = mapped_column(Json, default=list)
    updated_at: Mapped[datetime]


class Program(TenantOwned, Base):
    """A mentoring program with its cadence, capacity, formats and topic list."""

    __tablename__ = "programs"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),
                      Index("ix_programs_tenant_id_name_key", "tenant_id", "name_key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    name_key: Mapped[str] = mapped_column(String(120), default=_key_of("name"))
    cadence: Mapped[str] = mapped_column(String(16))
    capacity: Mapped[int]
    formats: Mapped[list[str]] = mapped_column(Json, default=list)
    topics: Mapped[list[str]] = mapped_column(Json, default=list)
    baseline_skills: Mapped[list[str]] = mapped_column(Json, default=list)
    reminder_hours: Mapped[int] = mapped_column(default=24)
    allow_same_level: Mapped[bool] = mapped_column(Boolean, default=False)
    match_weights: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="active")
    # The program's language: what its channels and groups read, and anyone's without one.
    language: Mapped[str] = mapped_column(String(16), default="en")
    # The last day of the program's cycle: the end-of-cycle evaluation goes out before it.
    cycle_ends_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = person_fk(nullable=True, ondelete="SET NULL")

    @validates("name")
    def _keep_key(self, _column: str, value: str) -> str:
        self.name_key = name_key(value or "")
        return value


class ProgramAdmin(TenantOwned, Base):
    """A person allowed to run a program."""

    __tablename__ = "program_admins"
    __table_args__ = (UniqueConstraint("program_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    person_id: Mapped[int] = person_fk()
    added_at: Mapped[datetime]
    added_by_id: Mapped[int | None] = person_fk(nullable=True, ondelete="SET NULL")


class Enrollment(TenantOwned, Base):
    """A person's place in a program: role and status."""

    __tablename__ = "enrollments"
    __table_args__ = (UniqueConstraint("program_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    person_id: Mapped[int] = person_fk()
    role: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    paused_until: Mapped[date | None] = mapped_column(Date)
    joined_at: Mapped[datetime]
    confidentiality_accepted_at: Mapped[datetime | None]
    onboarded_at: Mapped[datetime | None]
    left_at: Mapped[datetime | None]


class Pair(TenantOwned, Base):
    """A mentor and a mentee, proposed by matching and active once published.

    ``next_check_at`` is when the cadence tick must look at the pair again (None: at the
    next tick); the tick reads only pairs due, so its cost follows what is due, not the
    number of pairs.
    """

    __tablename__ = "pairs"
    __table_args__ = (Index("ix_pairs_status_next_check_at", "status", "next_check_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    mentor_id: Mapped[int] = person_fk()
    mentee_id: Mapped[int] = person_fk()
    status: Mapped[str] = mapped_column(String(16))
    cadence: Mapped[str | None] = mapped_column(String(16))
    fit_score: Mapped[float | None] = mapped_column(Float)
    reasons: Mapped[list[str]] = mapped_column(Json, default=list)
    paused_until: Mapped[date | None] = mapped_column(Date)
    proposed_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    # When the pair last came back from a pause (its own, or either participant's): the
    # "no session for twice the cadence" clock starts again there.
    resumed_at: Mapped[datetime | None]
    next_check_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(Text)


class Circle(TenantOwned, Base):
    """A small group discussion hosted by one or two young mentors."""

    __tablename__ = "circles"
    __table_args__ = (Index("ix_circles_status_next_check_at", "status", "next_check_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    size: Mapped[int]
    cadence: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = person_fk(nullable=True, ondelete="SET NULL")
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    # When the cadence tick must look at the circle again (None: at the next tick).
    next_check_at: Mapped[datetime | None]


class CircleMember(TenantOwned, Base):
    """A host or member of a circle."""

    __tablename__ = "circle_members"
    __table_args__ = (UniqueConstraint("circle_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    person_id: Mapped[int] = person_fk()
    role: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    # Why the bot proposed them (shared topics, working hours in common).
    reasons: Mapped[list[str]] = mapped_column(Json, default=list)
    joined_at: Mapped[datetime | None]


class ResearchAssignment(TenantOwned, Base):
    """An emerging tool or trend a mentor studies and presents at a lunch-and-learn."""

    __tablename__ = "research_assignments"
    __table_args__ = (Index("ix_research_assignments_status_next_check_at", "status", "next_check_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    topic: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date | None] = mapped_column(Date)
    writeup: Mapped[str | None] = mapped_column(Text)
    links: Mapped[list[str]] = mapped_column(Json, default=list)
    # Who the lunch-and-learn is for: {"people": [person ids]} and/or {"channel": an address}.
    audience: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = person_fk(nullable=True, ondelete="SET NULL")
    written_at: Mapped[datetime | None]
    # When the cadence tick must look at the assignment again (None: at the next tick).
    next_check_at: Mapped[datetime | None]


class AssignmentMentor(TenantOwned, Base):
    """A mentor who carries out a research assignment."""

    __tablename__ = "assignment_mentors"
    __table_args__ = (UniqueConstraint("assignment_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("research_assignments.id", ondelete="CASCADE"))
    person_id: Mapped[int] = person_fk()


class MentoringSession(TenantOwned, Base):
    """A meeting of a pair, a circle or a lunch-and-learn, and what became of it."""

    __tablename__ = "sessions"
    __table_args__ = (Index("ix_sessions_status_starts_at", "status", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    pair_id: Mapped[int | None] = mapped_column(
        ForeignKey("pairs.id", ondelete="CASCADE"), index=True
    )
    circle_id: Mapped[int | None] = mapped_column(
        ForeignKey("circles.id", ondelete="CASCADE"), index=True
    )
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("research_assignments.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime]
    duration_minutes: Mapped[int] = mapped_column(default=45)
    mode: Mapped[str] = mapped_column(String(16))
    place: Mapped[str | None] = mapped_column(String(200))
    recurring: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16))
    canceled_by_id: Mapped[int | None] = person_fk(nullable=True, ondelete="SET NULL")
    outcome_at: Mapped[datetime | None]
    outcome_by_id: Mapped[int | None] = person_fk(nullable=True, ondelete="SET NULL")
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = person_fk(nullable=True, ondelete="SET NULL")
    # The IANA zone the session was scheduled in: its calendar file and its recurrence
    # (15:00 stays 15:00 across a daylight-saving change) follow that zone.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # One calendar event across reschedules: same UID, a higher SEQUENCE each time.
    calendar_uid: Mapped[str] = mapped_column(String(80), default="")
    calendar_sequence: Mapped[int] = mapped_column(default=0)
    # The unguessable part of the session's calendar-file link.
    invite_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    rescheduled_from_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="SET NULL"))
    # The event on the organiser's (the executive's) real calendar, when the tenant connected one:
    # the provider's id once created, the id the bot chose so that a retried create makes one
    # event (Graph transactionId, Google event id), and what is still to be done to it
    # (create, update, cancel; None when the calendar is up to date).
    calendar_event_id: Mapped[str | None] = mapped_column(String(300), index=True)
    calendar_event_key: Mapped[str | None] = mapped_column(String(80))
    calendar_push: Mapped[str | None] = mapped_column(String(16), index=True)
    calendar_owner_id: Mapped[int | None] = person_fk(nullable=True, ondelete="SET NULL")


class CalendarConnection(TenantOwned, Base):
    """The organization's calendar service (Microsoft 365 or Google Workspace) the bot reads and
    writes, once an administrator granted it access: ``directory`` is the Entra tenant id or the
    Workspace domain."""

    __tablename__ = "calendar_connections"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(16))
    directory: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    problem: Mapped[str | None] = mapped_column(Text)
    connected_by_id: Mapped[int | None] = person_fk(nullable=True, ondelete="SET NULL")
    created_at: Mapped[datetime]
    checked_at: Mapped[datetime | None]
    last_sync_at: Mapped[datetime | None]


class PersonCalendar(TenantOwned, Base):
    """What the bot knows of one person's real calendar: the mailbox it reads, where the last
    read of changes stopped (a Graph delta link or a Google sync token), the push subscription
    (id, expiry, the secret it must present), and why it could not be read, if it could not."""

    __tablename__ = "person_calendars"
    __table_args__ = (UniqueConstraint("person_id"),
                      Index("ix_person_calendars_next_sync_at", "next_sync_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = person_fk()
    provider: Mapped[str] = mapped_column(String(16))
    mailbox: Mapped[str] = mapped_column(String(320))
    cursor: Mapped[str | None] = mapped_column(Text)
    next_sync_at: Mapped[datetime | None]
    synced_at: Mapped[datetime | None]
    subscription_id: Mapped[str | None] = mapped_column(String(300), index=True)
    subscription_resource: Mapped[str | None] = mapped_column(String(300))
    subscription_expires_at: Mapped[datetime | None]
    client_state: Mapped[str | None] = mapped_column(String(128))
    problem: Mapped[str | None] = mapped_column(Text)
    problem_at: Mapped[datetime | None]
    failures: Mapped[int] = mapped_column(default=0)


class Attendance(TenantOwned, Base):
    """Whether one person attended a group session, and how they rated it."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("session_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    person_id: Mapped[int] = person_fk()
    attended: Mapped[bool | None] = mapped_column(Boolean)
    rating: Mapped[int | None]
    will_try: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime]


class Goal(TenantOwned, Base):
    """A pair's goal with its starting point and where the mentee wants to be."""

    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    baseline_rating: Mapped[int]
    baseline_note: Mapped[str | None] = mapped_column(Text)
    target_note: Mapped[str | None] = mapped_column(Text)
    current_rating: Mapped[int | None]
    final_rating: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SkillRating(TenantOwned, Base):
    """A mentee's self-rating of one of the program's common baseline skills."""

    __tablename__ = "skill_ratings"
    __table_args__ = (UniqueConstraint("program_id", "person_id", "skill", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    person_id: Mapped[int] = person_fk()
    skill: Mapped[str] = mapped_column(String(120))
    stage: Mapped[str] = mapped_column(String(16))
    rating: Mapped[int]
    rated_at: Mapped[datetime]


class CheckIn(TenantOwned, Base):
    """One side's answers after a held session; the private note stays inside the pair."""

    __tablename__ = "checkins"
    __table_args__ = (UniqueConstraint("session_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    person_id: Mapped[int] = person_fk()
    usefulness: Mapped[int | None]
    topics: Mapped[list[str]] = mapped_column(Json, default=list)
    private_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class GoalUpdate(TenantOwned, Base):
    """Progress on a goal recorded at a check-in or at the end of the cycle."""

    __tablename__ = "goal_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    checkin_id: Mapped[int | None] = mapped_column(ForeignKey("checkins.id", ondelete="SET NULL"))
    rating: Mapped[int]
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class Feedback(TenantOwned, Base):
    """A pulse, a pairing-fit answer or an end-of-cycle evaluation from one person."""

    __tablename__ = "feedback"
    # One answer per pair, person, kind and period (a mentor answers for each mentee).
    __table_args__ = (UniqueConstraint("pair_id", "person_id", "kind", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("pairs.id", ondelete="SET NULL"))
    person_id: Mapped[int] = person_fk()
    kind: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(32))
    answers: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    created_at: Mapped[datetime]


class Nudge(TenantOwned, Base):
    """An outbox row: one message for one person, created at most once per ``key``."""

    __tablename__ = "nudges"
    __table_args__ = (
        UniqueConstraint("key"),
        Index("ix_nudges_status_due_at", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = person_fk()
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    circle_id: Mapped[int | None] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("research_assignments.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    due_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    # When the recipient (or their partner) acted on what the nudge asked: a prompt never
    # answered counts towards the "stopped answering" flag.
    answered_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    # When it failed for good (``status`` failed): `/mentoring status` lists the last day's.
    failed_at: Mapped[datetime | None] = mapped_column(index=True)


class Flag(TenantOwned, Base):
    """A warning for the program admins about a pair, a circle (a member who keeps missing
    its meetings) or a research assignment, raised once per ``key`` and resolved later."""

    __tablename__ = "flags"
    __table_args__ = (UniqueConstraint("key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    circle_id: Mapped[int | None] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("research_assignments.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int | None] = person_fk(nullable=True)
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    raised_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]


class ConversationState(TenantOwned, Base):
    """A flow a person is in, its current step and what it has collected so far.

    A person may have several flows under way (a check-in arriving during a profile
    edit); ``subject`` tells apart two of the same flow (``session:42``).
    """

    __tablename__ = "conversation_states"
    __table_args__ = (UniqueConstraint("person_id", "flow", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = person_fk()
    flow: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(64), default="")
    step: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class AuditEntry(TenantOwned, Base):
    """Who did (or tried) what: every admin action and every refusal."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = person_fk(nullable=True, ondelete="SET NULL")
    action: Mapped[str] = mapped_column(String(64))
    allowed: Mapped[bool] = mapped_column(Boolean)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id", ondelete="SET NULL"))
    details: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    created_at: Mapped[datetime] = mapped_column(index=True)


class JobRun(Base):
    """How the last runs of a cadence job went, across replicas: `/mentoring status` shows the
    last tick, and a job failing several times in a row is told to the program admins."""

    __tablename__ = "job_runs"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_started_at: Mapped[datetime | None]
    last_succeeded_at: Mapped[datetime | None]
    last_failed_at: Mapped[datetime | None]
    failures_in_a_row: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class SigningKey(Base):
    """A secret the bot made for itself (signing report links) when none is configured, kept
    here so that every replica and every restart signs and checks with the same one."""

    __tablename__ = "signing_keys"
    __table_args__ = (UniqueConstraint("purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(32))
    secret: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]


class ProcessedEvent(Base):
    """A platform event id already handled, so that a retried delivery takes effect once."""

    __tablename__ = "processed_events"
    __table_args__ = (UniqueConstraint("source", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(index=True)
