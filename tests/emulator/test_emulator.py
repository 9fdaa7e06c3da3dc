"""The fake Telegram server, driven by the real python-telegram-bot client over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
from collections.abc import AsyncIterator

import httpx
import pytest
from aiohttp import web
from telegram import (
    Bot,
    BotCommandScopeAllPrivateChats,
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    ChatMemberRestricted,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    MenuButtonCommands,
    MessageEntity,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from fakegram import SECRET_HEADER, ButtonNotFound, Errors, FakeTelegram
from fakegram.formatting import parse_html
from tests.emulator.conftest import TOKEN


def build_app(tg: FakeTelegram) -> Application:
    return (
        Application.builder()
        .token(tg.token)
        .base_url(tg.base_url)
        .base_file_url(tg.base_file_url)
        .build()
    )


@contextlib.asynccontextmanager
async def polling(app: Application) -> AsyncIterator[Application]:
    """Run ``app`` with long polling against the emulator for the duration of the block."""
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0.0)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=f"pick:{label.lower()}") for label in labels]]
    )


# --------------------------------------------------------------------------- basics


async def test_get_me_describes_the_bot(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.first_name, me.username) == (
        1000,
        True,
        "TipBot",
        "tipbot_test_bot",
    )
    assert me.can_join_groups is True


async def test_transport_variants_unknown_method_and_bad_token(tg: FakeTelegram) -> None:
    alice = tg.user("Alice")
    api = f"{tg.base_url}{TOKEN}"
    async with httpx.AsyncClient() as http:
        unknown = await http.post(f"{api}/fooBar")
        assert unknown.status_code == 404
        assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}

        wrong = await http.post(f"{tg.url}/bot999:WRONG/getMe")
        assert wrong.status_code == 401
        assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}

        me = await http.get(f"{api}/GETME")  # method names are case-insensitive
        assert me.json()["result"]["id"] == 1000

        markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
        body = {"chat_id": alice.id, "text": "json body", "reply_markup": markup}
        sent = await http.post(f"{api}/sendMessage", json=body)
        assert sent.json()["result"]["reply_markup"] == markup
        await http.get(f"{api}/sendMessage", params={"chat_id": str(alice.id), "text": "query"})

    assert [m.text for m in alice.messages] == ["json body", "query"]
    assert alice.messages[0].buttons == ["A"]
    assert tg.calls_to("fooBar")[0].status == 404


async def test_unknown_method_via_ptb(bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("fooBar")


# --------------------------------------------------------------------------- polling bot


async def test_start_command_reaches_a_polling_application(tg: FakeTelegram) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(
            f"Welcome {update.effective_user.first_name}: {context.args}"
        )

    app = build_app(tg)
    app.add_handler(CommandHandler("start", start))
    alice = tg.user("Alice", username="alice")

    async with polling(app):
        sent = await alice.send("/start consult")
        reply = await alice.wait_for()

    assert sent["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert reply.text == "Welcome Alice: ['consult']"
    assert alice.messages == [reply]
    assert alice.last is reply
    assert tg.calls_to("sendMessage", chat_id=alice)[0].params["text"] == reply.text


async def test_button_press_answers_and_edits_the_message(tg: FakeTelegram) -> None:
    async def menu(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text("Subscribe?", reply_markup=keyboard("Yes", "No"))

    async def picked(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query.data == "forged:data":
            await query.answer("Nice try")
            return
        await query.answer("Saved!", show_alert=True)
        await query.edit_message_text(f"You chose {query.data}")

    app = build_app(tg)
    app.add_handler(CommandHandler("menu", menu))
    app.add_handler(CallbackQueryHandler(picked))
    alice = tg.user("Alice")

    async with polling(app):
        await alice.send("/menu")
        card = await alice.wait_for("Subscribe")
        assert card.buttons == ["Yes", "No"]
        assert card.button_rows == [["Yes", "No"]]

        query_id = await alice.press(card, "Yes")
        answer = await tg.wait_for_answer(query_id)
        await tg.wait_for_call("editMessageText")

        forged = await alice.press_data(card, "forged:data")
        assert (await tg.wait_for_answer(forged)).text == "Nice try"

    assert (answer.text, answer.show_alert, answer.data) == ("Saved!", True, "pick:yes")
    assert tg.alerts(alice) == [answer]
    assert len(tg.answers(alice)) == 2
    assert card.text == "You chose pick:yes"  # the stored message shows the edit
    assert card.buttons == []
    assert card.edited
    assert card.history[0]["text"] == "Subscribe?"
    with pytest.raises(ButtonNotFound, match="matches no inline button"):
        await alice.press(card, "No")


async def test_contact_and_location_messages(tg: FakeTelegram) -> None:
    async def contact(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        card = update.message.contact
        own = card.user_id == update.effective_user.id
        await update.message.reply_text(f"contact {card.phone_number} own={own}")

    async def location(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        where = update.message.location
        await update.message.reply_text(f"at {where.latitude:.2f},{where.longitude:.2f}")

    app = build_app(tg)
    app.add_handler(MessageHandler(filters.CONTACT, contact))
    app.add_handler(MessageHandler(filters.LOCATION, location))
    alice, bob = tg.user("Alice"), tg.user("Bob")

    async with polling(app):
        await alice.share_contact("+4912345")
        assert (await alice.wait_for()).text == "contact +4912345 own=True"
        await alice.share_contact("+4999", user_id=bob.id, first_name="Bob")
        assert (await alice.wait_for()).text == "contact +4999 own=False"
        await alice.share_location(latitude=52.52, longitude=13.40)
        assert (await alice.wait_for()).text == "at 52.52,13.40"


async def test_group_command_reply_and_privacy_mode(tg: FakeTelegram) -> None:
    async def ping(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text("pong")

    async def replied(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        original = update.message.reply_to_message
        await update.message.reply_text(f"you answered {original.text!r}")

    app = build_app(tg)
    app.add_handler(CommandHandler("ping", ping))
    app.add_handler(MessageHandler(filters.REPLY & filters.TEXT, replied))
    alice = tg.user("Alice")
    staff = tg.group("Clinic staff").add_member(alice)
    patients = tg.group("Patients", bot_status="member")  # privacy mode: commands only

    async with polling(app):
        await alice.send("/ping", chat=staff)
        pong = await staff.wait_for()
        assert pong.get("reply_to_message") is not None  # reply_text quotes the command
        await alice.reply(to=pong, text="thanks")
        assert (await staff.wait_for()).text == "you answered 'pong'"

        await alice.send("small talk", chat=patients)
        await alice.send("/ping@tipbot_test_bot", chat=patients)
        assert (await patients.wait_for()).text == "pong"

    assert [m.text for m in patients.history] == ["small talk", "/ping@tipbot_test_bot", "pong"]


async def test_wait_idle_after_a_burst_of_updates(tg: FakeTelegram) -> None:
    seen: list[str] = []

    async def echo(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(update.message.text)
        await update.message.reply_text(update.message.text.upper())

    app = build_app(tg)
    app.add_handler(MessageHandler(filters.TEXT, echo))
    alice = tg.user("Alice")
    async with polling(app):
        for word in ("one", "two", "three", "four", "five"):
            await alice.send(word)
        await tg.wait_idle()
        assert seen == ["one", "two", "three", "four", "five"]
        assert [m.text for m in alice.messages] == ["ONE", "TWO", "THREE", "FOUR", "FIVE"]


async def test_wait_for_returns_only_new_messages(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user("Alice")
    await bot.send_message(alice.id, "old")
    await alice.send("hi")  # the latest user action: earlier bot messages are not "new"
    await bot.send_message(alice.id, "first")
    await bot.send_message(alice.id, "second")

    assert (await alice.wait_for()).text == "first"
    assert (await alice.wait_for()).text == "second"  # each wait consumes what it returned
    with pytest.raises(TimeoutError, match="new matching bot message"):
        await alice.wait_for(timeout=0.05)
    assert [m.text for m in await alice.wait_for(count=2, since=0)] == ["old", "first"]

    waiting = asyncio.create_task(alice.wait_for(lambda m: m.text.startswith("th")))
    await bot.send_message(alice.id, "not this")
    await bot.send_message(alice.id, "this one")
    assert (await waiting).text == "this one"
    assert (await tg.wait_for_call("sendMessage", since=0, text="not this")).ok


async def test_replies_keyboards_and_callback_validation(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user("Alice")
    question = await alice.send("When is the next tip?")

    answer = await bot.send_message(
        alice.id, "Tomorrow at 9", reply_parameters=ReplyParameters(question.message_id)
    )
    assert answer.reply_to_message.text == "When is the next tip?"
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(alice.id, "?", reply_parameters=ReplyParameters(999))

    share = ReplyKeyboardMarkup([[KeyboardButton("Share phone", request_contact=True)]])
    await bot.send_message(alice.id, "May we call you?", reply_markup=share)
    assert alice.last.buttons == ["Share phone"]
    assert alice.reply_keyboard is not None
    assert "reply_markup" not in alice.last  # Telegram only echoes inline keyboards
    await bot.send_message(alice.id, "Thanks", reply_markup=ReplyKeyboardRemove())
    assert alice.reply_keyboard is None

    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="x" * 65)]])
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(alice.id, "menu", reply_markup=too_long)

    menu = await bot.send_message(alice.id, "menu", reply_markup=keyboard("Go"))
    query_id = await alice.press(menu, "pick:go")  # a PTB Message works too; by callback_data
    await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query_id)
    await bot.edit_message_reply_markup(alice.id, menu.message_id, reply_markup=None)
    assert alice.last.buttons == []


# --------------------------------------------------------------------------- Telegram errors


async def test_message_not_modified(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user("Alice")
    sent = await bot.send_message(alice.id, "Hi", reply_markup=keyboard("Ok"))
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Hi", alice.id, sent.message_id, reply_markup=keyboard("Ok"))
    # Without reply_markup the edit *does* change something: Telegram drops the keyboard.
    await bot.edit_message_text("Hi", alice.id, sent.message_id)
    assert alice.last.buttons == []
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("Hi", alice.id, 999)


async def test_scripted_flood_limit_raises_retry_after(
    tg: FakeTelegram, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # RetryAfter.retry_after as a timedelta
    alice = tg.user("Alice")
    tg.fail("sendMessage", chat_id=alice, error=Errors.too_many_requests(retry_after=2), times=1)

    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(alice.id, "one")
    await bot.send_message(alice.id, "two")

    assert caught.value.retry_after == dtm.timedelta(seconds=2)
    assert [m.text for m in alice.messages] == ["two"]  # a failed call sends nothing
    failed, sent = tg.calls_to("sendMessage", chat_id=alice.id)
    assert (failed.ok, failed.status, failed.response["parameters"]) == (
        False,
        429,
        {"retry_after": 2},
    )
    assert sent.ok


async def test_blocked_and_deactivated_users_are_forbidden(tg: FakeTelegram, bot: Bot) -> None:
    alice, bob = tg.user("Alice"), tg.user("Bob")
    update = await alice.block_bot()
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(alice.id, "hi")
    member_update = Update.de_json(update, bot).my_chat_member
    assert member_update.new_chat_member.status == "kicked"

    await alice.unblock_bot()
    await bot.send_message(alice.id, "welcome back")

    tg.fail("sendMessage", chat_id=bob, error=Errors.deactivated(), times=None)
    for _ in range(2):
        with pytest.raises(Forbidden, match="user is deactivated"):
            await bot.send_message(bob.id, "hi")

    carol = tg.user("Carol", started=False)
    with pytest.raises(Forbidden, match="can't initiate conversation"):
        await bot.send_message(carol.id, "hi")


async def test_unknown_chat_is_not_found(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(424242, "hello?")


async def test_server_errors_surface_as_network_errors(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user("Alice")
    tg.fail("sendMessage", error=Errors.server_error(), times=None)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Internal Server Error") as caught:
            await bot.send_message(alice.id, "hi")
        assert not isinstance(caught.value, BadRequest)
    tg.clear_failures()
    await bot.send_message(alice.id, "hi")

    tg.fail("*", error=Errors.bad_gateway())
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.get_me()
    assert tg.error_counts == {"sendMessage": 2, "getMe": 1}


async def test_delay_and_client_timeout(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user("Alice")
    loop = asyncio.get_running_loop()
    tg.delay("sendMessage", 0.2, times=1)
    started = loop.time()
    await bot.send_message(alice.id, "slow")
    assert loop.time() - started >= 0.2

    tg.delay("sendMessage", 0.3, times=1)
    with pytest.raises(TimedOut):
        await bot.send_message(alice.id, "too slow", read_timeout=0.05)
    # Like Telegram, the call still completes: the classic "timed out but delivered".
    assert (await alice.wait_for("too slow", since=0)).text == "too slow"


# --------------------------------------------------------------------------- webhook


@contextlib.asynccontextmanager
async def receiver(handler: web.Handler) -> AsyncIterator[str]:
    """A tiny aiohttp server standing in for the bot's webhook endpoint."""
    app = web.Application()
    app.router.add_post("/hook", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}/hook"
    finally:
        await runner.cleanup()


