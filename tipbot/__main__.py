"""``python -m tipbot`` behaves exactly like the ``tipbot`` console script."""

from tipbot.cli import main

raise SystemExit(main())
