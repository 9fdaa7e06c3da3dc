"""Hostile and unusual input (issue 15): ids that overflow or are not ASCII digits, formatted
announcements, and a property-based run of random input through the real bot.

Every bad input must get a friendly answer; nothing may reach the error handler. The fake
Bot API validates HTML and lengths like Telegram, so invalid output fails loudly here.
"""

from __future__ import annotations

import logging
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakegram.formatting import parse_html, utf16_len
from tests.helpers.waiting import eventually
from tipbot import texts
from tipbot.core.callbacks import (
    BroadcastAction,
    CardAction,
    ConfirmForget,
    ConfirmStop,
    FormAction,
    MoreTips,
    OpenSetting,
    RequestAction,
    SetTime,
    SetTimezone,
    StartConsult,
    ToggleTopic,
    Vote,
)
from tipbot.core.db.models import Broadcast, ConsultRequest, Subscriber
from tipbot.core.ids import INT32_MAX, INT64_MAX, column_max, parse_id, parse_number

HUGE = "99999999999999999999"
# The wire format, spelled out: forged data is written as a client could send it.
VOTE_PREFIX, MORE_PREFIX, FORM_PREFIX = Vote.PREFIX, MoreTips.PREFIX, FormAction.PREFIX
REQUEST_PREFIX, STAFF_PREFIX = RequestAction.PREFIX, CardAction.PREFIX
BROADCAST_PREFIX, CONSULT_DATA = BroadcastAction.PREFIX, StartConsult().pack()
SETTINGS_PREFIX, TIME_DATA, TIMEZONE_DATA = (
    f"{OpenSetting.PREFIX}:",
    f"{SetTime.PREFIX}:",
    f"{SetTimezone.PREFIX}:",
)
TOPIC_TOGGLE_DATA, STOP_DATA = f"{ToggleTopic.PREFIX}:", f"{ConfirmStop.PREFIX}:"
FORGET_DATA = f"{ConfirmForget.PREFIX}:"

settings.register_profile("ci", max_examples=40, deadline=None, database=None, print_blob=True)
settings.register_profile("thorough", max_examples=1000, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("TIPBOT_HYPOTHESIS_PROFILE", "ci"))


