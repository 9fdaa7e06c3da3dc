"""Media the bot sends: photos, documents, … (uploads, file ids, URLs) and their captions.

A mixin of :class:`~fakegram.server.FakeTelegram`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import Errors
from .formatting import render_text, utf16_len
from .signatures import Params, api

if TYPE_CHECKING:
    from .actors import FakeChat
    from .models import StoredMessage

MAX_CAPTION_LENGTH = 1024


class Media:
    """sendPhoto, sendDocument, … (mixed into ``FakeTelegram``)."""

    files: dict[str, dict[str, Any]]

    if TYPE_CHECKING:

        def _chat_param(self, p: Params, key: str = "chat_id") -> FakeChat: ...

        def _bot_message(
            self, chat: FakeChat, content: dict[str, Any], p: Params
        ) -> StoredMessage: ...

    @api("sendPhoto")
    def _send_photo(self, p: Params) -> dict[str, Any]:
        chat = self._chat_param(p)
        file = self._input_file(p, "photo")
        size = {"width": 1280, "height": 960, **file}
        content = {"photo": [size], **self._caption(p)}
        return self._bot_message(chat, content, p).data

    @api("sendDocument")
    def _send_document(self, p: Params) -> dict[str, Any]:
        chat = self._chat_param(p)
        content = {"document": self._input_file(p, "document"), **self._caption(p)}
        return self._bot_message(chat, content, p).data

    def _input_file(self, p: Params, key: str) -> dict[str, Any]:
        """The file of ``key``: a multipart upload (given a new file_id), a known file_id or a
        URL, as Telegram accepts them; ``attach://name`` points to the upload ``name``."""
        value = p.get(key)
        if isinstance(value, str) and value.startswith("attach://"):
            value = p.get(value.removeprefix("attach://"))
        if isinstance(value, dict):  # an upload, summarised by read_params
            if not value.get("size"):
                raise Errors.bad_request("file must be non-empty")
            file_id = f"F{len(self.files) + 1:06d}-{key}"
            file = {
                "file_id": file_id,
                "file_unique_id": file_id.lower(),
                "file_size": value["size"],
            }
            if key == "document":
                file |= {"file_name": value["filename"], "mime_type": value["content_type"]}
            self.files[file_id] = file
            return file
        if isinstance(value, str) and value in self.files:
            return self.files[value]
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
