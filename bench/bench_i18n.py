"""Languages benchmark: prints figures, is not a test.

    .venv/bin/python bench/bench_i18n.py

1. start-up: reading and compiling every shipped catalog in memory (``i18n.setup``);
2. reading one text (``texts.NAME``) in English and in Spanish, next to a plain module
   attribute, per million reads;
3. rendering one daily tip (``render_tip``) in English and in Spanish, per tip;
4. the per-update language look-up (one primary-key SELECT) on a temporary SQLite file.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
import timeit
from pathlib import Path

from tipbot import i18n, texts
from tipbot.core.config import PROJECT_CONTENT, Settings
from tipbot.core.content import load_library
from tipbot.core.db import Database, upgrade
from tipbot.subscriber.language import stored_language
from tipbot.subscriber.picker import render_tip

PLAIN = "✅ Send"


def per_call(statement, number: int) -> float:
    return min(timeit.repeat(statement, number=number, repeat=5)) / number


async def lookup_ms(rounds: int = 2000) -> float:
    from tipbot.core.runtime import Deps

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        db = Database(url)
        await upgrade(db.engine)
        settings = Settings(database_url=url, _env_file=None)
        deps = Deps(settings=settings, db=db, library=load_library(PROJECT_CONTENT), clock=None)
        started = time.perf_counter()
        for user_id in range(rounds):
            await stored_language(deps, user_id)
        elapsed = time.perf_counter() - started
        await db.dispose()
    return elapsed / rounds * 1000


def main() -> None:
    started = time.perf_counter()
    i18n.setup(default="en")
    print(
        f"catalogs loaded and compiled: {(time.perf_counter() - started) * 1000:.1f} ms "
        f"({', '.join(i18n.languages())})"
    )
    plain = per_call(lambda: PLAIN, 200_000)
    for language in ("en", "es"):
        read = per_call(lambda: texts.BUTTON_CONSULT_CONFIRM.render(language), 200_000)  # noqa: B023
        print(
            f"texts.NAME.render({language!r}): {read * 1e6:.2f} µs per call "
            f"(a constant: {plain * 1e6:.2f} µs)"
        )
    library = load_library(PROJECT_CONTENT)
    tip = next(iter(library.tips.values()))
    for language in ("en", "es"):
        render = per_call(lambda: render_tip(library, tip, language), 5_000)  # noqa: B023
        print(f"render_tip in {language}: {render * 1e6:.1f} µs")
    print(f"language look-up per update (SQLite): {asyncio.run(lookup_ms()):.3f} ms")


if __name__ == "__main__":
    main()
