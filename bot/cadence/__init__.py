"""The cadence machinery every format shares: working hours, periods and series, the rule
pieces, the outbox writes (nudges), flags, the tick loop, the nudge renderer and the digest.
It imports no format: each format's package uses it (see :mod:`bot.registry`)."""
