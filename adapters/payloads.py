"""Reading a request body from outside as JSON, whatever was sent.

Python's ``json`` accepts ``NaN`` and ``Infinity`` (which no platform sends and which break
arithmetic and serialization later) and raises :class:`RecursionError` on deeply nested
input; both platforms' edges read bodies through :func:`read_json`, which refuses all of that
with one exception, :class:`BadPayload`.
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 64
"""How deeply arrays and objects may nest. Slack's and Teams' deepest payloads (rich text
inside blocks inside a view) stay under 20."""


class BadPayload(ValueError):
    """A body that is not JSON a platform would send; the message says why, in a few words."""


def read_json(text: str | bytes) -> Any:
    """``text`` parsed as JSON; :class:`BadPayload` for anything else, for ``NaN`` or
    ``Infinity``, or for nesting deeper than :data:`MAX_DEPTH`."""
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise BadPayload("nested too deeply") from None
    except BadPayload:
        raise
    except (ValueError, TypeError):  # UnicodeDecodeError is a ValueError
        raise BadPayload("not valid JSON") from None
    if _depth(value) > MAX_DEPTH:
        raise BadPayload("nested too deeply")
    return value


def _no_constant(name: str) -> Any:
    raise BadPayload(f"{name} is not a JSON number")


def _depth(value: Any) -> int:
    """How deeply ``value`` nests (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            return level
        stack.extend((child, level + 1) for child in children)
    return deepest
