"""Reading an HR export: bytes in, rows out, or a per-file refusal.

Pure: no database. Accepts UTF-8 (with or without the byte-order mark Excel writes) and
UTF-16 with its mark; commas, semicolons (European spreadsheets) or tabs. Column names are
matched loosely (``Manager email``, ``manager_email``, ``E-mail``...).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from bot.i18n import _
from storage.names import name_key

MAX_BYTES = 20 * 1024 * 1024
"""The largest file accepted (100,000 rows of a typical export fit in a tenth of it)."""
MAX_ROWS = 100_000
MAX_CELL = 500

# Column -> the header names (compared by key) that mean it.
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "full name", "display name", "employee", "employee name"),
    "email": ("email", "e-mail", "email address", "work email", "mail"),
    "role": ("role", "program role", "mentoring role"),
    "level": ("level", "seniority", "grade", "seniority level"),
    "department": ("department", "dept", "division", "team"),
    "manager_email": ("manager email", "manager e-mail", "manager_email", "line manager email", "manager"),
    "languages": ("languages", "language"),
    "timezone": ("time zone", "timezone", "tz", "time_zone"),
    "location": ("location", "remote or in person", "meeting preference"),
    "topics": ("topics", "skills", "interests"),
}
COLUMN_LABELS = {"manager_email": "manager email", "timezone": "time zone"}
REQUIRED = ("name", "email")
_BY_HEADER = {name_key(alias).replace("_", " "): column for column, aliases in COLUMNS.items() for alias in aliases}


class FileRefused(ValueError):
    """The file as a whole cannot be read; the text says why and what to do."""


@dataclass(frozen=True)
class Row:
    """One line of the file: its line number (the header is line 1) and its cells by column."""

    line: int
    cells: dict[str, str]


def read_rows(data: bytes, filename: str = "") -> list[Row]:
    """The rows of an HR CSV export, or :class:`FileRefused`."""
    if len(data) > MAX_BYTES:
        raise FileRefused(_("{filename} is {value:.0f} MB; I accept at most {value2} MB. Split it, or export only the " "columns I read.", filename=filename, value=len(data) / 1024 / 1024, value2=MAX_BYTES // 1024 // 1024))
    text = _decoded(data, filename)
    if not text.strip():
        raise FileRefused(_("{filename} is empty.", filename=filename))
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as problem:
        raise FileRefused(_("{filename} has no header line I can read ({problem}).", filename=filename, problem=problem)) from None
    columns = [_BY_HEADER.get(name_key(cell).replace("_", " ")) for cell in header]
    missing = [column for column in REQUIRED if column not in columns]
    if missing:
        raise FileRefused(_("{filename} has no {items} column. Its header line is: {value}. Expected columns: {items2}.", filename=filename, items=' and no '.join(missing), value=', '.join(h.strip() for h in header)[:300], items2=', '.join(COLUMN_LABELS.get(c, c) for c in COLUMNS)))
    return _rows(reader, columns, filename)


def _rows(reader: Any, columns: list[str | None], filename: str) -> list[Row]:
    """The non-empty lines of ``reader`` (a csv reader) as rows of the known columns."""
    rows: list[Row] = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise FileRefused(_("{filename} has more than {max_rows:,} people; split it.", filename=filename, max_rows=MAX_ROWS))
            found = {column: cell.strip() for column, cell in zip(columns, cells, strict=False) if column}
            rows.append(Row(reader.line_num, found))
    except csv.Error as problem:
        raise FileRefused(_("{filename}, line {line_num}: {problem}.", filename=filename, line_num=reader.line_num, problem=problem)) from None
    return rows


def _decoded(data: bytes, filename: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        line = data[:problem.start].count(b"\n") + 1
        raise FileRefused(_("{filename} is not UTF-8 (line {line} has bytes I cannot read). In your spreadsheet, save " 'it as "CSV UTF-8" and send it again.', filename=filename, line=line)) from None
