"""Tenant-scoped queries: every read and write of tenant-owned rows goes through here.

A :class:`Repository` is bound to one session and one tenant; each query it runs filters
on that tenant, so a request from one organization cannot reach another's rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Select, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import EnrollmentStatus, PairStatus, SessionStatus
from storage.names import UNLINKED_PREFIX, email_key, name_key
from storage.models import (
    AuditEntry,
    ConversationState,
    Enrollment,
    Flag,
    Goal,
    MentoringSession,
    Pair,
    Person,
    ProcessedEvent,
    Profile,
    Program,
    ProgramAdmin,
    Tenant,
)

Row = TypeVar("Row")


def insert_ignoring_conflicts(session: AsyncSession, model: type[Any], **values: Any) -> Any:
    """An INSERT that does nothing when a unique constraint already holds the row (without
    ``values``, for rows given at execution: one multi-row statement)."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)
    return (insert.values(**values) if values else insert).on_conflict_do_nothing()


async def tenant_for(
    session: AsyncSession, platform: str, external_id: str, now: datetime
) -> Tenant:
    """The tenant for a platform organization, created on first contact."""
    query = select(Tenant).where(Tenant.platform == platform, Tenant.external_id == external_id)
    found = await session.scalar(query)
    if found is None:
        # Two first contacts at once: one insert wins, the other does nothing.
        await session.execute(
            insert_ignoring_conflicts(
                session, Tenant, platform=platform, external_id=external_id, name="", created_at=now
            )
        )
        found = await session.scalar(query)
    assert found is not None
    return found


async def claim_event(session: AsyncSession, source: str, event_id: str, now: datetime) -> bool:
    """Record a platform event id; False when it was already recorded (a retried delivery).

    On PostgreSQL a retry that arrives while the original's transaction is still open waits
    for it: if the original commits, the retry is a duplicate; if it fails, the retry runs.
    """
    result = await session.execute(
        insert_ignoring_conflicts(session, ProcessedEvent, source=source, event_id=event_id[:200], created_at=now)
    )
    return bool(getattr(result, "rowcount", 0))


