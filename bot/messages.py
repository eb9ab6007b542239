"""The neutral conversation model shared by every platform.

Adapters translate what a person did into an :class:`Inbound` and render each
:class:`Message` the core answers: Slack as Block Kit and modals, Teams as Adaptive
Cards, the console as numbered choices and one prompt per form field. Every message
carries a plain-text fallback, so a platform that cannot render a block still says
everything.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any
from bot.i18n import N_, _, current_locale

# What every platform can show; the core keeps within these so that no adapter has to cut
# (Slack's limits are the tightest: modal titles 24 characters, button and option text 75).
TITLE_LIMIT = 24
LABEL_LIMIT = 75
SHORT_LABEL = 60
"""How much of a longer text (a goal's title, a topic) goes into a form label or a button."""


def short(text: str, limit: int = SHORT_LABEL) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Address:
    """Where a person is reached, and what the platform needs to message them later.

    ``platform`` is the name its adapter gives it (the core keeps no list of platforms);
    ``tenant`` is the organization on the platform (Slack team id, Teams tenant id,
    ``local`` for the console); ``reference`` holds whatever the platform needs for a
    proactive message (for Teams, the serialized conversation reference).
    """

    platform: str
    tenant: str
    user_id: str
    reference: Mapping[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        """The address as stored (on a person, in a nudge's payload, in an audience)."""
        return {"platform": self.platform, "tenant": self.tenant, "user_id": self.user_id,
                "reference": dict(self.reference) if self.reference else None}

    @classmethod
    def from_dict(cls, stored: Mapping[str, Any] | None) -> Address | None:
        """The address :meth:`as_dict` stored; None when there is none or it is unreadable."""
        if not stored:
            return None
        try:
            return cls(str(stored["platform"]), str(stored["tenant"]), str(stored["user_id"]), stored.get("reference"))
        except KeyError:
            return None


# --- references to people and channels in text ----------------------------------------------
# Adapters translate their platform's mention syntax (Slack ``<@U123>``, ``<#C123|general>``)
# into these neutral references on the way in, and render them back on the way out, so the
# core reads and writes one syntax whatever the platform. A reference may carry a label: what
# a platform without mentions shows instead (``<channel:C123|the channel where it was scheduled>``).

PERSON_REFERENCE = re.compile(r"<person:([^<>|\s]+)(?:\|([^<>]*))?>")
CHANNEL_REFERENCE = re.compile(r"<channel:([^<>|\s]+)(?:\|([^<>]*))?>")


def person_reference(user_id: str, label: str = "") -> str:
    """A person of the platform, by their platform user id, in text."""
    return f"<person:{user_id}|{label}>" if label else f"<person:{user_id}>"


def channel_reference(channel_id: str, label: str = "") -> str:
    """A shared conversation of the platform, by its id, in text."""
    return f"<channel:{channel_id}|{label}>" if label else f"<channel:{channel_id}>"


def referenced_person(text: str) -> str | None:
    """The platform user id when ``text`` is one person reference, else None."""
    found = PERSON_REFERENCE.fullmatch(text.strip())
    return found.group(1) if found else None


def referenced_channel(text: str) -> str | None:
    """The channel id when ``text`` is one channel reference, else None."""
    found = CHANNEL_REFERENCE.fullmatch(text.strip())
    return found.group(1) if found else None


def labels_for_references(text: str) -> str:
    """``text`` with each reference replaced by its label (its id when it has none): how a
    platform without mentions shows it."""
    def label(found: re.Match[str]) -> str:
        return found.group(2) or found.group(1)
    return CHANNEL_REFERENCE.sub(label, PERSON_REFERENCE.sub(label, text))


class InboundKind(StrEnum):
    """What a person did."""

    TEXT = "text"
    COMMAND = "command"
    ACTION = "action"
    FORM = "form"
    OPENED = "opened"


COMMAND_ACTION = "command"
"""Action id of a button whose value is a command: pressing it means typing it."""

SHOW_FORM_ACTION = "show-form"
"""Action id of a button whose value is a form id: pressing it shows that form again, for
platforms that open forms only from a click (Slack modals need a trigger)."""


FormValue = str | list[str]


@dataclass(frozen=True)
class InboundFile:
    """A file a person attached (an HR export for ``/mentoring import``), already fetched by the
    adapter from wherever its platform keeps it, so that the core never calls a platform."""

    filename: str
    media_type: str
    data: bytes
    # The size the platform declared, for a file too large to fetch (``data`` is then empty).
    size: int = 0

    @property
    def declared_size(self) -> int:
        """How large the file is."""
        return max(self.size, len(self.data))


@dataclass(frozen=True)
class Inbound:
    """Something a person did, already translated by an adapter.

    ``event_id`` is the platform's id of a delivery that may be retried: the core lets each
    id take effect once. ``timezone`` is the IANA time zone the platform knows for the
    person, a default they confirm in their profile. ``greet_once`` on an ``opened`` event
    greets only a person seen for the first time.
    """

    address: Address
    kind: InboundKind
    display_name: str = ""
    text: str = ""
    action_id: str = ""
    value: str = ""
    form_id: str = ""
    values: Mapping[str, FormValue] = field(default_factory=dict)
    event_id: str | None = None
    timezone: str = ""
    greet_once: bool = False
    # The shared conversation (a channel, a group chat) the person wrote in; None in a direct
    # chat with the bot. A lunch-and-learn's audience may be "here": this conversation.
    channel: Address | None = None
    # Files attached to the message (fetched by the adapter); what the platform knows of the
    # person's email address, which finds them among the people an HR import brought in.
    files: tuple[InboundFile, ...] = ()
    email: str = ""
    # The language the platform knows for the person (Slack's user locale, Teams'
    # ``activity.locale``), as it sent it: a default they confirm in their profile.
    locale: str = ""

    @classmethod
    def typed(cls, address: Address, text: str, display_name: str = "", files: tuple[InboundFile, ...] = ()
              ) -> Inbound:
        """A line the person typed (with the files they attached); a leading ``/mentoring`` makes
        it a command."""
        return cls(address, InboundKind.TEXT, display_name=display_name, text=text, files=files)

    @classmethod
    def command(cls, address: Address, text: str, display_name: str = "") -> Inbound:
        """A command (slash command, bot menu); ``text`` is what follows ``/mentoring``."""
        return cls(address, InboundKind.COMMAND, display_name=display_name, text=text)

    @classmethod
    def pressed(
        cls, address: Address, action_id: str, value: str, display_name: str = ""
    ) -> Inbound:
        """A button press."""
        return cls(
            address, InboundKind.ACTION, display_name=display_name, action_id=action_id, value=value
        )

    @classmethod
    def submitted(
        cls,
        address: Address,
        form_id: str,
        values: Mapping[str, FormValue],
        display_name: str = "",
    ) -> Inbound:
        """A submitted form (all of its fields or, from the console, one at a time)."""
        return cls(
            address, InboundKind.FORM, display_name=display_name, form_id=form_id, values=values
        )

    @classmethod
    def opened(cls, address: Address, display_name: str = "") -> Inbound:
        """The person opened a conversation with the bot (first contact, app home, console)."""
        return cls(address, InboundKind.OPENED, display_name=display_name)

    def as_dict(self) -> dict[str, Any]:
        """The event as JSON-able data (kept while the database is unreachable, sent to a worker).
        Attached files are not part of it: the platform's turn fetches them where the core runs."""
        return {"address": self.address.as_dict(), "kind": self.kind.value, "display_name": self.display_name,
                "text": self.text, "action_id": self.action_id, "value": self.value, "form_id": self.form_id,
                "values": {key: list(value) if isinstance(value, list) else value for key, value in self.values.items()},
                "event_id": self.event_id, "timezone": self.timezone, "greet_once": self.greet_once,
                "channel": self.channel.as_dict() if self.channel else None, "email": self.email,
                "locale": self.locale}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Inbound:
        """The event :meth:`as_dict` gave; ValueError when ``data`` is not one."""
        address = Address.from_dict(data.get("address"))
        if address is None:
            raise ValueError("an inbound event without an address")
        try:
            kind = InboundKind(data["kind"])
        except (KeyError, ValueError):
            raise ValueError("an inbound event of no known kind") from None
        fields = {name: data[name] for name in ("display_name", "text", "action_id", "value", "form_id",
                                                "event_id", "timezone", "greet_once", "email", "locale")
                  if name in data}
        return cls(address, kind, values=dict(data.get("values") or {}), channel=Address.from_dict(data.get("channel")),
                   **fields)


# --- Outbound ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """One choice of a select, or one button."""

    value: str
    label: str


class ButtonStyle(StrEnum):
    """How a button stands out."""

    DEFAULT = "default"
    PRIMARY = "primary"
    DANGER = "danger"


@dataclass(frozen=True)
class Button:
    """A button: pressing it sends ``action_id`` and ``value`` back to the core.

    Buttons of one row may share an action id (every command button is ``command``); an
    adapter whose platform wants unique ids per row (Slack) suffixes them and strips the
    suffix on the way back.
    """

    label: str
    action_id: str
    value: str
    style: ButtonStyle = ButtonStyle.DEFAULT

    @classmethod
    def for_command(
        cls, label: str, command: str, style: ButtonStyle = ButtonStyle.DEFAULT
    ) -> Button:
        """A button that means the same as typing ``/mentoring <command>``."""
        return cls(label, COMMAND_ACTION, command, style)


@dataclass(frozen=True)
class Section:
    """A paragraph of text (light markdown: *bold*, _italic_, bullet lines)."""

    text: str


@dataclass(frozen=True)
class Fields:
    """Label/value pairs shown side by side where the platform can (Slack shows at most 10
    per section: its adapter splits longer lists)."""

    items: Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Actions:
    """A row of buttons."""

    buttons: Sequence[Button]


@dataclass(frozen=True)
class Context:
    """A small, secondary line."""

    text: str


Block = Section | Fields | Actions | Context


class FieldKind(StrEnum):
    """Kinds of form input every adapter can render."""

    TEXT = "text"
    LONG_TEXT = "long_text"
    SELECT = "select"
    MULTI_SELECT = "multi_select"
    RATING = "rating"
    NUMBER = "number"
    DATE = "date"
    TIME = "time"


@dataclass(frozen=True)
class FormField:
    """One input of a form.

    ``initial`` prefills the input (a list for multi-selects); ``hint`` explains the
    expected answer; ``max_length`` is enforced by the core whatever the adapter shows.
    """

    name: str
    label: str
    kind: FieldKind = FieldKind.TEXT
    options: Sequence[Option] = ()
    optional: bool = False
    initial: FormValue | None = None
    hint: str = ""
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None


@dataclass(frozen=True)
class Form:
    """A form: a modal on Slack, an Adaptive Card on Teams, prompts on the console.

    ``errors`` maps field names to what was wrong with the last answer given for them.
    """

    form_id: str
    title: str
    fields: Sequence[FormField]
    submit_label: str = N_("Next")
    errors: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Attachment:
    """A file that goes with a message (a calendar invite).

    ``link`` is the path under the bot's own HTTP server where the same file can be
    fetched (``/calendar/TOKEN.ics``), for platforms that cannot carry the file itself:
    they show a link to it on the bot's public URL.
    """

    filename: str
    media_type: str
    data: bytes
    link: str = ""

    @property
    def is_image(self) -> bool:
        """True for a picture (a chart), which platforms show rather than link to."""
        return self.media_type.startswith("image/")

    @property
    def link_label(self) -> str:
        """What a button to the file's link says."""
        if self.media_type.startswith("text/calendar"):
            return _("Add to calendar")
        if self.media_type.startswith("text/html"):
            return _("Open in your browser")
        return _("Download {filename}", filename=self.filename)


NO_PUBLIC_URL = (N_("Links to the bot's files (calendar invites, reports, charts) need its PUBLIC_URL setting: "
                 "ask whoever runs mentorbot to set it."))
"""What platforms that link to the bot's files say when they do not know its public address."""


class Visibility(StrEnum):
    """Who sees a reply to a command in a shared channel."""

    PRIVATE = "private"
    PUBLIC = "public"


@dataclass(frozen=True)
class Message:
    """What the core says: a text fallback that is always present, plus blocks and a form.

    ``to`` is None for a reply to whoever spoke; otherwise the message is for another
    person and goes out through the outbox.
    """

    text: str
    blocks: Sequence[Block] = ()
    form: Form | None = None
    visibility: Visibility = Visibility.PRIVATE
    to: Address | None = None
    attachments: Sequence[Attachment] = ()
    locale: str = field(default_factory=current_locale)
    """The language the message is written in (the current one where it was made: the engine and
    the outbox set it); adapters write their own words (a modal's Cancel, a file's link) in it."""

    @property
    def buttons(self) -> list[Button]:
        """Every button in the message, in order."""
        return [b for block in self.blocks if isinstance(block, Actions) for b in block.buttons]


def say(text: str, *buttons: Button, form: Form | None = None) -> Message:
    """A reply whose text is shown as a section, followed by ``buttons`` if any."""
    blocks: list[Block] = [Section(text)]
    if buttons:
        blocks.append(Actions(buttons))
    return Message(text=text, blocks=blocks, form=form)


def say_fields(lead: str, fields: Sequence[tuple[str, str]], *buttons: Button) -> Message:
    """A lead line, label/value pairs and ``buttons``; the fallback lists the pairs as lines."""
    text = "\n".join([lead, *(f"{label}: {value}" for label, value in fields)])
    blocks: list[Block] = [Section(lead), Fields(fields)]
    if buttons:
        blocks.append(Actions(buttons))
    return Message(text=text, blocks=blocks)


def fallback_text(blocks: Sequence[Block]) -> str:
    """The plain text of ``blocks``: sections and context lines, and fields as ``label: value``."""
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, Section | Context):
            lines.append(block.text)
        elif isinstance(block, Fields):
            lines += [f"{label}: {value}" for label, value in block.items]
    return "\n".join(lines)


def with_reference_labels(message: Message) -> Message:
    """``message`` with every person and channel reference in its text replaced by its label
    (see :func:`labels_for_references`): for platforms without mention syntax."""
    def block(found: Block) -> Block:
        if isinstance(found, Section):
            return Section(labels_for_references(found.text))
        if isinstance(found, Context):
            return Context(labels_for_references(found.text))
        if isinstance(found, Fields):
            return Fields([(labels_for_references(a), labels_for_references(b)) for a, b in found.items])
        return found
    return replace(message, text=labels_for_references(message.text), blocks=[block(b) for b in message.blocks])
