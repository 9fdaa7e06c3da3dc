"""``tipbot run``: PTB's start/stop order by hand, so one aiohttp server can sit beside it.

Mirrors ``Application.run_polling``/``run_webhook``: initialize → post_init → (polling or
setWebhook) → start → … → stop → post_stop → shutdown → post_shutdown. SIGTERM/SIGINT stop
gracefully (no new updates, in-flight handlers and sends finish, the DB is disposed);
SIGHUP reloads the tip library.

The web server comes up first, so ``/healthz`` can say why the bot is not ready while
Telegram cannot be reached; the steps up to polling or setWebhook are retried with capped
exponential backoff, one log line per attempt. A rejected token is a configuration error.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError
from telegram.ext import Application

from tipbot.core import budget
from tipbot.core.config import ConfigError, Settings
from tipbot.core.runtime import Context, deps_of
from tipbot.core.sender import SendLimiter
from tipbot.core.web import build_web_app
from tipbot.staff.library import reload_library

log = logging.getLogger(__name__)

DEFAULT_WEBHOOK_PORT = 8080
DEFAULT_WEBHOOK_PATH = "/telegram"
#: Seconds between attempts to reach the Bot API at start: doubled each time up to the cap.
BACKOFF = (1.0, 60.0)
#: In webhook mode, how often to check that the Bot API answers (well within /healthz's 2 min).
PROBE_INTERVAL = 45


def resolve_webhook_secret(settings: Settings) -> str | None:
    """The configured secret, or a fresh one for this process (webhook mode only)."""
    if not settings.webhook_url:
        return None
    if settings.webhook_secret is not None:
        return settings.webhook_secret.get_secret_value()
    return secrets.token_urlsafe(32)  # letters, digits, '-' and '_': what Telegram accepts


def token_rejected(settings: Settings) -> ConfigError:
    """The one line for a token Telegram refuses; only its last four characters are shown."""
    token = settings.require_token()
    return ConfigError(
        f"Telegram rejected TIPBOT_TOKEN (ends …{token[-4:]}): get a new one from @BotFather"
    )


async def probe_bot_api(context: Context) -> None:
    """Webhook mode has no polling to show that Telegram answers; a quiet bot would look dead
    to ``/healthz``, so ask Telegram something cheap (the monitor records the answer)."""
    with contextlib.suppress(TelegramError):  # counted and logged by the transport's monitor
        await context.bot.get_webhook_info()


def _counted_elsewhere(_error: TelegramError) -> None:
    """``start_polling``'s error callback: the transport's monitor already counted the failure
    and logs a summary a minute; PTB's default would log a traceback per retry."""


