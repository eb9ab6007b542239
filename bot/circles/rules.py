"""The circles' rules, as pure functions: who to propose for a circle, and what a running
circle is owed now (reminders, "did it meet?", schedule asks, flags).

Nothing here reads or writes the database. Nudge keys make each nudge exist once; flag keys
carry the circle's latest held meeting (for a member's absences: the latest meeting they came
to), so a flag is raised once per stretch of trouble and may be raised again later.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from bot.i18n import _, ngettext
from bot.cadence.hours import WorkingHours
from bot.cadence.rules import (
    ENDED,
    FIRST_ASK_DELAY,
    PlannedFlag,
    PlannedNudge,
    SessionState,
    Side,
    Verdict,
    daily_look,
    missed_streak,
    outcome_prompts,
    reminders,
    schedule_period,
    silent_since,
    when_due,
)
from storage.enums import FlagKind, NudgeKind, SessionStatus

# Someone sharing less working time than this with a host cannot make the meetings.
MIN_SHARED_MINUTES = 30
# Four shared hours or more count fully when ranking members.
FULL_SHARED_MINUTES = 240
WEDNESDAY = 2
_WORD = re.compile(r"[a-z0-9+#]+")
_STOP = frozenset("""a an and at for in of on or the to with how what why your our my its it is are be by from
into about new using use work working more less""".split())


# --- who to propose -------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A possible host (topics: skills offered) or member (topics: topics wanted)."""

    person_id: int
    name: str
    topics: Sequence[str]
    hours: WorkingHours
    circles: int = 0
    # False when the person's profile names formats and group discussions are not among them.
    chose_group: bool = True


@dataclass(frozen=True)
class Pick:
    """A proposed member and why."""

    candidate: Candidate
    score: float
    reasons: list[str]


@dataclass
class Proposal:
    """The members proposed for a circle, and who could not be and why."""

    picks: list[Pick] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    also_possible: int = 0


def words(text: str) -> set[str]:
    """The meaningful words of ``text``, lower-case, plurals folded (``AI assistants`` ->
    ``{ai, assistant}``)."""
    found = set()
    for word in _WORD.findall(text.lower()):
        if word in _STOP or len(word) < 2:
            continue
        found.add(word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word)
    return found


def on_theme(topic: str, theme: set[str]) -> bool:
    """True when ``topic`` shares a word with the circle's theme."""
    return bool(words(topic) & theme)


def reference_day(now: datetime) -> date:
    """A Wednesday (this week's or the next): its neighbours are weekdays everywhere."""
    today = now.astimezone(UTC).date()
    return today + timedelta(days=(WEDNESDAY - today.weekday()) % 7)


