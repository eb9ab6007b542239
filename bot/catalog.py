"""The fixed lists people pick from: roles, levels, styles, places, languages, default topics."""

from __future__ import annotations

from bot.i18n import N_, _
from bot.messages import Option
from storage.enums import Cadence, ProgramFormat, Role, SessionMode

ROLES = (
    Option(Role.MENTOR, N_("Mentor: I bring digital skills and share them with a leader")),
    Option(Role.MENTEE, N_("Mentee: I lead, and I want to learn digital skills")),
)

LEVELS = (
    Option("1", N_("1 - junior")),
    Option("2", N_("2 - experienced")),
    Option("3", N_("3 - manager")),
    Option("4", N_("4 - senior leader")),
    Option("5", N_("5 - executive")),
)

STYLES = (
    Option("direct", N_("Direct and to the point")),
    Option("structured", N_("Structured, with an agenda")),
    Option("exploratory", N_("Exploratory, thinking out loud")),
    Option("hands-on", N_("Hands-on, learning by doing")),
)

LOCATIONS = (
    Option(SessionMode.REMOTE, N_("Remote (video call)")),
    Option(SessionMode.IN_PERSON, N_("In person")),
    Option(SessionMode.EITHER, N_("Either")),
)

FORMAT_LABELS = {
    ProgramFormat.ONE_TO_ONE: N_("One-to-one sessions"),
    ProgramFormat.GROUP: N_("Group discussions"),
    ProgramFormat.RESEARCH: N_("Research and lunch-and-learns"),
}

CADENCE_LABELS = {
    Cadence.WEEKLY: N_("every week"),
    Cadence.BIWEEKLY: N_("every two weeks"),
    Cadence.MONTHLY: N_("every month"),
}

LANGUAGES = tuple(
    Option(code, name)
    for code, name in (
        ("en", N_("English")),
        ("fr", N_("French")),
        ("nl", N_("Dutch")),
        ("de", N_("German")),
        ("es", N_("Spanish")),
        ("pt", N_("Portuguese")),
        ("it", N_("Italian")),
        ("pl", N_("Polish")),
        ("sv", N_("Swedish")),
        ("da", N_("Danish")),
        ("fi", N_("Finnish")),
        ("no", N_("Norwegian")),
        ("cs", N_("Czech")),
        ("ro", N_("Romanian")),
        ("el", N_("Greek")),
        ("tr", N_("Turkish")),
        ("ar", N_("Arabic")),
        ("he", N_("Hebrew")),
        ("hi", N_("Hindi")),
        ("zh", N_("Chinese")),
        ("ja", N_("Japanese")),
        ("ko", N_("Korean")),
    )
)

DEFAULT_TOPICS = (
    N_("AI assistants and prompt writing"),
    N_("Social media and personal brand"),
    N_("Collaboration tools"),
    N_("Video meetings"),
    N_("Shared calendars"),
    N_("Data and dashboards"),
    N_("Cybersecurity basics"),
    N_("Automation and no-code tools"),
    N_("What younger colleagues expect at work"),
)


WORDS = {
    "mentor": N_("mentor"),
    "mentee": N_("mentee"),
    "onboarding": N_("onboarding"),
    "active": N_("active"),
    "paused": N_("paused"),
    "left": N_("left"),
    "proposed": N_("proposed"),
    "ended": N_("ended"),
    "scheduled": N_("scheduled"),
    "held": N_("held"),
    "rescheduled": N_("rescheduled"),
    "canceled": N_("canceled"),
    "no_show": N_("no-show"),
    "assigned": N_("assigned"),
    "written": N_("written"),
    "presented": N_("presented"),
    "remote": N_("remote"),
    "in_person": N_("in person"),
}
"""The values people read as words (a role, a status), as they are stored."""


def word(value: str | None) -> str:
    """A stored value (``mentee``, ``no_show``) as the reader says it."""
    if not value:
        return "-"
    return _(WORDS[value]) if value in WORDS else value


def label_of(options: tuple[Option, ...], value: str | None) -> str:
    """The label of the option whose value is ``value``, in the reader's language (the value
    itself if unknown)."""
    for option in options:
        if option.value == value:
            return _(option.label)
    return value or "-"


def translated(options: tuple[Option, ...]) -> tuple[Option, ...]:
    """``options`` with their labels in the reader's language (what a form shows and a typed
    answer is read against)."""
    return tuple(Option(option.value, _(option.label)) for option in options)


def topic_label(topic: str) -> str:
    """A topic as the reader reads it: one of the default topics in their language, a topic the
    admin wrote as it was written. Topics are stored as written (the defaults in English), so
    that matching compares the same words whoever reads them."""
    return _(topic) if topic in DEFAULT_TOPICS else topic


def topic_options(topics: list[str]) -> tuple[Option, ...]:
    """A program's topic list as options."""
    return tuple(Option(topic, topic_label(topic)) for topic in topics)


def format_label(value: str) -> str:
    """How a format is called (``One-to-one sessions``), in the reader's language."""
    try:
        return _(FORMAT_LABELS[ProgramFormat(value)])
    except (KeyError, ValueError):
        return value


def cadence_label(value: str) -> str:
    """How often a cadence meets (``every month``), in the reader's language."""
    try:
        return _(CADENCE_LABELS[Cadence(value)])
    except (KeyError, ValueError):
        return value


def format_options(formats: list[str]) -> tuple[Option, ...]:
    """A program's formats as options."""
    return tuple(Option(f, format_label(f)) for f in formats)
