"""Calendar providers: Microsoft 365 (Graph) and Google Workspace (Calendar API), one module each,
over httpx, implementing :class:`bot.calendars.provider.CalendarProvider`.

The core never imports this package: the composition root builds the providers from the
settings (:func:`calendars.settings.build_calendars`) and hands them to the bot.
"""
