"""What a pair makes of the program: goals with a starting point, check-ins after sessions,
the monthly pulse, the pairing-fit question and the end-of-cycle evaluation (part of the
one-to-one format: see :mod:`bot.pairs.format`)."""
