"""Media the bot sends: photos, documents, … (uploads, file ids, URLs) and their captions.

A mixin of :class:`~fakegram.server.FakeTelegram`.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from .errors import Errors
from .formatting import render_text, utf16_len
from .images import delivered_size, image_size, photo_problem
from .methods import ENVELOPE_KEYS
from .signatures import Params, api

if TYPE_CHECKING:
    from .actors import FakeChat
    from .models import StoredMessage

MAX_CAPTION_LENGTH = 1024
MAX_ALBUM_SIZE = 10
MAX_COPY_IDS = 100
#: Message fields whose content can carry a caption (editMessageCaption).
CAPTIONED = ("photo", "video", "animation", "audio", "document", "voice")
#: Fields PTB requires of the media of an album item (the fake does not read the files).
ALBUM_DEFAULTS: dict[str, dict[str, Any]] = {
    "photo": {"width": 1280, "height": 960},
    "video": {"width": 640, "height": 360, "duration": 5},
    "audio": {"duration": 30},
}


def _is_service(message: dict[str, Any]) -> bool:
    """Service messages (topics, migrations, …) can't be copied."""
    return any(key.startswith(("forum_topic_", "migrate_", "pinned_")) for key in message)


@dataclass(frozen=True)
class Upload:
    """A file the bot uploaded, as it sent it (tests check pictures byte for byte)."""

    file_id: str
    kind: str  # photo, document, …
    filename: str | None
    data: bytes


