"""The fake checks uploaded photos as Telegram does (sendPhoto, sendMediaGroup) and keeps
their bytes for the tests (``FakeTelegram.uploads``)."""

from __future__ import annotations

import pytest
from telegram import Bot, InputFile, InputMediaPhoto
from telegram.error import BadRequest

from fakegram import FakeTelegram
from tests.helpers.png import tiny_png


async def test_a_photo_upload_is_decoded_sized_and_recorded(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user("Alice")
    png = tiny_png(2560, 1000)
    message = await bot.send_photo(alice.id, InputFile(png, filename="chart.png"), caption="c")
    largest = message.photo[-1]
    assert (largest.width, largest.height) == (1280, 500)  # Telegram keeps 1280 px at most
    upload = tg.uploads[largest.file_id]
    assert (upload.kind, upload.filename, upload.data) == ("photo", "chart.png", png)
    again = await bot.send_photo(alice.id, largest.file_id)  # the file id is reusable
    assert again.photo[-1].file_id == largest.file_id


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"\x89PNG not really", "IMAGE_PROCESS_FAILED"),
        (b"GIF89a" + b"\x00" * 64, "IMAGE_PROCESS_FAILED"),
        (tiny_png(9000, 1200), "PHOTO_INVALID_DIMENSIONS"),  # sides add up to over 10000
        (tiny_png(2100, 100), "PHOTO_INVALID_DIMENSIONS"),  # more than 20:1
        (tiny_png(10, 10) + b"\x00" * (10 * 1024 * 1024), "PHOTO_SAVE_FILE_INVALID"),  # > 10 MB
    ],
)
async def test_a_photo_telegram_would_refuse(tg: FakeTelegram, bot: Bot, data, error) -> None:
    alice = tg.user("Alice")
    with pytest.raises(BadRequest, match=f"(?i){error}"):
        await bot.send_photo(alice.id, InputFile(data, filename="x.png"))
    assert tg.uploads == {} and alice.messages == []


async def test_an_album_is_checked_before_anything_is_sent(tg: FakeTelegram, bot: Bot) -> None:
    alice = tg.user("Alice")
    good = [InputMediaPhoto(tiny_png(800, 400, shade=n)) for n in range(2)]
    sent = await bot.send_media_group(alice.id, good)
    assert [(m.photo[-1].width, m.photo[-1].height) for m in sent] == [(800, 400)] * 2
    with pytest.raises(BadRequest, match=r"(?i)IMAGE_PROCESS_FAILED"):
        await bot.send_media_group(alice.id, [good[0], InputMediaPhoto(b"\x89PNG?")])
    assert len(alice.messages) == 2
