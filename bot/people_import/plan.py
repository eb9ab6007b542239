"""What an HR import changes: rows and the people already known in, a plan out.

Pure: no database. Every row is checked on its own (name, email, role, level, languages, time
zone, where to meet, formula cells) and against the others (duplicate emails, unknown
managers, manager loops); a plan with any error is not applied at all. An empty cell leaves
what is known as it is; a person imported before and missing from the file is *leaving*.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from bot.i18n import _
from bot.catalog import LANGUAGES, LEVELS
from bot.parsing import InvalidAnswer, parse_timezone
from bot.people_import.csv_file import COLUMN_LABELS, MAX_CELL, Row
from storage.enums import Role, SessionMode
from storage.names import email_key, name_key

EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")
# A cell a spreadsheet would run as a formula (=HYPERLINK(...), +cmd, @SUM): refused, so that
# nothing stored can turn into one when an admin exports it again.
FORMULA = re.compile(r"^[=+@\t\r]|^-(?!\d)")
LIST_SEPARATORS = re.compile(r"[;|,]")
LOCATION_WORDS = {
    SessionMode.REMOTE: ("remote", "online", "video", "virtual"),
    SessionMode.IN_PERSON: ("in person", "in-person", "onsite", "on site", "office", "face to face"),
    SessionMode.EITHER: ("either", "both", "hybrid", "any"),
}
_LOCATIONS = {name_key(word): mode.value for mode, words in LOCATION_WORDS.items() for word in words}
_LANGUAGES = {name_key(text): option.value for option in LANGUAGES for text in (option.value, option.label)}
FACTS = ("name", "role", "level", "department", "manager", "languages", "timezone", "location", "topics")


@dataclass(frozen=True)
class Record:
    """One person as the HR file describes them; None (or empty) where the cell was empty."""

    line: int
    name: str
    email: str
    role: str | None = None
    level: int | None = None
    department: str | None = None
    manager: str | None = None  # the manager's email
    languages: tuple[str, ...] = ()
    timezone: str | None = None
    location: str | None = None
    topics: tuple[str, ...] = ()

    def facts(self) -> dict[str, object]:
        """What the row says, by fact, leaving out what it leaves empty."""
        found: dict[str, object] = {"name": self.name, "role": self.role, "level": self.level,
                                    "department": self.department, "manager": self.manager,
                                    "languages": list(self.languages) or None, "timezone": self.timezone,
                                    "location": self.location, "topics": list(self.topics) or None}
        return {fact: value for fact, value in found.items() if value not in (None, "")}


@dataclass(frozen=True)
class Known:
    """A person already in the database, with the facts an import may change (``manager`` as
    an email; ``role`` in the program imported into; ``skills`` and ``wants``, the topics of
    each side)."""

    person_id: int
    name: str
    email: str | None
    facts: Mapping[str, object] = field(default_factory=dict)
    imported: bool = False
    leaving: bool = False
    name_confirmed: bool = False


@dataclass(frozen=True)
class Entry:
    """What happens to one row's person: ``new``, ``updated`` (which facts) or ``unchanged``."""

    record: Record
    kind: str
    known: Known | None = None
    changed: tuple[str, ...] = ()


@dataclass
class Plan:
    """Everything an import would do, or the reasons it cannot."""

    entries: list[Entry] = field(default_factory=list)
    leaving: list[Known] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Entry]:
        """The entries of one kind (new, updated, unchanged)."""
        return [entry for entry in self.entries if entry.kind == kind]


def plan_import(rows: Sequence[Row], known: Sequence[Known], with_roles: bool = True) -> Plan:
    """The plan for ``rows`` given the people ``known`` in the organisation; without
    ``with_roles`` (no program to join) the role column changes nothing."""
    plan = Plan()
    records: list[Record] = []
    first_line: dict[str, int] = {}
    for row in rows:
        record, problems = read_record(row)
        if record is not None and record.email in first_line:
            problems.append(_("{email} is already on line {value}", email=record.email, value=first_line[record.email]))
        if record is not None:
            first_line.setdefault(record.email, row.line)
        plan.errors += [(row.line, problem) for problem in problems]
        if record is not None and not problems:
            records.append(record)
    by_email = {k.email: k for k in known if k.email}
    plan.errors += _manager_problems(records, set(first_line) | set(by_email))
    if plan.errors:
        plan.errors.sort()
        return plan
    unclaimed = _by_unique_name([k for k in known if not k.email])
    for record in records:
        match = by_email.get(record.email) or unclaimed.get(name_key(record.name))
        plan.entries.append(_entry(record if with_roles else replace(record, role=None), match))
    listed = set(first_line)
    plan.leaving = [k for k in known if k.imported and not k.leaving and k.email not in listed]
    return plan


def _entry(record: Record, known: Known | None) -> Entry:
    if known is None:
        return Entry(record, "new")
    facts = record.facts()
    side = "skills" if record.role == Role.MENTOR else "wants"
    known_facts = {**known.facts, "topics": known.facts.get(side)}
    if known.name_confirmed:
        facts.pop("name", None)  # the name the person confirmed is theirs to change
    changed = [fact for fact in FACTS if fact in facts and facts[fact] != known_facts.get(fact)]
    if known.email != record.email:
        changed.append("email")
    if known.leaving:
        changed.append(_("back in the file"))
    return Entry(record, "updated" if changed else "unchanged", known, tuple(changed))


