"""The catalogs: every message id translated in every language present, with the same
placeholders as its source; the template up to date with the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.i18n import SUPPORTED, normalize, resolve, translated_in
from bot.i18n.catalogs import locales_dir
from bot.messages import LABEL_LIMIT, TITLE_LIMIT

PLACEHOLDER = re.compile(r"(?<!\{)\{([^{}]*)\}(?!\})|%\((\w+)\)[sd]")
CATALOGS = sorted(locales_dir().glob("*/LC_MESSAGES/messages.po"))
LANGUAGES = [path.parts[-3] for path in CATALOGS]


def placeholders(text: str) -> set[str]:
    """The named placeholders of ``text`` (``{name}``, ``{count:,}``, ``%(name)s``), with their formats."""
    return {a or b for a, b in PLACEHOLDER.findall(text)}


def read(path: Path):  # type: ignore[no-untyped-def]
    with path.open("rb") as file:
        return read_po(file, locale=path.parts[-3] if path.suffix == ".po" else None)


def test_every_supported_language_but_english_has_a_catalog() -> None:
    assert set(LANGUAGES) == set(SUPPORTED) - {"en"} or set(LANGUAGES) <= set(SUPPORTED)
    assert {"fr", "pl"} <= set(LANGUAGES)


def test_the_template_lists_every_message_of_every_catalog() -> None:
    template = read(locales_dir() / "messages.pot")
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    assert len(ids) > 1000
    for path in CATALOGS:
        catalog = {m.id if isinstance(m.id, str) else m.id[0] for m in read(path) if m.id}
        assert catalog == ids, f"{path}: run make messages"


@pytest.mark.parametrize("path", CATALOGS, ids=LANGUAGES)
def test_every_message_has_a_translation(path: Path) -> None:
    missing = [m.id for m in read(path) if m.id and (not m.string or not all(m.string) or m.fuzzy)]
    assert missing == [], f"{len(missing)} untranslated in {path}: {missing[:5]}"


@pytest.mark.parametrize("path", CATALOGS, ids=LANGUAGES)
def test_every_translation_keeps_the_placeholders_of_its_source(path: Path) -> None:
    wrong = []
    for message in read(path):
        if not message.id or not message.string:
            continue
        sources = [message.id] if isinstance(message.id, str) else list(message.id)
        translations = [message.string] if isinstance(message.string, str) else list(message.string)
        expected = set().union(*(placeholders(s) for s in sources))
        for text in translations:
            # A plural form may leave out {n} (Polish "one"), never add or rename one.
            found = placeholders(text)
            if not found <= expected or not (expected - {"n"}) <= found:
                wrong.append((sources[0], text, sorted(expected ^ found)))
    assert wrong == [], wrong[:5]


@pytest.mark.parametrize("path", CATALOGS, ids=LANGUAGES)
def test_commands_in_backticks_stay_as_they_are(path: Path) -> None:
    """The command grammar is English everywhere: text between backticks is never translated."""
    wrong = []
    for message in read(path):
        if not message.id or not message.string:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        texts = [message.string] if isinstance(message.string, str) else list(message.string)
        for text in texts:
            if sorted(re.findall(r"`[^`]*`", text)) != sorted(re.findall(r"`[^`]*`", source)):
                wrong.append((source, text))
    assert wrong == [], wrong[:5]


def test_a_platform_locale_is_read_to_the_language_and_an_unknown_one_passes_over() -> None:
    assert [normalize(tag) for tag in ("fr-BE", "fr_FR", "pl-PL", "PL", "Polski", "français", "nl-BE")] == [
        "fr", "fr", "pl", "pl", "pl", "fr", "nl"]
    assert normalize("pt-BR") is None and normalize("") is None and normalize("xx-\x00") is None
    assert resolve(["pt-BR", None, "pl"]) == "pl"
    assert resolve(["klingon"]) == "en"


def test_a_translation_that_breaks_its_placeholders_falls_back_to_english() -> None:
    assert translated_in("fr", "Welcome back, {name}.", name="Zoë") == "Bon retour, Zoë."
    assert translated_in("pl", "Welcome back, {name}.", name="Zoë") == "Witaj ponownie, Zoë."


def _short_texts() -> dict[str, int]:
    """The messages that become form titles (Slack: 24 characters) and option, button and field
    labels (75), read from the code: what ``FormStep``, ``Form``, ``ChoiceStep`` choices,
    ``Button``, ``Option`` and ``FormField`` are given."""
    import ast

    limits = {"FormStep": (1, TITLE_LIMIT), "Form": (1, TITLE_LIMIT), "Button": (0, LABEL_LIMIT),
              "for_command": (0, LABEL_LIMIT), "Option": (1, LABEL_LIMIT), "Choice": (1, LABEL_LIMIT),
              "FormField": (1, LABEL_LIMIT), "field": (1, LABEL_LIMIT)}
    found: dict[str, int] = {}
    for path in Path("bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "form_title" for t in node.targets) \
                    and isinstance(node.value, ast.Call) and node.value.args:
                found[node.value.args[0].value] = TITLE_LIMIT  # type: ignore[attr-defined]
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name not in limits or len(node.args) <= limits[name][0]:
                continue
            arg = node.args[limits[name][0]]
            if isinstance(arg, ast.Call) and getattr(arg.func, "id", "") in ("_", "N_") and arg.args and \
                    isinstance(arg.args[0], ast.Constant) and isinstance(arg.args[0].value, str):
                found[arg.args[0].value] = limits[name][1]
    return found


@pytest.mark.parametrize("path", CATALOGS, ids=LANGUAGES)
def test_titles_and_labels_fit_slack_in_every_language(path: Path) -> None:
    """Slack cuts a modal title at 24 characters and a button, an option or a label at 75: every
    translation of one fits, so that nothing is cut."""
    short = _short_texts()
    assert len(short) > 50
    catalog = {m.id: m.string for m in read(path) if isinstance(m.id, str)}
    too_long = [(source, catalog[source], limit) for source, limit in short.items()
                if source in catalog and len(catalog[source]) > limit]
    assert too_long == []