class ErrorRecords(logging.Handler):
    """Every ERROR logged by the bot or PTB: the error handler logs each unhandled error."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def errors():
    handler = ErrorRecords()
    loggers = [logging.getLogger(name) for name in ("tipbot", "telegram")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler.records
    for logger in loggers:
        logger.removeHandler(handler)


def assert_clean(tg, errors, *chats, since: int = 0) -> None:
    """No unhandled error: nothing logged at ERROR, no apology (in messages after ``since``,
    a ``tg.mark()``), the fake never failed."""
    assert not tg.internal_errors
    assert [record.getMessage() for record in errors] == []
    for chat in chats:
        sent = [m.text for m in chat.messages if m.seq > since and m.text]
        assert not any(texts.ERROR_APOLOGY.render("en") in text for text in sent)
    assert not any(texts.ERROR_APOLOGY.render("en") in (a.text or "") for a in tg.callback_answers)


@pytest.fixture
def dana(tg, staff_group):
    user = tg.user("Dana")
    staff_group.add_member(user, "member")
    return user


# ----------------------------------------------------------------------------- the helper


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        ("0", 0),
        (str(INT32_MAX), INT32_MAX),
        (str(INT32_MAX + 1), None),  # ConsultRequest.id is a 32-bit INTEGER on PostgreSQL
        (HUGE, None),
        ("²", None),  # "²".isdigit() is True, int("²") fails
        ("٣", None),  # an Arabic-Indic three: int() accepts it, we do not
        ("1" * 5000, None),  # int() refuses more than 4300 digits
        ("", None),
        (None, None),
        (" 1", None),
        ("1\n", None),
        ("+1", None),
        ("-1", None),
        ("1_000", None),
    ],
)
def test_parse_id_accepts_only_ascii_digits_within_the_column(text, expected):
    assert parse_id(text, ConsultRequest.id) == expected


def test_the_bound_follows_the_column_type():
    assert column_max(ConsultRequest.id) == INT32_MAX
    assert column_max(Broadcast.id) == INT32_MAX
    assert column_max(Subscriber.user_id) == INT64_MAX
    assert parse_number(str(INT64_MAX)) == INT64_MAX
    assert parse_number(str(INT64_MAX + 1)) is None
    assert parse_number("366", 365) is None


# ----------------------------------------------------------------------------- the four inputs


async def test_cancel_button_with_an_overflowing_id(bot, tg, alice, errors):
    welcome = await start(alice)
    query = await alice.press_data(welcome, f"{REQUEST_PREFIX}:cancel:{HUGE}")
    assert (await tg.wait_for_answer(query)).text == texts.CONSULT_REQUEST_GONE.render("en")
    query = await alice.press_data(welcome, f"{REQUEST_PREFIX}:note:٣")
    assert (await tg.wait_for_answer(query)).text == texts.CONSULT_REQUEST_GONE.render("en")
    assert_clean(tg, errors, alice)


@pytest.mark.parametrize("number", [HUGE, "²", "#²", "٣", str(INT32_MAX + 1)])
async def test_request_command_with_a_bad_number(bot, tg, dana, staff_group, errors, number):
    await dana.send(f"/request {number}", chat=staff_group)
    assert (await staff_group.wait_for("Usage")).text == texts.STAFF_REQUEST_USAGE.render("en")
    assert_clean(tg, errors, staff_group)


@pytest.mark.parametrize("number", [HUGE, "²"])
async def test_card_button_with_a_bad_number(bot, tg, dana, staff_group, errors, number):
    await dana.send("/requests", chat=staff_group)
    shown = await staff_group.wait_for(texts.STAFF_NO_OPEN_REQUESTS.render("en"))
    query = await dana.press_data(shown, f"{STAFF_PREFIX}:claim:{number}")
    answer = await tg.wait_for_answer(query)
    assert answer.text == texts.STAFF_UNKNOWN_REQUEST.render("en", number="?")
    assert_clean(tg, errors, staff_group)


@pytest.mark.parametrize("days", ["²", HUGE, "٣", "0", "366"])
async def test_pause_with_a_bad_number_of_days(bot, tg, alice, errors, days):
    await start(alice)
    await alice.send(f"/pause {days}")
    await alice.wait_for("number of days")
    assert_clean(tg, errors, alice)


async def test_broadcast_button_with_an_overflowing_id(bot, tg, dana, staff_group, errors):
    await dana.send("/requests", chat=staff_group)
    shown = await staff_group.wait_for(texts.STAFF_NO_OPEN_REQUESTS.render("en"))
    query = await dana.press_data(shown, f"{BROADCAST_PREFIX}:send:{HUGE}")
    assert (await tg.wait_for_answer(query)).text == texts.BROADCAST_NOT_A_DRAFT.render("en")
    assert_clean(tg, errors, staff_group)


@pytest.mark.parametrize(
    ("typed", "html"),
    [
        # The client formats the whole message bold: the command is inside the <b>.
        ("<b>/broadcast Closed on Friday</b>", "<b>Closed on Friday</b>"),
        (
            "<b>/broadcast <i>Spring</i> workshop</b> on <a href='https://example.org/?a=1&amp;b=2'>"
            "our site</a> 🌱 <s>sold <u>out</u></s>",
            '<b><i>Spring</i> workshop</b> on <a href="https://example.org/?a=1&b=2">our site</a>'
            " 🌱 <s>sold <u>out</u></s>",
        ),
        (
            "/broadcast 🧠🦠 <tg-spoiler>gut</tg-spoiler> &lt;3",
            '🧠🦠 <span class="tg-spoiler">gut</span> &lt;3',
        ),
        ("<i>/broadcast\n\n  two\nlines  </i>", "<i>two\nlines</i>"),
    ],
)
async def test_formatted_broadcast_preview_and_draft_are_valid_html(
    bot, tg, dana, staff_group, alice, errors, typed, html
):
    await start(alice)
    await dana.send(typed, chat=staff_group, parse_mode="HTML")
    preview = await staff_group.wait_for("Preview")
    async with bot.deps.db.session() as session:
        draft = await session.get(Broadcast, 1)
    assert draft.text == html
    parse_html(draft.text)  # what each recipient will get parses as Telegram HTML
    await dana.press(preview, "Send to 1")
    await alice.wait_for(parse_html(html)[0])
    assert_clean(tg, errors, staff_group, alice)


async def test_emoji_count_once_in_the_broadcast_length(bot, tg, dana, staff_group, alice):
    """Telegram limits characters (code points); entity offsets count UTF-16 units."""
    await start(alice)
    await dana.send("/broadcast " + "🧠" * 3600, chat=staff_group)
    assert "3600" in (await staff_group.wait_for("characters long")).text
    await dana.send("<b>/broadcast " + "🧠" * 3400 + "</b>", chat=staff_group, parse_mode="HTML")
    assert "🧠" * 3400 in (await staff_group.wait_for("Preview")).text


async def start(user):
    await user.send("/start")
    return await user.wait_for("Welcome")


# ----------------------------------------------------------------------------- random input

COMMANDS = [
    "start",
    "help",
    "tip",
    "topic",
    "omega3",
    "time",
    "timezone",
    "topics",
    "settings",
    "pause",
    "resume",
    "stop",
    "mydata",
    "forget",
    "consult",
    "cancel",
    "requests",
    "request",
    "stats",
    "broadcast",
    "reload",
    "nosuchcommand",
]
PREFIXES = [
    f"{VOTE_PREFIX}:",
    f"{MORE_PREFIX}:",
    SETTINGS_PREFIX,
    TIME_DATA,
    TIMEZONE_DATA,
    TOPIC_TOGGLE_DATA,
    STOP_DATA,
    FORGET_DATA,
    CONSULT_DATA,
    f"{FORM_PREFIX}:",
    f"{REQUEST_PREFIX}:note:",
    f"{REQUEST_PREFIX}:cancel:",
    f"{STAFF_PREFIX}:claim:",
    f"{STAFF_PREFIX}:close:",
    f"{BROADCAST_PREFIX}:send:",
    f"{BROADCAST_PREFIX}:cancel:",
    "",
]
ODD = "0123456789²٣#-+_:. \n<>&\"'🧠é"
numbers = st.one_of(
    st.integers(min_value=-1, max_value=2**70).map(str),
    st.sampled_from(["", HUGE, "²", "٣", "1" * 64, "00", "#1"]),
)
words = st.one_of(numbers, st.text(alphabet=ODD, max_size=12), st.text(max_size=12))
callback_data = st.builds(lambda p, t: p + t, st.sampled_from(PREFIXES), words).filter(
    lambda data: 1 <= len(data.encode()) <= 64
)

LEAF = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1)
PLAIN_TYPES = ["bold", "italic", "underline", "strikethrough", "spoiler", "blockquote"]


def _entity(kind: str, offset: int, length: int, draw) -> dict:
    entity = {"type": kind, "offset": offset, "length": length}
    if kind == "text_link":
        entity["url"] = draw(st.sampled_from(["https://example.org/a?b=1&c=2", "http://x.y/<z>"]))
    elif kind == "pre":
        entity["language"] = draw(st.sampled_from(["python", ""])) or None
    elif kind == "text_mention":
        entity["user"] = {"id": 4242, "is_bot": False, "first_name": "Zoë"}
    return {k: v for k, v in entity.items() if v is not None}


@st.composite
def formatted(draw, depth: int = 0) -> tuple[str, list[dict]]:
    """Text with entities as a Telegram client makes them: nested or disjoint, never crossing."""
    parts = draw(st.integers(1, 3))
    text, entities = "", []
    for _ in range(parts):
        if depth >= 2 or draw(st.booleans()):
            chunk, inner = draw(LEAF.filter(str.strip)), []
            kind = draw(st.sampled_from([None, "code", "pre", "text_link", "text_mention"]))
        else:
            chunk, inner = draw(formatted(depth + 1))
            kind = draw(st.sampled_from(PLAIN_TYPES))
        offset = utf16_len(text)
        entities += [{**e, "offset": e["offset"] + offset} for e in inner]
        if kind is not None:
            entities.append(_entity(kind, offset, utf16_len(chunk), draw))
        text += chunk + draw(st.sampled_from(["", " ", "\n"]))
    return text, entities


@st.composite
def broadcast_message(draw) -> tuple[str, list[dict]]:
    body, entities = draw(formatted())
    text = "/broadcast " + body
    shifted = [{**e, "offset": e["offset"] + 11} for e in entities]
    wrap = draw(st.sampled_from([None, "bold", "italic"]))  # the whole message formatted
    around = [{"type": wrap, "offset": 0, "length": utf16_len(text)}] if wrap else []
    return text, [{"type": "bot_command", "offset": 0, "length": 10}, *around, *shifted]


actions = st.one_of(
    st.tuples(st.just("command"), st.sampled_from(COMMANDS), st.lists(words, max_size=3)),
    st.tuples(st.just("press"), callback_data, st.just(None)),
    st.tuples(st.just("text"), formatted(), st.just(None)),
    st.tuples(st.just("broadcast"), broadcast_message(), st.just(None)),
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(st.booleans(), actions), min_size=1, max_size=4))
async def test_random_input_never_reaches_the_error_handler(random_input_bot, tg, errors, steps):
    bot, person, staff, staff_group, anchors = random_input_bot
    errors.clear()  # each example on its own: an error shrinks to the input that caused it
    tg.callback_answers.clear()
    mark = tg.mark()
    for as_staff, (kind, first, second) in steps:
        user, chat = (staff, staff_group) if as_staff else (person, person)
        if kind == "command":
            text = " ".join([f"/{first}", *second])
            await user.send(text, chat=chat)
        elif kind == "press":
            await user.press_data(anchors[as_staff], first)
        elif kind == "text":
            await user.send(first[0], chat=chat, entities=first[1] or None)
        else:
            await staff.send(first[0], chat=staff_group, entities=first[1])
        await tg.wait_idle(quiet=0.1)
        await all_handled(bot.application)
    assert_clean(tg, errors, person, staff_group, since=mark)


async def all_handled(application) -> None:
    """Every update fetched has been handled: a handler stuck on a lock shows up here (the
    fake alone only sees that nothing calls it any more)."""
    await eventually(
        lambda: (
            application.update_queue.empty()
            and not application.update_processor.current_concurrent_updates
        ),
        interval=0.01,
        what="every fetched update being handled",
    )


@pytest.fixture
async def random_input_bot(make_settings, bot_factory, tg, staff_group, dana):
    """One bot for every example; no flood guard, so the person is never muted."""
    bot = await bot_factory(make_settings(user_rate_per_minute=1_000_000))
    # PTB's rate limiter holds the bot to Telegram's 20 messages a minute per group: the
    # staff's random commands would queue for minutes. Lifted here, for this test only.
    bot.application.bot.rate_limiter.groups.per_window = 1_000_000
    person = tg.user("Pat")
    anchors = {False: await start(person)}
    await dana.send("/requests", chat=staff_group)
    anchors[True] = await staff_group.wait_for(texts.STAFF_NO_OPEN_REQUESTS.render("en"))
    return bot, person, dana, staff_group, anchors


async def test_a_forged_cancel_on_an_already_cancelled_message(bot, tg, dana, staff_group, errors):
    """Two drafts cancelled through one message: the second edit changes nothing."""
    await start(tg.user("Pat"))
    for number in (1, 2):
        await dana.send(f"/broadcast Draft {number}", chat=staff_group)
        await staff_group.wait_for("Preview")
    shown = staff_group.messages[-1]
    for number in (1, 2):
        query = await dana.press_data(shown, f"{BROADCAST_PREFIX}:cancel:{number}")
        await tg.wait_for_answer(query)
        await tg.wait_idle()
    assert "cancelled" in staff_group.get(shown.message_id).text
    assert_clean(tg, errors, staff_group)
