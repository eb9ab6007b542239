"""The neutral message model as terminal text: numbered choices, one prompt per form field."""

from __future__ import annotations

import re

from bot.messages import Actions, Context, Fields, FieldKind, FormField, Message, Section

BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")


def plain(text: str) -> str:
    """Light markdown as plain text (``*bold*`` loses its stars)."""
    return BOLD.sub(r"\1", text)


def render_message(message: Message) -> list[str]:
    """The lines that show a message, its buttons numbered from 1 across every row."""
    lines: list[str] = []
    number = 0
    for block in message.blocks:
        if isinstance(block, Section):
            lines += plain(block.text).splitlines()
        elif isinstance(block, Fields):
            lines += [f"  {label}: {value}" for label, value in block.items]
        elif isinstance(block, Actions):
            labels = [f"[{number + i}] {b.label}" for i, b in enumerate(block.buttons, start=1)]
            number += len(block.buttons)
            lines.append("  " + "   ".join(labels))
        elif isinstance(block, Context):
            lines.append(f"  ({block.text})")
    if not message.blocks:
        lines += plain(message.text).splitlines()
    return lines


def render_field(field: FormField, error: str | None = None) -> list[str]:
    """The prompt for one form field."""
    lines = [f"! {error}"] if error else []
    lines.append(f"{field.label}:")
    for i, option in enumerate(field.options, start=1):
        lines.append(f"  {i}) {option.label}")
    notes = []
    if field.kind is FieldKind.MULTI_SELECT:
        notes.append("type one or more numbers, separated by commas")
    elif field.options:
        notes.append("type a number")
    if field.hint:
        notes.append(field.hint.rstrip("."))
    if field.initial not in (None, "", []):
        current = field.initial if isinstance(field.initial, str) else ", ".join(field.initial)
        notes.append(f"press Enter to keep: {_labels(field, current)}")
    elif field.optional:
        notes.append("press Enter to skip")
    if notes:
        lines.append("  (" + "; ".join(notes) + ")")
    return lines


def _labels(field: FormField, current: str) -> str:
    labels = {o.value: o.label for o in field.options}
    return ", ".join(labels.get(v.strip(), v.strip()) for v in current.split(","))
