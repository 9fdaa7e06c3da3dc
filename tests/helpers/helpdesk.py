"""Help-desk tests: a bot with a Spanish staff group must not leave the staff language set
for the tests that run after it in the same process (``i18n`` is process-wide)."""

from __future__ import annotations

import pytest

from tipbot import i18n


@pytest.fixture(autouse=True)
def restore_languages():
    before = i18n.catalogs()
    default, staff = before.default, before.staff
    yield
    after = i18n.catalogs()
    after.default, after.staff = default, staff