class Runner:
    """Runs one replica: the Application, its updates source and the web server."""

    def __init__(
        self,
        application: Application,
        settings: Settings,
        *,
        webhook_secret: str | None = None,
        backoff: tuple[float, float] = BACKOFF,
    ) -> None:
        self.application = application
        self.settings = settings
        self.webhook = bool(settings.webhook_url)
        self.secret = (webhook_secret or resolve_webhook_secret(settings)) if self.webhook else None
        self.port = settings.port or (DEFAULT_WEBHOOK_PORT if self.webhook else None)
        self.backoff = backoff
        self._site_runner: web.AppRunner | None = None
        self._stop = asyncio.Event()

    @property
    def webhook_path(self) -> str:
        return urlsplit(self.settings.webhook_url or "").path or DEFAULT_WEBHOOK_PATH

    async def start(self) -> bool:
        """Start everything; ``False`` when asked to stop before Telegram could be reached."""
        if self.port:  # in webhook mode: listening before Telegram is told to call it
            await self._start_web_server()
        if not await self._connect():
            return False
        await self.application.start()
        if self.webhook and self.application.job_queue is not None:
            self.application.job_queue.run_repeating(
                probe_bot_api, interval=PROBE_INTERVAL, name="bot-api-probe"
            )
        return True

    async def _connect(self) -> bool:
        """Run the steps that need Telegram until they succeed (or a stop is requested)."""
        delay, cap = self.backoff
        url = self.settings.bot_api_url
        while True:
            try:
                await self._reach_telegram()
                return True
            except InvalidToken:
                raise token_rejected(self.settings) from None
            except NetworkError as exc:  # TimedOut too; the transport scrubbed the token
                if isinstance(exc, BadRequest):
                    raise
                log.warning("cannot reach the Bot API at %s: %s; retrying in %g s", url, exc, delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), delay)
                return False
            delay = min(cap, delay * 2)

    async def _reach_telegram(self) -> None:
        """getMe, the command menus, then setWebhook or polling: each safe to repeat."""
        app = self.application
        await app.initialize()
        if app.post_init:
            await app.post_init(app)
        if self.webhook:
            await app.bot.set_webhook(
                self.settings.webhook_url,
                secret_token=self.secret,
                allowed_updates=Update.ALL_TYPES,
            )
            log.info(
                "webhook mode: path %s, port %s, secret token set", self.webhook_path, self.port
            )
        else:
            await app.updater.start_polling(
                allowed_updates=Update.ALL_TYPES, error_callback=_counted_elsewhere
            )
            log.info("polling mode")

    async def _start_web_server(self) -> None:
        web_app = build_web_app(
            self.application,
            deps_of(self.application),
            webhook_path=self.webhook_path if self.webhook else None,
            secret=self.secret,
        )
        self._site_runner = web.AppRunner(web_app, access_log=None, shutdown_timeout=10)
        await self._site_runner.setup()
        try:
            await web.TCPSite(self._site_runner, port=self.port).start()
        except OSError as exc:
            raise ConfigError(
                f"TIPBOT_PORT: cannot listen on port {self.port}: {exc.strerror}"
            ) from None
        log.info("health and metrics on port %s", self.port)

    def stop_sending(self) -> None:
        """Jobs claim nothing more, and sends waiting for a rate slot give it back (their
        rows go back to be sent after the restart); sends in flight finish. So a stop takes
        about one round trip to Telegram at any backlog, never a group's next free minute."""
        app = self.application
        deps_of(app).state.stopping = True
        limiter = app.bot.rate_limiter
        if isinstance(limiter, SendLimiter):
            limiter.stop()

    async def stop(self) -> None:
        """Stop sending and taking updates first, then let what is in flight finish, then
        release (the replica's share of the budget goes back to the others)."""
        app = self.application
        self.stop_sending()
        if self._site_runner is not None:
            await self._site_runner.cleanup()
            self._site_runner = None
        if app.updater and app.updater.running:
            await app.updater.stop()
        # The sweep, broadcasts and the outbox finish their sends in flight and record them;
        # app.stop() waits for them (about one round trip to Telegram).
        if app.running:
            await app.stop()
            if app.post_stop:
                await app.post_stop(app)
        await budget.stop(app, deps_of(app).budget)
        await app.shutdown()
        await app.bot.shutdown()  # its HTTP sessions, when Telegram was never reached
        if app.post_shutdown:
            await app.post_shutdown(app)

    def request_stop(self) -> None:
        self._stop.set()

    async def reload(self) -> None:
        result = await reload_library(deps_of(self.application))
        if result.ok:
            log.info("SIGHUP: tip library reloaded (%d tips)", len(result.library.tips))
        else:
            log.error("SIGHUP: tip library NOT reloaded, %d problems", len(result.problems))
            for problem in result.problems:
                log.error("content: %s", problem)

    async def serve(self) -> None:
        """Run until SIGTERM or SIGINT."""
        loop = asyncio.get_running_loop()
        reloads: set[asyncio.Task[None]] = set()

        def on_hup() -> None:
            task = loop.create_task(self.reload())
            reloads.add(task)
            task.add_done_callback(reloads.discard)

        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.request_stop)
        with contextlib.suppress(AttributeError):  # no SIGHUP on Windows
            loop.add_signal_handler(signal.SIGHUP, on_hup)
        try:
            if await self.start():
                await self._stop.wait()
            log.info("stopping: finishing what is in flight")
        finally:
            await self.stop()
        log.info("stopped")