def _by_unique_name(people: Iterable[Known]) -> dict[str, Known]:
    """People without an email (met on the platform before any import) by name key, when the
    name is unique among them: an import gives them their email instead of a second account."""
    found: dict[str, list[Known]] = {}
    for person in people:
        found.setdefault(name_key(person.name), []).append(person)
    return {key: same[0] for key, same in found.items() if len(same) == 1}


def read_record(row: Row) -> tuple[Record | None, list[str]]:
    """One row as a record, and what is wrong with it."""
    cells, problems = row.cells, []
    for column, value in cells.items():
        if FORMULA.match(value):
            problems.append(_("the {column_labels} cell starts with '{value}' (a spreadsheet formula): give the plain " "value", column_labels=COLUMN_LABELS.get(column, column), value=value[0]))
        elif len(value) > MAX_CELL:
            problems.append(_("the {column_labels} cell is {count} characters long (at most {max_cell})", column_labels=COLUMN_LABELS.get(column, column), count=len(value), max_cell=MAX_CELL))
    if problems:
        return None, problems
    name, email = " ".join(cells.get("name", "").split()), email_key(cells.get("email", ""))
    if not name:
        problems.append(_("the name is empty"))
    if not EMAIL.match(email):
        problems.append(_("'{cells}' is not an email address", cells=cells.get('email', '')) if email else _("the email is empty"))
    manager = email_key(cells.get("manager_email", "")) or None
    if manager is not None and not EMAIL.match(manager):
        problems.append(_("the manager '{manager_email}' is not an email address", manager_email=cells['manager_email']))
    values: dict[str, object] = {}
    for column, parse in PARSERS.items():
        text = cells.get(column, "")
        if not text:
            continue
        try:
            values[column] = parse(text)
        except InvalidAnswer as problem:
            problems.append(str(problem))
    if problems:
        return None, problems
    return Record(row.line, name, email, manager=manager, **values), []  # type: ignore[arg-type]


def _role(text: str) -> str:
    key = name_key(text)
    if key in ("mentor", "reverse mentor"):
        return Role.MENTOR.value
    if key in ("mentee", "executive", "leader"):
        return Role.MENTEE.value
    raise InvalidAnswer(_("the role '{text}' is neither mentor nor mentee", text=text))


def _level(text: str) -> int:
    try:
        level = int(text)
    except ValueError:
        raise InvalidAnswer(_("the level '{text}' is not a number from 1 to {count}", text=text, count=len(LEVELS))) from None
    if not 1 <= level <= len(LEVELS):
        raise InvalidAnswer(_("the level {level} is out of range: use 1 (junior) to {count} (executive)", level=level, count=len(LEVELS)))
    return level


def _languages(text: str) -> tuple[str, ...]:
    found: list[str] = []
    for item in (part.strip() for part in LIST_SEPARATORS.split(text) if part.strip()):
        code = _LANGUAGES.get(name_key(item))
        if code is None:
            raise InvalidAnswer(_("the language '{item}' is not one I know (use codes such as en, fr, nl, or names)", item=item))
        if code not in found:
            found.append(code)
    return tuple(found)


def _timezone(text: str) -> str:
    try:
        return parse_timezone(text)
    except InvalidAnswer as problem:
        raise InvalidAnswer(_("time zone: {problem}", problem=problem)) from None


def _location(text: str) -> str:
    found = _LOCATIONS.get(name_key(text))
    if found is None:
        raise InvalidAnswer(_("the location '{text}' is not remote, in person or either", text=text))
    return found


def _topics(text: str) -> tuple[str, ...]:
    topics: list[str] = []
    for topic in (" ".join(part.split()) for part in re.split(r"[;|]", text)):
        if topic and topic not in topics:
            topics.append(topic)
    return tuple(topics)


PARSERS = {"role": _role, "level": _level, "department": lambda text: " ".join(text.split()),
           "languages": _languages, "timezone": _timezone, "location": _location, "topics": _topics}


def _manager_problems(records: Sequence[Record], emails: set[str]) -> list[tuple[int, str]]:
    """Managers neither in the file nor known, and manager loops (each row on a loop)."""
    problems = [(r.line, _("the manager {manager} is neither in the file nor known to me", manager=r.manager))
                for r in records if r.manager and r.manager not in emails]
    boss = {r.email: r.manager for r in records if r.manager}
    line = {r.email: r.line for r in records}
    reported: set[str] = set()
    for start in boss:
        chain, current = [start], boss.get(start)
        while current is not None and current not in chain and len(chain) <= len(boss):
            chain.append(current)
            current = boss.get(current)
        if current is not None and current in chain:
            loop = chain[chain.index(current):]
            for email in loop:
                if email not in reported and email in line:
                    reported.add(email)
                    problems.append((line[email], _("manager loop: ") + " → ".join([*loop, current])))
    return problems