class Repository:
    """Queries for one tenant inside one session."""

    def __init__(self, session: AsyncSession, tenant_id: int) -> None:
        self.session = session
        self.tenant_id = tenant_id

    # --- helpers -------------------------------------------------------------------------

    def scoped(self, model: type[Row]) -> Select[Row]:
        """``SELECT model`` restricted to this tenant."""
        return select(model).where(model.tenant_id == self.tenant_id)  # type: ignore[attr-defined,return-value]

    async def one_or_none(self, query: Select[Row]) -> Row | None:
        """The single row a query finds, or None."""
        return (await self.session.execute(query)).scalars().one_or_none()

    async def all(self, query: Select[Row]) -> Sequence[Row]:
        """Every row a query finds."""
        return (await self.session.execute(query)).scalars().all()

    async def _get(self, model: type[Row], key: int) -> Row | None:
        """A row by primary key, only if it belongs to this tenant."""
        row = await self.session.get(model, key)
        return row if row is not None and row.tenant_id == self.tenant_id else None  # type: ignore[attr-defined]

    def add(self, row: Any) -> Any:
        """Stage a new tenant-owned row, stamping it with this tenant."""
        row.tenant_id = self.tenant_id
        self.session.add(row)
        return row

    async def flush(self) -> None:
        """Send staged changes so that generated ids are known."""
        await self.session.flush()

    # --- people --------------------------------------------------------------------------

    async def person_for(
        self, platform: str, user_id: str, display_name: str, now: datetime
    ) -> tuple[Person, bool]:
        """The person behind a platform user id, created on first contact; True if new."""
        query = self.scoped(Person).where(Person.platform == platform, Person.user_id == user_id)
        person = await self.one_or_none(query)
        if person is not None:
            return person, False
        result = await self.session.execute(
            insert_ignoring_conflicts(
                self.session,
                Person,
                tenant_id=self.tenant_id,
                platform=platform,
                user_id=user_id,
                display_name=display_name or user_id,
                name_key=name_key(display_name or user_id),
                created_at=now,
            )
        )
        person = await self.one_or_none(query)
        assert person is not None
        return person, bool(getattr(result, "rowcount", 0))

    async def link_imported(self, platform: str, user_id: str, *, email: str = "", name: str = "") -> Person | None:
        """The person an HR import brought in, not yet reached on ``platform``, who is
        ``user_id`` there: found by ``email`` (what the platform knows of them) or else by their
        exact ``name`` key, when exactly one such person fits; their user id becomes ``user_id``.
        None when ``user_id`` already has a person or nobody (or several) fit."""
        if await self.one_or_none(self.scoped(Person).where(Person.platform == platform, Person.user_id == user_id)):
            return None
        query = self._people().where(Person.platform == platform, Person.user_id.startswith(UNLINKED_PREFIX))
        if email:
            query = query.where(Person.email == email_key(email))
        elif name:
            query = query.where(Person.name_key == name_key(name))
        else:
            return None
        found = await self.all(query.limit(2))
        if len(found) != 1:
            return None
        found[0].user_id = user_id
        await self.session.flush()
        return found[0]

    async def lock_person(self, person_id: int) -> None:
        """Hold the person's row until the transaction ends, so that two turns of one person
        (a double tap, a platform retry) run one after the other across replicas."""
        await self._lock(Person, person_id)

    async def lock_program(self, program_id: int) -> None:
        """Hold a program's row until the transaction ends (before counting its admins)."""
        await self._lock(Program, program_id)

    async def _lock(self, model: Any, key: int) -> None:
        # SQLite has no row locks; there the bot runs one turn at a time.
        if self.session.bind is not None and self.session.bind.dialect.name == "postgresql":
            await self.session.execute(
                select(model.id).where(model.tenant_id == self.tenant_id, model.id == key).with_for_update()
            )

    async def resume_expired_pauses(self, today: date, person_id: int | None = None) -> None:
        """Make active again whoever was paused until ``today`` or earlier."""
        query = update(Enrollment).where(
            Enrollment.tenant_id == self.tenant_id,
            Enrollment.status == EnrollmentStatus.PAUSED,
            Enrollment.paused_until <= today,
        )
        if person_id is not None:
            query = query.where(Enrollment.person_id == person_id)
        await self.session.execute(query.values(status=EnrollmentStatus.ACTIVE, paused_until=None))

    async def person(self, person_id: int) -> Person | None:
        """A person of this tenant by id."""
        return await self._get(Person, person_id)

    def _people(self) -> Select[Person]:
        """The tenant's people who have not asked to be forgotten."""
        return self.scoped(Person).where(Person.erased_at.is_(None))

    async def people_named(self, name: str) -> Sequence[Person]:
        """People whose name is ``name`` in any case and with or without accents (an indexed
        lookup on the name's key, the same on every database)."""
        return await self.all(self._people().where(Person.name_key == name_key(name)).order_by(Person.id))

    async def people_with_user_id(self, user_id: str) -> Sequence[Person]:
        """The person (one per platform) whose platform user id is ``user_id``."""
        return await self.all(self._people().where(Person.user_id == user_id.strip()).order_by(Person.id))

    async def people_with_email(self, email: str) -> Sequence[Person]:
        """People with this email address (any case)."""
        return await self.all(self._people().where(Person.email == email_key(email)).order_by(Person.id))

    async def people_starting(self, name: str, limit: int = 20) -> Sequence[Person]:
        """People one of whose names starts with ``name`` (``Carla`` finds Carla Mendes and Ana
        Carla Reis), compared by key; at most ``limit``."""
        key = name_key(name)
        if not key:
            return []
        pattern = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = self._people().where(or_(Person.name_key.like(pattern + "%", escape="\\"),
                                         Person.name_key.like("% " + pattern + "%", escape="\\")))
        return await self.all(query.order_by(Person.name_key, Person.id).limit(limit))

    async def name_keys(self) -> Sequence[tuple[int, str]]:
        """Every person's id and name key (to suggest names close to a typo)."""
        rows = await self.session.execute(select(Person.id, Person.name_key).where(
            Person.tenant_id == self.tenant_id, Person.erased_at.is_(None)))
        return [(person_id, key) for person_id, key in rows.all()]

    async def profile(self, person_id: int) -> Profile | None:
        """A person's profile, if they have one."""
        return await self.one_or_none(self.scoped(Profile).where(Profile.person_id == person_id))

    # --- programs ------------------------------------------------------------------------

    async def programs(self, active_only: bool = True) -> Sequence[Program]:
        """This tenant's programs, oldest first."""
        query = self.scoped(Program).order_by(Program.id)
        if active_only:
            query = query.where(Program.status == "active")
        return await self.all(query)

    async def program_named(self, name: str) -> Program | None:
        """A program by name, in any case and with or without accents."""
        found = await self.all(self.scoped(Program).where(Program.name_key == name_key(name)).order_by(Program.id))
        exact = [program for program in found if program.name == name.strip()]
        return next(iter(exact or found), None)

    async def program(self, program_id: int) -> Program | None:
        """A program by id (from the session's identity map when already loaded)."""
        return await self._get(Program, program_id)

    async def admin_program_ids(self, person_id: int) -> set[int]:
        """Ids of the programs this person may run."""
        rows = await self.session.execute(
            select(ProgramAdmin.program_id).where(
                ProgramAdmin.tenant_id == self.tenant_id, ProgramAdmin.person_id == person_id
            )
        )
        return set(rows.scalars())

    async def admins(self, program_id: int) -> Sequence[Person]:
        """The admins of a program."""
        return await self.all(
            self.scoped(Person)
            .join(ProgramAdmin, ProgramAdmin.person_id == Person.id)
            .where(ProgramAdmin.tenant_id == self.tenant_id, ProgramAdmin.program_id == program_id)
            .order_by(Person.display_name)
        )

    async def remove_admin(self, program_id: int, person_id: int) -> None:
        """Take a person off a program's admin list."""
        await self.session.execute(
            delete(ProgramAdmin).where(
                ProgramAdmin.tenant_id == self.tenant_id,
                ProgramAdmin.program_id == program_id,
                ProgramAdmin.person_id == person_id,
            )
        )

    # --- enrollments ---------------------------------------------------------------------

    async def enrollment(self, program_id: int, person_id: int) -> Enrollment | None:
        """A person's enrollment in one program."""
        return await self.one_or_none(
            self.scoped(Enrollment).where(
                Enrollment.program_id == program_id, Enrollment.person_id == person_id
            )
        )

    async def enrollments_of(self, person_id: int) -> Sequence[Enrollment]:
        """Every enrollment of a person, newest first."""
        return await self.all(
            self.scoped(Enrollment)
            .where(Enrollment.person_id == person_id)
            .order_by(Enrollment.id.desc())
        )

    async def count_enrollments(self, program_id: int) -> dict[str, int]:
        """How many enrollments a program has, by status."""
        rows = await self.session.execute(
            select(Enrollment.status, func.count())
            .where(Enrollment.tenant_id == self.tenant_id, Enrollment.program_id == program_id)
            .group_by(Enrollment.status)
        )
        return {status: count for status, count in rows.all()}

    async def pairs_of(self, person_id: int) -> Sequence[Pair]:
        """The person's active and paused pairs, on either side."""
        return await self.all(
            self.scoped(Pair).where(
                or_(Pair.mentor_id == person_id, Pair.mentee_id == person_id),
                Pair.status.in_((PairStatus.ACTIVE, PairStatus.PAUSED)),
            ).order_by(Pair.id)
        )

    async def next_session(self, pair_ids: Sequence[int], now: datetime) -> MentoringSession | None:
        """The earliest scheduled session of these pairs from ``now`` on."""
        return await self.one_or_none(
            self.scoped(MentoringSession).where(
                MentoringSession.pair_id.in_(pair_ids),
                MentoringSession.status == SessionStatus.SCHEDULED,
                MentoringSession.starts_at >= now,
            ).order_by(MentoringSession.starts_at).limit(1)
        )

    async def open_goals(self, pair_ids: Sequence[int]) -> Sequence[Goal]:
        """The open goals of these pairs, oldest first."""
        return await self.all(
            self.scoped(Goal).where(Goal.pair_id.in_(pair_ids), Goal.status == "open").order_by(Goal.id)
        )

    async def program_health(self, program_id: int, since: datetime, until: datetime) -> dict[str, int]:
        """Active pairs, sessions held and canceled (or no-show) in [since, until), open flags."""
        def count(model: Any, *where: Any) -> Any:
            return (select(func.count()).select_from(model)
                    .where(model.tenant_id == self.tenant_id, model.program_id == program_id, *where)
                    .scalar_subquery())

        in_period = (MentoringSession.starts_at >= since, MentoringSession.starts_at < until)
        row = (await self.session.execute(select(
            count(Pair, Pair.status == PairStatus.ACTIVE),
            count(MentoringSession, MentoringSession.status == SessionStatus.HELD, *in_period),
            count(MentoringSession,
                  MentoringSession.status.in_((SessionStatus.CANCELED, SessionStatus.NO_SHOW)), *in_period),
            count(Flag, Flag.resolved_at.is_(None)),
        ))).one()
        return dict(zip(("active_pairs", "held", "canceled", "open_flags"), row, strict=True))

    async def restart_pairs_of(self, person_id: int, program_id: int, now: datetime) -> None:
        """The person came back from a pause: their running pairs in the program start their
        "no session for twice the cadence" clock again (as a pair's own pause does)."""
        await self.session.execute(
            update(Pair).where(
                Pair.tenant_id == self.tenant_id, Pair.program_id == program_id, Pair.status == PairStatus.ACTIVE,
                or_(Pair.mentor_id == person_id, Pair.mentee_id == person_id),
            ).values(resumed_at=now, next_check_at=None)
        )

    async def end_pairs_of(
        self, person_id: int, reason: str, now: datetime, program_id: int | None = None
    ) -> None:
        """End every pair the person is in (in one program, or in all)."""
        query = update(Pair).where(
            Pair.tenant_id == self.tenant_id,
            or_(Pair.mentor_id == person_id, Pair.mentee_id == person_id),
            Pair.status != PairStatus.ENDED,
        )
        if program_id is not None:
            query = query.where(Pair.program_id == program_id)
        await self.session.execute(query.values(status=PairStatus.ENDED, ended_at=now, end_reason=reason))

    # --- conversation state --------------------------------------------------------------

    async def conversations(self, person_id: int) -> Sequence[ConversationState]:
        """Every flow the person has under way, the most recently active first."""
        return await self.all(
            self.scoped(ConversationState)
            .where(ConversationState.person_id == person_id)
            .order_by(ConversationState.updated_at.desc(), ConversationState.id.desc())
        )

    async def conversation(self, person_id: int, flow: str, subject: str = "") -> ConversationState | None:
        """One flow of a person, if under way."""
        return await self.one_or_none(
            self.scoped(ConversationState).where(
                ConversationState.person_id == person_id,
                ConversationState.flow == flow,
                ConversationState.subject == subject,
            )
        )

    async def drop_conversation(self, state: ConversationState) -> None:
        """Forget one flow of a person."""
        await self.session.delete(state)
        await self.session.flush()

    async def end_conversations(self, person_id: int) -> None:
        """Forget every flow of a person."""
        for state in await self.conversations(person_id):
            await self.session.delete(state)
        await self.session.flush()

    # --- audit ---------------------------------------------------------------------------

    def audit(
        self,
        actor_id: int | None,
        action: str,
        allowed: bool,
        now: datetime,
        program_id: int | None = None,
        **details: Any,
    ) -> AuditEntry:
        """Record who did, or tried, what."""
        return self.add(
            AuditEntry(
                actor_id=actor_id,
                action=action,
                allowed=allowed,
                program_id=program_id,
                details=details,
                created_at=now,
            )
        )

    async def audit_log(self, program_id: int, limit: int = 20) -> Sequence[tuple[AuditEntry, str]]:
        """The newest audit entries about a program or about no program in particular, each
        with the actor's display name."""
        rows = await self.session.execute(
            select(AuditEntry, Person.display_name)
            .outerjoin(Person, Person.id == AuditEntry.actor_id)
            .where(
                AuditEntry.tenant_id == self.tenant_id,
                (AuditEntry.program_id == program_id) | AuditEntry.program_id.is_(None),
            )
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        )
        return [(entry, name or "someone") for entry, name in rows.all()]
