"""What users send: media objects with the keys Telegram always fills in."""

from __future__ import annotations

from typing import Any

_MEDIA_DEFAULTS: dict[str, dict[str, Any]] = {
    "document": {"file_name": "file.pdf", "mime_type": "application/pdf", "file_size": 1024},
    "voice": {"duration": 3, "mime_type": "audio/ogg", "file_size": 4096},
    "audio": {"duration": 30, "mime_type": "audio/mpeg", "file_size": 65536},
    "video": {"width": 640, "height": 360, "duration": 5, "file_size": 65536},
    "animation": {"width": 320, "height": 240, "duration": 2, "file_size": 8192},
    "video_note": {"length": 240, "duration": 4, "file_size": 16384},
    "sticker": {
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": "👍",
    },
}


def media_object(kind: str, number: int, fields: dict[str, Any]) -> Any:
    """The Message field for ``kind`` with Telegram's required keys (fields override)."""
    ids = {"file_id": f"FAKE-{kind}-{number}", "file_unique_id": f"U{number}"}
    if kind == "photo":  # a list of sizes, smallest first
        sizes = [(90, 60), (320, 213), (1280, 853)]
        return [
            {
                **ids,
                "file_id": f"{ids['file_id']}-{w}",
                "width": w,
                "height": h,
                "file_size": w * h // 10,
                **fields,
            }
            for w, h in sizes
        ]
    if kind == "location":
        return {"latitude": 52.52, "longitude": 13.405, **fields}
    if kind == "dice":
        return {"emoji": "🎲", "value": 4, **fields}
    return {**ids, **_MEDIA_DEFAULTS.get(kind, {}), **fields}
