"""The bot's side of real calendars: the neutral provider interface, and what the core does with
it (slots when both people are free, events on the organiser's calendar, reading changes)."""
