"""The privacy notice and terms of use the bot serves at ``/privacy`` and ``/terms``: the links
of the Teams app package (``PUBLIC_URL/privacy``, ``PUBLIC_URL/terms``), which Teams shows
people before they add the app. Plain HTML, no scripts, the same for everyone."""

from __future__ import annotations

from html import escape

from aiohttp import web

PRIVACY = (
    "Privacy",
    [
        "mentorbot runs your organization's reverse-mentoring program. It is operated by your "
        "organization, on its own servers; nothing is sent to the makers of mentorbot.",
        "What it keeps about you: your name and how to reach you on Slack or Teams, the profile you "
        "give it (role, level, department, topics, working hours, languages), your programs, pairs, "
        "sessions, goals, check-ins and feedback, and the messages it will send you.",
        "What stays between you and your partner: what you say in your sessions and your private "
        "notes. Program admins see aggregates, session outcomes and flags, never your notes.",
        "Type \"mentoring my-data\" to receive everything the bot holds about you as a file, and "
        "\"mentoring forget-me\" to erase your personal data at any time.",
    ],
)
TERMS = (
    "Terms of use",
    [
        "mentorbot is open-source software (Apache License 2.0) that your organization runs for its "
        "mentoring program; your organization's own rules for its workplace tools apply.",
        "Use it for the program: be respectful, keep what your partner tells you confidential, and "
        "do not put other people's secrets or personal data into it.",
        "Questions about the program go to its admins (type \"mentoring help\").",
    ],
)


def _page(title: str, paragraphs: list[str]) -> str:
    body = "\n".join(f"<p>{escape(text)}</p>" for text in paragraphs)
    return (f"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>mentorbot: {escape(title)}"
            f"</title><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"></head>\n"
            f"<body style=\"font-family: sans-serif; max-width: 40em; margin: 2em auto; line-height: 1.5\">\n"
            f"<h1>mentorbot: {escape(title)}</h1>\n{body}\n</body></html>\n")


async def privacy(_request: web.Request) -> web.Response:
    """The privacy notice."""
    return web.Response(text=_page(*PRIVACY), content_type="text/html")


async def terms(_request: web.Request) -> web.Response:
    """The terms of use."""
    return web.Response(text=_page(*TERMS), content_type="text/html")


def add_notice_routes(app: web.Application) -> None:
    """Serve ``/privacy`` and ``/terms``."""
    app.router.add_get("/privacy", privacy)
    app.router.add_get("/terms", terms)
