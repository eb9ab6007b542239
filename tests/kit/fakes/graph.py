"""A fake Microsoft Graph on 127.0.0.1: the Entra token endpoint (over https, as MSAL requires,
with OpenID discovery), ``getSchedule``, events (create with ``transactionId``, update, cancel),
``calendarView`` and ``calendarView/delta``, and subscriptions with the validation handshake.
It records every call, enforces Graph's four concurrent requests per mailbox (429 with
``Retry-After``), and can answer slowly (``delay``) or fail on demand (``fail_next``).

The organiser's copy of an event lists its attendees with their responses; an attendee's
free/busy includes the events they are invited to (unless they declined).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from aiohttp import web

from tests.kit.fakes.calendar_service import Call, ServiceBase, occurrences
from tests.kit.fakes.local_http import serve_locally
from tests.kit.fakes.tls import client_context, server_context

CLIENT_ID = "11111111-2222-3333-4444-555555555555"
CLIENT_SECRET = "graph-test-secret"
PAGE = 200


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000")


def _when(value: dict[str, str]) -> datetime:
    from zoneinfo import ZoneInfo
    text = value["dateTime"].split(".")[0].replace("Z", "")
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=ZoneInfo(value.get("timeZone") or "UTC")).astimezone(UTC)


@dataclass
class Mailbox:
    """One person's calendar in a tenant."""

    address: str
    tenant: str
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    deleted: bool = False


