"""A fake Google Calendar on 127.0.0.1: the OAuth token endpoint taking a service account's signed
JWT assertion (domain-wide delegation), ``calendars.get``, ``freeBusy``, ``events.insert`` (with
a client-chosen id: 409 ``duplicate`` when it exists), ``events.patch``, ``events.delete``,
``events.list`` (pages, ``nextSyncToken`` on the last one, ``syncToken``; 410
``fullSyncRequired`` when expired), ``events.instances`` (a deleted instance becomes a cancelled
exception of its series), ``events.watch`` and ``channels.stop``.

It records every call, answers 403 ``rateLimitExceeded`` when one user makes more than
``per_user_per_second`` requests in a second, 429 when more than ``max_in_flight`` are in flight
at once, and can answer slowly (``delay``) or fail on demand (``fail_next``). The shapes follow
Google's reference (error bodies ``{"error": {"errors": [{"domain", "reason", "message"}],
"code", "message"}}``, times RFC 3339, channel expirations in milliseconds as strings).

The test makes the service account (:func:`service_account_info`: an RSA key generated in the
test, never stored); the fake checks each assertion's signature against its public key, its
audience, issuer and scope, and that the domain's administrator authorised the client id.
The organiser's event lists the attendees with their responses; an attendee's free/busy includes
the events they are invited to unless they declined. Recurring events are not expanded into
instances (an ``events.list`` with ``singleEvents`` returns the series as one event).
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth import jwt as google_jwt

from tests.kit.fakes.calendar_service import Call, ServiceBase, occurrences
from tests.kit.fakes.local_http import serve_locally

SERVICE_ACCOUNT = "mentorbot@mentorbot-calendar.iam.gserviceaccount.com"
CLIENT_ID = "104857600123456789012"
SCOPE = "https://www.googleapis.com/auth/calendar"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
EVENT_ID_ALPHABET = set("abcdefghijklmnopqrstuv0123456789")
DEFAULT_PAGE = 250


def service_account_info() -> tuple[dict[str, str], str]:
    """A service account's JSON key as Google hands it out, with a key made now, and the PEM of
    its public key (what the fake checks signatures against)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    info = {"type": "service_account", "project_id": "mentorbot-calendar", "private_key_id": "k1",
            "private_key": private, "client_email": SERVICE_ACCOUNT, "client_id": CLIENT_ID,
            "token_uri": "https://oauth2.googleapis.com/token"}
    return info, public


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _when(value: dict[str, str]) -> datetime:
    """An event's ``start``/``end`` as an aware moment (``dateTime`` with or without an offset)."""
    if "date" in value and "dateTime" not in value:
        return datetime.fromisoformat(value["date"]).replace(tzinfo=UTC)
    moment = datetime.fromisoformat(value["dateTime"].replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(value.get("timeZone") or "UTC"))
    return moment.astimezone(UTC)


def _error(status: int, reason: str, message: str, domain: str = "global") -> web.Response:
    return web.json_response({"error": {"errors": [{"domain": domain, "reason": reason, "message": message}],
                                        "code": status, "message": message}}, status=status)


@dataclass
class User:
    """One person's primary calendar in a Workspace domain."""

    address: str
    domain: str
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    deleted: bool = False


