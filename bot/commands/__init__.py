"""The ``/mentoring`` commands: one grammar and one authorization check for every platform."""
