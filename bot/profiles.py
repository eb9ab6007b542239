"""The participant profile: the questions that collect it, how it is stored and shown.

Onboarding and ``/mentoring profile`` ask the same questions; only the starting values
differ (empty for a newcomer, the current profile for an edit).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from functools import partial
from typing import Any

from bot.i18n import _
from bot import parsing
from bot.catalog import (
    LANGUAGES,
    LEVELS,
    LOCATIONS,
    STYLES,
    format_options,
    label_of,
    topic_label,
    topic_options,
    translated,
    word,
)
from bot.flows.base import FormStep, Question
from bot.i18n import current_locale, name_of
from bot.languages import language_options, parse_language
from bot.messages import FieldKind, FormField, Option
from bot.people import people_matching
from bot.turn import Limits
from storage.enums import Role
from storage.models import Person, Profile, Program
from storage.repository import Repository

FREE_TEXT_LIMIT = 500


def _initial(values: Mapping[str, Any], name: str, options: tuple[Option, ...] = ()) -> Any:
    """A previous answer as a field's starting value (only choices that are still offered)."""
    value = values.get(name)
    if name == "hours" and value:
        return "-".join(value)
    if isinstance(value, int):
        value = str(value)
    offered = {option.value for option in options}
    if options and isinstance(value, list):
        value = [v for v in value if v in offered]
    elif options and value not in offered:
        value = None
    return value if value not in (None, "", []) else None


def profile_steps(role: str, program: Program, initial: Mapping[str, Any], limits: Limits) -> list[FormStep]:
    """The profile questions, grouped in the steps a form shows together."""
    teaching = role == Role.MENTOR
    name_limit = limits.max_name
    topics = topic_options(program.topics)
    formats = format_options(program.formats)

    def field(name: str, label: str, **kw: Any) -> FormField:
        return FormField(name, label, initial=_initial(initial, name, kw.get("options", ())), **kw)

    return [
        FormStep(
            "about",
            _("About you"),
            _("First, a little about you. Your manager's name lets me avoid pairing you inside your own reporting line."),
            [
                Question(
                    field("level", _("Your level"), kind=FieldKind.SELECT, options=translated(LEVELS)),
                    lambda raw: int(parsing.parse_choice(raw, translated(LEVELS))),
                ),
                Question(
                    field("department", _("Your department"), max_length=name_limit, hint=_("For example: Finance")),
                    partial(parsing.parse_text, limit=name_limit),
                ),
                Question(
                    field(
                        "manager",
                        _("Your manager's name"),
                        optional=True,
                        max_length=name_limit,
                        hint=_("Leave empty if you prefer not to say."),
                    ),
                    partial(parsing.parse_text, limit=name_limit, optional=True),
                ),
                Question(
                    field("name", _("The name I use for you"), max_length=name_limit,
                          hint=_("As your colleagues know you; others see it when you are matched.")),
                    partial(parsing.parse_text, limit=name_limit),
                ),
            ],
        ),
        FormStep(
            "topics",
            _("Topics"),
            _("What can you teach?") if teaching else _("What would you like to learn?"),
            [
                Question(
                    field(
                        "topics",
                        _("Topics you can teach") if teaching else _("Topics you want to learn"),
                        kind=FieldKind.MULTI_SELECT,
                        options=topics,
                        hint=_("Pick one or more."),
                    ),
                    partial(parsing.parse_choices, options=topics),
                ),
                Question(
                    field(
                        "topics_free_text",
                        _("Anything else, in your own words"),
                        kind=FieldKind.LONG_TEXT,
                        optional=True,
                        max_length=FREE_TEXT_LIMIT,
                    ),
                    partial(parsing.parse_text, limit=FREE_TEXT_LIMIT, optional=True),
                ),
            ],
        ),
        FormStep(
            "style",
            _("How you like to work"),
            _("How do you like to work together?"),
            [
                Question(
                    field("style", _("Your communication style"), kind=FieldKind.SELECT, options=translated(STYLES)),
                    partial(parsing.parse_choice, options=translated(STYLES)),
                ),
                Question(
                    field("formats", _("Formats you would like"), kind=FieldKind.MULTI_SELECT, options=formats),
                    partial(parsing.parse_choices, options=formats),
                ),
                Question(
                    field("location", _("Remote or in person"), kind=FieldKind.SELECT, options=translated(LOCATIONS)),
                    partial(parsing.parse_choice, options=translated(LOCATIONS)),
                ),
            ],
        ),
        FormStep(
            "availability",
            _("Time and language"),
            _("Last, when you can meet. I only send reminders inside your working hours."),
            [
                Question(
                    field(
                        "timezone",
                        _("Your time zone"),
                        max_length=64,
                        hint=_("An IANA name such as Europe/Brussels or America/New_York."),
                    ),
                    parsing.parse_timezone,
                ),
                Question(
                    field("hours", _("Your working hours"), max_length=20, hint=_("Start-end, for example 09:00-17:30.")),
                    lambda raw: list(parsing.parse_hours(raw)),
                ),
                Question(
                    field(
                        "languages",
                        _("Languages you can hold a session in"),
                        kind=FieldKind.MULTI_SELECT,
                        options=translated(LANGUAGES),
                    ),
                    partial(parsing.parse_choices, options=translated(LANGUAGES)),
                ),
                Question(
                    field(
                        "language",
                        _("The language I write to you in"),
                        kind=FieldKind.SELECT,
                        options=language_options(),
                    ),
                    parse_language,
                ),
            ],
        ),
    ]


