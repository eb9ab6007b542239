"""The command grammar: ``/mentoring`` words, quoted values and typed ``key=value`` options."""

from __future__ import annotations

from datetime import date

import pytest

from bot.commands.dispatch import ALL_COMMANDS
from bot.commands.grammar import Parsed, UnknownCommand, parse, strip_prefix, tokenize
from bot.errors import CommandError

CREATE_EXAMPLE = (
    '/mentoring program create "Digital Leaders 2027" cadence=monthly capacity=3 formats=one-to-one,group'
)


def parsed(text: str) -> Parsed:
    return parse(text, ALL_COMMANDS)


def refusal(text: str) -> str:
    """What the grammar says about ``text`` (fails if it parses)."""
    with pytest.raises(CommandError) as caught:
        parsed(text)
    return str(caught.value)


# --- the prefix --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["/mentoring program list", "mentoring program list", "/Mentoring program list", "  /mentoring   program list "],
)
def test_the_mentoring_prefix_is_stripped_with_or_without_slash(typed: str) -> None:
    assert strip_prefix(typed) == "program list"


def test_text_without_the_prefix_is_kept() -> None:
    assert strip_prefix("program list") == "program list"


def test_a_word_that_only_starts_like_mentoring_is_not_a_prefix() -> None:
    assert strip_prefix("/mentoringjoin") == "/mentoringjoin"


# --- tokens and quotes -------------------------------------------------------------------


def test_quoted_values_stay_whole() -> None:
    assert tokenize('program create "Digital Leaders 2027" cadence=monthly') == [
        "program", "create", "Digital Leaders 2027", "cadence=monthly",
    ]


@pytest.mark.parametrize("typed", ["“Digital Leaders 2027”", "‘Digital Leaders 2027’", "„Digital Leaders 2027”"])
def test_curly_quotes_count_as_quotes(typed: str) -> None:
    assert parsed(f"program create {typed}").args["name"] == "Digital Leaders 2027"


def test_a_quoted_option_value_keeps_its_spaces() -> None:
    args = parsed('program set topics="AI assistants,Video meetings"').args
    assert args["topics"] == ["AI assistants", "Video meetings"]


def test_an_unclosed_quote_says_so() -> None:
    message = refusal('program create "Digital Leaders 2027 cadence=monthly')
    assert "A quote is not closed" in message


@pytest.mark.parametrize("name", ["O'Neil", "O’Neil"])
def test_an_apostrophe_inside_a_name_is_part_of_the_name(name: str) -> None:
    assert parsed(f"admin add {name}").args["name"] == name


def test_a_curly_apostrophe_inside_a_quoted_name_is_kept() -> None:
    assert parsed('admin add "Sam O’Neil"').args["name"] == "Sam O’Neil"


# --- finding the command -----------------------------------------------------------------


def test_a_full_command_with_quoted_name_and_typed_options() -> None:
    result = parsed('program create "Digital Leaders 2027" cadence=monthly capacity=3 formats=one-to-one,group')
    assert result.spec.name == "program create"
    assert result.args == {
        "name": "Digital Leaders 2027",
        "cadence": "monthly",
        "capacity": 3,
        "formats": ["one-to-one", "group"],
    }


def test_the_longest_matching_words_win() -> None:
    assert parsed("profile edit").spec.name == "profile edit"
    assert parsed("profile").spec.name == "profile"
    assert parsed("program create X").spec.name == "program create"
    assert parsed("program list").spec.name == "program list"


def test_command_words_are_case_insensitive() -> None:
    assert parsed("Profile EDIT").spec.name == "profile edit"


def test_nothing_at_all_means_help() -> None:
    assert parsed("").spec.name == "help"


@pytest.mark.parametrize(("typed", "words"), [("frobnicate now please", "frobnicate now"), ("program", "program"),
                                              ("programme list", "programme list")])
