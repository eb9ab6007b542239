"""Answer parsers: what a person typed or picked becomes a clean value, or a hint to retry."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.catalog import LANGUAGES, LEVELS, STYLES
from bot.parsing import (
    InvalidAnswer,
    parse_choice,
    parse_choices,
    parse_date,
    parse_hours,
    parse_int,
    parse_text,
    parse_timezone,
)

TODAY = date(2026, 11, 23)


def refusal(parse, *args, **kwargs) -> str:
    """The message an answer is refused with (fails if it is accepted)."""
    with pytest.raises(InvalidAnswer) as caught:
        parse(*args, **kwargs)
    return str(caught.value)


# --- free text ---------------------------------------------------------------------------


def test_text_is_trimmed() -> None:
    assert parse_text("  Finance  ", limit=120) == "Finance"


def test_text_over_the_limit_is_refused_naming_the_limit_and_the_length() -> None:
    message = refusal(parse_text, "x" * 501, limit=500)
    assert "the limit here is 500" in message
    assert "501 characters" in message


def test_text_exactly_at_the_limit_is_accepted() -> None:
    assert parse_text("x" * 500, limit=500) == "x" * 500


def test_large_limits_are_written_with_thousands_separators() -> None:
    assert "the limit here is 2,000" in refusal(parse_text, "x" * 2001, limit=2000)


def test_empty_text_needs_an_answer_unless_optional() -> None:
    assert "needs an answer" in refusal(parse_text, "   ", limit=10)
    assert parse_text("", limit=10, optional=True) is None
    assert parse_text(None, limit=10, optional=True) is None


# --- one choice --------------------------------------------------------------------------


def test_a_choice_is_recognized_by_its_value() -> None:
    assert parse_choice("structured", STYLES) == "structured"


def test_a_choice_is_recognized_by_its_label_whatever_the_case() -> None:
    assert parse_choice("direct and to the point", STYLES) == "direct"
    assert parse_choice("HANDS-ON", STYLES) == "hands-on"
    assert parse_choice("  3 - Manager ", LEVELS) == "3"


def test_an_unknown_choice_lists_every_option_by_label() -> None:
    message = refusal(parse_choice, "chaotic", STYLES)
    assert message.startswith("Please pick one of:")
    for option in STYLES:
        assert option.label in message


# --- several choices ---------------------------------------------------------------------


def test_choices_come_as_a_list_of_values_or_labels() -> None:
    assert parse_choices(["en", "Dutch"], LANGUAGES) == ["en", "nl"]


def test_choices_come_as_one_comma_separated_string() -> None:
    assert parse_choices("English, french ,NL", LANGUAGES) == ["en", "fr", "nl"]


def test_duplicate_choices_are_kept_once_in_first_given_order() -> None:
    assert parse_choices("nl, en, Dutch, NL, english", LANGUAGES) == ["nl", "en"]


def test_an_unknown_token_is_named_in_the_refusal() -> None:
    message = refusal(parse_choices, "English, Klingon", LANGUAGES)
    assert "'Klingon' is not on the list" in message
    assert "English" in message and "Japanese" in message


def test_no_choice_at_all_asks_for_at_least_one_unless_optional() -> None:
    assert "at least one" in refusal(parse_choices, " , ", LANGUAGES)
    assert "at least one" in refusal(parse_choices, [], LANGUAGES)
    assert parse_choices("", LANGUAGES, optional=True) == []


# --- whole numbers -----------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "number"), [("1", 1), (" 4 ", 4), ("3", 3)])
def test_a_whole_number_inside_the_range_is_accepted(raw: str, number: int) -> None:
    assert parse_int(raw, 1, 4) == number


@pytest.mark.parametrize("raw", ["0", "5", "-1"])
def test_a_number_outside_the_range_is_refused_with_the_range(raw: str) -> None:
    message = refusal(parse_int, raw, 1, 4)
    assert f"{int(raw)} is out of range" in message
    assert "from 1 to 4" in message


@pytest.mark.parametrize("raw", ["three", "2.5", ""])
def test_something_that_is_not_a_whole_number_is_refused(raw: str) -> None:
    assert "whole number from 1 to 4" in refusal(parse_int, raw, 1, 4)


# --- dates -------------------------------------------------------------------------------


def test_a_date_written_yyyy_mm_dd_is_read() -> None:
    assert parse_date("2027-01-15", not_before=TODAY) == date(2027, 1, 15)


@pytest.mark.parametrize("raw", ["2027-13-45", "15/01/2027", "next monday", ""])
def test_an_unreadable_date_gets_the_format_and_an_example(raw: str) -> None:
    message = refusal(parse_date, raw, not_before=TODAY)
    assert "YYYY-MM-DD" in message
    assert "2027-01-15" in message


def test_a_past_date_is_refused_saying_from_when() -> None:
    message = refusal(parse_date, "2026-11-22", not_before=TODAY)
    assert "2026-11-22 is in the past" in message
    assert "from 2026-11-23 on" in message


def test_today_is_not_in_the_past() -> None:
    assert parse_date("2026-11-23", not_before=TODAY) == TODAY


# --- working hours -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "hours"),
    [
        ("9-17", ("09:00", "17:00")),
        ("09:00-17:30", ("09:00", "17:30")),
        ("08:30 - 16:45", ("08:30", "16:45")),
        ("9:00 – 17:00", ("09:00", "17:00")),
        ("0930-1730", ("09:30", "17:30")),
        ("8 to 16", ("08:00", "16:00")),
    ],
)
def test_working_hours_are_read_in_the_usual_ways(raw: str, hours: tuple[str, str]) -> None:
    assert parse_hours(raw) == hours


def test_reversed_hours_are_refused_showing_what_was_understood() -> None:
    message = refusal(parse_hours, "17-9")
    assert "end after it starts" in message
    assert "17:00 to 09:00" in message


def test_less_than_an_hour_is_refused() -> None:
    assert "less than an hour" in refusal(parse_hours, "09:00-09:30")


@pytest.mark.parametrize("raw", ["garbage", "9", "9-12-17", ""])
def test_hours_that_are_not_a_range_get_an_example(raw: str) -> None:
    assert "for example 09:00-17:30" in refusal(parse_hours, raw)


@pytest.mark.parametrize("raw", ["ab-cd", "25-26", "9:75-17"])
def test_hours_that_are_not_times_of_day_are_refused(raw: str) -> None:
    message = refusal(parse_hours, raw)
    assert "not a time" in message


# --- time zones --------------------------------------------------------------------------


def test_an_iana_zone_is_accepted() -> None:
    assert parse_timezone("Europe/Brussels") == "Europe/Brussels"


def test_a_zone_in_the_wrong_case_is_canonicalized() -> None:
    assert parse_timezone("europe/brussels") == "Europe/Brussels"
    assert parse_timezone("AMERICA/NEW_YORK") == "America/New_York"


@pytest.mark.parametrize(
    ("city", "zone"),
    [("Brussels", "Europe/Brussels"), ("New York", "America/New_York"), ("new_york", "America/New_York"),
     ("  tokyo ", "Asia/Tokyo")],
)
def test_a_city_name_alone_is_accepted(city: str, zone: str) -> None:
    assert parse_timezone(city) == zone


def test_a_misspelt_zone_gets_the_right_suggestion() -> None:
    message = refusal(parse_timezone, "Europe/Brusels")
    assert "I don't know the time zone 'Europe/Brusels'" in message
    assert "Did you mean Europe/Brussels" in message


@pytest.mark.parametrize("raw", ["xyzzy", "not a zone at all"])
def test_nonsense_gets_an_example_of_a_zone_name(raw: str) -> None:
    message = refusal(parse_timezone, raw)
    assert f"'{raw}'" in message
    assert "Europe/Brussels" in message and "America/New_York" in message


def test_no_time_zone_at_all_asks_for_one_with_an_example() -> None:
    assert "for example Europe/Brussels" in refusal(parse_timezone, "")


def _offset(zone: str) -> timedelta | None:
    return datetime(2026, 1, 15, 12, tzinfo=ZoneInfo(zone)).utcoffset()


def test_an_offset_written_gmt_plus_5_never_resolves_to_utc_minus_5() -> None:
    try:
        zone = parse_timezone("GMT+5")
    except InvalidAnswer:
        return  # refusing it is fine too
    assert _offset(zone) == timedelta(hours=5)


def test_an_offset_written_utc_plus_2_is_never_answered_with_the_opposite_offset() -> None:
    message = refusal(parse_timezone, "UTC+2")
    assert "Etc/GMT+2" not in message


@pytest.mark.parametrize(("raw", "place"), [
    ("EST", "America/New_York"), ("est", "America/New_York"), ("CET", "Europe/Brussels"), ("PST", "America/Los_Angeles"),
    ("GMT", "Europe/London"), ("IST", "Asia/Kolkata"), ("JST", "Asia/Tokyo"), ("AEST", "Australia/Sydney"),
])
def test_an_abbreviation_is_refused_like_an_offset_with_the_place_it_usually_means(raw: str, place: str) -> None:
    """Rule: abbreviations and offsets are treated alike (EST is a fixed UTC-5 in the zone
    database while New York is UTC-4 in July): refused, with the places people mean."""
    message = refusal(parse_timezone, raw)
    assert f"'{raw}' is an abbreviation" in message and f"Did you mean {place}" in message


@pytest.mark.parametrize("raw", ["EST5EDT", "PST8PDT", "MET", "Etc/GMT-2", "EET"])
def test_the_zone_databases_fixed_and_posix_names_are_refused(raw: str) -> None:
    with pytest.raises(InvalidAnswer):
        parse_timezone(raw)


def test_utc_itself_is_a_place_one_may_choose() -> None:
    assert parse_timezone("UTC") == "UTC"