class FakeGraph(ServiceBase):
    """Serve it with ``async with FakeGraph() as graph``; point ``GRAPH_API_URL`` at
    :attr:`api_url` and ``GRAPH_LOGIN_URL`` at :attr:`login_url`."""

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__(delay)
        self.consented: set[str] = set()
        self.mailboxes: dict[str, Mailbox] = {}
        self.tokens: dict[str, str] = {}
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self.transactions: dict[tuple[str, str], str] = {}
        self.expired_delta_tokens: set[str] = set()
        self.validations: list[tuple[str, int, str]] = []
        self._version = itertools.count(1)
        self._ids = itertools.count(1)
        self._runners: list[web.AppRunner] = []
        self.port = self.login_port = 0
        self.token_requests = 0

    # --- set-up and what the people around the calendar do ----------------------------------

    def add_tenant(self, tenant: str, *people: str, consent: bool = True) -> None:
        """A customer tenant with these mailboxes, whose administrator consented (or not yet)."""
        if consent:
            self.consented.add(tenant)
        for address in people:
            self.mailboxes[address.lower()] = Mailbox(address.lower(), tenant)

    def revoke(self, tenant: str) -> None:
        """The administrator removes the app's consent: no more tokens, tokens refused."""
        self.consented.discard(tenant)
        for token, owner in list(self.tokens.items()):
            if owner == tenant:
                del self.tokens[token]

    def delete_mailbox(self, address: str) -> None:
        """The person left: their mailbox is gone."""
        self.mailboxes[address.lower()].deleted = True

    def add_busy(self, address: str, start: datetime, end: datetime, subject: str = "Board meeting") -> str:
        """An event of the person's own (not the bot's)."""
        body = {"subject": subject, "start": {"dateTime": _iso(start), "timeZone": "UTC"},
                "end": {"dateTime": _iso(end), "timeZone": "UTC"}, "attendees": []}
        return self._store(self.mailboxes[address.lower()], body)["id"]

    def event(self, address: str, event_id: str) -> dict[str, Any]:
        """An event on a calendar, as stored."""
        return self.mailboxes[address.lower()].events[event_id]

    def bot_events(self, address: str) -> list[dict[str, Any]]:
        """The events the bot created on a calendar."""
        return [e for e in self.mailboxes[address.lower()].events.values() if e.get("transactionId")]

    def canceled_occurrences(self, address: str) -> list[datetime]:
        """When the canceled occurrences of series on a calendar were to start."""
        return sorted(_when(e["start"]) for e in self.mailboxes[address.lower()].events.values()
                      if e.get("type") == "exception" and e.get("isCancelled"))

    def move(self, address: str, event_id: str, start: datetime, minutes: int = 45) -> None:
        """Someone (an assistant) drags the event to another time in Outlook."""
        event = self.event(address, event_id)
        event["start"] = {"dateTime": _iso(start), "timeZone": "UTC"}
        event["end"] = {"dateTime": _iso(start + timedelta(minutes=minutes)), "timeZone": "UTC"}
        self._touch(self.mailboxes[address.lower()], event_id)

    def delete(self, address: str, event_id: str) -> None:
        """Someone deletes the event in Outlook."""
        mailbox = self.mailboxes[address.lower()]
        mailbox.events.pop(event_id)
        mailbox.removed[event_id] = next(self._version)

    def respond(self, address: str, event_id: str, attendee: str, response: str) -> None:
        """An attendee answers the invitation (``declined``, ``accepted``, ``tentativelyAccepted``)."""
        event = self.event(address, event_id)
        for each in event["attendees"]:
            if each["emailAddress"]["address"].lower() == attendee.lower():
                each["status"] = {"response": response, "time": _iso(datetime.now(UTC))}
        self._touch(self.mailboxes[address.lower()], event_id)

    async def notify(self, subscription_id: str, client_state: str | None = None) -> int:
        """Graph posts a change notification for a subscription; the status the bot answered."""
        sub = self.subscriptions[subscription_id]
        payload = {"value": [{"subscriptionId": subscription_id, "clientState": client_state or sub["clientState"],
                              "changeType": "updated", "resource": sub["resource"].lstrip("/"),
                              "subscriptionExpirationDateTime": sub["expirationDateTime"],
                              "tenantId": sub["tenant"]}]}
        async with httpx.AsyncClient() as client:
            response = await client.post(sub["notificationUrl"], json=payload)
        return response.status_code

    # --- serving -----------------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        """``GRAPH_API_URL``."""
        return f"http://127.0.0.1:{self.port}/v1.0"

    @property
    def login_url(self) -> str:
        """``GRAPH_LOGIN_URL`` (https)."""
        return f"https://127.0.0.1:{self.login_port}"

    @property
    def tls(self) -> Any:
        """A client SSL context trusting the login endpoint."""
        return client_context()

    async def __aenter__(self) -> FakeGraph:
        login = web.Application()
        login.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self._openid)
        login.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        runner = web.AppRunner(login, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=server_context())
        await site.start()
        self.login_port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._runners.append(runner)
        api = web.Application()
        api.router.add_route("*", "/v1.0/{path:.*}", self._api)
        runner, self.port = await serve_locally(api)
        self._runners.append(runner)
        return self

    async def __aexit__(self, *exc: object) -> None:
        for runner in self._runners:
            await runner.cleanup()

    async def _openid(self, request: web.Request) -> web.Response:
        tenant = request.match_info["tenant"]
        base = f"{self.login_url}/{tenant}"
        return web.json_response({"authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                                  "token_endpoint": f"{base}/oauth2/v2.0/token", "issuer": f"{base}/v2.0"})

    async def _token(self, request: web.Request) -> web.Response:
        tenant = request.match_info["tenant"]
        form = dict(await request.post())
        self.token_requests += 1
        self.calls.append(Call("POST", f"/{tenant}/oauth2/v2.0/token", {}, {k: ("***" if k == "client_secret" else v)
                                                                             for k, v in form.items()}))
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return web.json_response({"error": "invalid_client", "error_description":
                                      "AADSTS7000215: Invalid client secret provided."}, status=401)
        if tenant not in self.consented:
            return web.json_response({"error": "unauthorized_client", "error_description":
                                      f"AADSTS700016: Application with identifier '{CLIENT_ID}' was not found in the "
                                      f"directory '{tenant}'."}, status=400)
        token = f"graph-{tenant}-{next(self._ids)}"
        self.tokens[token] = tenant
        return web.json_response({"token_type": "Bearer", "expires_in": 3599, "access_token": token})

    # --- the API -------------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["path"]
        body: Any = None
        if request.can_read_body:
            try:
                body = await request.json()
            except ValueError:
                return _error(400, "BadRequest", "not JSON")
        parts = path.strip("/").split("/")
        mailbox_key = parts[1].lower() if parts[0] == "users" and len(parts) > 1 else ""
        call = Call(request.method, path, dict(request.query), body, mailbox_key)
        refused = await self._enter(call)
        if refused is not None:
            return refused
        self.in_flight[mailbox_key] += 1
        try:
            response = await self._route(request, parts, body, call)
        finally:
            self.in_flight[mailbox_key] -= 1
        call.status = response.status
        return response

    async def _route(self, request: web.Request, parts: list[str], body: Any, call: Call) -> web.Response:
        tenant = self.tokens.get(request.headers.get("Authorization", "").removeprefix("Bearer "))
        if tenant is None:
            return _error(401, "InvalidAuthenticationToken", "Access token is empty or invalid.")
        if parts[0] == "subscriptions":
            return await self._subscriptions(request, parts, body, tenant)
        if parts[0] != "users" or len(parts) < 3:
            return _error(400, "BadRequest", "unsupported")
        mailbox = self.mailboxes.get(parts[1].lower())
        if mailbox is None or mailbox.deleted or mailbox.tenant != tenant:
            return _error(404, "ErrorInvalidUser", f"The requested user '{parts[1]}' is invalid.")
        rest, method = parts[2:], request.method
        if rest == ["calendar"] and method == "GET":
            return web.json_response({"id": "calendar", "name": "Calendar", "canEdit": True})
        if rest == ["calendar", "getSchedule"] and method == "POST":
            return self._schedule(body, tenant)
        if rest == ["events"] and method == "POST":
            return self._create(mailbox, body)
        if rest[0] == "events" and len(rest) == 2 and method == "PATCH":
            return self._update(mailbox, rest[1], body)
        if rest[0] == "events" and len(rest) == 3 and rest[2] == "cancel" and method == "POST":
            return self._cancel(mailbox, rest[1])
        if rest[0] == "events" and len(rest) == 3 and rest[2] == "instances" and method == "GET":
            return self._instances(mailbox, rest[1], request.query)
        if rest == ["calendarView"] and method == "GET":
            return self._view(mailbox, request.query)
        if rest == ["calendarView", "delta"] and method == "GET":
            return self._delta(mailbox, request.query, request.headers.get("Prefer", ""))
        return _error(400, "BadRequest", "unsupported")

    def _schedule(self, body: dict[str, Any], tenant: str) -> web.Response:
        start, end = _when(body["startTime"]), _when(body["endTime"])
        value = []
        for address in body["schedules"]:
            mailbox = self.mailboxes.get(address.lower())
            if mailbox is None or mailbox.deleted or mailbox.tenant != tenant:
                value.append({"scheduleId": address, "error": {"message": "The user or mailbox does not exist.",
                                                                "responseCode": "ErrorMailRecipientNotFound"}})
                continue
            items = [{"status": "busy", "isPrivate": False, "subject": e.get("subject", ""),
                      "start": {"dateTime": _iso(s), "timeZone": "UTC"}, "end": {"dateTime": _iso(f), "timeZone": "UTC"}}
                     for e, s, f in self._busy_of(address.lower()) if s < end and f > start]
            value.append({"scheduleId": address, "availabilityView": "", "scheduleItems": items,
                          "workingHours": {"startTime": "08:00:00.0000000", "endTime": "17:00:00.0000000"}})
        return web.json_response({"value": value})

    def _busy_of(self, address: str) -> list[tuple[dict[str, Any], datetime, datetime]]:
        found = []
        for mailbox in self.mailboxes.values():
            for event in mailbox.events.values():
                if event.get("isCancelled"):
                    continue
                mine = mailbox.address == address
                invited = any(a["emailAddress"]["address"].lower() == address
                              and a.get("status", {}).get("response") != "declined" for a in event["attendees"])
                if mine or invited:
                    found.append((event, _when(event["start"]), _when(event["end"])))
        return found

    def _create(self, mailbox: Mailbox, body: dict[str, Any]) -> web.Response:
        for key in ("subject", "start", "end"):
            if key not in body:
                return _error(400, "ErrorInvalidRequest", f"{key} is required")
        transaction = body.get("transactionId")
        if transaction and (mailbox.address, transaction) in self.transactions:
            existing = mailbox.events.get(self.transactions[(mailbox.address, transaction)])
            if existing is not None:
                return web.json_response(existing, status=201)
        event = self._store(mailbox, body)
        if transaction:
            self.transactions[(mailbox.address, transaction)] = event["id"]
        return web.json_response(event, status=201)

    def _store(self, mailbox: Mailbox, body: dict[str, Any]) -> dict[str, Any]:
        event_id = f"AAMk{next(self._ids):08d}"
        event = {**body, "id": event_id, "isCancelled": False, "type": "singleInstance",
                 "organizer": {"emailAddress": {"address": mailbox.address}},
                 "attendees": [{**a, "status": {"response": "none"}} for a in body.get("attendees", [])]}
        if body.get("recurrence"):
            event["type"] = "seriesMaster"
        if body.get("isOnlineMeeting"):
            event["onlineMeeting"] = {"joinUrl": f"https://teams.example/meet/{event_id}"}
        mailbox.events[event_id] = event
        self._touch(mailbox, event_id)
        return event

    def _touch(self, mailbox: Mailbox, event_id: str) -> None:
        mailbox.versions[event_id] = next(self._version)

    def _update(self, mailbox: Mailbox, event_id: str, body: dict[str, Any]) -> web.Response:
        event = mailbox.events.get(event_id)
        if event is None:
            return _error(404, "ErrorItemNotFound", "The specified object was not found in the store.")
        attendees = {a["emailAddress"]["address"].lower(): a.get("status") for a in event["attendees"]}
        event.update(body)
        event["attendees"] = [{**a, "status": attendees.get(a["emailAddress"]["address"].lower()) or {"response": "none"}}
                              for a in body.get("attendees", event["attendees"])]
        self._touch(mailbox, event_id)
        return web.json_response(event)

    def _instances(self, mailbox: Mailbox, master_id: str, query: Any) -> web.Response:
        """The occurrences of a series between ``startDateTime`` and ``endDateTime`` (required)."""
        master = mailbox.events.get(master_id)
        if master is None or master.get("type") != "seriesMaster":
            return _error(404, "ErrorItemNotFound", "The specified object was not found in the store.")
        if "startDateTime" not in query or "endDateTime" not in query:
            return _error(400, "ErrorInvalidParameter", "This request requires a time window specified by the "
                                                         "query string parameters StartDateTime and EndDateTime.")
        start = datetime.fromisoformat(query["startDateTime"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(query["endDateTime"].replace("Z", "+00:00"))
        value = []
        for moment in occurrences(_when(master["start"]), master["start"]["timeZone"], _rrule(master), start, end):
            instance_id = f"{master_id}_{moment:%Y%m%dT%H%M%S}"
            stored = mailbox.events.get(instance_id)
            value.append(stored or self._occurrence(master, instance_id, moment))
        return web.json_response({"value": value})

    def _occurrence(self, master: dict[str, Any], instance_id: str, moment: datetime) -> dict[str, Any]:
        length = _when(master["end"]) - _when(master["start"])
        return {**{k: v for k, v in master.items() if k not in ("recurrence", "transactionId")}, "id": instance_id,
                "type": "occurrence", "seriesMasterId": master["id"], "originalStart": _iso(moment) + "Z",
                "start": {"dateTime": _iso(moment), "timeZone": "UTC"},
                "end": {"dateTime": _iso(moment + length), "timeZone": "UTC"}}

    def _cancel(self, mailbox: Mailbox, event_id: str) -> web.Response:
        master_id, _, stamp = event_id.rpartition("_")
        if event_id not in mailbox.events and master_id in mailbox.events and stamp:
            moment = datetime.strptime(stamp, "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
            master = mailbox.events[master_id]
            mailbox.events[event_id] = {**self._occurrence(master, event_id, moment), "type": "exception"}
            master.setdefault("cancelledOccurrences", []).append(f"OID.{master_id}.{moment:%Y-%m-%d}")
        event = mailbox.events.get(event_id)
        if event is None:
            return _error(404, "ErrorItemNotFound", "The specified object was not found in the store.")
        event["isCancelled"] = True
        self._touch(mailbox, event_id)
        return web.Response(status=202)

    def _view(self, mailbox: Mailbox, query: Any) -> web.Response:
        start = datetime.fromisoformat(query["startDateTime"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(query["endDateTime"].replace("Z", "+00:00"))
        value = [e for e in mailbox.events.values() if _when(e["start"]) < end and _when(e["end"]) > start]
        return web.json_response({"value": value})

    def _delta(self, mailbox: Mailbox, query: Any, prefer: str) -> web.Response:
        token, skip = query.get("$deltatoken"), query.get("$skiptoken")
        if token is not None and token in self.expired_delta_tokens:
            return _error(410, "SyncStateNotFound", "The sync state is not found or has expired.")
        since = int((skip or token or "0").split(":")[0]) if (skip or token) else 0
        offset = int(skip.split(":")[1]) if skip else 0
        window = (query.get("startDateTime"), query.get("endDateTime"))
        changed: list[dict[str, Any]] = []
        for event_id, version in sorted(mailbox.versions.items(), key=lambda item: item[1]):
            if version > since and event_id in mailbox.events:
                changed.append(mailbox.events[event_id])
        if since:
            changed += [{"@removed": {"reason": "deleted"}, "id": event_id}
                        for event_id, version in mailbox.removed.items() if version > since]
        elif window[0]:
            start = datetime.fromisoformat(window[0].replace("Z", "+00:00"))
            changed = [e for e in changed if _when(e["end"]) > start]
        page = changed[offset:offset + PAGE]
        base = f"{self.api_url}/users/{mailbox.address}/calendarView/delta"
        if offset + PAGE < len(changed):
            return web.json_response({"value": page, "@odata.nextLink": f"{base}?$skiptoken={since}:{offset + PAGE}"})
        now = max([*mailbox.versions.values(), *mailbox.removed.values(), 0])
        return web.json_response({"value": page, "@odata.deltaLink": f"{base}?$deltatoken={max(now, since)}"})

    async def _subscriptions(self, request: web.Request, parts: list[str], body: Any, tenant: str) -> web.Response:
        if len(parts) == 1 and request.method == "POST":
            url = body["notificationUrl"]
            token = f"validate-{next(self._ids)}"
            async with httpx.AsyncClient(timeout=10) as client:
                try:
                    answer = await client.post(url, params={"validationToken": token})
                    status, text = answer.status_code, answer.text
                except httpx.HTTPError:
                    status, text = 0, ""
            self.validations.append((url, status, text))
            if status != 200 or text != token:
                return _error(400, "InvalidRequest", "Subscription validation request failed.")
            sub_id = f"sub-{next(self._ids)}"
            self.subscriptions[sub_id] = {**body, "id": sub_id, "tenant": tenant}
            return web.json_response(self.subscriptions[sub_id], status=201)
        sub = self.subscriptions.get(parts[1]) if len(parts) == 2 else None
        if sub is None or sub["tenant"] != tenant:
            return _error(404, "ResourceNotFound", "The object was not found.")
        if request.method == "PATCH":
            sub["expirationDateTime"] = body["expirationDateTime"]
            return web.json_response(sub)
        if request.method == "DELETE":
            del self.subscriptions[parts[1]]
            return web.Response(status=204)
        return _error(400, "BadRequest", "unsupported")


def _rrule(master: dict[str, Any]) -> str:
    """A Graph recurrence pattern as an RRULE."""
    pattern = master["recurrence"]["pattern"]
    freq = "MONTHLY" if pattern["type"].endswith("Monthly") else "WEEKLY" if pattern["type"] == "weekly" else "DAILY"
    return f"FREQ={freq};INTERVAL={pattern.get('interval', 1)}"


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


def query_of(url: str) -> dict[str, str]:
    """The query of a URL as a dict."""
    return dict(parse_qsl(urlsplit(url).query))


__all__ = ["CLIENT_ID", "CLIENT_SECRET", "FakeGraph", "json"]
