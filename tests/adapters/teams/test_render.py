"""The neutral message model as Teams shows it: text, or an Adaptive Card 1.5 that validates."""

from __future__ import annotations

import json

from botbuilder.schema import Activity

from adapters.teams.render import CARD_BYTES, activity_of, card, markdown
from adapters.teams.translate import arrival_of, inbound_of
from bot.messages import (
    Actions,
    Button,
    ButtonStyle,
    Context,
    FieldKind,
    Fields,
    Form,
    FormField,
    InboundKind,
    Message,
    Option,
    Section,
    say,
)
from tests.kit.fakes.teams_client import fixture

from tests.kit.teams import card_validator

CHECK_IN = Form("checkin:1", "Monthly check-in", [
    FormField("summary", "What did you cover?", FieldKind.LONG_TEXT, max_length=1000, hint="A sentence or two"),
    FormField("mood", "How did it go?", FieldKind.RATING, min_value=1, max_value=5, initial="4"),
    FormField("skills", "Skills practised", FieldKind.MULTI_SELECT,
              options=[Option("ai, prompts", "AI, prompts"), Option("video", "Video meetings"),
                       Option("sheets", "Spreadsheets")], initial=["video"]),
    FormField("place", "Where", FieldKind.SELECT, options=[Option("remote", "Remote"), Option("office", "Office")]),
    FormField("minutes", "Minutes", FieldKind.NUMBER, min_value=5, max_value=240, initial="45"),
    FormField("next_date", "Next session", FieldKind.DATE, initial="2027-01-12"),
    FormField("next_time", "At", FieldKind.TIME, initial="15:00", optional=True),
], submit_label="Send", errors={"minutes": "Between 5 and 240, please."})


def _valid(content: dict[str, object]) -> None:
    errors = list(card_validator().iter_errors(content))
    assert not errors, errors[0].message


def test_a_message_with_only_text_goes_out_as_text_with_teams_bold() -> None:
    activity = activity_of(say("Your session is *tomorrow* at 15:00."))
    assert activity == {"type": "message", "text": "Your session is **tomorrow** at 15:00.", "textFormat": "markdown"}
    assert markdown("2 * 3 * 4 and *a b*") == "2 * 3 * 4 and **a b**"


def test_fields_buttons_and_context_become_a_card_with_a_fallback() -> None:
    message = Message("Program: Digital Leaders", [
        Section("Program *Digital Leaders*"), Fields([("Cadence", "monthly"), ("Capacity", "3")]),
        Context("3 participants"),
        Actions([Button.for_command("Join", "join", ButtonStyle.PRIMARY),
                 Button("Leave", "command", "leave", ButtonStyle.DANGER)]),
    ])
    activity = activity_of(message)
    content = activity["attachments"][0]["content"]
    _valid(content)
    assert activity["summary"] == "Program: Digital Leaders" and content["fallbackText"] == "Program: Digital Leaders"
    kinds = [element["type"] for element in content["body"]]
    assert kinds == ["TextBlock", "FactSet", "TextBlock", "ActionSet"]
    join, leave = content["body"][3]["actions"]
    assert join["data"] == {"mentorbot_action": "command", "mentorbot_value": "join"} and join["style"] == "positive"
    assert leave["style"] == "destructive"


def test_every_kind_of_form_field_becomes_its_adaptive_card_input() -> None:
    content = card(Message("Time for your check-in.", [Section("Time for your check-in.")], form=CHECK_IN))
    _valid(content)
    inputs = {e["id"]: e for e in content["body"] if e["type"].startswith("Input.")}
    assert {name: e["type"] for name, e in inputs.items()} == {
        "summary": "Input.Text", "mood": "Input.ChoiceSet", "skills": "Input.ChoiceSet", "place": "Input.ChoiceSet",
        "minutes": "Input.Number", "next_date": "Input.Date", "next_time": "Input.Time"}
    assert inputs["summary"]["isMultiline"] and inputs["summary"]["maxLength"] == 1000
    assert [c["value"] for c in inputs["mood"]["choices"]] == ["1", "2", "3", "4", "5"]
    assert inputs["mood"]["value"] == "4" and inputs["mood"]["style"] == "expanded"
    assert inputs["skills"]["isMultiSelect"] and inputs["skills"]["value"] == "1", "choices are numbered"
    assert (inputs["minutes"]["min"], inputs["minutes"]["max"], inputs["minutes"]["value"]) == (5, 240, 45)
    assert inputs["next_date"]["value"] == "2027-01-12" and inputs["next_time"]["isRequired"] is False
    assert any(e.get("color") == "Attention" and "Between 5 and 240" in e["text"] for e in content["body"])
    assert content["actions"][0]["title"] == "Send"


def test_a_submitted_form_comes_back_as_the_cores_values() -> None:
    submit = card(Message("Check-in", form=CHECK_IN))["actions"][0]["data"]
    activity = fixture("card_submit")
    activity["value"] = {**submit, "summary": "We set up Copilot", "mood": "5", "skills": "0,2", "place": "office",
                         "minutes": "60", "next_date": "2027-02-09", "next_time": "", "msteams": {"x": 1}}
    parsed = Activity().deserialize(activity)
    arrival = arrival_of(parsed, allow_without_tenant=False)
    assert arrival is not None
    inbound = inbound_of(parsed, arrival)
    assert inbound is not None and inbound.kind is InboundKind.FORM and inbound.form_id == "checkin:1"
    assert dict(inbound.values) == {"summary": "We set up Copilot", "mood": "5", "skills": ["ai, prompts", "sheets"],
                                    "place": "office", "minutes": "60", "next_date": "2027-02-09", "next_time": ""}
    assert inbound.timezone == "Europe/Brussels"


def test_a_card_too_big_for_teams_is_shortened_and_stays_valid() -> None:
    message = Message("A long list", [Section(f"Line {n}: " + "word " * 80) for n in range(200)])
    content = card(message)
    _valid(content)
    assert len(json.dumps(content).encode()) <= CARD_BYTES
    assert content["body"][-1]["text"].startswith("… (shortened")
    assert content["body"][0]["text"].startswith("Line 0:"), "the start is kept"