class FakeGoogle(ServiceBase):
    """Serve it with ``async with FakeGoogle(public_key) as google``; point ``GOOGLE_API_URL`` at
    :attr:`api_url` and ``GOOGLE_TOKEN_URL`` at :attr:`token_url`."""

    def __init__(self, public_key: str, delay: float = 0.0, per_user_per_second: int = 10,
                 max_in_flight: int = 100, page_size: int = DEFAULT_PAGE) -> None:
        super().__init__(delay, per_mailbox=1_000_000)
        self.public_key = public_key
        self.per_user_per_second = per_user_per_second
        self.max_in_flight = max_in_flight
        self.page_size = page_size
        self.authorised: set[str] = set()
        self.users: dict[str, User] = {}
        self.tokens: dict[str, str] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.expired_sync_tokens: set[str] = set()
        self.created: set[tuple[str, str]] = set()
        self.duplicates = 0
        self.token_requests = 0
        self.notified: list[tuple[str, int]] = []
        self._recent: defaultdict[str, deque[float]] = defaultdict(deque)
        self._all_in_flight = 0
        self._version = itertools.count(1)
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- set-up and what the people around the calendar do ----------------------------------

    def add_tenant(self, domain: str, *people: str, consent: bool = True) -> None:
        """A Workspace domain with these users, whose administrator authorised the bot's client id
        for the calendar scope (domain-wide delegation), or not yet."""
        if consent:
            self.authorised.add(domain)
        for address in people:
            self.users[address.lower()] = User(address.lower(), domain)

    def revoke(self, domain: str) -> None:
        """The administrator removes the delegation: no more tokens, the ones given refused."""
        self.authorised.discard(domain)
        for token, subject in list(self.tokens.items()):
            if self.users[subject].domain == domain:
                del self.tokens[token]

    def delete_mailbox(self, address: str) -> None:
        """The person left: their account is deleted."""
        self.users[address.lower()].deleted = True

    def add_busy(self, address: str, start: datetime, end: datetime, subject: str = "Board meeting") -> str:
        """An event of the person's own (not the bot's)."""
        event_id = f"own{next(self._ids):06d}"
        body = {"summary": subject, "start": {"dateTime": _rfc3339(start)}, "end": {"dateTime": _rfc3339(end)}}
        return self._store(self.users[address.lower()], event_id, body)["id"]

    def event(self, address: str, event_id: str) -> dict[str, Any]:
        """An event on a calendar, as stored."""
        return self.users[address.lower()].events[event_id]

    def bot_events(self, address: str) -> list[dict[str, Any]]:
        """The events the bot created on a calendar (canceled ones included)."""
        user = self.users[address.lower()]
        return [e for e in user.events.values() if (user.address, e["id"]) in self.created]

    def canceled_occurrences(self, address: str) -> list[datetime]:
        """When the canceled instances of series on a calendar were to start."""
        return sorted(_when(e["originalStartTime"]) for e in self.users[address.lower()].events.values()
                      if e.get("recurringEventId") and e["status"] == "cancelled")

    def move(self, address: str, event_id: str, start: datetime, minutes: int = 45) -> None:
        """Someone (an assistant) drags the event to another time in Google Calendar."""
        event = self.event(address, event_id)
        zone = event["start"].get("timeZone", "UTC")
        local = start.astimezone(ZoneInfo(zone))
        event["start"] = {"dateTime": local.isoformat(), "timeZone": zone}
        event["end"] = {"dateTime": (local + timedelta(minutes=minutes)).isoformat(), "timeZone": zone}
        self._touch(self.users[address.lower()], event_id)

    def delete(self, address: str, event_id: str) -> None:
        """Someone deletes the event in Google Calendar (it stays, ``cancelled``, for sync)."""
        self.event(address, event_id)["status"] = "cancelled"
        self._touch(self.users[address.lower()], event_id)

    def respond(self, address: str, event_id: str, attendee: str, response: str) -> None:
        """An attendee answers the invitation (``declined``, ``accepted``, ``tentative``; Graph's
        ``tentativelyAccepted`` is taken as ``tentative``)."""
        status = "tentative" if response == "tentativelyAccepted" else response
        for each in self.event(address, event_id).get("attendees", []):
            if each["email"].lower() == attendee.lower():
                each["responseStatus"] = status
        self._touch(self.users[address.lower()], event_id)

    def expire_sync_tokens(self) -> None:
        """Every sync token handed out so far is no longer valid (Google's 410 ``fullSyncRequired``)."""
        self.expired_sync_tokens.update(f"sync{n}" for n in range(next(self._version) + 1))

    async def notify(self, channel_id: str, token: str | None = None, state: str = "exists") -> int:
        """Google posts a notification on a watch channel; the status the bot answered."""
        channel = self.channels[channel_id]
        number = len(self.notified) + 1
        headers = {"X-Goog-Channel-ID": channel_id, "X-Goog-Channel-Token": token or channel.get("token", ""),
                   "X-Goog-Resource-ID": channel["resourceId"], "X-Goog-Resource-URI": channel["resourceUri"],
                   "X-Goog-Resource-State": state, "X-Goog-Message-Number": str(number),
                   "X-Goog-Channel-Expiration": channel["expirationText"]}
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.post(channel["address"], headers=headers)
        self.notified.append((channel_id, response.status_code))
        return response.status_code

    # --- serving -----------------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        """``GOOGLE_API_URL``."""
        return f"http://127.0.0.1:{self.port}/calendar/v3"

    @property
    def token_url(self) -> str:
        """``GOOGLE_TOKEN_URL`` (the audience of the assertions)."""
        return f"http://127.0.0.1:{self.port}/token"

    async def __aenter__(self) -> FakeGoogle:
        app = web.Application()
        app.router.add_post("/token", self._token)
        app.router.add_route("*", "/calendar/v3/{path:.*}", self._api)
        self._runner, self.port = await serve_locally(app)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # --- the token endpoint -------------------------------------------------------------------

    async def _token(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        self.token_requests += 1
        call = Call("POST", "/token", {}, {"grant_type": form.get("grant_type"), "assertion": "***"})
        self.calls.append(call)
        answer = self._grant(form, call)
        call.status = answer.status
        return answer

    def _grant(self, form: dict[str, Any], call: Call) -> web.Response:
        if form.get("grant_type") != JWT_GRANT:
            return web.json_response({"error": "unsupported_grant_type", "error_description": "Invalid grant_type"},
                                     status=400)
        try:
            claims = google_jwt.decode(str(form.get("assertion", "")), certs=self.public_key, audience=self.token_url)
        except ValueError as bad:
            return web.json_response({"error": "invalid_grant", "error_description": f"Invalid JWT: {bad}"[:200]},
                                     status=400)
        call.body["claims"] = claims
        if claims.get("iss") != SERVICE_ACCOUNT:
            return web.json_response({"error": "invalid_client", "error_description": "The OAuth client was not found."},
                                     status=401)
        subject = str(claims.get("sub", "")).lower()
        user = self.users.get(subject)
        if user is None or user.deleted:
            return web.json_response({"error": "invalid_grant", "error_description": "Invalid email or User ID"},
                                     status=400)
        if user.domain not in self.authorised or SCOPE not in str(claims.get("scope", "")).split():
            return web.json_response({"error": "unauthorized_client", "error_description":
                                      "Client is unauthorized to retrieve access tokens using this method, or client "
                                      "not authorized for any of the scopes requested."}, status=401)
        token = f"ya29.fake-{next(self._ids)}"
        self.tokens[token] = subject
        return web.json_response({"access_token": token, "expires_in": 3599, "token_type": "Bearer"})

    # --- limits --------------------------------------------------------------------------------

    def _over_limit(self, call: Call) -> web.Response | None:
        if self._all_in_flight >= self.max_in_flight:
            self.limited += 1
            call.status = 429
            return self._limited(call, 429)
        if call.mailbox and self.per_user_per_second:
            recent, now = self._recent[call.mailbox], time.monotonic()
            while recent and recent[0] < now - 1.0:
                recent.popleft()
            if len(recent) >= self.per_user_per_second:
                self.limited += 1
                call.status = 403
                return self._limited(call, 403)
            recent.append(now)
        return None

    def _limited(self, call: Call, status: int) -> web.Response:
        return _error(status, "rateLimitExceeded", "Rate Limit Exceeded", "usageLimits")

    def _server_error(self, status: int) -> web.Response:
        return _error(status, "backendError", "Backend Error")

    # --- the API -------------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        parts = request.match_info["path"].strip("/").split("/")
        body: Any = None
        if request.can_read_body:
            try:
                body = await request.json()
            except ValueError:
                return _error(400, "parseError", "Parse Error")
        subject = self.tokens.get(request.headers.get("Authorization", "").removeprefix("Bearer "), "")
        call = Call(request.method, "/" + "/".join(parts), dict(request.query), body, subject)
        refused = await self._enter(call)
        if refused is not None:
            return refused
        self._all_in_flight += 1
        try:
            response = self._route(request, parts, body, subject)
        finally:
            self._all_in_flight -= 1
        call.status = response.status
        return response

    def _route(self, request: web.Request, parts: list[str], body: Any, subject: str) -> web.Response:
        if not subject:
            return web.json_response({"error": {"code": 401, "status": "UNAUTHENTICATED", "message":
                                                "Request had invalid authentication credentials.", "errors": [
                                                    {"domain": "global", "reason": "authError",
                                                     "message": "Invalid Credentials"}]}}, status=401)
        method = request.method
        if parts == ["freeBusy"] and method == "POST":
            return self._free_busy(body, subject)
        if parts == ["channels", "stop"] and method == "POST":
            return self._stop(body)
        if parts[0] != "calendars" or len(parts) < 2:
            return _error(404, "notFound", "Not Found")
        calendar = subject if parts[1] == "primary" else parts[1].lower()
        user = self.users.get(calendar)
        if calendar != subject or user is None or user.deleted:
            return _error(404, "notFound", "Not Found")
        rest = parts[2:]
        if not rest and method == "GET":
            return web.json_response({"kind": "calendar#calendar", "id": user.address, "summary": user.address,
                                      "timeZone": "UTC"})
        if rest == ["events"] and method == "POST":
            return self._insert(user, body, request.query)
        if rest == ["events"] and method == "GET":
            return self._list(user, request.query)
        if rest == ["events", "watch"] and method == "POST":
            return self._watch(user, body)
        if len(rest) == 3 and rest[0] == "events" and rest[2] == "instances" and method == "GET":
            return self._instances(user, rest[1], request.query)
        if len(rest) == 2 and rest[0] == "events" and method == "PATCH":
            return self._patch(user, rest[1], body)
        if len(rest) == 2 and rest[0] == "events" and method == "DELETE":
            return self._delete(user, rest[1])
        return _error(404, "notFound", "Not Found")

    def _free_busy(self, body: dict[str, Any], subject: str) -> web.Response:
        try:
            start, end = _when({"dateTime": body["timeMin"]}), _when({"dateTime": body["timeMax"]})
            items = [str(item["id"]) for item in body["items"]]
        except (KeyError, TypeError, ValueError):
            return _error(400, "badRequest", "Bad Request")
        domain = self.users[subject].domain
        calendars: dict[str, Any] = {}
        for address in items:
            user = self.users.get(address.lower())
            if user is None or user.deleted or user.domain != domain:
                calendars[address] = {"errors": [{"domain": "global", "reason": "notFound"}], "busy": []}
                continue
            busy = sorted((s, f) for s, f in self._busy_of(user.address) if s < end and f > start)
            calendars[address] = {"busy": [{"start": _rfc3339(s), "end": _rfc3339(f)} for s, f in busy]}
        return web.json_response({"kind": "calendar#freeBusy", "timeMin": body["timeMin"], "timeMax": body["timeMax"],
                                  "calendars": calendars})

    def _busy_of(self, address: str) -> list[tuple[datetime, datetime]]:
        found = []
        for user in self.users.values():
            for event in user.events.values():
                if event["status"] == "cancelled" or event.get("transparency") == "transparent":
                    continue
                invited = any(a["email"].lower() == address and a.get("responseStatus") != "declined"
                              for a in event.get("attendees", []))
                if user.address == address or invited:
                    found.append((_when(event["start"]), _when(event["end"])))
        return found

    def _insert(self, user: User, body: dict[str, Any], query: Any) -> web.Response:
        if not isinstance(body, dict) or "start" not in body or "end" not in body:
            return _error(400, "required", "Missing end time." if body and "start" in body else "Missing start time.")
        event_id = str(body.get("id") or f"g{next(self._ids):08d}")
        if not 5 <= len(event_id) <= 1024 or set(event_id) - EVENT_ID_ALPHABET:
            return _error(400, "invalid", "Invalid resource id value.")
        if event_id in user.events:
            self.duplicates += 1
            return _error(409, "duplicate", "The requested identifier already exists.")
        event = self._store(user, event_id, body)
        self.created.add((user.address, event_id))
        request = (body.get("conferenceData") or {}).get("createRequest")
        if request and query.get("conferenceDataVersion") == "1":
            link = f"https://meet.google.com/fak-{event_id[-4:]}-{len(user.events):03d}"
            event["hangoutLink"] = link
            event["conferenceData"] = {"createRequest": {**request, "status": {"statusCode": "success"}},
                                       "entryPoints": [{"entryPointType": "video", "uri": link}],
                                       "conferenceSolution": {"key": {"type": "hangoutsMeet"}, "name": "Google Meet"},
                                       "conferenceId": link.rsplit("/", 1)[1]}
        return web.json_response(event)

    def _store(self, user: User, event_id: str, body: dict[str, Any]) -> dict[str, Any]:
        event = {**body, "kind": "calendar#event", "id": event_id, "status": "confirmed", "sequence": 0,
                 "iCalUID": f"{event_id}@google.com", "htmlLink": f"https://calendar.google.com/event?eid={event_id}",
                 "organizer": {"email": user.address, "self": True}, "creator": {"email": user.address},
                 "attendees": [{"email": a["email"], "responseStatus": "needsAction"}
                               for a in body.get("attendees", []) if a.get("email")]}
        event.pop("conferenceData", None)
        user.events[event_id] = event
        self._touch(user, event_id)
        return event

    def _touch(self, user: User, event_id: str) -> None:
        version = next(self._version)
        user.versions[event_id] = version
        event = user.events[event_id]
        event["updated"] = _rfc3339(datetime.now(UTC))
        event["etag"] = f'"{version}"'

    def _patch(self, user: User, event_id: str, body: dict[str, Any]) -> web.Response:
        event = user.events.get(event_id)
        if event is None:
            return _error(404, "notFound", "Not Found")
        if not isinstance(body, dict):
            return _error(400, "badRequest", "Bad Request")
        answers = {a["email"].lower(): a.get("responseStatus", "needsAction") for a in event.get("attendees", [])}
        event.update({k: v for k, v in body.items() if k not in ("id", "conferenceData")})
        if "attendees" in body:
            event["attendees"] = [{"email": a["email"], "responseStatus": answers.get(a["email"].lower(), "needsAction")}
                                  for a in body["attendees"] if a.get("email")]
        event["sequence"] += 1
        self._touch(user, event_id)
        return web.json_response(event)

    def _instances(self, user: User, series_id: str, query: Any) -> web.Response:
        """The instances of a recurring event: by ``originalStart``, or between ``timeMin`` and
        ``timeMax`` (a year from the first when not given)."""
        series = user.events.get(series_id)
        if series is None or not series.get("recurrence"):
            return _error(404, "notFound", "Not Found")
        first = _when(series["start"])
        try:
            if "originalStart" in query:
                start = _when({"dateTime": query["originalStart"]})
                end = start + timedelta(seconds=1)
            else:
                start = _when({"dateTime": query["timeMin"]}) if "timeMin" in query else first
                end = _when({"dateTime": query["timeMax"]}) if "timeMax" in query else first + timedelta(days=366)
        except ValueError:
            return _error(400, "invalid", "Invalid value")
        rule = series["recurrence"][0].removeprefix("RRULE:")
        items = []
        for moment in occurrences(first, series["start"].get("timeZone", "UTC"), rule, start, end):
            instance_id = f"{series_id}_{moment:%Y%m%dT%H%M%SZ}"
            stored = user.events.get(instance_id)
            if stored is not None and stored["status"] == "cancelled" and query.get("showDeleted") != "true":
                continue
            items.append(stored or self._instance(series, instance_id, moment))
        return web.json_response({"kind": "calendar#events", "items": items})

    def _instance(self, series: dict[str, Any], instance_id: str, moment: datetime) -> dict[str, Any]:
        length = _when(series["end"]) - _when(series["start"])
        zone = series["start"].get("timeZone", "UTC")
        local = moment.astimezone(ZoneInfo(zone))
        return {**{k: v for k, v in series.items() if k != "recurrence"}, "id": instance_id,
                "recurringEventId": series["id"], "originalStartTime": {"dateTime": local.isoformat(), "timeZone": zone},
                "start": {"dateTime": local.isoformat(), "timeZone": zone},
                "end": {"dateTime": (local + length).isoformat(), "timeZone": zone}}

    def _delete(self, user: User, event_id: str) -> web.Response:
        series_id, _, stamp = event_id.rpartition("_")
        if event_id not in user.events and series_id in user.events and stamp:
            try:
                moment = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            except ValueError:
                return _error(404, "notFound", "Not Found")
            user.events[event_id] = self._instance(user.events[series_id], event_id, moment)
        event = user.events.get(event_id)
        if event is None:
            return _error(404, "notFound", "Not Found")
        if event["status"] == "cancelled":
            return _error(410, "deleted", "Resource has been deleted")
        event["status"] = "cancelled"
        self._touch(user, event_id)
        return web.Response(status=204)

    def _list(self, user: User, query: Any) -> web.Response:
        """``events.list``: a full read (optionally from ``timeMin`` to ``timeMax``) or the changes
        since a sync token; pages of ``maxResults``, the sync token on the last page only."""
        sync, page = query.get("syncToken"), query.get("pageToken")
        if sync is not None and any(k in query for k in ("timeMin", "timeMax", "updatedMin", "q", "orderBy",
                                                           "iCalUID")):
            return _error(400, "invalid", "Sync token cannot be used with other request restrictions.")
        if sync is not None and (sync in self.expired_sync_tokens or not sync.startswith("sync")):
            return _error(410, "fullSyncRequired", "Sync token is no longer valid, a full sync is required.")
        try:
            size = min(int(query.get("maxResults", self.page_size)), 2500, self.page_size)
            since = int(sync.removeprefix("sync")) if sync else 0
            snapshot, offset = (int(n) for n in page.split(".")) if page else (max(user.versions.values(), default=0),
                                                                               0)
            start = _when({"dateTime": query["timeMin"]}) if "timeMin" in query else None
            end = _when({"dateTime": query["timeMax"]}) if "timeMax" in query else None
        except ValueError:
            return _error(400, "invalid", "Invalid value")
        deleted = sync is not None or query.get("showDeleted") == "true"
        chosen = []
        for event_id, version in sorted(user.versions.items(), key=lambda item: item[1]):
            event = user.events[event_id]
            if not since < version <= snapshot or (event["status"] == "cancelled" and not deleted):
                continue
            if (start and _when(event["end"]) <= start) or (end and _when(event["start"]) >= end):
                continue
            chosen.append(_listed(event))
        items = chosen[offset:offset + size]
        answer: dict[str, Any] = {"kind": "calendar#events", "summary": user.address, "timeZone": "UTC",
                                  "updated": _rfc3339(datetime.now(UTC)), "items": items}
        if offset + size < len(chosen):
            answer["nextPageToken"] = f"{snapshot}.{offset + size}"
        else:
            answer["nextSyncToken"] = f"sync{max(snapshot, since)}"
        return web.json_response(answer)

    def _watch(self, user: User, body: dict[str, Any]) -> web.Response:
        if not isinstance(body, dict) or body.get("type") != "web_hook" or not body.get("id") \
                or not str(body.get("address", "")).startswith(("https://", "http://127.0.0.1")):
            return _error(400, "push.webhookUrlNotHttps", "WebHook callback must be HTTPS.")
        expiration = int(body.get("expiration") or (time.time() + 7 * 86400) * 1000)
        resource_id = f"res-{user.address.split('@')[0]}-{next(self._ids)}"
        channel = {"kind": "api#channel", "id": body["id"], "resourceId": resource_id,
                   "resourceUri": f"{self.api_url}/calendars/{user.address}/events?alt=json",
                   "token": body.get("token", ""), "expiration": str(expiration)}
        self.channels[body["id"]] = {**channel, "address": body["address"], "user": user.address,
                                     "expirationText": datetime.fromtimestamp(expiration / 1000, UTC)
                                     .strftime("%a, %d %b %Y %H:%M:%S GMT")}
        return web.json_response(channel)

    def _stop(self, body: dict[str, Any]) -> web.Response:
        channel = self.channels.get(str((body or {}).get("id", "")))
        if channel is None or channel["resourceId"] != body.get("resourceId"):
            return _error(404, "notFound", "Channel not found")
        del self.channels[body["id"]]
        return web.Response(status=204)


def _listed(event: dict[str, Any]) -> dict[str, Any]:
    """An event as ``events.list`` shows it: a deleted one keeps only its id and status."""
    if event["status"] == "cancelled":
        return {"kind": "calendar#event", "id": event["id"], "status": "cancelled", "etag": event["etag"],
                **({"recurringEventId": event["recurringEventId"], "originalStartTime": event["originalStartTime"]}
                   if "recurringEventId" in event else {})}
    return dict(event)
