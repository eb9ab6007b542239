"""The neutral message model as Slack Block Kit: messages, modals and the App Home view.

Slack's limits are kept here: sections of at most 3,000 characters and 10 fields, 50
blocks per message and 100 per view, unique action ids per message (the core may reuse
one, e.g. every command button is ``command``: a ``#n`` suffix makes them unique and
:func:`action_id_of` strips it again). Text from people is escaped, so a name such as
``<!channel>`` cannot ping anyone.

Slack cannot carry a message's files from a bot token without the ``files:write`` scope, so a
message's attachments (calendar invites, the report page) become link buttons to the bot's own
HTTP server, at ``PUBLIC_URL``, and its images (charts) image blocks that Slack fetches there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

from bot.i18n import _, in_message_locale
from bot.messages import (
    NO_PUBLIC_URL,
    TITLE_LIMIT,
    SHOW_FORM_ACTION,
    Actions,
    Attachment,
    Block,
    ButtonStyle,
    Context,
    FieldKind,
    Fields,
    Form,
    FormField,
    Message,
    Option,
    Section,
    short,
)

SECTION_LIMIT = 3000
FIELD_LIMIT = 2000
FIELDS_PER_SECTION = 10
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
TEXT_LIMIT = 40_000
OPTION_LIMIT = 100
URL_LIMIT = 3000
ALT_LIMIT = 2000
SUFFIX = "#"
LINK_ACTION = "open-link"
"""Action id of a link button: Slack reports its click too, and the adapter ignores it."""

Json = dict[str, Any]
REFERENCE = re.compile(r"<(person|channel):([^<>|\s]+)(?:\|([^<>]*))?>")
"""A neutral reference to a person or a channel (see :mod:`bot.messages`)."""
SLACK_ID = re.compile(r"^[UWCG][A-Z0-9]+$")


def escape(text: str) -> str:
    """Text as Slack shows it: ``&``, ``<`` and ``>`` escaped, and the core's neutral person and
    channel references written as Slack mentions (which Slack shows as names)."""
    parts, start = [], 0
    for found in REFERENCE.finditer(text):
        parts += [_literal(text[start:found.start()]), _mention(found)]
        start = found.end()
    return "".join([*parts, _literal(text[start:])])


def _literal(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _mention(found: re.Match[str]) -> str:
    """A Slack mention for a Slack id; the reference's label (escaped) for anything else."""
    kind, target, label = found.groups()
    if not SLACK_ID.match(target):
        return _literal(label or target)
    return f"<@{target}>" if kind == "person" else f"<#{target}>"


def action_id_of(slack_action_id: str) -> str:
    """The core's action id of a rendered button (without its uniqueness suffix)."""
    return slack_action_id.rsplit(SUFFIX, 1)[0]


def fallback_text(message: Message) -> str:
    """The plain-text fallback every message carries (notifications, screen readers)."""
    return escape(message.text[:TEXT_LIMIT]) or " "


@in_message_locale
def message_blocks(message: Message, form_button: bool = True, public_url: str | None = None) -> list[Json]:
    """A message as blocks; a form it carries becomes a button that opens it (Slack opens
    modals only from a click), and each attachment a link button under ``public_url``."""
    blocks = list(_blocks(message.blocks))
    blocks += attachment_blocks(message.attachments, public_url)
    if message.form is not None and form_button:
        open_form = {"type": "button", "text": _plain(message.form.title), "style": "primary",
                     "action_id": SHOW_FORM_ACTION, "value": message.form.form_id}
        blocks.append({"type": "actions", "elements": [open_form]})
    return _capped(blocks, MESSAGE_BLOCKS)


