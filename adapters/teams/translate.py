"""Bot Framework activities from Teams as what they mean to the core: :class:`~bot.messages.Inbound`.

:func:`shape_problem` rejects a body that is not an activity Teams would send (the endpoint
answers 400); :func:`inbound_of` turns an accepted activity into what the person did, or
None for activities the bot has nothing to say to (typing, reactions, a member leaving).

The tenant is read from ``channelData.tenant.id``: botbuilder's schema drops
``conversation.tenantId``. The person is their Entra ID object id (``from.aadObjectId``,
stable across apps and chats), or the channel's user id where there is none (the Emulator).

An activity from a channel or a group chat carries that conversation as the inbound's
``channel``: an address whose reference posts a new message there (to the channel itself,
not the thread the person wrote in), from the bot to nobody in particular.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, ConversationAccount, ConversationReference

from adapters.teams import TEAMS
from adapters.teams.render import FORM_KEY, action_of, multi_select_values
from bot.messages import Address, FormValue, Inbound

DEV_TENANT = "local-dev"
"""Tenant of activities without one (the Bot Framework Emulator, in development mode only)."""

PERSONAL = "personal"
THREAD = ";messageid="
"""What follows a channel's id in the conversation id of a thread in it."""
_TAGS = re.compile(r"<[^>]+>")
_REQUIRED = ("id", "type", "serviceUrl", "channelId", "from", "conversation", "recipient")
_OBJECTS = ("from", "conversation", "recipient", "channelData")
_STRINGS = ("id", "type", "serviceUrl", "channelId", "text", "action", "replyToId")


@dataclass(frozen=True)
class Arrival:
    """An accepted activity: who it is from, and where the answers go.

    ``reference`` is the conversation the activity came from; ``channel`` the address of that
    conversation when it is shared (a channel, a group chat), None in a personal chat.
    """

    address: Address
    personal: bool
    reference: ConversationReference
    channel: Address | None = None


def shape_problem(body: Any) -> str | None:
    """What makes ``body`` something other than a Bot Framework activity, or None."""
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    missing = [key for key in _REQUIRED if body.get(key) in (None, "")]
    if missing:
        return f"missing {', '.join(missing)}"
    wrong = [key for key in _OBJECTS if key in body and not isinstance(body[key], dict)]
    wrong += [key for key in _STRINGS if body.get(key) is not None and not isinstance(body[key], str)]
    if wrong:
        return f"wrong type for {', '.join(wrong)}"
    if not all(isinstance(body[key].get("id"), str) and body[key]["id"] for key in ("from", "conversation", "recipient")):
        return "from, conversation and recipient need an id"
    if "membersAdded" in body and not (isinstance(body["membersAdded"], list)
                                       and all(isinstance(m, dict) for m in body["membersAdded"])):
        return "membersAdded is not a list of accounts"
    if not str(body["serviceUrl"]).startswith(("https://", "http://")):
        return "serviceUrl is not a URL"
    return None


def tenant_of(activity: Activity) -> str | None:
    """The Microsoft 365 organization an activity comes from (``channelData.tenant.id``)."""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = data.get("tenant") if isinstance(data.get("tenant"), dict) else {}
    found = tenant.get("id") if tenant else None
    return found if isinstance(found, str) and found else None


def arrival_of(activity: Activity, allow_without_tenant: bool) -> Arrival | None:
    """Who sent ``activity`` and where to answer; None when it names no tenant and that is not allowed."""
    tenant = tenant_of(activity) or (DEV_TENANT if allow_without_tenant else None)
    if tenant is None:
        return None
    sender = activity.from_property
    user_id = getattr(sender, "aad_object_id", None) or sender.id
    reference = TurnContext.get_conversation_reference(activity)
    reference.conversation.tenant_id = tenant  # botbuilder reads Teams' "tenantId" as nothing
    personal = (activity.conversation.conversation_type or PERSONAL) == PERSONAL
    serialized = reference.serialize() if personal else None
    channel = None if personal else shared_address(reference, tenant)
    return Arrival(Address(TEAMS, tenant, user_id, serialized), personal, reference, channel)


def arrival_as_dict(arrival: Arrival) -> dict[str, Any]:
    """An arrival as JSON-able data (a job for the turns)."""
    return {"address": arrival.address.as_dict(), "personal": arrival.personal,
            "reference": arrival.reference.serialize(),
            "channel": arrival.channel.as_dict() if arrival.channel else None}


def arrival_from_dict(data: dict[str, Any]) -> Arrival:
    """The arrival :func:`arrival_as_dict` gave."""
    address = Address.from_dict(data["address"])
    if address is None:
        raise ValueError("an arrival without an address")
    reference = ConversationReference().deserialize(data["reference"])
    return Arrival(address, bool(data["personal"]), reference, Address.from_dict(data.get("channel")))


