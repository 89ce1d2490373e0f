"""Sample content a persona can forward to the bot, and the flood of sample reports.

Every sample is invented for the demo and drawn by the project (pictures come from
:mod:`bot.sandbox.pictures`). Forwarding a sample twice forwards the same original (the same
channel post, the same user's message at the same date), so repeated reports join one case the
way they do on Telegram; the flood forwards posts no one has reported yet.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.demo import DemoCast

JSONDict = dict[str, Any]

# Picture themes of bot.sandbox.pictures.
POSTER, COINS, CHART = "poster", "coins", "chart"


@dataclass(frozen=True)
class Sample:
    """One piece of content to forward: where it comes from and what it holds."""

    key: str
    label: str
    source: str  # a DemoCast source key; "" for text the reporter types
    origin: str  # "channel", "user", "hidden_user", "chat", "typed"
    text: str = ""
    post_id: int = 0  # the channel post's message id (the first one of an album)
    photos: tuple[str, ...] = ()  # one picture theme per photo; several make an album
    hidden_name: str = ""
    age_minutes: int = 90  # how long before the sandbox started the original was posted


SAMPLES: tuple[Sample, ...] = (
    Sample(
        "channel-post",
        "Channel post (Kabar Bebas)",
        "kabar",
        "channel",
        "Brothers, the day is near. Whoever joins our armed struggle meets us at the training "
        "camp on Friday. Details: t.me/kabarbebas/104",
        post_id=101,
    ),
    Sample(
        "channel-photo",
        "Photo post (Kabar Bebas)",
        "kabar",
        "channel",
        "Recruitment poster: share it in every group #joinus",
        post_id=102,
        photos=(POSTER,),
    ),
    Sample(
        "channel-album",
        "Album of 3 photos (Lucky Slots 88)",
        "slots",
        "channel",
        "Deposit 10k, win 10 million! Register now: luckyslots88.xyz",
        post_id=201,
        photos=(COINS, COINS, CHART),
    ),
    Sample(
        "private-channel",
        "Post from a private channel (Sel Rahasia)",
        "cell",
        "channel",
        "Instructions for members only. Do not share outside the cell.",
        post_id=7,
    ),
    Sample(
        "user-message",
        "Message from a user (Provokator)",
        "provokator",
        "user",
        "They are all traitors. Drive every one of them out of our village tonight!",
    ),
    Sample(
        "hidden-sender",
        "Message from a hidden sender",
        "",
        "hidden_user",
        "URGENT: the vaccine contains a tracking chip. Forward this to 10 groups!",
        hidden_name="Anon Patriot",
    ),
    Sample(
        "anonymous-admin",
        "Post by a group's anonymous admin (Diskusi Warga)",
        "warga",
        "chat",
        "Official: the election was rigged, the results are fake. Take to the streets.",
    ),
    Sample(
        "link",
        "A t.me link, typed",
        "",
        "typed",
        "https://t.me/kabarbebas/104",
    ),
)


@dataclass
class Forwarder:
    """Forwards samples into the bot's private chat on behalf of a persona."""

    cast: DemoCast
    picture_for: Callable[[str, str], None]  # (file_unique_id, theme)
    started: float = field(default_factory=time.time)
    _albums: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _flood_posts: Iterator[int] = field(default_factory=lambda: itertools.count(5001))

    def sample(self, key: str) -> Sample:
        for sample in SAMPLES:
            if sample.key == key:
                return sample
        raise KeyError(f"no sample {key!r}")

    def forward(self, user_id: int, key: str) -> list[JSONDict]:
        """The persona forwards the sample to the bot; returns the messages it sent."""
        sample = self.sample(key)
        fake = self.cast.fake
        if sample.origin == "typed":
            return [fake.send_message(user_id, text=sample.text)]
        date = int(self.started) - sample.age_minutes * 60
        if not sample.photos:
            origin = self._origin(sample, sample.post_id, date)
            return [fake.send_message(user_id, text=sample.text, forward_origin=origin)]
        album = f"sandbox-album-{next(self._albums)}" if len(sample.photos) > 1 else None
        sent: list[JSONDict] = []
        for index, theme in enumerate(sample.photos):
            message = fake.send_message(
                user_id,
                forward_origin=self._origin(sample, sample.post_id + index, date),
                photo=True,
                caption=sample.text if index == 0 else None,
                media_group_id=album,
            )
            self.picture_for(message["photo"][-1]["file_unique_id"], theme)
            sent.append(message)
        return sent

    def _origin(self, sample: Sample, post_id: int, date: int) -> JSONDict:
        if sample.origin == "channel":
            chat = self.cast.chat_of(sample.source)
            return {"type": "channel", "date": date, "chat": chat, "message_id": post_id}
        if sample.origin == "user":
            return {"type": "user", "date": date, "sender_user": self.cast.chat_of(sample.source)}
        if sample.origin == "chat":
            return {"type": "chat", "date": date, "sender_chat": self.cast.chat_of(sample.source)}
        return {"type": "hidden_user", "date": date, "sender_user_name": sample.hidden_name}

    def flood(self, count: int) -> int:
        """The demo reporters, taking turns, each report a gambling post no one reported yet:
        ``count`` reports at once. Returns how many were sent."""
        reporters = self.cast.reporters
        fake = self.cast.fake
        channel = self.cast.chat_of("slots")
        for index in range(count):
            post_id = next(self._flood_posts)
            reporter = reporters[index % len(reporters)]
            origin = {
                "type": "channel",
                "date": int(time.time()) - 600,
                "chat": channel,
                "message_id": post_id,
            }
            fake.send_message(
                reporter.user_id,
                text=f"Jackpot every hour! Bonus code LUCKY{post_id} at luckyslots88.xyz",
                forward_origin=origin,
            )
            fake.send_message(reporter.user_id, text="/report gambling flood sample")
        return count


def samples_for_page() -> list[JSONDict]:
    """The samples as the page lists them."""
    return [{"key": s.key, "label": s.label} for s in SAMPLES]