async def test_webhook_delivery_with_secret_and_retries(tg: FakeTelegram, bot: Bot) -> None:
    received: list[dict] = []
    answers = [500]  # the first delivery fails, then the retry succeeds

    async def hook(request: web.Request) -> web.Response:
        if request.headers.get(SECRET_HEADER) != "s3cret":
            return web.Response(status=403)
        if answers:
            return web.Response(status=answers.pop())
        received.append(await request.json())
        return web.Response()

    alice = tg.user("Alice")
    async with receiver(hook) as url:
        await bot.set_webhook(url, secret_token="s3cret")
        assert (await bot.get_webhook_info()).url == url
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()

        await alice.send("hi via webhook")
        await tg.wait_idle()
        assert Update.de_json(received[0], bot).message.text == "hi via webhook"
        assert [(d.status, d.attempt) for d in tg.webhook_deliveries] == [(500, 1), (200, 2)]

        assert await tg.post_to_webhook({"message": received[0]["message"]}, secret="wrong") == 403
        assert tg.webhook_deliveries[-1].secret == "wrong"

        info = await bot.get_webhook_info()
        assert info.pending_update_count == 0
        assert (
            info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
        )

        await bot.delete_webhook()
        await alice.send("back to polling")
        updates = await bot.get_updates(timeout=0)
        assert [u.message.text for u in updates] == ["back to polling"]


