"""Slack payloads as what they mean to the core: :class:`~bot.messages.Inbound` events.

Each function takes the request body Bolt parsed and the workspace the request is served in
(the one Bolt authorised: see :func:`adapters.slack.app.tenant_served`, never another field of
the same body), and raises :class:`Unreadable` when the body does not have the shape Slack
documents (a forged or broken request).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from adapters.payloads import BadPayload, read_json
from adapters.slack import SLACK
from adapters.slack.render import action_id_of, form_values
from bot.messages import Address, Inbound, channel_reference, person_reference


MAX_FILES = 5
SHARED_PREFIXES = ("C", "G")
"""Ids of shared conversations: channels (public or private) and group conversations. A DM
with the bot starts with ``D``, a person with ``U`` or ``W``."""


USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^<>]*))?>")
CHANNEL_MENTION = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^<>]*))?>")
"""Slack's mention syntax in message and command text (``<@U123>``, ``<#C123|general>``)."""


class Unreadable(ValueError):
    """A payload without the fields Slack always sends."""


def neutral_text(text: str) -> str:
    """Slack text as the core reads it: mentions become neutral person and channel references,
    then Slack's escapes (``&lt;`` ``&gt;`` ``&amp;``) are undone. In that order, so that a
    person typing ``<channel:…>`` literally (which Slack escapes) makes no reference."""
    text = USER_MENTION.sub(lambda found: person_reference(found.group(1), found.group(2) or ""), text)
    text = CHANNEL_MENTION.sub(lambda found: channel_reference(found.group(1), found.group(2) or ""), text)
    return html.unescape(text)


def is_shared(conversation_id: str | None) -> bool:
    """True for a channel or group conversation id (``C…``, ``G…``), false for a DM or a person."""
    return bool(conversation_id) and str(conversation_id).startswith(SHARED_PREFIXES)


def shared_address(team_id: str, conversation_id: Any) -> Address | None:
    """The address of the shared conversation ``conversation_id`` of workspace ``team_id``
    (None for a DM, or when there is none)."""
    if not isinstance(conversation_id, str) or not is_shared(conversation_id):
        return None
    return Address(SLACK, team_id, conversation_id)


def metadata_of(body: dict[str, Any]) -> dict[str, str]:
    """What a modal keeps in its ``private_metadata`` (see :attr:`~adapters.slack.replies.Conversation.metadata`);
    empty when it keeps nothing readable."""
    raw = _get(body, "view", "private_metadata") or ""
    try:
        data = read_json(raw) if isinstance(raw, str) and raw else {}
    except BadPayload:
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: value for key, value in data.items() if isinstance(key, str) and isinstance(value, str) and value}


def origin_of(metadata: dict[str, str]) -> str | None:
    """The shared conversation a modal was opened from (older modals kept it as their ``channel``)."""
    for key in ("shared", "channel"):
        if is_shared(metadata.get(key)):
            return metadata[key]
    return None


def address_of(tenant: str, user_id: Any) -> Address:
    """The address of the person behind a request served in workspace ``tenant``."""
    return Address(SLACK, tenant, _text(user_id, "user id"))


def response_url_of(body: dict[str, Any]) -> str | None:
    """The request's ``response_url`` when it is a web address one can post to, else None (the
    answers then go to the person's DM instead of being lost)."""
    url = body.get("response_url")
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    usable = parts.scheme in ("https", "http") and bool(parts.hostname) and url.isascii() and url.isprintable()
    return url if usable and " " not in url else None


def from_command(body: dict[str, Any], tenant: str) -> Inbound:
    """``/mentoring ...``: a command (its text is what follows the command)."""
    address = address_of(tenant, body.get("user_id"))
    inbound = Inbound.command(address, neutral_text(str(body.get("text") or "")))
    return replace(inbound, channel=shared_address(address.tenant, body.get("channel_id")))


