"""Rule "slots suit everyone": a suggested slot lies wholly inside every person's working hours,
in their own zones, outside anything they are busy with; none is offered when they share no time."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from bot.cadence.hours import WorkingHours, zone_named
from bot.cadence.slots import earliest_slots, fits_everyone, nearest_slots, share_no_hours, shared_windows

MINUTES_45 = timedelta(minutes=45)


def hours(zone: str, start: str, end: str) -> WorkingHours:
    return WorkingHours(zone_named(zone), time.fromisoformat(start), time.fromisoformat(end))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def inside_everyones_hours(people: list[WorkingHours], start: datetime, length: timedelta) -> bool:
    last = start + length - timedelta(minutes=1)
    return all(person.is_working(start) and person.is_working(last) for person in people)


KOLKATA = hours("Asia/Kolkata", "10:00", "19:00")
LONDON = hours("Europe/London", "08:00", "16:00")
AUCKLAND = hours("Pacific/Auckland", "08:00", "16:00")
LOS_ANGELES = hours("America/Los_Angeles", "07:00", "16:00")
BRUSSELS = hours("Europe/Brussels", "09:00", "17:00")
NEW_YORK = hours("America/New_York", "09:00", "17:00")
SHANGHAI = hours("Asia/Shanghai", "09:00", "18:00")


def test_the_earliest_slots_are_in_both_partners_hours_one_a_day() -> None:
    published = utc("2027-03-08 14:00")  # Monday: London's day is over, Kolkata's too

    slots = earliest_slots([KOLKATA, LONDON], published, MINUTES_45)

    assert slots == [utc("2027-03-09 08:00"), utc("2027-03-10 08:00"), utc("2027-03-11 08:00")]
    assert all(inside_everyones_hours([KOLKATA, LONDON], slot, MINUTES_45) for slot in slots)


def test_slots_across_the_date_line_fall_on_both_working_days() -> None:
    after = utc("2027-03-11 23:30")  # Thursday evening in Los Angeles, Friday noon in Auckland

    slots = earliest_slots([AUCKLAND, LOS_ANGELES], after, MINUTES_45)

    assert len(slots) == 3
    assert all(inside_everyones_hours([AUCKLAND, LOS_ANGELES], slot, MINUTES_45) for slot in slots)
    # Friday in Los Angeles is Saturday in Auckland: the first slot is Monday in LA, Tuesday there.
    assert slots[0].astimezone(LOS_ANGELES.zone).strftime("%a %H:%M") == "Mon 12:00"
    assert slots[0].astimezone(AUCKLAND.zone).strftime("%a %H:%M") == "Tue 08:00"


def test_slots_follow_each_zone_through_its_own_daylight_saving_change() -> None:
    # New York springs forward on 14 March 2027, Brussels only on 28 March: for two weeks the
    # shared afternoon is an hour longer.
    before = earliest_slots([BRUSSELS, NEW_YORK], utc("2027-03-08 00:00"), timedelta(hours=2), count=5)
    between = earliest_slots([BRUSSELS, NEW_YORK], utc("2027-03-15 00:00"), timedelta(hours=3), count=5)

    assert before and all(inside_everyones_hours([BRUSSELS, NEW_YORK], s, timedelta(hours=2)) for s in before)
    assert between and all(inside_everyones_hours([BRUSSELS, NEW_YORK], s, timedelta(hours=3)) for s in between)
    assert earliest_slots([BRUSSELS, NEW_YORK], utc("2027-03-08 00:00"), timedelta(hours=3), count=5,
                          horizon=timedelta(days=5)) == []


def test_a_busy_interval_is_never_offered() -> None:
    after = utc("2027-03-08 14:00")
    meeting = (utc("2027-03-09 08:00"), utc("2027-03-09 09:00"))

    slots = earliest_slots([KOLKATA, LONDON], after, MINUTES_45, busy=[meeting])

    assert slots[0] == utc("2027-03-09 09:00")
    assert all(slot + MINUTES_45 <= meeting[0] or slot >= meeting[1] for slot in slots)


def test_nearest_slots_surround_the_time_asked_for_and_never_lie_in_the_past() -> None:
    now = utc("2027-01-11 12:00")
    wanted = datetime(2027, 1, 12, 23, 30, tzinfo=zone_named("Europe/London")).astimezone(UTC)

    slots = nearest_slots([LONDON, BRUSSELS], wanted, now, MINUTES_45)

    assert len(slots) == 3 and slots == sorted(slots)
    assert all(slot > now and inside_everyones_hours([LONDON, BRUSSELS], slot, MINUTES_45) for slot in slots)
    assert all(abs(slot - wanted) < timedelta(hours=12) for slot in slots)


def test_a_whole_audience_is_considered_for_a_group() -> None:
    audience = [SHANGHAI, BRUSSELS, LONDON]
    slots = earliest_slots(audience, utc("2027-03-08 00:00"), timedelta(hours=1))

    assert slots and all(inside_everyones_hours(audience, slot, timedelta(hours=1)) for slot in slots)


def test_people_who_never_work_at_the_same_time_get_no_slot() -> None:
    honolulu = hours("Pacific/Honolulu", "09:00", "13:00")
    delhi_morning = hours("Asia/Kolkata", "09:00", "12:00")
    now = utc("2027-03-08 00:00")

    assert share_no_hours([honolulu, delhi_morning], now)
    assert earliest_slots([honolulu, delhi_morning], now, MINUTES_45) == []
    assert nearest_slots([honolulu, delhi_morning], now + timedelta(days=1), now, MINUTES_45) == []
    assert not share_no_hours([KOLKATA, LONDON], now)


def test_fits_everyone_is_true_only_for_a_slot_wholly_inside_all_hours() -> None:
    assert fits_everyone([KOLKATA, LONDON], utc("2027-03-09 12:30"), MINUTES_45)
    assert not fits_everyone([KOLKATA, LONDON], utc("2027-03-09 13:00"), MINUTES_45)  # Kolkata closes 13:30
    assert not fits_everyone([KOLKATA, LONDON], utc("2027-03-13 10:00"), MINUTES_45)  # Saturday
    assert shared_windows([], utc("2027-03-09 00:00"), utc("2027-03-10 00:00")) == []
