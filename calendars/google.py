"""Google Workspace through the Calendar API: one service account with domain-wide delegation,
authorised by each customer's Workspace administrator for the calendar scope; each call acts as
the person whose calendar it reads or writes (a JWT assertion signed with google-auth,
exchanged at the token endpoint over httpx).

The event lives on the organiser's (the executive's) calendar with the mentor invited
(``sendUpdates=all``); changes are read with ``events.list`` and a ``syncToken`` and pushed
through ``events.watch`` channels.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from google.auth import crypt
from google.auth import jwt as google_jwt

from bot.calendars.provider import (
    CalendarError,
    CalendarEvent,
    CalendarRefused,
    CalendarUnavailable,
    Changes,
    CursorExpired,
    EventDraft,
    Interval,
    Subscription,
)
from calendars.http import Api, Backoff, error_of

log = logging.getLogger(__name__)

SCOPE = "https://www.googleapis.com/auth/calendar"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
TOKEN_MARGIN = timedelta(minutes=5)
RATE_LIMITED = {"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"}
RESPONSES = {"accepted": "accepted", "declined": "declined", "tentative": "tentative", "needsAction": "none"}
WATCH_LENGTH = timedelta(days=7)


def google_transient(response: httpx.Response) -> bool:
    """429, 5xx, and Google's 403 ``rateLimitExceeded``: worth trying again."""
    if response.status_code == 429 or response.status_code >= 500:
        return True
    return response.status_code == 403 and error_of(response)[0] in RATE_LIMITED


class ServiceAccount:
    """The service account's key file: its email, client id and private key (never logged)."""

    def __init__(self, info: Mapping[str, Any]) -> None:
        missing = [key for key in ("client_email", "private_key", "client_id") if not info.get(key)]
        if missing:
            raise ValueError(f"the service account file lacks {', '.join(missing)}")
        self.email = str(info["client_email"])
        self.client_id = str(info["client_id"])
        self._signer = crypt.RSASigner.from_service_account_info(dict(info))

    @classmethod
    def from_file(cls, path: str | Path) -> ServiceAccount:
        """Read the JSON key file Google gives for the service account."""
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    def assertion(self, subject: str, audience: str) -> str:
        """A signed JWT asking for a token that acts as ``subject``."""
        now = int(time.time())
        claims = {"iss": self.email, "sub": subject, "scope": SCOPE, "aud": audience, "iat": now, "exp": now + 3600}
        return google_jwt.encode(self._signer, claims).decode()


