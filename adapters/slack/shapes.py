"""What a signed request body (or a Socket Mode envelope's payload) must look like before Bolt reads it.

Bolt and :mod:`adapters.slack.translate` read ids, types and routing fields from fixed places
(``team.id``, ``authorizations[0].team_id``, ``actions[0].action_id``, ``view.callback_id``
...) and assume their JSON types. A body whose fields have other types (a forged or broken
request, even one signed with the right secret) is refused here with 400 (a Socket Mode envelope:
acknowledged empty), before anything reads it. The models list only the fields Bolt or the adapter read; everything else passes.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from pydantic import BaseModel, ConfigDict, ValidationError

from adapters.payloads import BadPayload, read_json

Text = str | None
Flag = bool | str | None


class _Shape(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow")


class _Id(_Shape):
    id: Text = None
    team_id: Text = None
    enterprise_id: Text = None


class _Ids(_Shape):
    """The fields Bolt reads ids from, at any level it looks (the body, the event, an
    authorization, a message inside an event)."""

    type: Text = None
    team: str | _Id | None = None
    team_id: Text = None
    enterprise: str | _Id | None = None
    enterprise_id: Text = None
    is_enterprise_install: Flag = None
    user: str | _Id | None = None
    user_id: Text = None
    user_team: Text = None
    channel: str | _Id | None = None
    channel_id: Text = None
    channel_type: Text = None
    subtype: Text = None
    bot_id: Text = None
    text: Text = None
    tab: Text = None
    message: _Ids | None = None
    previous_message: _Ids | None = None
    item: _Ids | None = None
    assistant_thread: _Ids | None = None
    function_execution_id: Text = None
    bot_access_token: Text = None


class _View(_Shape):
    type: str
    callback_id: str = ""
    id: Text = None
    team_id: Text = None
    app_installed_team_id: Text = None
    private_metadata: Text = None
    state: dict[str, dict[str, dict[str, dict[str, Any]]]] | None = None


class _Action(_Shape):
    action_id: str
    block_id: Text = None
    type: Text = None
    value: Text = None


class _Container(_Shape):
    type: Text = None
    channel_id: Text = None
    is_ephemeral: bool | None = None


class _ResponseUrl(_Shape):
    response_url: Text = None


class Envelope(_Ids):
    """A request body as Bolt and the adapter read it."""

    authorizations: list[_Ids] | None = None
    event: _Ids | None = None
    view: _View | None = None
    actions: list[_Action] | None = None
    container: _Container | None = None
    response_url: Text = None
    response_urls: list[_ResponseUrl] | None = None
    trigger_id: Text = None
    event_id: Text = None
    callback_id: Text = None
    action_id: Text = None
    block_id: Text = None
    command: Text = None
    challenge: Text = None
    is_ext_shared_channel: bool | None = None
    function_data: dict[str, Any] | None = None


NEEDS: dict[str, tuple[str, ...]] = {
    "event_callback": ("event",),
    "block_actions": ("actions",),
    "view_submission": ("view",),
    "view_closed": ("view",),
}
"""What each kind of interaction always carries."""


class Malformed(ValueError):
    """A body Bolt must not see; the message says why, in a few words."""


def read(raw: str) -> dict[str, Any]:
    """The body as Slack meant it, or :class:`Malformed`.

    Slack sends JSON (events) or a form (slash commands, and interactions as a ``payload``
    field holding JSON); anything else, or JSON without the parts its type always has or with
    fields of the wrong type, is refused.
    """
    text = raw.strip()
    if text.startswith("{"):
        body = _json(text)
    else:
        form = parse_qs(text, keep_blank_values=True)
        if "payload" in form:
            body = _json(form["payload"][0])
        elif form.get("command"):
            body = {key: values[0] for key, values in form.items()}
        else:
            raise Malformed("neither JSON nor a slash command")
    check(body)
    return body


def check(body: dict[str, Any]) -> None:
    """Raise :class:`Malformed` unless ``body`` (already parsed: a Socket Mode envelope's
    payload, or what :func:`read` found) has the parts its type always has, with the types Bolt
    and the adapter read."""
    problem = _shape_problem(body)
    if problem:
        raise Malformed(problem)


def content_type(raw: str) -> str:
    """The content type of a body :func:`read` accepted, from what it holds rather than from
    what the request said (Bolt parses by the header)."""
    return "application/json" if raw.strip().startswith("{") else "application/x-www-form-urlencoded"


def _json(text: str) -> dict[str, Any]:
    try:
        body = read_json(text)
    except BadPayload as bad:
        raise Malformed(str(bad)) from None
    if not isinstance(body, dict):
        raise Malformed("not a JSON object")
    return body


def _path(body: Any, location: tuple[int | str, ...]) -> str:
    """``event.user``: the fields of ``location`` that are in ``body`` (pydantic also names the
    members of a union it tried)."""
    parts, value = [], body
    for part in location:
        present = (isinstance(value, dict) and part in value
                   or isinstance(value, list) and isinstance(part, int) and part < len(value))
        if present:
            parts.append(str(part))
            value = value[part]
        elif part not in TYPE_NAMES:
            parts.append(str(part))
            break
    return ".".join(parts) or "the body"


TYPE_NAMES = {"str", "bool", "int", "_Id", "_Ids", "_View", "_Action", "_Container", "_ResponseUrl"}


def _shape_problem(body: dict[str, Any]) -> str | None:
    kind = body.get("type")
    for key in NEEDS.get(kind, ()) if isinstance(kind, str) else ():
        if not isinstance(body.get(key), dict | list) or not body[key]:
            return f"a {kind} without {key}"
    try:
        envelope = Envelope.model_validate(body)
    except ValidationError as invalid:
        first = invalid.errors(include_url=False, include_input=False)[0]
        return f"{_path(body, first['loc'])} is missing or of the wrong type"
    if envelope.type == "event_callback" and not (envelope.event and envelope.event.type):
        return "an event without a type"
    return None
