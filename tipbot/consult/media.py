"""Photos, documents, voice notes, … between the person and the staff group.

They travel by ``copyMessage`` (no "forwarded from" line: the person's account stays out of
the staff group's view, and the staff member's out of the person's), through the outbox like
text, so they are retried until Telegram accepts them. Only a reference is stored (the chat
and message id to copy), never the file. A caption counts as text: it travels with the copy,
under a one-line header naming the request. Kinds without a caption (stickers, locations,
video messages) get the header as a message of its own, sent just before the copy.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message

from tipbot import texts
from tipbot.consult import outbox

CAPTION_LIMIT = 1024  # Telegram's, after entity parsing
# The kinds that travel, in the order a Message is checked, each with its label.
LABELS = {
    "photo": texts.MEDIA_PHOTO,
    "document": texts.MEDIA_DOCUMENT,
    "voice": texts.MEDIA_VOICE,
    "video": texts.MEDIA_VIDEO,
    "audio": texts.MEDIA_AUDIO,
    "animation": texts.MEDIA_ANIMATION,
    "video_note": texts.MEDIA_VIDEO_NOTE,
    "sticker": texts.MEDIA_STICKER,
    "location": texts.MEDIA_LOCATION,
}
KINDS = tuple(LABELS)
CAPTIONED = frozenset({"photo", "document", "voice", "video", "audio", "animation"})


@dataclass(frozen=True)
class Media:
    """What ``copyMessage`` needs, plus the caption (plain text) that counts as text."""

    kind: str
    from_chat_id: int
    message_id: int
    caption: str | None

    def label(self, language: str) -> str:
        return LABELS[self.kind].render(language)


def media_of(message: Message) -> Media | None:
    # A GIF is also a document in Telegram's Message: check animation first.
    kind = next(
        (
            kind
            for kind in ("animation", *KINDS)
            if getattr(message, kind, None) not in (None, (), [])
        ),
        None,
    )
    if kind is None:
        return None
    return Media(kind, message.chat_id, message.message_id, message.caption)


def enqueue_copy(
    session: AsyncSession,
    media: Media,
    header: str,
    *,
    now: datetime,
    request_id: int,
    chat_id: int | None = None,
    **payload: object,
) -> None:
    """Queue the copy under ``header`` (HTML, one line): into the staff thread, or to the
    person when ``chat_id`` is given. ``payload`` goes on the copy (e.g. ``ack_reply_to``)."""
    if media.kind in CAPTIONED:
        payload["caption"] = header_caption(header, media.caption)
    else:  # no caption possible: the header goes just before, as a message of its own
        kind = outbox.Kind.THREAD if chat_id is None else outbox.Kind.PERSON
        outbox.enqueue(session, kind, now=now, request_id=request_id, chat_id=chat_id, text=header)
    outbox.enqueue(
        session,
        outbox.Kind.COPY,
        now=now,
        request_id=request_id,
        chat_id=chat_id,
        from_chat_id=media.from_chat_id,
        message_id=media.message_id,
        **payload,
    )


def header_caption(header: str, caption: str | None) -> str:
    """The header, then the sender's caption (shortened to fit Telegram's limit)."""
    if not caption:
        return header
    room = CAPTION_LIMIT - len(header) - 1  # the header's markup only makes this safer
    text = caption if len(caption) <= room else caption[: room - 1] + "…"
    return header + "\n" + html.escape(text)
