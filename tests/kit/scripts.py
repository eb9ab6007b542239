"""Transcript snippets shared by dialog tests."""

from __future__ import annotations

CREATE_PROGRAM = (
    '/mentoring program create "Digital Leaders 2027" cadence=monthly capacity=3 formats=one-to-one,group'
)


def onboarding(name: str, role: str = "mentee", timezone: str = "Europe/Brussels", level: int = 5) -> str:
    """Everything ``name`` types to join the only program and finish onboarding."""
    pick = "1" if role == "mentor" else "2"
    return f"""
        {name}> /mentoring join
        bot: Your role
        {name}> {pick}
        bot: You are the {role}.
        {name}> 1
        bot: Confidentiality.
        {name}> 1
        bot: Your level
        {name}> {level}
        {name}> Marketing
        {name}> Hana
        bot: The name I use for you
        {name}>
        {name}> 1,2
        {name}>
        {name}> 1
        {name}> 1
        {name}> 1
        bot: Your time zone
        {name}> {timezone}
        {name}> 09:00-17:00
        {name}> 1
        bot: The language I write to you in
        {name}>
        bot: Here is your profile
        {name}> 1
        bot: You're all set, {name}
    """


UP_TO_THE_LEVEL = """
    Victor> /mentoring join
    Victor> 2
    Victor> 1
    Victor> 1
    bot: Your level
"""
"""Victor joins as a mentee, hears the role reversal, accepts confidentiality: his level is asked."""

UP_TO_THE_TOPICS = UP_TO_THE_LEVEL + """
    Victor> 5
    Victor> Marketing
    Victor>
    Victor>
    bot: Topics you want to learn
"""
"""Victor joins as a mentee and answers up to the topics question (no manager given, his name kept)."""

UP_TO_THE_TIME_ZONE = UP_TO_THE_TOPICS + """
    Victor> 1,2
    Victor>
    Victor> 1
    Victor> 1
    Victor> 1
    bot: Your time zone
"""
"""Victor goes on up to the time-zone question."""
