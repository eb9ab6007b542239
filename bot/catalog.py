"""The fixed lists people pick from: roles, levels, styles, places, languages, default topics."""

from __future__ import annotations

from bot.messages import Option
from storage.enums import Cadence, ProgramFormat, Role, SessionMode

ROLES = (
    Option(Role.MENTOR, "Mentor: I bring digital skills and share them with a leader"),
    Option(Role.MENTEE, "Mentee: I lead, and I want to learn digital skills"),
)

LEVELS = (
    Option("1", "1 - junior"),
    Option("2", "2 - experienced"),
    Option("3", "3 - manager"),
    Option("4", "4 - senior leader"),
    Option("5", "5 - executive"),
)

STYLES = (
    Option("direct", "Direct and to the point"),
    Option("structured", "Structured, with an agenda"),
    Option("exploratory", "Exploratory, thinking out loud"),
    Option("hands-on", "Hands-on, learning by doing"),
)

LOCATIONS = (
    Option(SessionMode.REMOTE, "Remote (video call)"),
    Option(SessionMode.IN_PERSON, "In person"),
    Option(SessionMode.EITHER, "Either"),
)

FORMAT_LABELS = {
    ProgramFormat.ONE_TO_ONE: "One-to-one sessions",
    ProgramFormat.GROUP: "Group discussions",
    ProgramFormat.RESEARCH: "Research and lunch-and-learns",
}

CADENCE_LABELS = {
    Cadence.WEEKLY: "every week",
    Cadence.BIWEEKLY: "every two weeks",
    Cadence.MONTHLY: "every month",
}

LANGUAGES = tuple(
    Option(code, name)
    for code, name in (
        ("en", "English"),
        ("fr", "French"),
        ("nl", "Dutch"),
        ("de", "German"),
        ("es", "Spanish"),
        ("pt", "Portuguese"),
        ("it", "Italian"),
        ("pl", "Polish"),
        ("sv", "Swedish"),
        ("da", "Danish"),
        ("fi", "Finnish"),
        ("no", "Norwegian"),
        ("cs", "Czech"),
        ("ro", "Romanian"),
        ("el", "Greek"),
        ("tr", "Turkish"),
        ("ar", "Arabic"),
        ("he", "Hebrew"),
        ("hi", "Hindi"),
        ("zh", "Chinese"),
        ("ja", "Japanese"),
        ("ko", "Korean"),
    )
)

DEFAULT_TOPICS = (
    "AI assistants and prompt writing",
    "Social media and personal brand",
    "Collaboration tools",
    "Video meetings",
    "Shared calendars",
    "Data and dashboards",
    "Cybersecurity basics",
    "Automation and no-code tools",
    "What younger colleagues expect at work",
)


def label_of(options: tuple[Option, ...], value: str | None) -> str:
    """The label of the option whose value is ``value`` (the value itself if unknown)."""
    for option in options:
        if option.value == value:
            return option.label
    return value or "-"


def topic_options(topics: list[str]) -> tuple[Option, ...]:
    """A program's topic list as options."""
    return tuple(Option(topic, topic) for topic in topics)


def format_options(formats: list[str]) -> tuple[Option, ...]:
    """A program's formats as options."""
    return tuple(Option(f, FORMAT_LABELS.get(ProgramFormat(f), f)) for f in formats)