# --------------------------------------------------------------------------- polling details


async def test_long_poll_wakes_up_and_confirms_with_offset(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user("Alice")
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    await alice.send("wake up")
    updates = await asyncio.wait_for(poll, 1)
    assert [u.message.text for u in updates] == ["wake up"]
    assert len(await bot.get_updates(timeout=0)) == 1  # not confirmed yet
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()


async def test_second_poller_terminates_the_first(tg: FakeTelegram) -> None:
    def client() -> Bot:
        return Bot(TOKEN, base_url=tg.base_url)

    async with client() as first, client() as second:
        poll = asyncio.create_task(first.get_updates(timeout=5))
        await asyncio.sleep(0.05)
        await second.get_updates(timeout=0)
        with pytest.raises(Conflict, match="terminated by other getUpdates"):
            await poll


async def test_allowed_updates(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user("Alice")
    staff = tg.group("Staff")
    member_change = {
        "chat": staff.chat_dict,
        "from": alice.user_dict,
        "date": 0,
        "old_chat_member": {"user": alice.user_dict, "status": "left"},
        "new_chat_member": {"user": alice.user_dict, "status": "member"},
    }
    await tg.inject({"chat_member": member_change})
    assert await bot.get_updates(timeout=0) == ()  # chat_member is opt-in, as on Telegram
    assert len(tg.dropped_updates) == 1

    await tg.inject({"chat_member": member_change})
    updates = await bot.get_updates(timeout=0, allowed_updates=["chat_member"])
    assert updates[0].chat_member.new_chat_member.status == "member"


# --------------------------------------------------------------------------- chats & members


async def test_get_chat_member_statuses(tg: FakeTelegram, bot: Bot) -> None:
    olga, dora, alice, rita, ken, stranger = (
        tg.user(name) for name in ("Olga", "Dora", "Alice", "Rita", "Ken", "Stranger")
    )
    staff = (
        tg.group("Clinic staff")
        .add_member(olga, "creator")
        .add_member(dora, "administrator", custom_title="Dr")
        .add_member(alice)
        .add_member(rita, "restricted")
        .add_member(ken, "kicked")
    )
    expected = {
        olga: ChatMemberOwner,
        dora: ChatMemberAdministrator,
        alice: ChatMemberMember,
        rita: ChatMemberRestricted,
        ken: ChatMemberBanned,
        stranger: ChatMemberLeft,
    }
    for user, kind in expected.items():
        member = await bot.get_chat_member(staff.id, user.id)
        assert isinstance(member, kind)
        assert member.user.id == user.id
    assert (await bot.get_chat_member(staff.id, dora.id)).custom_title == "Dr"
    assert isinstance(await bot.get_chat_member(staff.id, 987654), ChatMemberLeft)
    assert isinstance(await bot.get_chat_member(staff.id, 1000), ChatMemberAdministrator)
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.get_chat_member(-100999, alice.id)
    assert (await bot.get_chat(staff.id)).title == "Clinic staff"


async def test_copy_forward_delete_commands_and_menu(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user("Alice")
    staff = tg.group("Staff")
    question = await alice.send("Is coffee ok?")

    copied = await bot.copy_message(staff.id, alice.id, question.message_id)
    assert staff.get(copied.message_id).text == "Is coffee ok?"
    forwarded = await bot.forward_message(staff.id, alice.id, question.message_id)
    assert forwarded.forward_origin.sender_user.id == alice.id
    assert [m.text for m in staff.messages] == ["Is coffee ok?", "Is coffee ok?"]

    note = await bot.send_message(alice.id, "temporary")
    await bot.delete_message(alice.id, note.message_id)
    assert alice.messages == []
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(alice.id, note.message_id)

    scope = BotCommandScopeAllPrivateChats()
    await bot.set_my_commands(
        [("start", "Start"), ("help", "Help")], scope=scope, language_code="de"
    )
    got = await bot.get_my_commands(scope=scope, language_code="de")
    assert [c.command for c in got] == ["start", "help"]
    assert [c["command"] for c in tg.commands("all_private_chats", "de")] == ["start", "help"]
    assert tg.commands() == []
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([("Bad-Name", "nope")])

    await bot.set_chat_menu_button(chat_id=alice.id, menu_button=MenuButtonCommands())
    assert tg.menu_button(alice) == {"type": "commands"}
    assert await bot.send_chat_action(alice.id, "typing")


# --------------------------------------------------------------------------- formatting


async def test_parse_mode_is_applied_like_telegram(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user("Alice")
    sent = await bot.send_message(
        alice.id, "<b>Hi</b> &amp; <a href='https://x.org'>link</a>\n", parse_mode="HTML"
    )
    assert sent.text == alice.last.text == "Hi & link"
    assert sent.entities == (
        MessageEntity("bold", 0, 2),
        MessageEntity("text_link", 5, 4, url="https://x.org"),
    )
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(alice.id, "1 < 2 for <user>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="does not emulate"):  # the bot sends HTML only
        await bot.send_message(alice.id, "*Hi*", parse_mode="MarkdownV2")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(alice.id, "  ")


async def test_markup_parsers() -> None:
    assert parse_html("😀 <i>x</i>") == ("😀 x", [{"type": "italic", "offset": 3, "length": 1}])
    assert parse_html('<pre><code class="language-py">x</code></pre>')[1] == [
        {"type": "pre", "offset": 0, "length": 1, "language": "py"}
    ]


# --------------------------------------------------------------------------- benchmark mode


async def test_counters_only_mode() -> None:
    async with FakeTelegram(token=TOKEN, record_messages=False, max_calls=0) as tg:
        alice = tg.user("Alice")
        async with Bot(TOKEN, base_url=tg.base_url) as client:
            await asyncio.gather(*(client.send_message(alice.id, f"#{i}") for i in range(50)))
        assert tg.counts["sendMessage"] == 50
        assert tg.messages_sent == alice.sent_count == 50
        assert tg.calls == []
        assert alice.messages == []
        with pytest.raises(RuntimeError, match="record_messages"):
            await alice.wait_for()


async def test_group_permissions_decide_whether_a_member_bot_may_post(
    tg: FakeTelegram, bot: Bot
) -> None:
    group = tg.group("Announcements", bot_status="member")
    chat = await bot.get_chat(group.id)
    assert chat.permissions.can_send_messages is True
    await bot.send_message(group.id, "hello")
    group.permissions["can_send_messages"] = False
    assert (await bot.get_chat(group.id)).permissions.can_send_messages is False
    with pytest.raises(BadRequest, match=r"(?i)not enough rights to send text messages"):
        await bot.send_message(group.id, "hello again")
    group.bot_status = "administrator"  # admins post whatever members may do
    await bot.send_message(group.id, "as an admin")
