"""The words the bot uses to explain the program: role reversal, ground rules, confidentiality."""

from __future__ import annotations

from bot.i18n import N_
from storage.enums import Role

WHAT_IT_IS = (
    N_("Reverse mentoring turns the usual roles around: younger colleagues (the *mentors*) share "
    "what they know about digital tools, AI, social media and how their generation works, and "
    "senior leaders (the *mentees*) come to learn. Both sides learn: the mentee gains digital "
    "fluency, the mentor sees how a leader thinks. I keep the rhythm going: I match you on "
    "what you can teach and want to learn, remind you to keep sessions on the calendar and ask "
    "how they went.")
)

ROLE_REVERSAL = {
    Role.MENTOR: (
        N_("*You are the mentor.* On digital matters you are the expert in the room, whatever the "
        "titles say. Share how you work, show rather than tell, and let your mentee try things "
        "out. In return you learn how a leader thinks: strategy, business sense, how decisions "
        "are made, and you get to know someone you might never have met.")
    ),
    Role.MENTEE: (
        N_("*You are the mentee.* You come to learn, and you may ask anything: there are no silly "
        "questions here, and not knowing a tool is the starting point, not a weakness. Your "
        "mentor is junior to you on the org chart and the expert in these sessions. What keeps "
        "the program alive is you keeping the sessions on your calendar.")
    ),
}

GROUND_RULES = (
    N_("Ground rules for both sides:\n"
    "- Mutual respect: each of you is the expert on something.\n"
    "- Openness: say what you don't know; ask why.\n"
    "- No ego: titles stay outside the session.\n"
    "- Confidentiality: what is said in the pair stays in the pair.\n"
    "- Show up: keep the sessions on the calendar, and reschedule rather than cancel.")
)

CONFIDENTIALITY = (
    N_("*Confidentiality.* What you say in your sessions, and any private notes you keep, stay "
    "between you and your partner. Program admins never see them: they see only aggregates "
    "(how many sessions took place, overall ratings) and flags such as two sessions canceled in "
    "a row, so that they can help. You can erase your personal data at any time with "
    "`/mentoring forget-me`.")
)