def shared_minutes(people: Sequence[WorkingHours], day: date) -> int:
    """Minutes of the first person's working day ``day`` when every one of ``people`` is at work,
    each in their own zone (the others' days before and after count too, across the date line)."""
    spans = [people[0].window(day)]
    for other in people[1:]:
        theirs = [other.window(day + timedelta(days=shift)) for shift in (-1, 0, 1)]
        spans = [(max(a, c), min(b, d)) for a, b in spans for c, d in theirs if min(b, d) > max(a, c)]
    return int(sum((end - start).total_seconds() for start, end in spans) // 60)


def duration_text(minutes: int) -> str:
    """``6 h``, ``5 h 30 min``, ``20 min``, ``no time``."""
    hours, rest = divmod(minutes, 60)
    if not minutes:
        return _("no time")
    if not hours:
        return _("{rest} min", rest=rest)
    return f"{hours} h" + (_(" {rest} min", rest=rest) if rest else "")


def pick_host(title: str, mentors: Sequence[Candidate]) -> tuple[Candidate, str] | None:
    """The mentor (among those who chose group discussions) whose skills best match the title's
    words (fewest circles hosted on a tie), with why."""
    theme = words(title)

    def matched(mentor: Candidate) -> list[str]:
        return [topic for topic in mentor.topics if on_theme(topic, theme)]

    mentors = [m for m in mentors if m.chose_group]
    best = min(mentors, key=lambda m: (-len(matched(m)), m.circles, m.name.lower(), m.person_id), default=None)
    if best is None:
        return None
    hosted = _("hosts no other circle") if not best.circles else ngettext(
        "hosts {n} other circle", "hosts {n} other circles", best.circles)
    teaches = matched(best)
    return best, (_("teaches {items}; ", items=', '.join(teaches)) if teaches else "") + hosted


def propose_members(title: str, hosts: Sequence[Candidate], mentees: Sequence[Candidate], size: int,
                    day: date) -> Proposal:
    """Up to ``size`` mentees who chose group discussions, ranked by the topics they want that the title names or a host
    teaches, then by working time shared with the hosts (fewest circles first on a tie); anyone
    sharing under :data:`MIN_SHARED_MINUTES` with a host is left out, with why."""
    theme = words(title)
    teacher = {topic.lower(): host.name for host in reversed(hosts) for topic in host.topics}
    proposal = Proposal()
    picks = []
    for mentee in mentees:
        if not mentee.chose_group:
            proposal.left_out.append(_("{mentee} did not choose group discussions in their profile", mentee=mentee.name))
            continue
        short = [(host, minutes) for host in hosts
                 if (minutes := shared_minutes([mentee.hours, host.hours], day)) < MIN_SHARED_MINUTES]
        if short:
            host, minutes = short[0]
            shared = _("only {minutes} of", minutes=duration_text(minutes)) if minutes else "no"
            proposal.left_out.append(_("{mentee} shares {shared} working hours with {host}", mentee=mentee.name, shared=shared, host=host.name))
            continue
        picks.append(_pick(mentee, hosts, theme, teacher, day))
    picks.sort(key=lambda p: (-p.score, p.candidate.circles, p.candidate.name.lower(), p.candidate.person_id))
    proposal.picks, proposal.also_possible = picks[:size], max(len(picks) - size, 0)
    return proposal


def _pick(mentee: Candidate, hosts: Sequence[Candidate], theme: set[str], teacher: dict[str, str],
          day: date) -> Pick:
    shared = shared_minutes([mentee.hours, *(host.hours for host in hosts)], day)
    score = min(shared, FULL_SHARED_MINUTES) / FULL_SHARED_MINUTES
    reasons = []
    for topic in mentee.topics:
        who, themed = teacher.get(topic.lower()), on_theme(topic, theme)
        if who:
            reasons.append(_("wants {topic}, which {who} teaches", topic=topic, who=who))
            score += 1 + themed
        elif themed:
            reasons.append(_("wants {topic}, on the circle's theme", topic=topic))
            score += 1
    reasons = reasons[:2] + [_("{shared} of working hours shared with the hosts", shared=duration_text(shared))]
    return Pick(mentee, score, reasons)


# --- a running circle -----------------------------------------------------------------------


@dataclass(frozen=True)
class CircleState:
    """Everything the rules look at for one running circle."""

    circle_id: int
    cadence: str
    reminder: timedelta
    active_since: datetime
    hosts: Sequence[Side]
    members: Sequence[Side]
    sessions: Sequence[SessionState] = ()
    # session id -> person id -> attended, for held meetings whose attendance was recorded
    attendance: Mapping[int, Mapping[int, bool]] = field(default_factory=dict)
    # person id -> the latest meeting of the circle they came to
    last_attended: Mapping[int, int] = field(default_factory=dict)


def evaluate(state: CircleState, now: datetime) -> Verdict:
    """Reminders to everyone active, "did it meet?" to the hosts, schedule asks when nothing is
    on the calendar, flags, and when to look again."""
    verdict = Verdict()
    verdict.later(daily_look(state.circle_id, now))
    hosts = [side for side in state.hosts if side.active]
    everyone = hosts + [side for side in state.members if side.active]
    upcoming = [s for s in state.sessions if s.status == SessionStatus.SCHEDULED and s.starts_at > now]
    for session in upcoming:
        reminders(everyone, session, state.reminder, now, verdict, NudgeKind.CIRCLE_REMINDER)
    for session in state.sessions:
        if session.status == SessionStatus.SCHEDULED:
            outcome_prompts(hosts, session, now, verdict, NudgeKind.CIRCLE_OUTCOME)
    if not upcoming:
        _schedule_asks(state, hosts, now, verdict)
    _flags(state, now, verdict)
    return verdict


def _anchor(state: CircleState) -> datetime:
    """When the circle last met (or tried to), or began."""
    past = [s.happened_at for s in state.sessions if s.status in (*ENDED, SessionStatus.SCHEDULED)]
    return max([state.active_since, *past])


def _schedule_asks(state: CircleState, hosts: Sequence[Side], now: datetime, verdict: Verdict) -> None:
    """Nothing on the calendar: ask the hosts, once per cadence period. The first ask waits a
    day after a meeting, and after the start (the welcome offered to schedule)."""
    anchor = _anchor(state)
    found = schedule_period(state.sessions, state.cadence, anchor + FIRST_ASK_DELAY, now, verdict)
    if found is None:
        return
    period, start = found
    for host in hosts:
        due = when_due(host.hours, start, now)
        verdict.nudges.append(PlannedNudge(
            host.person_id, NudgeKind.CIRCLE_SCHEDULE,
            f"circle_schedule:{state.circle_id}:{anchor:%Y%m%dT%H%M}:{period}:{host.person_id}", due,
            payload={"circle_id": state.circle_id},
        ))


def _flags(state: CircleState, now: datetime, verdict: Verdict) -> None:
    held = sorted((s for s in state.sessions if s.status == SessionStatus.HELD), key=lambda s: s.starts_at)
    marker = held[-1].id if held else 0
    streak = missed_streak(state.sessions)
    if len(streak) >= 2:
        missed = list(reversed(streak))
        verdict.flags.append(PlannedFlag(
            FlagKind.CANCELED_TWICE, f"circle_canceled_twice:{state.circle_id}:{marker}", None,
            {"sessions": [s.id for s in missed], "dates": [s.starts_at.isoformat() for s in missed[-2:]],
             "since": missed[0].starts_at.isoformat()}))
    since = silent_since(held[-1] if held else None, state.active_since, state.cadence, now, verdict,
                         state.sessions)
    if since is not None:
        verdict.flags.append(PlannedFlag(FlagKind.SILENT, f"circle_silent:{state.circle_id}:{marker}", None,
                                         {"since": since.isoformat()}))
    _absences(state, held, verdict)


def _absences(state: CircleState, held: Sequence[SessionState], verdict: Verdict) -> None:
    """Members recorded absent from the circle's last two held meetings whose attendance is known."""
    recorded = [s for s in held if s.id in state.attendance][-2:]
    if len(recorded) < 2:
        return
    for member in state.members:
        if not member.active or not all(state.attendance[s.id].get(member.person_id) is False for s in recorded):
            continue
        came = state.last_attended.get(member.person_id, 0)
        verdict.flags.append(PlannedFlag(
            FlagKind.REPEATED_ABSENCE, f"repeated_absence:{state.circle_id}:{member.person_id}:{came}",
            member.person_id, {"sessions": [s.id for s in recorded],
                               "dates": [s.starts_at.isoformat() for s in recorded],
                               "since": recorded[0].starts_at.isoformat()}))
