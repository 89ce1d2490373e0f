"""The one cast of the tests (ids, the world on the fake Bot API, its configuration) and the
builders of forwarded content."""

from __future__ import annotations

import copy
import itertools
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.domain.identity import item_identity
from bot.domain.models import IncomingItem, Origin
from bot.sandbox import FakeTelegram

if TYPE_CHECKING:
    from telegram.ext import Application

JSONDict = dict[str, Any]

GROUP = -1001234567890
MOD_ONE = 111111
MOD_TWO = 222222
ADMIN = MOD_ONE
SATU = 333333
DUA = 444444
STRANGER = 555555
BAD_NEWS = -1002000000001
SECRET_CELL = -1002000000002

# The cast's configuration: the moderator group, both moderators (Mod One is also the admin),
# and both liaisons.
CONFIG_TEXT = """\
telegram:
  api_base_url: {base_url}
moderation:
  chat_id: -1001234567890
  moderators: [111111, 222222]
admins: [111111]
reporters:
  - {{id: 333333, name: Liaison Satu, organization: Kominfo, language: id}}
  - {{id: 444444, name: Liaison Dua, organization: BNPT}}
storage:
  path: {db}
language: en
"""


MODERATORS_LINE = "  moderators: [111111, 222222]\n"


def write_config(
    tmp_path: Path,
    base_url: str = "http://127.0.0.1:9/bot",
    extra: str = "",
    *,
    language: str = "en",
    on_duty: str = "",
) -> Path:
    """The cast's configuration with moderator space in `language`, the moderators in `on_duty`
    (a YAML list) on duty, and `extra` lines at the end."""
    text = CONFIG_TEXT.format(base_url=base_url, db=tmp_path / "desk.sqlite3")
    text = text.replace("language: en\n", f"language: {language}\n")
    if on_duty:
        text = text.replace(MODERATORS_LINE, f"{MODERATORS_LINE}  on_duty: {on_duty}\n")
    path = tmp_path / "config.yaml"
    path.write_text(text + extra, "utf-8")
    return path


def many_reporters_config(
    tmp_path: Path, base_url: str, reporter_ids: list[int], organizations: int = 2
) -> str:
    """The cast's group and moderators with these reporters (Liaison 0, 1, ... of Org 0, 1, ...),
    for tests and benchmarks that need more reporters than the cast has."""
    reporters = "\n".join(
        f"  - {{id: {rid}, name: Liaison {i}, organization: Org {i % organizations}, language: en}}"
        for i, rid in enumerate(reporter_ids)
    )
    return (
        f"telegram:\n  api_base_url: {base_url}\n"
        f"moderation:\n  chat_id: {GROUP}\n  moderators: [{MOD_ONE}, {MOD_TWO}]\n"
        f"admins: [{ADMIN}]\nreporters:\n{reporters}\n"
        f"storage:\n  path: {tmp_path / 'desk.sqlite3'}\n"
    )


def incoming_item(
    reporter_id: int, message_id: int, origin: Origin, text: str, kind: str = "text", **media: Any
) -> IncomingItem:
    """A message a reporter sent the bot (a text unless `kind` and the `media` fields say
    otherwise), with the identity intake gives it."""
    return IncomingItem(
        chat_id=reporter_id,
        message_id=message_id,
        reporter_id=reporter_id,
        kind=kind,
        identity=item_identity(origin, text, media.get("file_unique_id")),
        origin=origin,
        text=text,
        **media,
    )


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


# Forwarded originals are older than the forward: dates start a day ago and grow by a minute.
_dates = itertools.count(int(time.time()) - 86_400, 60)


def next_date() -> int:
    """A unix time, strictly larger on every call (starting a day in the past)."""
    return next(_dates)


def _date(date: int | None) -> int:
    return next_date() if date is None else date


def origin_user(user: JSONDict, date: int | None = None) -> JSONDict:
    """Forwarded from a user who allows linking to their account."""
    return {"type": "user", "date": _date(date), "sender_user": copy.deepcopy(user)}


def origin_hidden_user(name: str, date: int | None = None) -> JSONDict:
    """Forwarded from a user who hides their account: only a name, no id."""
    return {"type": "hidden_user", "date": _date(date), "sender_user_name": name}


def origin_chat(
    chat: JSONDict, date: int | None = None, author_signature: str | None = None
) -> JSONDict:
    """Forwarded from an anonymous group admin or a chat speaking as itself."""
    origin: JSONDict = {"type": "chat", "date": _date(date), "sender_chat": copy.deepcopy(chat)}
    if author_signature is not None:
        origin["author_signature"] = author_signature
    return origin