def answers_from(person: Person, profile: Profile | None, role: str) -> dict[str, Any]:
    """A stored profile as the answers its questions would have produced; without a profile,
    what the platform told about the person (name, time zone), for them to confirm."""
    language = person.language or current_locale()
    defaults = {"name": person.display_name, "timezone": person.platform_timezone, "language": language}
    if profile is None:
        return defaults
    hours = None
    if profile.work_start and profile.work_end:
        hours = [f"{profile.work_start:%H:%M}", f"{profile.work_end:%H:%M}"]
    return {
        "name": person.display_name,
        "level": str(profile.level) if profile.level else None,
        "department": profile.department,
        "manager": profile.manager,
        "topics": profile.skills_offered if role == Role.MENTOR else profile.topics_wanted,
        "topics_free_text": profile.topics_free_text,
        "style": profile.style,
        "formats": profile.formats,
        "location": profile.location,
        "timezone": profile.timezone or person.platform_timezone,
        "hours": hours,
        "languages": profile.languages,
        "language": language,
    }


async def save_profile(
    repo: Repository, person: Person, role: str, values: Mapping[str, Any], now: Any
) -> Profile:
    """Write the answers to the person's profile, creating it on first use."""
    start, end = values["hours"]
    fields: dict[str, Any] = {
        "level": int(values["level"]),
        "department": values["department"],
        "manager": values.get("manager"),
        "manager_person_id": await _manager_id(repo, values.get("manager"), await repo.profile(person.id)),
        "topics_free_text": values.get("topics_free_text"),
        "style": values["style"],
        "formats": list(values["formats"]),
        "location": values["location"],
        "timezone": values["timezone"],
        "work_start": time.fromisoformat(start),
        "work_end": time.fromisoformat(end),
        "languages": list(values["languages"]),
        "updated_at": now,
        "skills_offered" if role == Role.MENTOR else "topics_wanted": list(values["topics"]),
    }
    if values.get("language"):
        person.language = values["language"]
    if values.get("name"):
        person.display_name = values["name"]
        person.name_confirmed_at = now
    profile = await repo.profile(person.id)
    if profile is None:
        profile = repo.add(Profile(person_id=person.id, skills_offered=[], topics_wanted=[]))
    for name, value in fields.items():
        setattr(profile, name, value)
    return profile


async def _manager_id(repo: Repository, name: str | None, current: Profile | None) -> int | None:
    """The manager's person id: kept when the name is the one already on the profile (an HR
    import resolved it by email), else the one person the name finds."""
    if not name:
        return None
    if current is not None and current.manager_person_id is not None and current.manager == name:
        return current.manager_person_id
    found = await people_matching(repo, name)
    return found[0].id if len(found) == 1 else None


def profile_fields(person: Person, profile: Profile, role: str | None) -> list[tuple[str, str]]:
    """A stored profile as label/value pairs for display."""
    role = role or Role.MENTEE
    return answers_fields(answers_from(person, profile, role), role)


def answers_fields(values: Mapping[str, Any], role: str) -> list[tuple[str, str]]:
    """Collected answers (not yet saved) as label/value pairs, for a review step."""
    hours = values.get("hours") or []
    return [
        (_("Name"), values.get("name") or "-"),
        (_("Role"), word(role)),
        (_("Level"), label_of(LEVELS, str(values.get("level", "")))),
        (_("Department"), values.get("department") or "-"),
        (_("Manager"), values.get("manager") or "-"),
        (_("Teaches") if role == Role.MENTOR else _("Wants to learn"),
         ", ".join(topic_label(t) for t in values.get("topics") or []) or "-"),
        (_("In own words"), values.get("topics_free_text") or "-"),
        (_("Style"), label_of(STYLES, values.get("style"))),
        (_("Formats"), ", ".join(values.get("formats") or []) or "-"),
        (_("Remote or in person"), label_of(LOCATIONS, values.get("location"))),
        (_("Time zone"), values.get("timezone") or "-"),
        (_("Working hours"), "-".join(hours) or "-"),
        (_("Languages"), ", ".join(label_of(LANGUAGES, c) for c in values.get("languages") or []) or "-"),
        (_("Language I write to you in"), name_of(values.get("language") or current_locale())),
    ]
