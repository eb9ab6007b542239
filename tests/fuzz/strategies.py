"""Hypothesis strategies for what arrives from outside: Slack bodies and headers, Teams activities.

Each strategy starts from a recorded payload (``tests/fixtures/<platform>/``) and changes a few
of its fields: a value replaced by another JSON value (wrong types, NUL characters, huge or
odd text, deep nesting), a field removed, or junk added, so that most examples still look
like what the platform sends and reach deep into the code behind the edge.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from hypothesis import strategies as st

from tests.kit.fakes import slack_workspace, teams_client

ODD_TEXT = ["", "\x00", "U1\x00", "TACME", "UHANA", "/mentoring join", "mentoring help", "x" * 3000, "<@UHANA>",
            "&lt;b&gt;", "𝕏" * 10, "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"), "E0001",
            "https://", "javascript:alert(1)", "true", "NaN", "1e400", "-0", "{}", "[]", "%00", "..\\..\\etc"]
leaves = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30), st.sampled_from(ODD_TEXT))
json_values = st.recursive(
    leaves, lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children,
                                                                               max_size=3),
    max_leaves=8)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, child in value.items():
            yield (*prefix, key)
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield (*prefix, index)
            yield from _paths(child, (*prefix, index))


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    """``base`` with one to four of its fields replaced, removed, or given junk beside them."""
    body = copy.deepcopy(base)
    paths = list(_paths(body))
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
        try:
            parent: Any = body
            for key in path[:-1]:
                parent = parent[key]
            if action == "replace":
                parent[path[-1]] = draw(json_values)
            elif action == "delete":
                del parent[path[-1]]
            elif isinstance(parent, dict):
                parent[draw(st.text(max_size=12))] = draw(json_values)
        except (KeyError, IndexError, TypeError):
            continue
    return body


def _team(body: dict[str, Any], team: str) -> dict[str, Any]:
    for key in ("team_id",):
        if key in body:
            body[key] = team
    if isinstance(body.get("team"), dict):
        body["team"]["id"] = team
    for authorization in body.get("authorizations") or []:
        authorization["team_id"] = team
    if isinstance(body.get("user"), dict):
        body["user"]["team_id"] = team
    body.pop("enterprise_id", None)
    return body


SLACK_KINDS = {
    "message_im": "json", "app_home_opened": "json", "url_verification": "json", "slash_command": "form",
    "block_actions": "payload", "view_submission": "payload",
}


@st.composite
def slack_bodies(draw: st.DrawFn, team: str = "TACME") -> str:
    """A Slack request body as Slack encodes it (JSON, a slash command's form, or an interaction's
    ``payload=``), from a recorded payload with a few fields changed; sometimes raw junk."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.one_of(st.text(max_size=200), st.just("[" * 5000), st.just("payload=" + "{" * 3000),
                              st.just("command=%2Fmentoring&text=%00"), st.just('{"type": NaN}')))
    name = draw(st.sampled_from(sorted(SLACK_KINDS)))
    body = draw(mutated(_team(slack_workspace.fixture(name), team)))
    encoding = SLACK_KINDS[name]
    if encoding == "json":
        return json.dumps(body)
    if encoding == "payload":
        return urlencode({"payload": json.dumps(body)})
    return urlencode({key: value if isinstance(value, str) else json.dumps(value) for key, value in body.items()})


SOCKET_KINDS = {"message_im": "events_api", "app_home_opened": "events_api", "slash_command": "slash_commands",
                "block_actions": "interactive", "view_submission": "interactive"}


@st.composite
def socket_frames(draw: st.DrawFn, team: str = "TACME") -> str:
    """A frame on a Slack Socket Mode connection: an envelope around a recorded payload, with a few
    fields of the envelope or its payload changed; sometimes raw junk."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.one_of(st.text(max_size=200), st.just("[" * 5000), st.just('{"type": NaN}'),
                              st.just('{"type": "events_api", "envelope_id": "e", "payload": ' + "[" * 3000)))
    name = draw(st.sampled_from(sorted(SOCKET_KINDS)))
    payload = _team(slack_workspace.fixture(name), team)
    envelope = {"envelope_id": f"env-{draw(st.integers(0, 10**9))}", "type": SOCKET_KINDS[name], "payload": payload,
                "accepts_response_payload": SOCKET_KINDS[name] != "events_api", "retry_attempt": 0,
                "retry_reason": ""}
    return json.dumps(draw(mutated(envelope)))


slack_header_values = st.one_of(
    st.text(max_size=20), st.just(""), st.just("1796525915.5"), st.just("9" * 420), st.just("-1"),
    st.integers(0, 2**40).map(str), st.just("v0=" + "0" * 64), st.just("v0=é"), st.text(alphabet="0123456789abcdef",
                                                                                          max_size=70).map("v0=".__add__))


@st.composite
def unsigned_slack_headers(draw: st.DrawFn) -> dict[str, str]:
    """Headers without a valid signature: missing, odd or forged timestamps and signatures."""
    headers = {"Content-Type": draw(st.sampled_from(["application/json", "application/x-www-form-urlencoded",
                                                      "text/plain", "application/json; charset=klingon"]))}
    for name in ("X-Slack-Request-Timestamp", "X-Slack-Signature"):
        if draw(st.booleans()) or name == "X-Slack-Signature":
            headers[name] = draw(slack_header_values).replace("\r", "").replace("\n", "")  # HTTP cannot carry them
    return headers


TEAMS_FIXTURES = ["message_personal", "card_submit", "conversation_update_bot_added", "installation_update_add",
                  "message_channel_mention", "message_group_chat"]


@st.composite
def teams_activities(draw: st.DrawFn, service_url: str, tenant: str) -> str:
    """A Teams activity from a recorded one with a few fields changed (sometimes raw junk)."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.one_of(st.text(max_size=200), st.just("[" * 200_000), st.just('{"type": Infinity}')))
    activity = teams_client.fixture(draw(st.sampled_from(TEAMS_FIXTURES)))
    activity["serviceUrl"] = service_url
    activity.setdefault("channelData", {}).setdefault("tenant", {})["id"] = tenant
    return json.dumps(draw(mutated(activity)))