def shared_address(reference: ConversationReference, tenant: str) -> Address:
    """The address of the shared conversation of ``reference`` (a channel, a group chat): a new
    message posted with its reference starts a new post in the channel itself."""
    conversation = reference.conversation
    conversation_id = conversation.id.split(THREAD, 1)[0]
    shared = ConversationReference(
        bot=reference.bot, channel_id=reference.channel_id, service_url=reference.service_url,
        conversation=ConversationAccount(id=conversation_id, conversation_type=conversation.conversation_type,
                                         is_group=True, tenant_id=tenant, name=conversation.name))
    return Address(TEAMS, tenant, conversation_id, shared.serialize())


def personal_reference(reference: ConversationReference, conversation_id: str) -> ConversationReference:
    """The reference of the personal chat ``conversation_id`` between the bot and the person who
    wrote in the conversation of ``reference``."""
    person = reference.user or ChannelAccount(id="")
    return ConversationReference(
        bot=reference.bot, user=person, channel_id=reference.channel_id, service_url=reference.service_url,
        conversation=ConversationAccount(id=conversation_id, conversation_type=PERSONAL,
                                         tenant_id=reference.conversation.tenant_id))


def event_id_of(activity: Activity, tenant: str) -> str:
    """A key that is the same for every retry of ``activity`` and differs between activities
    (Teams message ids are unique only within a conversation)."""
    raw = f"{tenant}|{activity.conversation.id}|{activity.id}"
    return hashlib.sha256(raw.encode()).hexdigest()


def inbound_of(activity: Activity, arrival: Arrival) -> Inbound | None:
    """What the person did, or None when there is nothing to answer."""
    address, name = arrival.address, activity.from_property.name or ""
    if activity.type == ActivityTypes.message:
        inbound = _from_message(activity, address, name)
    elif _bot_installed(activity):
        inbound = replace(Inbound.opened(address, name), greet_once=True)
    else:
        return None
    if inbound is None:
        return None
    locale = activity.locale if isinstance(activity.locale, str) else ""
    return replace(inbound, event_id=event_id_of(activity, address.tenant), timezone=_timezone(activity),
                   channel=arrival.channel, locale=locale[:35])


def _from_message(activity: Activity, address: Address, name: str) -> Inbound | None:
    value = activity.value
    if isinstance(value, dict):
        return _from_card(value, address, name)
    text = _without_bot_mention(activity)
    return Inbound.typed(address, text, name) if text or activity.attachments else None


def _without_bot_mention(activity: Activity) -> str:
    """The text typed, without the ``<at>mentorbot</at>`` that addresses the bot in a channel or
    group chat, nor other markup. (botbuilder's own version fails on malformed mention entities
    and reads the mention's text as a regular expression.)"""
    text = activity.text if isinstance(activity.text, str) else ""
    bot_id = activity.recipient.id if activity.recipient else None
    for entity in activity.entities or []:
        extra = entity.additional_properties or {}
        mentioned = extra.get("mentioned")
        if (isinstance(entity.type, str) and entity.type.lower() == "mention" and isinstance(mentioned, dict)
                and mentioned.get("id") == bot_id and isinstance(extra.get("text"), str) and extra["text"]):
            text = text.replace(extra["text"], "")
    return _TAGS.sub("", text).strip()


def _from_card(value: dict[str, Any], address: Address, name: str) -> Inbound | None:
    """An Adaptive Card's Action.Submit: a button (action and value) or a form (its inputs)."""
    action = action_of(value)
    if action is not None:
        return Inbound.pressed(address, action[0], action[1], name)
    form_id = value.get(FORM_KEY)
    if not isinstance(form_id, str) or not form_id:
        return None
    values: dict[str, FormValue] = {}
    for key, raw in value.items():
        if not key.startswith("mentorbot_") and key != "msteams":
            values[key] = raw if isinstance(raw, str) else "" if raw is None else str(raw)
    values.update(multi_select_values(value))
    return Inbound.submitted(address, form_id, values, name)


def _timezone(activity: Activity) -> str:
    """The IANA time zone of the person's Teams client (``localTimezone``, or the clientInfo entity)."""
    if isinstance(activity.local_timezone, str) and activity.local_timezone:
        return activity.local_timezone
    for entity in activity.entities or []:
        zone = (entity.additional_properties or {}).get("timezone") if entity.type == "clientInfo" else None
        if isinstance(zone, str) and zone:
            return zone
    return ""


def _bot_installed(activity: Activity) -> bool:
    """The app was added for this person (installationUpdate add, or the bot joining the chat)."""
    if activity.type == ActivityTypes.installation_update:
        return (activity.action or "add").startswith("add")
    if activity.type == ActivityTypes.conversation_update:
        bot_id = activity.recipient.id
        return any(member.id == bot_id for member in activity.members_added or [])
    return False