def origin_channel(
    channel: JSONDict,
    message_id: int,
    date: int | None = None,
    author_signature: str | None = None,
) -> JSONDict:
    """Forwarded from a channel post."""
    origin: JSONDict = {
        "type": "channel",
        "date": _date(date),
        "chat": copy.deepcopy(channel),
        "message_id": message_id,
    }
    if author_signature is not None:
        origin["author_signature"] = author_signature
    return origin


def channel_post_link(channel: JSONDict, message_id: int) -> str:
    """The t.me link Telegram gives a channel post (public: by username; private: /c/<id>)."""
    username = channel.get("username")
    if username:
        return f"https://t.me/{username}/{message_id}"
    internal = str(channel["id"]).removeprefix("-100")
    return f"https://t.me/c/{internal}/{message_id}"


@dataclass
class World:
    """The standard cast, registered on a FakeTelegram.

    Moderators are members of the moderator group (where the bot is an administrator); Mod One is
    also the desk's admin. Reporters (liaisons) and the stranger have not started the bot yet.
    """

    fake: FakeTelegram
    mod_group: JSONDict
    mod_one: JSONDict
    mod_two: JSONDict
    satu: JSONDict
    dua: JSONDict
    stranger: JSONDict
    bad_news: JSONDict
    secret_cell: JSONDict

    @property
    def admin(self) -> JSONDict:
        return self.mod_one

    @classmethod
    def build(cls, fake: FakeTelegram) -> World:
        mod_one = fake.add_user(MOD_ONE, "Mod One", username="mod_one")
        mod_two = fake.add_user(MOD_TWO, "Mod Two", username="mod_two")
        satu = fake.add_user(SATU, "Liaison Satu", username="liaison_satu", language_code="id")
        dua = fake.add_user(DUA, "Liaison Dua", username="liaison_dua")
        stranger = fake.add_user(STRANGER, "Stranger")
        mod_group = fake.add_group(GROUP, "Moderators", members=[MOD_ONE, MOD_TWO])
        bad_news = fake.add_channel(BAD_NEWS, "Bad News", username="badnews")
        secret_cell = fake.add_channel(SECRET_CELL, "Secret Cell")
        return cls(
            fake=fake,
            mod_group=mod_group,
            mod_one=mod_one,
            mod_two=mod_two,
            satu=satu,
            dua=dua,
            stranger=stranger,
            bad_news=bad_news,
            secret_cell=secret_cell,
        )

    def start(self, user_id: int, text: str = "/start") -> JSONDict:
        """The user opens the bot's private chat (sends /start)."""
        return self.fake.send_message(user_id, text=text)

    def forward_channel_post(
        self,
        user_id: int,
        channel: JSONDict,
        message_id: int,
        text: str | None = "Forwarded post",
        **kwargs: Any,
    ) -> JSONDict:
        """The user forwards a channel post to the bot's private chat."""
        return self.fake.send_message(
            user_id,
            text=text,
            forward_origin=origin_channel(channel, message_id),
            **kwargs,
        )

    def forward_channel_posts(
        self, user_id: int, channel: JSONDict, first_message_id: int, count: int
    ) -> None:
        """The user forwards `count` consecutive posts of the channel ("post 0", "post 1", ...)."""
        for i in range(count):
            self.forward_channel_post(user_id, channel, first_message_id + i, text=f"post {i}")

    def forward_album(
        self,
        user_id: int,
        channel: JSONDict,
        first_message_id: int,
        count: int,
        *,
        caption: str | None = "Album",
        kind: str = "photo",
    ) -> list[JSONDict]:
        """The user forwards an album (``count`` items sharing a media_group_id)."""
        group_id = f"album-{next_date()}"
        messages: list[JSONDict] = []
        if kind not in {"photo", "video", "document"}:
            raise ValueError(f"albums hold photos, videos or documents, not {kind!r}")
        for i in range(count):
            messages.append(
                self.fake.send_message(
                    user_id,
                    forward_origin=origin_channel(channel, first_message_id + i),
                    caption=caption if i == 0 else None,
                    media_group_id=group_id,
                    photo=kind == "photo",
                    video=kind == "video",
                    document=kind == "document",
                )
            )
        return messages


@asynccontextmanager
async def polling(application: Application) -> AsyncIterator[None]:
    """A python-telegram-bot application started and polling the fake Bot API as fast as it
    answers, for the block; stopped after it."""
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            yield
        finally:
            await application.updater.stop()
            await application.stop()


def setup_world(fake: FakeTelegram) -> World:
    return World.build(fake)