def test_an_unknown_command_raises_unknown_command_with_its_words(typed: str, words: str) -> None:
    with pytest.raises(UnknownCommand) as caught:
        parsed(typed)
    assert caught.value.words == words


# --- options -----------------------------------------------------------------------------


@pytest.mark.parametrize("capacity", [1, 4])
def test_capacity_is_a_whole_number_from_1_to_4(capacity: int) -> None:
    assert parsed(f"program create X capacity={capacity}").args["capacity"] == capacity


@pytest.mark.parametrize("capacity", ["0", "5", "9"])
def test_capacity_out_of_range_names_the_range_and_shows_the_example(capacity: str) -> None:
    message = refusal(f"program create X capacity={capacity}")
    assert f"capacity: {capacity} is out of range; use 1 to 4." in message
    assert f"Example: `{CREATE_EXAMPLE}`" in message


def test_capacity_that_is_not_a_number_is_refused() -> None:
    assert "capacity: 'three' is not a whole number (1 to 4)" in refusal("program create X capacity=three")


def test_cadence_is_one_of_the_known_cadences_in_any_case() -> None:
    assert parsed("program create X cadence=Weekly").args["cadence"] == "weekly"
    message = refusal("program create X cadence=daily")
    assert "cadence: 'daily' is not one of weekly | biweekly | monthly." in message
    assert "Example:" in message


def test_formats_are_a_comma_separated_list_of_known_formats_without_repeats() -> None:
    assert parsed("program create X formats=group,GROUP,research").args["formats"] == ["group", "research"]
    assert "formats: 'zoom' is not one of one-to-one, group, research" in refusal("program create X formats=group,zoom")
    assert "formats: give at least one value" in refusal("program create X formats=,")


def test_option_names_are_case_insensitive() -> None:
    assert parsed("program set Capacity=2").args["capacity"] == 2


def test_an_unknown_option_is_named_with_the_options_there_are_and_the_example() -> None:
    message = refusal("program create X colour=red")
    assert "'colour' is not an option of `/mentoring program create`" in message
    assert "options: cadence, capacity, formats, topics, baseline" in message
    assert f"Example: `{CREATE_EXAMPLE}`" in message


def test_a_date_option_is_read_as_a_date() -> None:
    assert parsed("pause 2027-01-15").args["until"] == date(2027, 1, 15)


def test_an_impossible_date_names_the_argument_and_the_format() -> None:
    message = refusal("pause 2027-13-45")
    assert "until: '2027-13-45' is not a date I can read" in message
    assert "YYYY-MM-DD" in message
    assert "Example: `/mentoring pause 2027-01-15`" in message


def test_the_grammar_reads_dates_and_leaves_judging_them_to_the_command() -> None:
    assert parsed("pause 2026-01-01").args["until"] == date(2026, 1, 1)


def test_a_flag_is_a_bare_word() -> None:
    assert parsed("leave confirm").args == {"confirm": True}
    assert parsed("leave").args == {}


def test_a_value_over_its_length_limit_is_refused() -> None:
    message = refusal("program create " + "x" * 76)
    assert "name: too long (76 characters; the limit is 75)" in message


def test_an_empty_quoted_value_is_refused() -> None:
    assert "name: the value is empty." in refusal('program create ""')


# --- positionals -------------------------------------------------------------------------


def test_a_missing_required_positional_is_named() -> None:
    message = refusal("program create cadence=monthly")
    assert "NAME is missing." in message
    assert f"Example: `{CREATE_EXAMPLE}`" in message


def test_an_extra_positional_is_named_with_a_hint_about_quotes() -> None:
    message = refusal("program create Digital Leaders")
    assert "I did not expect 'Leaders' here. Put values with spaces between quotes." in message


def test_a_positional_where_none_is_taken_is_refused_without_the_quote_hint() -> None:
    message = refusal("profile now")
    assert "I did not expect 'now' here." in message
    assert "quotes" not in message
    assert "Example: `/mentoring profile`" in message
