"""The neutral message model as Teams activities: plain text, or an Adaptive Card 1.5.

A message with only text goes out as text. Anything with fields, buttons or a form becomes
one Adaptive Card: sections as text blocks, fields as a fact set, buttons and the form's
submit as ``Action.Submit`` whose data says what was pressed. Teams merges a card's input
values into that data, so a submitted form arrives as ``{mentorbot_form: id, field: value}``.

The card keeps the text fallback (``fallbackText``, and the activity's ``summary`` for
notifications). Teams takes messages up to about 28 KB: a longer card is shortened. People's
text is shown as written: Adaptive Cards' markdown cannot ping anyone.

A bot cannot drop a file into a personal chat without asking first (a file consent card), so a
message's attachments (calendar invites, the report page) become ``Action.OpenUrl`` buttons to the
bot's own HTTP server at ``PUBLIC_URL``, and its images (charts) ``Image`` elements fetched there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

from bot.i18n import _, in_message_locale
from bot.messages import (
    NO_PUBLIC_URL,
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
    with_reference_labels,
)

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.5"
ACTION_KEY = "mentorbot_action"
VALUE_KEY = "mentorbot_value"
FORM_KEY = "mentorbot_form"
MULTI_KEY = "mentorbot_multi"
CARD_BYTES = 26_000
"""Teams refuses messages over about 28 KB; the card stays under this, leaving room for the
activity around it."""
TEXT_LIMIT = 12_000
FALLBACK_LIMIT = 4_000
SHORTENED = "shortened"

Json = dict[str, Any]
_BOLD = re.compile(r"(?<![*\w])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![*\w])")


@in_message_locale
def activity_of(message: Message, public_url: str | None = None) -> Json:
    """The activity (without addressing) that shows ``message`` in Teams; attachments link to
    the bot's server at ``public_url``. Teams has no channel mention the bot can write:
    references in the text show as their labels."""
    message = with_reference_labels(message)
    text = message.text[:TEXT_LIMIT] or " "
    if _plain(message):
        return {"type": "message", "text": markdown(text), "textFormat": "markdown"}
    return {"type": "message", "summary": text[:200], "attachments": [{"contentType": CARD_TYPE,
                                                                        "content": card(message, public_url)}]}


@in_message_locale
def card(message: Message, public_url: str | None = None) -> Json:
    """``message`` as an Adaptive Card."""
    body: list[Json] = list(_body(message.blocks))
    body += attachment_elements(message.attachments, public_url)
    actions: list[Json] = []
    if message.form is not None:
        body += list(_form_body(message.form))
        actions.append(_submit(message.form))
    return _shortened({"type": "AdaptiveCard", "version": CARD_VERSION,
                       "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                       "fallbackText": message.text[:FALLBACK_LIMIT] or " ", "body": body or [_text(" ")],
                       "actions": actions})


def markdown(text: str) -> str:
    """The core's light markdown (``*bold*``) as Teams markdown (``**bold**``)."""
    return _BOLD.sub(r"**\1**", text)


def multi_select_values(data: dict[str, Any]) -> dict[str, list[str]]:
    """The values picked in each multi-select of a submitted form (Teams sends "0,2")."""
    numbered = data.get(MULTI_KEY)
    if not isinstance(numbered, dict):
        return {}
    picked: dict[str, list[str]] = {}
    for name, values in numbered.items():
        raw = data.get(name)
        if not isinstance(values, list) or not isinstance(raw, str):
            continue
        indexes = [int(part) for part in raw.split(",") if part.strip().isdigit()]
        picked[name] = [str(values[i]) for i in indexes if i < len(values)]
    return picked


def action_of(data: dict[str, Any]) -> tuple[str, str] | None:
    """The (action id, value) of a pressed card button, from its submit data; None for a form."""
    action = data.get(ACTION_KEY)
    if not isinstance(action, str) or not action:
        return None
    value = data.get(VALUE_KEY)
    return action, value if isinstance(value, str) else ""


def attachment_elements(attachments: Sequence[Attachment], public_url: str | None) -> list[Json]:
    """``Action.OpenUrl`` buttons to the attachments served by the bot; without ``public_url``,
    a line that says what is missing instead of a broken link."""
    linked = [a for a in attachments if a.link]
    if not linked:
        return []
    if not public_url:
        return [_text(_(NO_PUBLIC_URL), isSubtle=True, size="Small")]
    # Images (charts) are shown, fetched by Teams from the bot's server; other files are buttons.
    elements: list[Json] = [{"type": "Image", "url": f"{public_url}{a.link}", "altText": a.filename}
                            for a in linked if a.is_image]
    files = [a for a in linked if not a.is_image]
    if files:
        elements.append({"type": "ActionSet", "actions": [{"type": "Action.OpenUrl", "title": a.link_label,
                                                           "url": f"{public_url}{a.link}"} for a in files]})
    return elements


# --- internals ---------------------------------------------------------------------------


