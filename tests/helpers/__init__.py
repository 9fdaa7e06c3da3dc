"""Helpers shared by test modules, one concern per module.

- ``waiting``: ``eventually()``, the one wait for state the fake Bot API cannot see.
- ``consult``: the consultation form filled as a person would, the staff cards, the outbox.
- ``delivery``: subscribers arranged as /start would, the sweep, the tips a person saw.
- ``net``: a free TCP port for the bot's web server.
- ``process``: ``tipbot run`` as a subprocess, and waiting until it is healthy.

Fixtures stay in ``tests/conftest.py``; the running bot in ``tests/harness.py`` and the test
databases in ``tests/db_support.py``.
"""
