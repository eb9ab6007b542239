"""Slack payloads as what they mean to the core: :class:`~bot.messages.Inbound` events.

Each function takes the request body Bolt parsed and raises :class:`Unreadable` when it
does not have the shape Slack documents (a forged or broken request).
"""

from __future__ import annotations

import html
import json
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs

from adapters.slack.render import action_id_of, form_values
from bot.messages import Address, Inbound, Platform


class Unreadable(ValueError):
    """A payload without the fields Slack always sends."""


def team_of(body: dict[str, Any]) -> str:
    """The workspace a request comes from (enterprise id for an org-wide install)."""
    team = body.get("team_id") or _get(body, "team", "id") or _get(body, "user", "team_id")
    team = team or body.get("enterprise_id") or _get(body, "enterprise", "id")
    return _text(team, "team id")


def address_of(body: dict[str, Any], user_id: Any) -> Address:
    """The address of the person behind a request."""
    return Address(Platform.SLACK, team_of(body), _text(user_id, "user id"))


def from_command(body: dict[str, Any]) -> Inbound:
    """``/mentoring ...``: a command (its text is what follows the command)."""
    address = address_of(body, body.get("user_id"))
    return Inbound.command(address, html.unescape(str(body.get("text") or "")))


def from_message(body: dict[str, Any]) -> Inbound:
    """A direct message to the bot: typed text (``/mentoring ...`` in it is a command)."""
    event = _dict(body.get("event"), "event")
    address = address_of(body, event.get("user"))
    inbound = Inbound.typed(address, html.unescape(str(event.get("text") or "")))
    return _with_event_id(inbound, body)


def from_action(body: dict[str, Any]) -> Inbound:
    """A button press (the first action of a block_actions payload)."""
    actions = body.get("actions")
    if not isinstance(actions, list) or not actions:
        raise Unreadable("block_actions without actions")
    action = _dict(actions[0], "action")
    address = address_of(body, _get(body, "user", "id"))
    return Inbound.pressed(address, action_id_of(_text(action.get("action_id"), "action id")),
                           str(action.get("value") or ""))


def from_submission(body: dict[str, Any]) -> Inbound:
    """A submitted modal: its callback id is the form id."""
    view = _dict(body.get("view"), "view")
    address = address_of(body, _get(body, "user", "id"))
    state = _dict(view.get("state"), "view state")
    try:
        values = form_values(state.get("values"))
    except ValueError as problem:
        raise Unreadable(str(problem)) from None
    return Inbound.submitted(address, _text(view.get("callback_id"), "callback id"), values)


def from_home_opened(body: dict[str, Any]) -> Inbound:
    """The App Home (home or messages tab) opened: greets only a newcomer."""
    event = _dict(body.get("event"), "event")
    inbound = Inbound.opened(address_of(body, event.get("user")))
    return _with_event_id(replace(inbound, greet_once=True), body)


def is_person_message(body: dict[str, Any]) -> bool:
    """True for a message a person typed in a DM with the bot (not an edit, a bot or a join)."""
    event = body.get("event") or {}
    return (event.get("channel_type") == "im" and not event.get("subtype") and not event.get("bot_id")
            and bool(event.get("user")))


def shape_problem(raw: str) -> str | None:
    """What makes a request body unusable before any listener sees it, or None.

    Slack sends JSON (events) or a form (slash commands, and interactions as a ``payload``
    field holding JSON); anything else, or JSON without the parts its type always has, is
    refused here rather than failing deep inside a handler.
    """
    text = raw.strip()
    if text.startswith("{"):
        return _json_problem(text)
    form = parse_qs(text)
    if "payload" in form:
        return _json_problem(form["payload"][0])
    return None if form.get("command") else "neither JSON nor a slash command"


def _json_problem(text: str) -> str | None:
    try:
        body = json.loads(text)
    except ValueError:
        return "not valid JSON"
    if not isinstance(body, dict):
        return "not a JSON object"
    kind = body.get("type")
    needs = {"event_callback": ("event", dict), "block_actions": ("actions", list),
             "view_submission": ("view", dict), "view_closed": ("view", dict)}
    if kind in needs:
        key, shape = needs[kind]
        value = body.get(key)
        if not isinstance(value, shape) or not value:
            return f"a {kind} without {key}"
    return None


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