def _plain(message: Message) -> bool:
    return message.form is None and not any(a.link for a in message.attachments) and all(isinstance(block, Section) for block in message.blocks) \
        and len(message.blocks) <= 1


def _body(blocks: Sequence[Block]) -> Iterator[Json]:
    for block in blocks:
        if isinstance(block, Section):
            yield _text(markdown(block.text))
        elif isinstance(block, Fields):
            facts = [{"title": label[:200] or " ", "value": value[:2000] or " "} for label, value in block.items]
            yield {"type": "FactSet", "facts": facts}
        elif isinstance(block, Actions):
            yield {"type": "ActionSet", "actions": [_button(b.label, b.action_id, b.value, b.style)
                                                    for b in block.buttons]}
        elif isinstance(block, Context):
            yield _text(markdown(block.text), isSubtle=True, size="Small")


def _text(text: str, **style: Any) -> Json:
    return {"type": "TextBlock", "text": text[:TEXT_LIMIT] or " ", "wrap": True, **style}


def _button(label: str, action_id: str, value: str, style: ButtonStyle) -> Json:
    button: Json = {"type": "Action.Submit", "title": label, "data": {ACTION_KEY: action_id, VALUE_KEY: value}}
    if style is ButtonStyle.PRIMARY:
        button["style"] = "positive"
    elif style is ButtonStyle.DANGER:
        button["style"] = "destructive"
    return button


def _form_body(form: Form) -> Iterator[Json]:
    yield _text(f"**{form.title}**", size="Medium")
    if form.errors:
        problems = "\n".join(f"- {_label(form, name)}: {error}" for name, error in form.errors.items())
        yield _text(problems, color="Attention")
    for field in form.fields:
        yield _input(field)
        if field.name in form.errors:
            yield _text(form.errors[field.name], color="Attention", size="Small", spacing="None")


def _submit(form: Form) -> Json:
    multi = {f.name: [o.value for o in f.options] for f in form.fields if f.kind is FieldKind.MULTI_SELECT}
    return {"type": "Action.Submit", "title": _(form.submit_label), "style": "positive",
            "data": {FORM_KEY: form.form_id, MULTI_KEY: multi}}


def _label(form: Form, name: str) -> str:
    return next((f.label for f in form.fields if f.name == name), name)


def _input(field: FormField) -> Json:
    element: Json = {"id": field.name, "label": field.label, "isRequired": not field.optional}
    if not field.optional:
        element["errorMessage"] = _("Please answer this.")
    element.update(_element(field))
    return element


def _element(field: FormField) -> Json:
    kind, initial = field.kind, field.initial
    if kind in (FieldKind.SELECT, FieldKind.MULTI_SELECT, FieldKind.RATING):
        options = list(field.options) or _rating_options(field)
        chosen = initial if isinstance(initial, list) else [initial] if initial else []
        multi = kind is FieldKind.MULTI_SELECT
        # Teams joins the picks of a multi-select with commas: its choices are numbered, so
        # that a value with a comma in it comes back whole (see multi_select_values).
        choices = [{"title": o.label or o.value, "value": str(n) if multi else o.value} for n, o in enumerate(options)]
        element: Json = {"type": "Input.ChoiceSet", "choices": choices, "isMultiSelect": multi,
                         "style": "expanded" if kind is FieldKind.RATING or len(options) <= 3 else "compact"}
        picked = [c["value"] for c, o in zip(choices, options, strict=True) if o.value in chosen]
        if picked:
            element["value"] = ",".join(picked)
        return element
    if kind is FieldKind.NUMBER:
        element = {"type": "Input.Number"}
        if field.min_value is not None:
            element["min"] = field.min_value
        if field.max_value is not None:
            element["max"] = field.max_value
        if isinstance(initial, str) and initial.lstrip("-").isdigit():
            element["value"] = int(initial)
        return element
    element = {"type": {FieldKind.DATE: "Input.Date", FieldKind.TIME: "Input.Time"}.get(kind, "Input.Text")}
    if kind in (FieldKind.TEXT, FieldKind.LONG_TEXT):
        element["isMultiline"] = kind is FieldKind.LONG_TEXT
        if field.max_length:
            element["maxLength"] = field.max_length
        if field.hint:
            element["placeholder"] = field.hint[:200]
    if isinstance(initial, str) and initial:
        element["value"] = initial
    return element


def _rating_options(field: FormField) -> list[Option]:
    low, high = field.min_value or 1, field.max_value or 5
    return [Option(str(n), str(n)) for n in range(low, high + 1)]


def _shortened(content: Json) -> Json:
    """The card, with body elements dropped from the end until it fits Teams' size limit."""
    body = content["body"]
    while len(json.dumps(content).encode()) > CARD_BYTES and len(body) > 1:
        marked = body[-1].get("id") == SHORTENED
        body.pop(-2 if marked else -1)
        if not marked:
            body.append({**_text(_("… (shortened: Teams shows only so much)"), isSubtle=True), "id": SHORTENED})
    return content
