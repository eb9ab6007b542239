"""The neutral message model as terminal text: numbered choices, one prompt per form field.

A message's attachments (calendar invites) are saved as files, under ``invites/`` in the
working directory by default, and the line shown says where.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from bot.i18n import _, in_message_locale
from bot.messages import (
    Actions,
    Attachment,
    Context,
    FieldKind,
    Fields,
    FormField,
    Message,
    Section,
    with_reference_labels,
)

BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
INVITES_DIR = Path("invites")
UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_COPIES = 1000


def plain(text: str) -> str:
    """Light markdown as plain text (``*bold*`` loses its stars)."""
    return BOLD.sub(r"\1", text)


@in_message_locale
def render_message(message: Message, invites_dir: Path = INVITES_DIR) -> list[str]:
    """The lines that show a message, its buttons numbered from 1 across every row; its
    attachments are saved under ``invites_dir`` (see :func:`attachment_lines`). References to
    people and channels show as their labels."""
    message = with_reference_labels(message)
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
    return lines + attachment_lines(message.attachments, invites_dir)


def attachment_lines(attachments: Sequence[Attachment], directory: Path = INVITES_DIR) -> list[str]:
    """Save each attachment under ``directory`` (created if needed); a line for each saying
    where it went, or why it could not be saved."""
    lines = []
    for attachment in attachments:
        is_invite = attachment.media_type.startswith("text/calendar")
        try:
            path = save_attachment(attachment, directory)
        except OSError as problem:
            what = _("the calendar invite") if is_invite else attachment.filename
            lines.append(_("  (Could not save {what}: {value})", what=what, value=problem.strerror or problem))
            continue
        if is_invite:
            lines.append(_("Calendar invite saved: {path} (open it to add the session to your calendar)", path=path))
        else:
            lines.append(_("File saved: {path}", path=path))
    return lines


def save_attachment(attachment: Attachment, directory: Path = INVITES_DIR) -> Path:
    """Write an attachment into ``directory`` under its own name, never over another file
    (``name-2.ics``, ``name-3.ics``, ... when taken); the path written."""
    directory.mkdir(parents=True, exist_ok=True)
    name = Path(safe_filename(attachment.filename))
    for copy in range(1, MAX_COPIES + 1):
        path = directory / (name.name if copy == 1 else f"{name.stem}-{copy}{name.suffix}")
        try:
            # Exclusive creation: two chats saving at once cannot overwrite each other.
            with path.open("xb") as file:
                file.write(attachment.data)
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"{directory / name} and {MAX_COPIES - 1} numbered copies already exist")


def safe_filename(filename: str) -> str:
    """A file name without directories or unusual characters (``../x y.ics`` -> ``x-y.ics``)."""
    cleaned = UNSAFE.sub("-", Path(filename.replace("\\", "/")).name).strip(".-")
    return cleaned or "attachment"


def render_field(field: FormField, error: str | None = None) -> list[str]:
    """The prompt for one form field."""
    lines = [f"! {error}"] if error else []
    lines.append(field.label if field.label.endswith(("?", ":")) else f"{field.label}:")
    for i, option in enumerate(field.options, start=1):
        lines.append(f"  {i}) {option.label}")
    notes = []
    if field.kind is FieldKind.MULTI_SELECT:
        notes.append(_("type one or more numbers, separated by commas or spaces"))
    elif field.options:
        notes.append(_("type a number"))
    if field.hint:
        notes.append(field.hint.rstrip("."))
    if field.initial not in (None, "", []):
        current = field.initial if isinstance(field.initial, str) else ", ".join(field.initial)
        notes.append(_("press Enter to keep: {field}", field=_labels(field, current)))
    elif field.optional:
        notes.append(_("press Enter to skip"))
    if notes:
        lines.append("  (" + "; ".join(notes) + ")")
    return lines


def _labels(field: FormField, current: str) -> str:
    labels = {o.value: o.label for o in field.options}
    return ", ".join(labels.get(v.strip(), v.strip()) for v in current.split(","))
