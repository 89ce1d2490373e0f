"""Files the bot uploads to the fake: kept for tests to read, photos checked as Telegram checks
them, and nothing over Telegram's 50 MB upload limit."""

from __future__ import annotations

import struct
import zlib
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InputFile
from telegram.error import BadRequest, TelegramError

from bot.sandbox import FakeTelegram, Upload
from tests.factories import SATU, World


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    World.build(tg).start(SATU)
    client = Bot(tg.token, base_url=tg.base_url)
    async with client:
        yield client


def png(width: int, height: int) -> bytes:
    """A valid PNG of one grey pixel per row and column."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


async def test_an_uploaded_photo_and_document_are_kept_as_sent(tg: FakeTelegram, bot: Bot) -> None:
    image = png(40, 30)
    sent = await bot.send_photo(SATU, InputFile(image, filename="chart.png"), caption="chart")
    assert sent.photo and sent.caption == "chart"
    upload = tg.calls_to("sendPhoto")[0].params["photo"]
    assert isinstance(upload, Upload) and upload.content == image
    document = await bot.send_document(SATU, InputFile(b"a,b\n1,2\n", filename="cases.csv"))
    assert document.document is not None and document.document.file_name == "cases.csv"
    assert tg.calls_to("sendDocument")[0].params["document"].content == b"a,b\n1,2\n"


async def test_a_photo_must_be_an_image_of_sane_dimensions(tg: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)image_process_failed"):
        await bot.send_photo(SATU, InputFile(b"not an image", filename="x.png"))
    with pytest.raises(BadRequest, match=r"(?i)photo_invalid_dimensions"):
        await bot.send_photo(SATU, InputFile(png(2100, 100), filename="wide.png"))
    assert tg.messages_in(SATU) == []


async def test_an_upload_over_50_mb_is_refused(tg: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(TelegramError, match="Request Entity Too Large"):
        await bot.send_document(
            SATU, InputFile(b"x" * (50 * 1024 * 1024 + 1), filename="big.csv"), write_timeout=60
        )
    assert tg.messages_in(SATU) == []