class GoogleProvider:
    """The Google Calendar API as a :class:`~bot.calendars.provider.CalendarProvider`."""

    name = "google"

    def __init__(self, api_url: str, token_url: str, account: ServiceAccount, *, timeout: float = 10.0,
                 backoff: Backoff | None = None) -> None:
        self.api = Api(api_url, timeout=timeout, backoff=backoff, transient=google_transient)
        self.token_url = token_url
        self.account = account
        self._tokens: dict[str, tuple[str, datetime]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    # --- tokens --------------------------------------------------------------------------

    async def token(self, subject: str) -> str:
        """A token acting as ``subject`` (cached until near expiry)."""
        subject = subject.lower()
        cached = self._tokens.get(subject)
        if cached is not None and cached[1] - TOKEN_MARGIN > datetime.now(UTC):
            return cached[0]
        async with self._locks.setdefault(subject, asyncio.Lock()):
            cached = self._tokens.get(subject)
            if cached is not None and cached[1] - TOKEN_MARGIN > datetime.now(UTC):
                return cached[0]
            token, seconds = await self._exchange(subject)
            self._tokens[subject] = (token, datetime.now(UTC) + timedelta(seconds=seconds))
            return token

    async def _exchange(self, subject: str) -> tuple[str, int]:
        form = {"grant_type": JWT_GRANT, "assertion": self.account.assertion(subject, self.token_url)}
        response: httpx.Response | None = None
        for attempt in range(self.api.backoff.attempts):
            try:
                response = await self.api._client.post(self.token_url, data=form)
            except httpx.TransportError as failure:
                problem: str = type(failure).__name__
                response = None
            else:
                if response.status_code < 500 and response.status_code != 429:
                    break
                problem = f"HTTP {response.status_code}"
            if attempt + 1 == self.api.backoff.attempts:
                raise CalendarUnavailable(f"the Google token endpoint: {problem}")
            await self.api.backoff.sleep(self.api.backoff.delay(attempt, response))
        assert response is not None
        body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
        if response.status_code == 200 and body.get("access_token"):
            return str(body["access_token"]), int(body.get("expires_in", 3600))
        code = str(body.get("error", response.status_code))
        log.warning("Google refused a token (%s)", code)
        if code == "unauthorized_client":
            raise CalendarRefused("no access to the calendar: the Workspace administrator has not given (or has "
                                  f"removed) the domain-wide delegation of client id {self.account.client_id} "
                                  "for the calendar scope")
        if code == "invalid_grant":
            raise CalendarRefused(f"{subject} is not a user of the Workspace the bot can act as")
        raise CalendarRefused(f"Google refused the bot a token ({code})")

    async def _call(self, subject: str, method: str, path: str, **options: Any) -> httpx.Response:
        async def bearer() -> str:
            return await self.token(subject)
        return await self.api.request(method, path, token=bearer, mailbox=subject.lower(), **options)

    # --- the provider --------------------------------------------------------------------

    def how_to_connect(self, directory: str, redirect_url: str | None) -> str:
        """The steps in the Workspace Admin console."""
        return (f"A super administrator of {directory} opens the Google Admin console, Security > Access and data "
                "control > API controls > Manage domain-wide delegation, adds the client id "
                f"{self.account.client_id} ({self.account.email}) with the OAuth scope {SCOPE}, and saves.")

    async def check(self, directory: str, mailbox: str) -> None:
        """Raise unless the bot may act as ``mailbox`` on their primary calendar."""
        response = await self._call(mailbox, "GET", f"calendars/{_id(mailbox)}")
        _raise_for(response, mailbox)

    async def free_busy(self, directory: str, mailboxes: Sequence[str], start: datetime,
                        end: datetime) -> dict[str, list[Interval] | CalendarError]:
        """``freeBusy`` for every mailbox at once, acting as the first one."""
        if not mailboxes:
            return {}
        body = {"timeMin": _iso(start), "timeMax": _iso(end), "items": [{"id": m} for m in mailboxes]}
        try:
            response = await self._call(mailboxes[0], "POST", "freeBusy", json=body)
            _raise_for(response, mailboxes[0])
        except CalendarRefused as refused:
            return {mailbox: refused for mailbox in mailboxes}
        calendars = {key.lower(): value for key, value in response.json().get("calendars", {}).items()}
        found: dict[str, list[Interval] | CalendarError] = {}
        for mailbox in mailboxes:
            answer = calendars.get(mailbox.lower())
            if answer is None or answer.get("errors"):
                reason = (answer or {}).get("errors", [{}])[0].get("reason", "no answer")
                found[mailbox] = CalendarRefused(f"the calendar of {mailbox} could not be read ({reason})")
                continue
            found[mailbox] = [(_parse(b["start"]), _parse(b["end"])) for b in answer.get("busy", [])]
        return found

    async def create_event(self, directory: str, mailbox: str, draft: EventDraft, key: str) -> str:
        """``events.insert`` with the bot's own event id: a retry answers 409, the same event."""
        event_id = google_event_id(key)
        body = {**_event_body(draft, key), "id": event_id}
        response = await self._call(mailbox, "POST", f"calendars/{_id(mailbox)}/events", json=body,
                                    params={"sendUpdates": "all", "conferenceDataVersion": 1})
        if response.status_code == 409:
            return event_id  # created by an earlier try whose answer was lost
        _raise_for(response, mailbox)
        return str(response.json().get("id", event_id))

    async def update_event(self, directory: str, mailbox: str, event_id: str, draft: EventDraft) -> None:
        """``events.patch`` (attendees told)."""
        response = await self._call(mailbox, "PATCH", f"calendars/{_id(mailbox)}/events/{_id(event_id)}",
                                    json=_event_body(draft, None), params={"sendUpdates": "all"})
        _raise_for(response, mailbox)

    async def cancel_event(self, directory: str, mailbox: str, event_id: str, note: str) -> None:
        """``events.delete`` (attendees told); gone already is fine."""
        response = await self._call(mailbox, "DELETE", f"calendars/{_id(mailbox)}/events/{_id(event_id)}",
                                    params={"sendUpdates": "all"})
        if response.status_code not in (404, 410):
            _raise_for(response, mailbox)

    async def cancel_occurrence(self, directory: str, mailbox: str, series_id: str, original_start: datetime,
                                note: str) -> None:
        """The instance from ``events.instances`` (by its original start), then ``events.delete``."""
        response = await self._call(mailbox, "GET", f"calendars/{_id(mailbox)}/events/{_id(series_id)}/instances",
                                    params={"originalStart": _iso(original_start), "showDeleted": "false"})
        if response.status_code in (404, 410):
            return  # the series is gone
        _raise_for(response, mailbox)
        for item in response.json().get("items", []):
            occurrence = _event(item)
            if original_start in (occurrence.original_start, occurrence.starts_at):
                await self.cancel_event(directory, mailbox, occurrence.event_id, note)
                return

    async def events_between(self, directory: str, mailbox: str, start: datetime,
                             end: datetime) -> list[CalendarEvent]:
        """``events.list`` between the two moments, occurrences expanded, every page."""
        params: dict[str, Any] = {"timeMin": _iso(start), "timeMax": _iso(end), "singleEvents": "true",
                                  "maxResults": 250}
        return list((await self._list(mailbox, params)).events)

    async def changes(self, directory: str, mailbox: str, cursor: str | None, start: datetime,
                      end: datetime) -> Changes:
        """``events.list`` from the sync token (or the window's start), every page."""
        params: dict[str, Any] = {"showDeleted": "true", "maxResults": 250}
        if cursor:
            params["syncToken"] = cursor
        else:
            params["timeMin"] = _iso(start)
        return await self._list(mailbox, params)

    async def _list(self, mailbox: str, params: dict[str, Any]) -> Changes:
        events: list[CalendarEvent] = []
        while True:
            response = await self._call(mailbox, "GET", f"calendars/{_id(mailbox)}/events", params=params)
            if response.status_code == 410:
                raise CursorExpired("the sync token expired")
            _raise_for(response, mailbox)
            page = response.json()
            events += [_event(item) for item in page.get("items", [])]
            if page.get("nextPageToken"):
                params = {**params, "pageToken": page["nextPageToken"]}
                continue
            return Changes(events, str(page.get("nextSyncToken", "")))

    async def subscribe(self, directory: str, mailbox: str, notify_url: str, secret: str,
                        until: datetime) -> Subscription:
        """``events.watch``: a channel presenting ``secret`` as its token."""
        channel = uuid.uuid4().hex
        expires = min(until, datetime.now(UTC) + WATCH_LENGTH)
        body = {"id": channel, "type": "web_hook", "address": notify_url, "token": secret,
                "expiration": int(expires.timestamp() * 1000)}
        response = await self._call(mailbox, "POST", f"calendars/{_id(mailbox)}/events/watch", json=body)
        _raise_for(response, mailbox)
        answer = response.json()
        ends = datetime.fromtimestamp(int(answer.get("expiration", body["expiration"])) / 1000, UTC)
        return Subscription(channel, ends, f"{mailbox}|{answer.get('resourceId', '')}")

    async def renew(self, directory: str, subscription: Subscription, until: datetime) -> Subscription:
        """Channels cannot be extended: the caller subscribes again."""
        raise CalendarRefused("a Google channel is not renewed: watch again")

    async def unsubscribe(self, directory: str, subscription: Subscription) -> None:
        """``channels.stop``."""
        mailbox, _, resource_id = subscription.resource.partition("|")
        response = await self._call(mailbox, "POST", "channels/stop",
                                    json={"id": subscription.subscription_id, "resourceId": resource_id})
        if response.status_code not in (404, 410):
            _raise_for(response, mailbox)

    async def close(self) -> None:
        """Close the connections."""
        await self.api.close()


def google_event_id(key: str) -> str:
    """The event id the bot chooses for ``key`` (Google's alphabet: a-v and digits)."""
    allowed = set("abcdefghijklmnopqrstuv0123456789")
    text = "".join(c for c in key.lower() if c in allowed)
    return f"mb{text}"[:1024]


def _raise_for(response: httpx.Response, mailbox: str) -> None:
    if response.status_code < 400:
        return
    code, _message = error_of(response)
    if response.status_code in (401, 403):
        raise CalendarRefused(f"no access to the calendar of {mailbox} ({code})")
    if response.status_code in (404, 410):
        raise CalendarRefused(f"{mailbox} has no calendar the bot can find ({code})")
    if response.status_code >= 500 or response.status_code == 429:
        raise CalendarUnavailable(f"HTTP {response.status_code}")
    raise CalendarRefused(f"the Google Calendar API refused the request ({code})")


def _id(value: str) -> str:
    return quote(value, safe="@")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _when(value: Mapping[str, Any] | None) -> datetime | None:
    if not value:
        return None
    if value.get("dateTime"):
        return _parse(str(value["dateTime"]))
    if value.get("date"):
        return datetime.fromisoformat(str(value["date"])).replace(tzinfo=UTC)
    return None


def _event_body(draft: EventDraft, key: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "summary": draft.subject,
        "description": draft.body,
        "start": {"dateTime": draft.starts_at.isoformat(), "timeZone": draft.zone},
        "end": {"dateTime": draft.ends_at.isoformat(), "timeZone": draft.zone},
        "attendees": [{"email": address} for address in draft.attendees],
        "location": draft.location,
        "guestsCanModify": False,
    }
    if draft.online and key is not None:
        body["conferenceData"] = {"createRequest": {"requestId": key, "conferenceSolutionKey": {"type": "hangoutsMeet"}}}
    if draft.recurrence:
        body["recurrence"] = [f"RRULE:{draft.recurrence}"]
    return body


def _event(item: Mapping[str, Any]) -> CalendarEvent:
    responses = {str(a.get("email", "")).lower(): RESPONSES.get(str(a.get("responseStatus")), "none")
                 for a in item.get("attendees") or [] if a.get("email")}
    return CalendarEvent(
        event_id=str(item["id"]),
        status="canceled" if item.get("status") == "cancelled" else "confirmed",
        starts_at=_when(item.get("start")),
        ends_at=_when(item.get("end")),
        responses=responses,
        series_id=item.get("recurringEventId") or None,
        original_start=_when(item.get("originalStartTime")),
        busy=item.get("transparency") != "transparent",
    )
