"""Value sets stored as short strings (no database enums, so adding a value needs no migration)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """The two sides of a reverse-mentoring pair."""

    MENTOR = "mentor"
    MENTEE = "mentee"


class Cadence(StrEnum):
    """How often a pair meets."""

    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


class ProgramFormat(StrEnum):
    """Ways a program brings people together."""

    ONE_TO_ONE = "one-to-one"
    GROUP = "group"
    RESEARCH = "research"


class EnrollmentStatus(StrEnum):
    """Where a person stands in a program."""

    ONBOARDING = "onboarding"
    ACTIVE = "active"
    PAUSED = "paused"
    LEFT = "left"


class PairStatus(StrEnum):
    """Life of a pair: proposed by matching, active once published."""

    PROPOSED = "proposed"
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


class SessionStatus(StrEnum):
    """What became of a session."""

    SCHEDULED = "scheduled"
    HELD = "held"
    RESCHEDULED = "rescheduled"
    CANCELED = "canceled"
    NO_SHOW = "no_show"


class SessionMode(StrEnum):
    """Where a person likes to meet, and where a session takes place."""

    REMOTE = "remote"
    IN_PERSON = "in_person"
    EITHER = "either"


class NudgeStatus(StrEnum):
    """Delivery state of an outbox row."""

    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    EXPIRED = "expired"
    CANCELED = "canceled"


class NudgeKind(StrEnum):
    """What an outbox row is about."""

    SCHEDULE = "schedule"
    REMINDER = "reminder"
    OUTCOME = "outcome"
    DIGEST = "digest"
    FLAG = "flag"
    MANUAL = "manual"
    SESSION_NEWS = "session_news"
    INTRO = "intro"
    PAIR_ENDED = "pair_ended"
    CHECKIN = "checkin"
    GOALS = "goals"
    PULSE = "pulse"
    PULSE_SHARED = "pulse_shared"
    FIT = "fit"
    EVALUATION = "evaluation"
    CIRCLE_WELCOME = "circle_welcome"
    CIRCLE_SCHEDULE = "circle_schedule"
    CIRCLE_REMINDER = "circle_reminder"
    CIRCLE_OUTCOME = "circle_outcome"
    CIRCLE_NEWS = "circle_news"
    CIRCLE_RATING = "circle_rating"
    RESEARCH_ASSIGNED = "research_assigned"
    RESEARCH_DUE = "research_due"
    LUNCH_INVITE = "lunch_invite"
    LUNCH_REMINDER = "lunch_reminder"
    LUNCH_OUTCOME = "lunch_outcome"
    LUNCH_RATING = "lunch_rating"
    RESEARCH_NEWS = "research_news"
    INVITATION = "invitation"
    HEALTH = "health"
    CALENDAR_DECLINED = "calendar_declined"
    CALENDAR_CLASH = "calendar_clash"


class FlagKind(StrEnum):
    """Why the program admins are warned about a pair."""

    CANCELED_TWICE = "canceled_twice"
    SILENT = "silent"
    IGNORED_PROMPTS = "ignored_prompts"
    REMATCH_REQUESTED = "rematch_requested"
    POOR_FIT = "poor_fit"
    REPEATED_ABSENCE = "repeated_absence"
    RESEARCH_OVERDUE = "research_overdue"


class FeedbackKind(StrEnum):
    """What a feedback row answers."""

    PULSE = "pulse"
    FIT = "fit"
    EVALUATION = "evaluation"


class SkillStage(StrEnum):
    """When a baseline skill was rated: at the start of the cycle or at its end."""

    START = "start"
    END = "end"


class GoalStatus(StrEnum):
    """Where a goal stands."""

    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class CircleStatus(StrEnum):
    """Life of a circle: proposed (members not confirmed yet), active, ended."""

    PROPOSED = "proposed"
    ACTIVE = "active"
    ENDED = "ended"


class CircleRole(StrEnum):
    """Who a circle member is: one of its one or two young hosts, or a senior member."""

    HOST = "host"
    MEMBER = "member"


class MemberStatus(StrEnum):
    """A circle member's place: proposed by the bot, confirmed by the admin, or gone."""

    PROPOSED = "proposed"
    ACTIVE = "active"
    LEFT = "left"


class AssignmentStatus(StrEnum):
    """Life of a research assignment, from the topic to the lunch-and-learn."""

    ASSIGNED = "assigned"
    WRITTEN = "written"
    SCHEDULED = "scheduled"
    PRESENTED = "presented"
    CANCELED = "canceled"


class CalendarProviderName(StrEnum):
    """The calendar services an organization can connect."""

    MICROSOFT = "microsoft"
    GOOGLE = "google"


class CalendarPush(StrEnum):
    """What is still to be done to a session's event on the real calendar."""

    CREATE = "create"
    UPDATE = "update"
    CANCEL = "cancel"
    CANCEL_OCCURRENCE = "cancel_one"
    """Cancel only this occurrence of the series' event (the one starting at the session's time)."""


class ConnectionStatus(StrEnum):
    """Where an organization's calendar connection stands."""

    PENDING = "pending"
    CONNECTED = "connected"
    FAILED = "failed"
