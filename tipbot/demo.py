"""``tipbot demo``: the real bot in the terminal, without Telegram or a token.

The same Application, handlers and database code as ``tipbot run`` (on a temporary SQLite
file, migrated), talking to the in-process fake Bot API (``fakegram``) with a
``ManualClock``. The terminal is the chat: lines typed (or piped) are what "you" send; bot
messages are printed as plain text with their buttons numbered; a number presses a button.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import sys
import tempfile
import textwrap
import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select

from fakegram import FakeChat, FakeGroup, FakeTelegram, FakeUser, StoredMessage
from tipbot.app import build_application
from tipbot.core.clock import ManualClock, SystemClock
from tipbot.core.config import load_settings
from tipbot.core.db import Database, upgrade
from tipbot.core.db.models import OutboxMessage, OutboxStatus, Subscriber
from tipbot.core.ids import parse_number
from tipbot.core.runtime import deps_of
from tipbot.insight import charts
from tipbot.runner import Runner

DEMO_TOKEN = "4242:DEMO-token-for-the-emulated-telegram"  # noqa: S105 - not a real token
SWEEP_JOB_MARK = "sweep"  # the delivery sweep's job name contains this
SETTLE_SECONDS = 0.25  # the bot counts as done answering after this long without activity
DEMO_LOCATION = (52.52, 13.405)  # Berlin, for "share location" buttons
# The demo's clock stands still between lines (so /tomorrow is exact) and moves this much per
# line typed, as a person's would: the flood guard's one-minute window then passes as it does
# for a person, instead of never (a frozen clock would mute a fast typist for good).
SECONDS_PER_LINE = 5
CARD_MARK = "Consultation request #"
REPLY_USAGE = "(usage: /reply N your text, or /reply your text for the latest card)"

INTRO = """\
tipbot demo: the real bot, an emulated Telegram, and a clock you control.
  Type what you would send the bot: /start, /help, /omega3, /tip, /consult ...
  Type a number to press the button with that number.
  /as staff   see the clinic staff group (and act as a staff member there)
  /as me      back to your private chat
  /reply N text   in the staff group: answer request N (as replying to its card does)
  /tomorrow   jump to your next daily tip
  /quit       leave (Ctrl-D or the end of a pipe does too)
