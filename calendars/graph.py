"""Microsoft 365 through Microsoft Graph: the bot's own Entra app with the application
permissions ``Calendars.ReadWrite`` and ``User.Read.All``, consented by each customer tenant's
administrator; app-only tokens from MSAL (client credentials), calls over httpx.

The event lives on the organiser's (the executive's) calendar with the mentor invited; changes
are read with ``calendarView/delta`` and pushed by change notifications on ``/users/{id}/events``.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import httpx
import msal

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
from calendars.http import LIMITS, Api, Backoff, error_of

log = logging.getLogger(__name__)

SCOPE = "https://graph.microsoft.com/.default"
TOKEN_MARGIN = timedelta(minutes=5)
BUSY = {"busy", "oof", "tentative", "workingElsewhere"}
RESPONSES = {"accepted": "accepted", "declined": "declined", "tentativelyAccepted": "tentative",
             "none": "none", "notResponded": "none", "organizer": "accepted"}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
NO_CONSENT = ("AADSTS65001", "AADSTS7000229", "AADSTS700016", "AADSTS90002", "AADSTS500011")
MAX_SUBSCRIPTION = timedelta(minutes=4230)  # Graph's longest for Outlook events (under three days)


class _MsalHttp:
    """The HTTP client MSAL is given: httpx (so that proxies and certificates are configured the
    same way as for the Graph calls), synchronous, as MSAL expects."""

    def __init__(self, verify: ssl.SSLContext | bool, timeout: float) -> None:
        self._client = httpx.Client(verify=verify, timeout=timeout)

    def post(self, url: str, params: Any = None, data: Any = None, headers: Any = None, **_: Any) -> httpx.Response:
        return self._client.post(url, params=params, data=data, headers=headers)

    def get(self, url: str, params: Any = None, headers: Any = None, **_: Any) -> httpx.Response:
        return self._client.get(url, params=params, headers=headers)

    def close(self) -> None:
        self._client.close()


class GraphProvider:
    """Microsoft Graph as a :class:`~bot.calendars.provider.CalendarProvider`."""

    name = "microsoft"

    def __init__(self, api_url: str, login_url: str, client_id: str, client_secret: str, *,
                 verify: ssl.SSLContext | bool = True, timeout: float = 10.0, backoff: Backoff | None = None) -> None:
        self.api = Api(api_url, timeout=timeout, backoff=backoff,
                       client=httpx.AsyncClient(verify=verify, timeout=timeout, limits=LIMITS))
        self.login_url = login_url.rstrip("/")
        self.client_id = client_id
        self._secret = client_secret
        self._http = _MsalHttp(verify, timeout)
        self._apps: dict[str, msal.ConfidentialClientApplication] = {}
        self._tokens: dict[str, tuple[str, datetime]] = {}
        self._token_locks: dict[str, asyncio.Lock] = {}

    # --- tokens --------------------------------------------------------------------------

    async def token(self, directory: str) -> str:
        """An app-only token for the customer tenant ``directory`` (cached until near expiry)."""
        cached = self._tokens.get(directory)
        if cached is not None and cached[1] - TOKEN_MARGIN > datetime.now(UTC):
            return cached[0]
        lock = self._token_locks.setdefault(directory, asyncio.Lock())
        async with lock:
            cached = self._tokens.get(directory)
            if cached is not None and cached[1] - TOKEN_MARGIN > datetime.now(UTC):
                return cached[0]
            result = await asyncio.to_thread(self._acquire, directory)
            token = result.get("access_token")
            if not token:
                raise self._token_problem(result)
            self._tokens[directory] = (str(token), datetime.now(UTC) + timedelta(seconds=int(result.get("expires_in",
                                                                                                     3599))))
            return str(token)

    def _acquire(self, directory: str) -> dict[str, Any]:
        try:
            app = self._apps.get(directory)
            if app is None:
                app = self._apps[directory] = msal.ConfidentialClientApplication(
                    self.client_id, client_credential=self._secret, authority=f"{self.login_url}/{directory}",
                    http_client=self._http, instance_discovery=False)
            return dict(app.acquire_token_for_client(scopes=[SCOPE]) or {})
        except httpx.TransportError as failure:
            return {"error": "unreachable", "error_description": type(failure).__name__}
        except ValueError as refused:  # an unknown tenant fails MSAL's discovery
            self._apps.pop(directory, None)
            return {"error": "invalid_tenant", "error_description": str(refused)[:300]}

    def _token_problem(self, result: Mapping[str, Any]) -> CalendarError:
        code, text = str(result.get("error", "")), str(result.get("error_description", ""))
        if code == "unreachable" or code == "temporarily_unavailable":
            return CalendarUnavailable(f"the Microsoft sign-in service is unreachable ({text})")
        log.warning("Microsoft refused a token: %s", code)
        if code == "invalid_tenant":
            return CalendarRefused("that Microsoft tenant is unknown")
        if any(marker in text for marker in NO_CONSENT) or code in ("unauthorized_client", "invalid_client"):
            return CalendarRefused("the organization's administrator has not granted (or has revoked) consent")
        return CalendarRefused(f"Microsoft refused the bot a token ({code})")

    def _bearer(self, directory: str) -> Any:
        async def bearer() -> str:
            return await self.token(directory)
        return bearer

    async def _call(self, directory: str, method: str, path: str, mailbox: str = "", **options: Any) -> httpx.Response:
        headers = {"Prefer": 'outlook.timezone="UTC"', **options.pop("headers", {})}
        return await self.api.request(method, path, token=self._bearer(directory), mailbox=mailbox.lower(),
                                      headers=headers, **options)

    # --- the provider --------------------------------------------------------------------

    def consent_link(self, directory: str, redirect_url: str | None) -> str:
        """The admin consent link of the customer tenant ``directory``."""
        query = {"client_id": self.client_id, **({"redirect_uri": redirect_url} if redirect_url else {})}
        return f"{self.login_url}/{quote(directory)}/adminconsent?{urlencode(query)}"

    def how_to_connect(self, directory: str, redirect_url: str | None) -> str:
        """The consent link for the tenant's administrator."""
        return (f"A Global Administrator (or Privileged Role Administrator) of the Microsoft 365 tenant opens "
                f"{self.consent_link(directory, redirect_url)} and accepts the permissions Calendars.ReadWrite and "
                "User.Read.All for mentorbot. To keep the bot to the participants' mailboxes, add an application "
                "access policy (or RBAC for Applications) scoped to a mail-enabled group of them.")

    async def check(self, directory: str, mailbox: str) -> None:
        """Raise unless the bot may use ``mailbox``'s calendar in the tenant ``directory``."""
        response = await self._call(directory, "GET", f"users/{_id(mailbox)}/calendar", mailbox)
        _raise_for(response, mailbox)

    async def free_busy(self, directory: str, mailboxes: Sequence[str], start: datetime,
                        end: datetime) -> dict[str, list[Interval] | CalendarError]:
        """``getSchedule`` for every mailbox at once (asked on the first one's calendar)."""
        if not mailboxes:
            return {}
        body = {"schedules": list(mailboxes), "startTime": _utc(start), "endTime": _utc(end),
                "availabilityViewInterval": 30}
        response = await self._call(directory, "POST", f"users/{_id(mailboxes[0])}/calendar/getSchedule",
                                    mailboxes[0], json=body)
        try:
            _raise_for(response, mailboxes[0])
        except CalendarRefused as refused:
            return {mailbox: refused for mailbox in mailboxes}
        found: dict[str, list[Interval] | CalendarError] = {}
        for schedule in response.json().get("value", []):
            mailbox = str(schedule.get("scheduleId", "")).lower()
            if "error" in schedule:
                found[mailbox] = CalendarRefused(str(schedule["error"].get("message", "not readable"))[:200])
                continue
            found[mailbox] = [(_moment(item["start"]), _moment(item["end"]))
                              for item in schedule.get("scheduleItems", []) if item.get("status") in BUSY]
        return {mailbox: found.get(mailbox.lower(), CalendarRefused("no answer for this calendar"))
                for mailbox in mailboxes}

    async def create_event(self, directory: str, mailbox: str, draft: EventDraft, key: str) -> str:
        """``POST /users/{id}/events`` with ``transactionId``: a retry gives the same event."""
        body = {**_event_body(draft), "transactionId": key}
        response = await self._call(directory, "POST", f"users/{_id(mailbox)}/events", mailbox, json=body)
        _raise_for(response, mailbox)
        return str(response.json()["id"])

    async def update_event(self, directory: str, mailbox: str, event_id: str, draft: EventDraft) -> None:
        """``PATCH /users/{id}/events/{event}``."""
        response = await self._call(directory, "PATCH", f"users/{_id(mailbox)}/events/{_id(event_id)}", mailbox,
                                    json=_event_body(draft))
        _raise_for(response, mailbox)

    async def cancel_event(self, directory: str, mailbox: str, event_id: str, note: str) -> None:
        """``POST /users/{id}/events/{event}/cancel`` (the attendees get the cancellation)."""
        response = await self._call(directory, "POST", f"users/{_id(mailbox)}/events/{_id(event_id)}/cancel",
                                    mailbox, json={"comment": note[:1000]})
        if response.status_code != 404:
            _raise_for(response, mailbox)

    async def cancel_occurrence(self, directory: str, mailbox: str, series_id: str, original_start: datetime,
                                note: str) -> None:
        """The occurrence from ``GET /users/{id}/events/{series}/instances``, then its ``cancel``."""
        path = (f"users/{_id(mailbox)}/events/{_id(series_id)}/instances?"
                + urlencode({"startDateTime": _iso(original_start - timedelta(days=1)),
                             "endDateTime": _iso(original_start + timedelta(days=1))}))
        response = await self._call(directory, "GET", path, mailbox)
        if response.status_code == 404:
            return  # the series is gone
        _raise_for(response, mailbox)
        for item in response.json().get("value", []):
            occurrence = _event(item)
            if original_start in (occurrence.original_start, occurrence.starts_at):
                await self.cancel_event(directory, mailbox, occurrence.event_id, note)
                return

    async def events_between(self, directory: str, mailbox: str, start: datetime,
                             end: datetime) -> list[CalendarEvent]:
        """``calendarView`` between the two moments, every page."""
        path = (f"users/{_id(mailbox)}/calendarView?"
                + urlencode({"startDateTime": _iso(start), "endDateTime": _iso(end)}))
        events: list[CalendarEvent] = []
        while path:
            response = await self._call(directory, "GET", path, mailbox)
            _raise_for(response, mailbox)
            page = response.json()
            events += [_event(item) for item in page.get("value", [])]
            path = page.get("@odata.nextLink", "")
        return events

    async def changes(self, directory: str, mailbox: str, cursor: str | None, start: datetime,
                      end: datetime) -> Changes:
        """``calendarView/delta`` from the delta link (or the window's start), every page."""
        path = cursor or (f"users/{_id(mailbox)}/calendarView/delta?"
                          + urlencode({"startDateTime": _iso(start), "endDateTime": _iso(end)}))
        events: list[CalendarEvent] = []
        while True:
            response = await self._call(directory, "GET", path, mailbox,
                                        headers={"Prefer": 'outlook.timezone="UTC", odata.maxpagesize=200'})
            if response.status_code == 410 or (cursor and error_of(response)[0] in ("SyncStateNotFound",
                                                                                  "SyncStateInvalid")):
                raise CursorExpired("the delta link expired")
            _raise_for(response, mailbox)
            page = response.json()
            events += [_event(item) for item in page.get("value", [])]
            if "@odata.nextLink" in page:
                path = page["@odata.nextLink"]
                continue
            return Changes(events, str(page.get("@odata.deltaLink", "")))

    async def subscribe(self, directory: str, mailbox: str, notify_url: str, secret: str,
                        until: datetime) -> Subscription:
        """``POST /subscriptions`` for the mailbox's events (Graph checks ``notify_url`` first)."""
        resource = f"/users/{_id(mailbox)}/events"
        body = {"changeType": "created,updated,deleted", "notificationUrl": notify_url, "resource": resource,
                "expirationDateTime": _iso(min(until, datetime.now(UTC) + MAX_SUBSCRIPTION)), "clientState": secret}
        response = await self._call(directory, "POST", "subscriptions", mailbox, json=body)
        _raise_for(response, mailbox)
        answer = response.json()
        return Subscription(str(answer["id"]), _parse(answer["expirationDateTime"]), resource)

    async def renew(self, directory: str, subscription: Subscription, until: datetime) -> Subscription:
        """``PATCH /subscriptions/{id}``; :class:`CalendarRefused` when it is gone."""
        expires = min(until, datetime.now(UTC) + MAX_SUBSCRIPTION)
        response = await self._call(directory, "PATCH", f"subscriptions/{_id(subscription.subscription_id)}",
                                    json={"expirationDateTime": _iso(expires)})
        _raise_for(response, "the subscription")
        return Subscription(subscription.subscription_id, _parse(response.json()["expirationDateTime"]),
                            subscription.resource)

    async def unsubscribe(self, directory: str, subscription: Subscription) -> None:
        """``DELETE /subscriptions/{id}``."""
        response = await self._call(directory, "DELETE", f"subscriptions/{_id(subscription.subscription_id)}")
        if response.status_code not in (404, 410):
            _raise_for(response, "the subscription")

    async def close(self) -> None:
        """Close the connections."""
        await self.api.close()
        self._http.close()