def from_message(body: dict[str, Any], tenant: str) -> Inbound:
    """A direct message to the bot: typed text (``/mentoring ...`` in it is a command)."""
    event = _dict(body.get("event"), "event")
    address = address_of(tenant, event.get("user"))
    inbound = Inbound.typed(address, neutral_text(str(event.get("text") or "")))
    return _with_event_id(inbound, body)


def from_action(body: dict[str, Any], tenant: str) -> Inbound:
    """A button press (the first action of a block_actions payload); in a channel, or in a modal
    opened from one, the channel is the inbound's ``channel``."""
    actions = body.get("actions")
    if not isinstance(actions, list) or not actions:
        raise Unreadable("block_actions without actions")
    action = _dict(actions[0], "action")
    address = address_of(tenant, _get(body, "user", "id"))
    inbound = Inbound.pressed(address, action_id_of(_text(action.get("action_id"), "action id")),
                              str(action.get("value") or ""))
    return replace(inbound, channel=shared_address(address.tenant, place_of(body)))


def from_submission(body: dict[str, Any], tenant: str) -> Inbound:
    """A submitted modal: its callback id is the form id; the channel it was opened from, if
    it kept one, is the inbound's ``channel``."""
    view = _dict(body.get("view"), "view")
    address = address_of(tenant, _get(body, "user", "id"))
    state = _dict(view.get("state"), "view state")
    try:
        values = form_values(state.get("values"))
    except ValueError as problem:
        raise Unreadable(str(problem)) from None
    inbound = Inbound.submitted(address, _text(view.get("callback_id"), "callback id"), values)
    return replace(inbound, channel=shared_address(address.tenant, origin_of(metadata_of(body))))


def place_of(body: dict[str, Any]) -> str | None:
    """The conversation a button was pressed in: the message's channel, or for a button in a
    modal or the App Home, the channel the modal was opened from (if it kept one)."""
    container = body.get("container")
    container = container if isinstance(container, dict) else {}
    if container.get("type") == "view":
        return origin_of(metadata_of(body))
    found = container.get("channel_id") or _get(body, "channel", "id")
    return found if isinstance(found, str) and found else None


def from_home_opened(body: dict[str, Any], tenant: str) -> Inbound:
    """The App Home (home or messages tab) opened: greets only a newcomer."""
    event = _dict(body.get("event"), "event")
    inbound = Inbound.opened(address_of(tenant, event.get("user")))
    return _with_event_id(replace(inbound, greet_once=True), body)


def is_person_message(body: dict[str, Any]) -> bool:
    """True for a message a person typed (or a file they shared) in a DM with the bot (not an
    edit, a bot or a join)."""
    event = body.get("event") or {}
    return (event.get("channel_type") == "im" and event.get("subtype") in (None, "", "file_share")
            and not event.get("bot_id") and bool(event.get("user")))


@dataclass(frozen=True)
class SharedFile:
    """A file shared with a message, as the event describes it (its content is fetched apart)."""

    file_id: str
    name: str
    size: int
    mimetype: str


def shared_files(body: dict[str, Any]) -> list[SharedFile]:
    """The files of a ``file_share`` message (the first few; ones without an id are skipped)."""
    event = body.get("event") or {}
    files = event.get("files") if isinstance(event, dict) else None
    found = []
    for item in files if isinstance(files, list) else []:
        if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"]:
            size = item.get("size")
            found.append(SharedFile(item["id"], str(item.get("name") or item.get("title") or "file")[:200],
                                    size if isinstance(size, int) and size >= 0 else 0,
                                    str(item.get("mimetype") or "")[:100]))
    return found[:MAX_FILES]


# --- internals ---------------------------------------------------------------------------


def _with_event_id(inbound: Inbound, body: dict[str, Any]) -> Inbound:
    event_id = body.get("event_id")
    return replace(inbound, event_id=str(event_id)) if event_id else inbound


def _get(body: dict[str, Any], *path: str) -> Any:
    value: Any = body
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _dict(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Unreadable(f"{what} is missing or not an object")
    return value


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise Unreadable(f"{what} is missing")
    return value
