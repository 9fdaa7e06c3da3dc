"""``tipbot doctor``: is this installation ready? One ✅/❌ line per check, with what to do.

It asks Telegram what the running bot would find (getMe, getChat, getChatMember,
getWebhookInfo) and opens the database without creating it, so it is safe to run next to a
running bot, before the first start, or in its container (``docker compose exec bot tipbot
doctor``). The token never appears in what it prints.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Bot, ChatMember, User
from telegram.constants import ChatType
from telegram.error import InvalidToken, NetworkError, TelegramError

from tipbot.core.config import ConfigError, Settings
from tipbot.core.content import ContentError, load_library
from tipbot.core.db.status import describe_location, open_existing

_IN_GROUP = {ChatMember.OWNER, ChatMember.ADMINISTRATOR, ChatMember.MEMBER, ChatMember.RESTRICTED}
_ADMINS = {ChatMember.OWNER, ChatMember.ADMINISTRATOR}


@dataclass(frozen=True)
class Check:
    ok: bool
    name: str
    detail: str

    @property
    def line(self) -> str:
        return f"{'✅' if self.ok else '❌'} {self.name}: {self.detail}"


async def check_database(settings: Settings) -> Check:
    try:
        await (await open_existing(settings.database_url)).dispose()
    except ConfigError as exc:
        return Check(False, "database", str(exc).removeprefix("TIPBOT_DATABASE_URL: "))
    where = describe_location(settings.database_url)
    return Check(True, "database", f"{where}: reachable and migrated")


def check_content(settings: Settings) -> Check:
    try:
        library = load_library(settings.content)
    except ContentError as exc:
        return Check(
            False,
            "tip library",
            f"{len(exc.problems)} problem(s), first: {exc.problems[0]}; "
            "`tipbot check-content` lists them all",
        )
    return Check(
        True,
        "tip library",
        f"{settings.content}: {len(library.tips)} tips in {len(library.topics)} topics",
    )


async def check_staff_group(bot: Bot, me: User, settings: Settings) -> list[Check]:
    """Member, can post, sees the staff's replies (and what privacy mode means here)."""
    chat_id = settings.staff_chat_id
    name = "staff group"
    if chat_id is None:
        return [
            Check(
                False,
                name,
                "TIPBOT_STAFF_CHAT_ID is not set: add the bot to the staff group (it posts "
                "the line to use), or send /chatid there",
            )
        ]
    try:
        chat = await bot.get_chat(chat_id)
        member = await bot.get_chat_member(chat_id, me.id)
    except TelegramError as exc:
        return [
            Check(
                False,
                name,
                f"the bot cannot see the group {chat_id} (Telegram says: {exc.message}): add "
                f"@{me.username} to the staff group and check the id with /chatid there",
            )
        ]
    if chat.type not in {ChatType.GROUP, ChatType.SUPERGROUP}:
        return [Check(False, name, f"{chat_id} is a {chat.type} chat, not a group")]
    title = f"“{chat.title}” ({chat_id})"
    if member.status not in _IN_GROUP:
        return [
            Check(
                False,
                name,
                f"the bot is not a member of {title} ({member.status}): add @{me.username}",
            )
        ]
    checks = [Check(True, name, f"the bot is a member of {title}, as {member.status}")]
    if member.status in _ADMINS:
        can_post = True
    elif member.status == ChatMember.RESTRICTED:
        can_post = bool(getattr(member, "can_send_messages", False))
    else:
        can_post = chat.permissions is None or chat.permissions.can_send_messages is not False
    checks.append(
        Check(True, name, "the bot can post there (cards, reminders, replies)")
        if can_post
        else Check(
            False,
            name,
            "the bot may not send messages there: let members send messages, or make the "
            "bot an admin",
        )
    )
    if member.status in _ADMINS:
        sees = "as an admin the bot receives every message there; it acts only on commands "
        sees += "and replies to its cards"
    elif me.can_read_all_group_messages:
        sees = "privacy mode is off: the bot receives every message there and acts only on "
        sees += "commands and replies to its cards (/setprivacy in @BotFather turns it on)"
    else:
        sees = "privacy mode is on: the bot receives only commands and replies to its own "
        sees += "messages, which is all it needs (staff reply to the cards)"
    checks.append(Check(True, name, sees))
    return checks


async def check_webhook(bot: Bot, settings: Settings) -> Check:
    info = await bot.get_webhook_info()
    wanted = settings.webhook_url
    if not wanted:
        if info.url:
            return Check(
                False,
                "webhook",
                f"Telegram sends updates to {info.url}, but TIPBOT_WEBHOOK_URL is not set: "
                "`tipbot run` polls and removes that webhook; if another installation uses "
                "this token, give each its own bot",
            )
        return Check(True, "webhook", "none set: the bot uses long polling")
    if not info.url:
        return Check(False, "webhook", "not set at Telegram yet: `tipbot run` sets it at start")
    if info.url != wanted:
        return Check(
            False,
            "webhook",
            f"Telegram calls {info.url}, not TIPBOT_WEBHOOK_URL ({wanted}): another "
            "installation may use this token; restart the bot to set it",
        )
    if info.last_error_message and info.pending_update_count:
        return Check(
            False,
            "webhook",
            f"Telegram cannot deliver to {wanted}: {info.last_error_message} "
            f"({info.pending_update_count} updates waiting); check the reverse proxy "
            "forwards it to TIPBOT_PORT",
        )
    return Check(True, "webhook", f"Telegram calls {wanted}")


async def check_telegram(settings: Settings) -> list[Check]:
    """Token first: without it, the staff group and webhook cannot be asked about."""
    skipped = [
        Check(False, name, "not checked without a working token")
        for name in ("staff group", "webhook")
    ]
    try:
        token = settings.require_token()
    except ConfigError as exc:
        return [Check(False, "token", str(exc)), *skipped]
    bot = Bot(
        token,
        base_url=f"{settings.bot_api_url}/bot",
        base_file_url=f"{settings.bot_api_url}/file/bot",
    )
    try:
        async with bot:
            me = bot.bot
            checks = [Check(True, "token", f"Telegram knows this bot as @{me.username}")]
            checks += await check_staff_group(bot, me, settings)
            checks.append(await check_webhook(bot, settings))
            return checks
    except InvalidToken:
        problem = (
            "Telegram rejected TIPBOT_TOKEN: copy the current token from @BotFather "
            "(/mybots → your bot → API Token); a revoked token stops working at once"
        )
    except NetworkError as exc:
        problem = f"cannot reach the Bot API at {settings.bot_api_url}: {exc.message}"
    return [Check(False, "token", problem), *skipped]


async def diagnose(settings: Settings) -> list[Check]:
    checks = await check_telegram(settings)
    checks[1:1] = [await check_database(settings), check_content(settings)]
    return checks


def render(checks: list[Check], settings: Settings) -> str:
    """The report, with the token masked wherever an error message might have carried it."""
    text = "\n".join(check.line for check in checks)
    if settings.token is not None and settings.token.get_secret_value().strip():
        text = text.replace(settings.token.get_secret_value().strip(), "<TIPBOT_TOKEN>")
    return text