def _raise_for(response: httpx.Response, mailbox: str) -> None:
    """Map a final error answer to the neutral errors."""
    if response.status_code < 400:
        return
    code, _message = error_of(response)
    if response.status_code in (401, 403):
        raise CalendarRefused(f"no access to the calendar of {mailbox} ({code}): consent revoked, or an "
                              "application access policy leaves it out")
    if response.status_code == 404:
        raise CalendarRefused(f"{mailbox} has no mailbox the bot can find ({code})")
    if response.status_code >= 500 or response.status_code == 429:
        raise CalendarUnavailable(f"HTTP {response.status_code}")
    raise CalendarRefused(f"Microsoft Graph refused the request ({code})")


def _id(value: str) -> str:
    return quote(value, safe="@")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _utc(moment: datetime) -> dict[str, str]:
    return {"dateTime": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"}


def _local(moment: datetime, zone: str) -> dict[str, str]:
    return {"dateTime": moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": zone}


def _parse(text: str) -> datetime:
    """Graph's ISO 8601 moments (seven fractional digits, ``Z`` or an offset)."""
    text = text.strip().replace("Z", "+00:00")
    head, _, rest = text.partition(".")
    if rest:
        digits = "".join(c for c in rest if c.isdigit())
        zone = rest[len(digits):]
        text = f"{head}.{digits[:6]}{zone}"
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _moment(value: Mapping[str, str]) -> datetime:
    """A ``dateTimeTimeZone`` (UTC, as asked with ``Prefer: outlook.timezone``) as an aware moment."""
    moment = _parse(value["dateTime"])
    zone = value.get("timeZone", "UTC")
    if zone not in ("UTC", "") and moment.utcoffset() == timedelta(0) and "+" not in value["dateTime"]:
        try:
            moment = moment.replace(tzinfo=ZoneInfo(zone))
        except (KeyError, ValueError):
            pass
    return moment.astimezone(UTC)


def _event_body(draft: EventDraft) -> dict[str, Any]:
    body: dict[str, Any] = {
        "subject": draft.subject,
        "body": {"contentType": "text", "content": draft.body},
        "start": _local(draft.starts_at, draft.zone),
        "end": _local(draft.ends_at, draft.zone),
        "attendees": [{"emailAddress": {"address": address}, "type": "required"} for address in draft.attendees],
        "isOnlineMeeting": draft.online,
        "location": {"displayName": draft.location},
        "allowNewTimeProposals": True,
    }
    if draft.online:
        body["onlineMeetingProvider"] = "teamsForBusiness"
    if draft.recurrence:
        body["recurrence"] = _recurrence(draft)
    return body


def _recurrence(draft: EventDraft) -> dict[str, Any]:
    """An RRULE (``FREQ=WEEKLY;INTERVAL=2``, ``FREQ=MONTHLY``) as Graph's pattern and range."""
    rule = dict(part.split("=", 1) for part in (draft.recurrence or "").split(";") if "=" in part)
    local = draft.starts_at.astimezone(ZoneInfo(draft.zone))
    interval = int(rule.get("INTERVAL", "1"))
    if rule.get("FREQ") == "MONTHLY":
        pattern: dict[str, Any] = {"type": "absoluteMonthly", "interval": interval, "dayOfMonth": local.day}
    else:
        pattern = {"type": "weekly", "interval": interval, "daysOfWeek": [WEEKDAYS[local.weekday()]]}
    return {"pattern": pattern, "range": {"type": "noEnd", "startDate": local.date().isoformat(),
                                          "recurrenceTimeZone": draft.zone}}


def _event(item: Mapping[str, Any]) -> CalendarEvent:
    """An event of a ``calendarView`` or delta page."""
    if "@removed" in item:
        return CalendarEvent(str(item["id"]), status="canceled")
    responses = {}
    for attendee in item.get("attendees") or []:
        address = str((attendee.get("emailAddress") or {}).get("address", "")).lower()
        response = str((attendee.get("status") or {}).get("response", "none"))
        if address:
            responses[address] = RESPONSES.get(response, "none")
    original = item.get("originalStart")
    return CalendarEvent(
        event_id=str(item["id"]),
        status="canceled" if item.get("isCancelled") else "confirmed",
        starts_at=_moment(item["start"]) if item.get("start") else None,
        ends_at=_moment(item["end"]) if item.get("end") else None,
        responses=responses,
        series_id=item.get("seriesMasterId") or None,
        original_start=_parse(original) if original else None,
        busy=item.get("showAs", "busy") != "free",
    )
