"""The test kit: everything the tests share that is not a fixture, imported from one place.

- :mod:`tests.kit.databases`: the throw-away PostgreSQL database and SQLite template behind the
  ``db`` fixture, and which database a test ran on.
- :mod:`tests.kit.world`: :class:`~tests.kit.world.World`, a program built directly in the
  database ("Digital Leaders", admin Ada) at the fake clock's :data:`~tests.kit.world.START`.
- :mod:`tests.kit.transcript` and :mod:`tests.kit.scripts`: dialog tests as console transcripts,
  and the snippets they share (creating a program, onboarding).
- :mod:`tests.kit.fakes`: the platforms played locally over real HTTP (Slack Web API, a Slack
  workspace, the Teams Bot Connector, a Teams tenant, Microsoft's token services), and
  :mod:`tests.kit.fakes.platform`, a platform that exists only in the tests.
- :mod:`tests.kit.platform_names`: the bundled platforms' names, as ``Platform.SLACK``.
- :mod:`tests.kit.slack` and :mod:`tests.kit.teams`: the workspace and tenant the adapter tests
  use, and the Block Kit and Adaptive Card checks run on everything the bot sent.
- :mod:`tests.kit.serving`: ``mentorbot`` as operators run it, a real process on a free port.
- :mod:`tests.kit.outbox`: outbox rows written directly, a recording deliverer, a stand-in renderer.
- Seeds and helpers of one area of the bot: :mod:`~tests.kit.matching`, :mod:`~tests.kit.progress`,
  :mod:`~tests.kit.circles`, :mod:`~tests.kit.research`, :mod:`~tests.kit.reports`,
  :mod:`~tests.kit.report_page`, :mod:`~tests.kit.calendar`.

``conftest.py`` files hold only fixtures and hooks, and import what they need from here.
"""