"""


@dataclass
class _Button:
    chat: FakeChat
    message: StoredMessage
    button: dict[str, Any]
    inline: bool


class Demo:
    def __init__(
        self, tg: FakeTelegram, group: FakeGroup, runner: Runner, clock: ManualClock, out: TextIO
    ) -> None:
        self.tg = tg
        self.group = group
        self.runner = runner
        self.clock = clock
        self.out = out
        self.me = tg.user("You")
        self.staff_member = tg.user("Dr Rivera")
        group.add_member(self.staff_member, "administrator")
        self.view: FakeChat = self.me
        self._shown: dict[tuple[int, int], tuple[str, list[list[str]]]] = {}
        self._answers_seen = 0
        self._buttons: dict[int, _Button] = {}

    @property
    def actor(self) -> FakeUser:
        return self.me if self.view is self.me else self.staff_member

    @property
    def prompt(self) -> str:
        return "you> " if self.view is self.me else "staff> "

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    async def handle(self, line: str) -> bool:
        """Act on one input line; False when the person wants to leave."""
        if line in {"/quit", "/exit"}:
            return False
        asked_the_bot = True
        self.clock.advance(timedelta(seconds=SECONDS_PER_LINE))
        if line.startswith("/as"):
            self.switch(line.removeprefix("/as").strip())
            asked_the_bot = False
        elif line == "/tomorrow":
            asked_the_bot = await self.tomorrow()
        elif (number := parse_number(line)) is not None:
            asked_the_bot = await self.press(number)
        elif self.view is self.group and re.match(r"/reply(\s|$)", line):
            asked_the_bot = await self.reply_to_card(line.removeprefix("/reply").strip())
        else:
            await self.actor.send(line, chat=self.view)
        await self.settle()
        if not self.show_new() and asked_the_bot:
            self.say("  (no reply)")
        return True

    def switch(self, who: str) -> None:
        self._buttons = {}  # numbers always refer to buttons in the chat in view
        if who in {"staff", "group"}:
            self.view = self.group
            self.say(f"(now in the staff group {self.group.title!r}, as {self.actor.first_name})")
        elif who in {"me", "you", "private"}:
            self.view = self.me
            self.say("(back in your private chat with the bot)")
        else:
            self.say("(use /as staff or /as me)")

    async def press(self, number: int) -> bool:
        """Press button ``number``; False if nothing went to the bot."""
        found = self._buttons.get(number)
        if found is None:
            self.say(f"(there is no button {number} on screen)")
            return False
        button, chat = found.button, found.chat
        if not found.inline:
            if button.get("request_contact"):
                await self.actor.share_contact(chat=chat)
            elif button.get("request_location"):
                await self.actor.share_location(*DEMO_LOCATION, chat=chat)
            else:
                await self.actor.send(button["text"], chat=chat)
        elif "callback_data" in button:
            await self.actor.press(found.message, button["callback_data"])
        elif "url" in button:
            self.say(f"(this button opens {button['url']})")
            return False
        else:
            self.say("(this kind of button does nothing in the demo)")
            return False
        return True

    async def reply_to_card(self, args: str) -> bool:
        """Reply to request N's card (or the latest card) as the staff member; False if not."""
        number, _, text = args.partition(" ")
        if not number.lstrip("#").isdigit():
            number, text = "", args
        text = text.strip()
        if not text:
            self.say(REPLY_USAGE)
            return False
        card = re.compile(rf"{CARD_MARK}{number.lstrip('#') or '[0-9]+'}(?![0-9])")
        cards = [m for m in self.group.messages if card.search(m.text)]
        if not cards:
            which = f"request {number}" if number else "any request"
            self.say(f"(there is no card for {which} in the staff group: /requests lists them)")
            return False
        await self.staff_member.reply(cards[-1], text)
        return True

    async def tomorrow(self) -> bool:
        """Move the clock to the next daily tip and run the sweep; False if nothing ran."""
        deps = deps_of(self.runner.application)
        async with deps.db.session() as session:
            subscriber = await session.get(Subscriber, self.me.id)
        if subscriber is None or subscriber.next_send_at is None:
            self.say("(no daily tip is scheduled: send /start first, or /resume)")
            return False
        self.clock.set(subscriber.next_send_at)
        local = subscriber.next_send_at.astimezone(ZoneInfo(subscriber.timezone))
        self.say(f"(the clock jumps to {local:%A %d %B, %H:%M} {subscriber.timezone})")
        if not await self.run_sweep():
            self.say("(the daily delivery sweep is not part of this build yet: no tip arrives)")
            return False
        return True

    async def run_sweep(self) -> bool:
        """Run the delivery sweep once now, as its every-minute job would."""
        application = self.runner.application
        jobs = [job for job in application.job_queue.jobs() if SWEEP_JOB_MARK in (job.name or "")]
        for job in jobs:
            await job.run(application)
        return bool(jobs)

    async def settle(self) -> None:
        """Wait until the bot is quiet, answering no update, running no broadcast, and has
        nothing due in the outbox (a card queued by the last answer may leave a moment after
        it, on a busy machine more than a moment)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 15
        try:
            while True:
                left = deadline - loop.time()
                if left <= 0:
                    raise TimeoutError
                await self.tg.wait_idle(quiet=SETTLE_SECONDS, timeout=left)
                if charts.drawing():  # busy without calling Telegram (/stats's picture)
                    await asyncio.sleep(SETTLE_SECONDS)
                    continue
                if not self._handling() and not await self._outbox_busy():
                    return
        except TimeoutError:
            self.say("(the bot is still busy)")

    def _handling(self) -> bool:
        """An update still being answered (a loaded machine can pause a handler between two
        calls for longer than the quiet moment), or a broadcast running."""
        application = self.runner.application
        waiting = getattr(application.update_processor, "waiting_chats", 0)
        return bool(waiting or deps_of(application).state.broadcasts)

    async def _outbox_busy(self) -> bool:
        """A row due now, or one being sent (the staff group's messages)."""
        deps = deps_of(self.runner.application)
        due = or_(
            OutboxMessage.locked_until.is_not(None),
            OutboxMessage.next_attempt_at <= self.clock.now(),
        )
        query = select(OutboxMessage.id).where(OutboxMessage.status == OutboxStatus.PENDING, due)
        async with deps.db.session() as session:
            return await session.scalar(query.limit(1)) is not None

    def show_new(self) -> bool:
        """Print what is new or changed in the chat in view (True if anything); mention the
        other chat's news."""
        buttons: dict[int, _Button] = {}
        printed = False
        for answer in self.tg.callback_answers[self._answers_seen :]:
            if answer.text:
                kind = "alert" if answer.show_alert else "popup"
                self.say(f"  ({kind}) {answer.text}")
                printed = True
        self._answers_seen = len(self.tg.callback_answers)
        chat = self.view
        for message in chat.messages:
            shown = _shown_state(message)
            key = (chat.id, message.message_id)
            previous = self._shown.get(key)
            if previous == shown:
                continue
            self._shown[key] = shown
            printed = True
            text = render(message)
            if previous is None:
                self.say(_indent("bot> ", text))
            elif previous[0] != shown[0]:
                self.say(_indent("bot (edited)> ", text))
            else:  # only the buttons changed (a ✅ moved): name the message, show its buttons
                first = text.splitlines()[0] if text else ""
                self.say(_indent("bot (new buttons)> ", first))
            rows = _button_rows(message)
            if previous is not None and previous[1] and not rows:
                self.say("     (no buttons now)")
            for row in rows:
                labels = []
                for button, inline in row:
                    number = len(buttons) + 1
                    buttons[number] = _Button(chat, message, button, inline)
                    labels.append(f"[{number}] {button['text']}")
                self.say(_indent("     ", "  ".join(labels)))
        if buttons:
            self._buttons = buttons
        other = self.group if self.view is self.me else self.me
        unseen = [
            m
            for m in other.messages
            if self._shown.get((other.id, m.message_id)) != _shown_state(m)
        ]
        if unseen:
            where = "the staff group: /as staff" if other is self.group else "your chat: /as me"
            self.say(f"  ({len(unseen)} new in {where})")
        return printed


def _indent(prefix: str, text: str) -> str:
    """``text`` after ``prefix``, its lines wrapped at word boundaries to the terminal's width
    and indented under the prefix (a terminal would wrap them mid-word)."""
    pad = " " * len(prefix)
    width = max(shutil.get_terminal_size((80, 24)).columns - 1, len(prefix) + 20)
    wrapped = []
    for line in text.splitlines() or [""]:
        wrapped += textwrap.wrap(
            line,
            width=width - len(prefix),
            break_long_words=False,  # links stay whole
            break_on_hyphens=False,
            drop_whitespace=True,
        ) or [""]
    return "\n".join([prefix + wrapped[0], *(f"{pad}{line}".rstrip() for line in wrapped[1:])])


def _button_rows(message: StoredMessage) -> list[list[tuple[dict[str, Any], bool]]]:
    """The buttons row by row, as Telegram lays them out (inline, else the reply keyboard)."""
    markup = message.reply_markup or {}
    if markup.get("inline_keyboard"):
        return [[(button, True) for button in row] for row in markup["inline_keyboard"] if row]
    keyboard = (message.reply_keyboard or {}).get("keyboard", [])
    return [
        [(button if isinstance(button, dict) else {"text": button}, False) for button in row]
        for row in keyboard
        if row
    ]


def _shown_state(message: StoredMessage) -> tuple[str, list[list[str]]]:
    """What the person sees of a message: its text and its buttons."""
    return render(message), message.button_rows


def render(message: StoredMessage) -> str:
    """The message as plain text, with the address of each link written after it."""
    text = message.text
    links = [e for e in message.entities if e.get("type") == "text_link"]
    if not links:
        return text
    encoded = text.encode("utf-16-le")  # entity offsets count UTF-16 code units
    pieces, cursor = [], 0
    for entity in sorted(links, key=lambda e: e["offset"]):
        end = (entity["offset"] + entity["length"]) * 2
        pieces.append(encoded[cursor:end].decode("utf-16-le"))
        pieces.append(f" <{entity['url']}>")
        cursor = end
    pieces.append(encoded[cursor:].decode("utf-16-le"))
    return "".join(pieces)


def _read_lines(stdin: TextIO) -> asyncio.Queue[str]:
    """Lines from stdin ("" at the end), read by a daemon thread: a person who quits with
    Ctrl-C is not kept waiting for one more line, and files, pipes and terminals all work."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str] = asyncio.Queue()

    def put(line: str) -> None:
        with contextlib.suppress(RuntimeError):  # the demo is over and its loop closed
            loop.call_soon_threadsafe(queue.put_nowait, line)

    def read() -> None:
        for line in iter(stdin.readline, ""):
            put(line)
        put("")

    threading.Thread(target=read, name="demo-input", daemon=True).start()
    return queue


async def run_demo(stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> None:
    interactive = stdin.isatty()
    with tempfile.TemporaryDirectory(prefix="tipbot-demo-") as directory:
        async with FakeTelegram(token=DEMO_TOKEN, bot_username="tipbot_demo_bot") as tg:
            group = tg.group("Clinic staff")
            settings = load_settings(
                token=DEMO_TOKEN,
                database_url=f"sqlite+aiosqlite:///{directory}/demo.db",
                bot_api_url=tg.url,
                staff_chat_id=group.id,
                staff_user_ids=frozenset(),
                webhook_url=None,
                port=None,
            )
            db = Database(settings.database_url)
            try:
                await upgrade(db.engine)
            finally:
                await db.dispose()
            clock = ManualClock(SystemClock().now())
            runner = Runner(build_application(settings, clock=clock), settings)
            demo = Demo(tg, group, runner, clock, out)
            await runner.start()
            lines = _read_lines(stdin)
            try:
                await demo.settle()
                demo.say(INTRO)
                while True:
                    if interactive:
                        print(demo.prompt, end="", file=out, flush=True)
                    line = await lines.get()
                    if not line:
                        break
                    line = line.strip()
                    if not line:
                        continue
                    if not interactive:
                        demo.say(demo.prompt + line)
                    if not await demo.handle(line):
                        break
            finally:
                await runner.stop()
    demo.say("\n(demo over)")