def attachment_blocks(attachments: Sequence[Attachment], public_url: str | None) -> list[Json]:
    """Link buttons to the attachments served by the bot; without ``public_url``, a line that
    says what is missing instead of a broken link."""
    linked = [a for a in attachments if a.link]
    if not linked:
        return []
    if not public_url:
        return [{"type": "context", "elements": [{"type": "mrkdwn", "text": _(NO_PUBLIC_URL)}]}]
    # Images (charts) are shown, fetched by Slack from the bot's server; other files are buttons.
    blocks: list[Json] = [{"type": "image", "image_url": f"{public_url}{a.link}"[:URL_LIMIT],
                           "alt_text": a.filename[:ALT_LIMIT], "title": _plain(a.filename)}
                          for a in linked if a.is_image]
    files = [a for a in linked if not a.is_image]
    buttons = [{"type": "button", "text": _plain(a.link_label), "url": f"{public_url}{a.link}"[:URL_LIMIT],
                "action_id": f"{LINK_ACTION}{SUFFIX}{n}"} for n, a in enumerate(files, start=1)]
    if buttons:
        blocks.append({"type": "actions", "elements": buttons[:25]})
    return blocks


@in_message_locale
def modal_view(message: Message, metadata: Json) -> Json:
    """A message whose form is a modal: the message's text on top, then one input per field."""
    form = message.form
    assert form is not None, "only a message with a form becomes a modal"
    blocks = list(_blocks(message.blocks))
    if form.errors:
        problems = "\n".join(f"• {escape(_label(form, name))}: {escape(error)}" for name, error in form.errors.items())
        blocks.insert(0, _section(f":warning: {problems}"))
    blocks += [_input(field) for field in form.fields]
    view: Json = {
        "type": "modal",
        "callback_id": form.form_id,
        "title": _plain(short(form.title, TITLE_LIMIT), TITLE_LIMIT),
        "close": _plain(short(_("Cancel"), TITLE_LIMIT), TITLE_LIMIT),
        "private_metadata": json.dumps(metadata),
        "blocks": _capped(blocks, VIEW_BLOCKS),
    }
    if form.fields:
        view["submit"] = _plain(short(_(form.submit_label), TITLE_LIMIT), TITLE_LIMIT)
    return view


@in_message_locale
def home_view(message: Message) -> Json:
    """A message as the App Home tab."""
    return {"type": "home", "blocks": _capped(list(_blocks(message.blocks)), VIEW_BLOCKS)}


def form_values(state_values: Any) -> dict[str, str | list[str]]:
    """A submitted modal's ``view.state.values`` as field name -> answer.

    Raises ValueError when the payload does not have Slack's shape.
    """
    if not isinstance(state_values, dict):
        raise ValueError("view.state.values is not an object")
    values: dict[str, str | list[str]] = {}
    for actions in state_values.values():
        if not isinstance(actions, dict):
            raise ValueError("a view.state.values block is not an object")
        for name, element in actions.items():
            values[str(name)] = _element_value(element)
    return values


# --- internals ---------------------------------------------------------------------------


def _blocks(blocks: Sequence[Block]) -> Iterator[Json]:
    counter = iter(range(1, 10_000))
    for block in blocks:
        if isinstance(block, Section):
            yield from (_section(chunk) for chunk in _chunks(escape(block.text), SECTION_LIMIT))
        elif isinstance(block, Fields):
            items = [f"*{escape(label)}*\n{escape(value)}"[:FIELD_LIMIT] for label, value in block.items]
            for start in range(0, len(items), FIELDS_PER_SECTION):
                fields = [{"type": "mrkdwn", "text": text} for text in items[start:start + FIELDS_PER_SECTION]]
                yield {"type": "section", "fields": fields}
        elif isinstance(block, Actions):
            elements = [_button(b.label, f"{b.action_id}{SUFFIX}{next(counter)}", b.value, b.style)
                        for b in block.buttons]
            for start in range(0, len(elements), 25):
                yield {"type": "actions", "elements": elements[start:start + 25]}
        elif isinstance(block, Context):
            yield {"type": "context", "elements": [{"type": "mrkdwn", "text": escape(block.text)[:SECTION_LIMIT]}]}


