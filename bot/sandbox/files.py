"""Files the bot and users send: ids in Telegram's format, sizes, and what a file id resolves to.

Each media kind gets file ids with that kind's real prefix, plausible sizes and dimensions; a file
id the bot sends resolves only to a stored file of the same kind, as on Telegram. Uploads become
new files; URLs are refused (the fake fetches nothing).
"""

from __future__ import annotations

import copy
import itertools
import re
import struct
from dataclasses import dataclass
from typing import Any

from bot.sandbox.errors import bad_request
from bot.sandbox.params import JSONDict, Upload

_FILE_ID_PREFIX = {
    "photo": "AgACAgIAAxkBAAI",
    "video": "BAACAgIAAxkBAAI",
    "document": "BQACAgIAAxkBAAI",
    "animation": "CgACAgIAAxkBAAI",
    "voice": "AwACAgIAAxkBAAI",
    "audio": "CQACAgIAAxkBAAI",
    "sticker": "CAACAgIAAxkBAAI",
    "video_note": "DQACAgIAAxkBAAI",
}


@dataclass
class FileRecord:
    """A stored file; ``obj`` is its Message field (for a photo, the list of sizes)."""

    kind: str
    obj: Any
    file_id: str
    file_unique_id: str
    file_size: int


class FileStore:
    """Every file the fake has handed out, by file id."""

    def __init__(self) -> None:
        self._files: dict[str, FileRecord] = {}
        self._file_seq = itertools.count(1)

    def get(self, file_id: str) -> FileRecord | None:
        return self._files.get(file_id)

    def new_file(self, kind: str, file_name: str | None = None) -> Any:
        """Store a new file of ``kind``; return its Message field (a photo has three sizes)."""
        n = next(self._file_seq)
        prefix = _FILE_ID_PREFIX[kind]

        def ids(tag: str) -> tuple[str, str]:
            return f"{prefix}{n:07d}{tag}Zk", f"AQAD{n:07d}{tag}"

        if kind == "photo":
            sizes: list[JSONDict] = []
            for tag, (w, h, size) in zip(
                "abc", ((90, 67, 1_620), (320, 240, 17_210), (1280, 960, 131_842)), strict=True
            ):
                fid, uid = ids(tag)
                sizes.append(
                    {
                        "file_id": fid,
                        "file_unique_id": uid,
                        "file_size": size,
                        "width": w,
                        "height": h,
                    }
                )
            for photo_size in sizes:
                self._files[photo_size["file_id"]] = FileRecord(
                    "photo",
                    sizes,
                    photo_size["file_id"],
                    photo_size["file_unique_id"],
                    photo_size["file_size"],
                )
            return copy.deepcopy(sizes)
        fid, uid = ids("")
        obj: JSONDict = {"file_id": fid, "file_unique_id": uid}
        if kind == "video":
            obj.update(width=1280, height=720, duration=12, mime_type="video/mp4")
            obj.update(file_name=file_name or f"video_{n}.mp4", file_size=2_345_678)
        elif kind == "document":
            obj.update(file_name=file_name or f"document_{n}.pdf", mime_type="application/pdf")
            obj.update(file_size=48_213)
        elif kind == "animation":
            obj.update(width=480, height=270, duration=3, mime_type="video/mp4")
            obj.update(file_name=file_name or f"animation_{n}.mp4", file_size=312_004)
        elif kind == "voice":
            obj.update(duration=4, mime_type="audio/ogg", file_size=9_871)
        elif kind == "audio":
            obj.update(duration=183, performer="Unknown", title=f"Track {n}")
            obj.update(file_name=file_name or f"audio_{n}.mp3", mime_type="audio/mpeg")
            obj.update(file_size=4_402_113)
        elif kind == "sticker":
            obj.update(type="regular", width=512, height=512, is_animated=False, is_video=False)
            obj.update(emoji="🙂", set_name="FakePack", file_size=21_456)
        elif kind == "video_note":
            obj.update(length=240, duration=6, file_size=301_220)
        self._files[fid] = FileRecord(kind, obj, fid, uid, int(obj.get("file_size", 0)))
        return copy.deepcopy(obj)

    def resolve_media(self, kind: str, value: Any, p: JSONDict, *, name: str | None = None) -> Any:
        """The file a media parameter names: an ``attach://`` part, an upload, or a file id of
        the same kind; returns its Message field."""
        if isinstance(value, str) and value.startswith("attach://"):
            value = p.get(value[len("attach://") :])
            if value is None:
                raise bad_request("wrong file identifier/HTTP URL specified")
        if isinstance(value, Upload):
            if kind == "photo":
                check_photo(value.content)
            return self.new_file(kind, file_name=value.filename or name)
        if not isinstance(value, str) or not value:
            raise bad_request(f"there is no {kind} in the request")
        if re.match(r"(?i)https?://", value):
            raise bad_request("failed to get HTTP URL content")
        record = self._files.get(value)
        if record is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if record.kind != kind:
            raise bad_request("type of file mismatch")
        return copy.deepcopy(record.obj)


_PNG = b"\x89PNG\r\n\x1a\n"
_OTHER_IMAGES = (b"\xff\xd8\xff", b"GIF87a", b"GIF89a")


def check_photo(content: bytes) -> None:
    """Telegram decodes an uploaded photo: it must be an image, its width and height at most
    10000 together and at most 20 times one another (dimensions are read from PNGs only)."""
    if content.startswith(_PNG) and content[12:16] == b"IHDR":
        width, height = struct.unpack(">II", content[16:24])
        if not width or not height:
            raise bad_request("IMAGE_PROCESS_FAILED")
        if width + height > 10_000 or max(width, height) > 20 * min(width, height):
            raise bad_request("PHOTO_INVALID_DIMENSIONS")
        return
    if not content.startswith(_OTHER_IMAGES):
        raise bad_request("IMAGE_PROCESS_FAILED")


def media_content(kind: str, obj: Any) -> JSONDict:
    """The Message fields for a file; an animation also shows as a document, as on Telegram."""
    content: JSONDict = {kind: obj}
    if kind == "animation":
        content["document"] = {
            k: obj[k]
            for k in ("file_name", "mime_type", "file_id", "file_unique_id", "file_size")
            if k in obj
        }
    return content