class Media:
    """sendPhoto, sendDocument, …, albums (sendMediaGroup, copyMessages), editMessageCaption."""

    files: dict[str, dict[str, Any]]
    uploads: dict[str, Upload]

    if TYPE_CHECKING:

        def _chat_param(self, p: Params, key: str = "chat_id") -> FakeChat: ...

        def _bot_message(
            self, chat: FakeChat, content: dict[str, Any], p: Params
        ) -> StoredMessage: ...

        def _next_file_id(self) -> int: ...

        def _check_markup(self, markup: Any) -> dict[str, Any] | None: ...

        def _editable(self, p: Params) -> StoredMessage | None: ...

        def _apply_edit(self, record: StoredMessage, changes: dict[str, Any]) -> dict[str, Any]: ...

        def _synthetic(self, chat: FakeChat, message_id: int, **content: Any) -> dict[str, Any]: ...

    @api("sendPhoto")
    def _send_photo(self, p: Params) -> dict[str, Any]:
        chat = self._chat_param(p)
        file = self._input_file(p, "photo")
        size = {**ALBUM_DEFAULTS["photo"], **file}
        content = {"photo": [size], **self._caption(p)}
        return self._bot_message(chat, content, p).data

    def _send_file(self, p: Params, kind: str, **defaults: Any) -> dict[str, Any]:
        chat = self._chat_param(p)
        keys = ("duration", "width", "height", "performer", "title", "length", "emoji")
        fields = {k: p[k] for k in keys if p.get(k) is not None}
        content = {kind: {**defaults, **self._input_file(p, kind), **fields}, **self._caption(p)}
        if p.get("has_spoiler"):
            content["has_media_spoiler"] = True
        return self._bot_message(chat, content, p).data

    @api("sendVideo")
    def _send_video(self, p: Params) -> dict[str, Any]:
        return self._send_file(p, "video", **ALBUM_DEFAULTS["video"])

    @api("sendAnimation")
    def _send_animation(self, p: Params) -> dict[str, Any]:
        return self._send_file(p, "animation", width=320, height=240, duration=2)

    @api("sendAudio")
    def _send_audio(self, p: Params) -> dict[str, Any]:
        return self._send_file(p, "audio", **ALBUM_DEFAULTS["audio"])

    @api("sendVoice")
    def _send_voice(self, p: Params) -> dict[str, Any]:
        return self._send_file(p, "voice", duration=3)

    @api("sendDocument")
    def _send_document(self, p: Params) -> dict[str, Any]:
        chat = self._chat_param(p)
        content = {"document": self._input_file(p, "document"), **self._caption(p)}
        return self._bot_message(chat, content, p).data

    # ------------------------------------------------------------------ albums
    @api("sendMediaGroup")
    def _send_media_group(self, p: Params) -> list[dict[str, Any]]:
        """2-10 photos/videos (or only documents, or only audios) as one album."""
        chat = self._chat_param(p)
        media = p.get("media")
        if not isinstance(media, list) or not all(isinstance(m, dict) for m in media):
            raise Errors.bad_request("can't parse media JSON object")
        if not 2 <= len(media) <= MAX_ALBUM_SIZE:
            raise Errors.bad_request("wrong number of messages in the album")  # the fake's words
        kinds = {m.get("type") for m in media}
        if not (kinds <= {"photo", "video"} or kinds in ({"document"}, {"audio"})):
            raise Errors.bad_request("wrong media types in the album")  # the fake's wording
        group_id = self._new_media_group_id()
        contents = []
        for item in media:  # validate every item before sending any
            kind = str(item["type"])
            file = self._input_file({**p, kind: item.get("media")}, kind)
            file = {**ALBUM_DEFAULTS.get(kind, {}), **file}
            content: dict[str, Any] = {kind: [file] if kind == "photo" else file}
            content |= self._caption(item)
            contents.append({"media_group_id": group_id, **content})
        return [self._bot_message(chat, content, p).data for content in contents]

    @api("copyMessages")
    def _copy_messages(self, p: Params) -> list[dict[str, int]]:
        """Copies in order; missing or uncopiable messages are skipped; albums stay albums."""
        chat = self._chat_param(p)
        source = self._chat_param(p, "from_chat_id")
        ids = p.get("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= MAX_COPY_IDS:
            raise Errors.bad_request("message_ids must be a list of 1-100 message identifiers")
        if not all(isinstance(i, int) for i in ids) or any(a >= b for a, b in pairwise(ids)):
            raise Errors.bad_request("message identifiers must be in strictly increasing order")
        groups: dict[str, str] = {}  # source media_group_id -> the copies' one
        contents = []
        for message_id in ids:
            record = source.get(message_id)
            if record is None or record.deleted or _is_service(record.data):
                continue
            content = {k: v for k, v in record.data.items() if k not in ENVELOPE_KEYS}
            if p.get("remove_caption"):
                content.pop("caption", None)
                content.pop("caption_entities", None)
            album = record.get("media_group_id")
            if album is not None:
                content["media_group_id"] = groups.setdefault(album, self._new_media_group_id())
            contents.append(content)
        if not contents:
            raise Errors.bad_request("there are no messages to copy")  # the fake's wording
        return [{"message_id": self._bot_message(chat, c, p).message_id} for c in contents]

    def _new_media_group_id(self) -> str:
        return str(13_000_000_000_000_000 + self._next_file_id())

    # ------------------------------------------------------------------ captions
    @api("editMessageCaption")
    def _edit_message_caption(self, p: Params) -> dict[str, Any] | bool:
        caption = self._caption(p)
        markup = self._check_markup(p.get("reply_markup"))
        if p.get("inline_message_id"):
            return True
        record = self._editable(p)
        if record is None:
            return self._synthetic(self._chat_param(p), p["message_id"], **caption)
        if not any(kind in record.data for kind in CAPTIONED):
            raise Errors.bad_request("there is no caption in the message to edit")
        changes = {
            "caption": caption.get("caption"),
            "caption_entities": caption.get("caption_entities"),
            "reply_markup": markup,
        }
        if p.get("show_caption_above_media") is not None:
            changes["show_caption_above_media"] = p["show_caption_above_media"] or None
        return self._apply_edit(record, changes)

    # ------------------------------------------------------------------ files
    def _input_file(self, p: Params, key: str) -> dict[str, Any]:
        """The file of ``key``: a multipart upload (given a new file_id), a known file_id or a
        URL, as Telegram accepts them; ``attach://name`` points to the upload ``name``."""
        value = p.get(key)
        if isinstance(value, str) and value.startswith("attach://"):
            value = p.get(value.removeprefix("attach://"))
        if isinstance(value, dict):  # an upload, summarised by read_params
            if not value.get("size"):
                raise Errors.bad_request("file must be non-empty")
            data = value.get("data", b"")
            if key == "photo" and (problem := photo_problem(data)):
                raise Errors.bad_request(problem)
            file_id = f"F{len(self.files) + 1:06d}-{key}"
            file = {
                "file_id": file_id,
                "file_unique_id": file_id.lower(),
                "file_size": value["size"],
            }
            if key == "document":
                file |= {"file_name": value["filename"], "mime_type": value["content_type"]}
            if key == "photo":
                width, height = delivered_size(*image_size(data))
                file |= {"width": width, "height": height}
            self.files[file_id] = file
            self.uploads[file_id] = Upload(file_id, key, value["filename"], data)
            return file
        if isinstance(value, str) and value in self.files:
            return self.files[value]
        if isinstance(value, str) and value.startswith("FAKE-"):  # a file a user sent
            return {"file_id": value, "file_unique_id": f"R{value[-12:]}"}
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            return {"file_id": f"U{len(self.files) + 1:06d}", "file_unique_id": value[-16:]}
        if value in (None, ""):
            raise Errors.bad_request(f"there is no {key} in the request")
        raise Errors.bad_request("wrong file identifier/HTTP URL specified")

    def _caption(self, p: Params) -> dict[str, Any]:
        if not p.get("caption"):
            return {}
        caption, entities = render_text(
            p["caption"], p.get("parse_mode"), p.get("caption_entities")
        )
        if utf16_len(caption) > MAX_CAPTION_LENGTH:
            raise Errors.bad_request("message caption is too long")
        return {"caption": caption, **({"caption_entities": entities} if entities else {})}