def _section(text: str) -> Json:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text or " "}}


def _button(label: str, action_id: str, value: str, style: ButtonStyle) -> Json:
    button: Json = {"type": "button", "text": _plain(label), "action_id": action_id[:255], "value": value[:2000]}
    if style is not ButtonStyle.DEFAULT:
        button["style"] = style.value
    return button


def _plain(text: str, limit: int = 75) -> Json:
    return {"type": "plain_text", "text": (text[:limit] or " "), "emoji": True}


def _chunks(text: str, size: int) -> Iterator[str]:
    if not text:
        yield " "
    for start in range(0, len(text), size):
        yield text[start:start + size]


def _capped(blocks: list[Json], limit: int) -> list[Json]:
    if len(blocks) <= limit:
        return blocks
    more = {"type": "context", "elements": [{"type": "mrkdwn", "text": _("… (shortened: Slack shows only so much)")}]}
    return [*blocks[:limit - 1], more]


def _label(form: Form, name: str) -> str:
    return next((f.label for f in form.fields if f.name == name), name)


def _option(option: Option) -> Json:
    return {"text": _plain(option.label), "value": option.value[:150]}


def _input(field: FormField) -> Json:
    block: Json = {"type": "input", "block_id": field.name, "label": _plain(field.label, 2000),
                   "optional": field.optional, "element": _element(field)}
    if field.hint:
        block["hint"] = _plain(field.hint, 2000)
    return block


def _element(field: FormField) -> Json:
    kind, initial = field.kind, field.initial
    element: Json = {"action_id": field.name}
    if kind in (FieldKind.SELECT, FieldKind.MULTI_SELECT, FieldKind.RATING):
        options = list(field.options) or _rating_options(field)
        rendered = [_option(o) for o in options[:OPTION_LIMIT]]
        chosen = initial if isinstance(initial, list) else [initial] if initial else []
        picked = [_option(o) for o in options if o.value in chosen]
        if kind is FieldKind.MULTI_SELECT:
            element.update(type="multi_static_select", options=rendered)
            if picked:
                element["initial_options"] = picked
        else:
            element.update(type="radio_buttons" if kind is FieldKind.RATING else "static_select", options=rendered)
            if picked:
                element["initial_option"] = picked[0]
        return element
    if kind is FieldKind.NUMBER:
        element.update(type="number_input", is_decimal_allowed=False)
        if field.min_value is not None:
            element["min_value"] = str(field.min_value)
        if field.max_value is not None:
            element["max_value"] = str(field.max_value)
    elif kind is FieldKind.DATE:
        element["type"] = "datepicker"
        if isinstance(initial, str) and initial:
            element["initial_date"] = initial
        return element
    elif kind is FieldKind.TIME:
        element["type"] = "timepicker"
        if isinstance(initial, str) and initial:
            element["initial_time"] = initial
        return element
    else:
        element.update(type="plain_text_input", multiline=kind is FieldKind.LONG_TEXT)
        if field.max_length:
            element["max_length"] = min(field.max_length, 3000)
    if isinstance(initial, str) and initial:
        element["initial_value"] = initial
    return element


def _rating_options(field: FormField) -> list[Option]:
    low, high = field.min_value or 1, field.max_value or 5
    return [Option(str(n), str(n)) for n in range(low, high + 1)]


def _element_value(element: Any) -> str | list[str]:
    if not isinstance(element, dict):
        raise ValueError("a form element is not an object")
    kind = element.get("type")
    if kind == "multi_static_select":
        return [str(o.get("value", "")) for o in element.get("selected_options") or []]
    if kind in ("static_select", "radio_buttons"):
        return str((element.get("selected_option") or {}).get("value", ""))
    if kind == "datepicker":
        return str(element.get("selected_date") or "")
    if kind == "timepicker":
        return str(element.get("selected_time") or "")
    return str(element.get("value") or "")
