"""The sandbox's cast and its configuration: who is on the demo desk, and where content comes from.

:class:`DemoCast` registers on a :class:`~bot.sandbox.server.FakeTelegram` the people of the demo
(three reporters, two moderators, an admin), the two moderator-space chats, and the sources that
sample content is forwarded from (public and private channels, a public group, a user). Every
name is invented. :func:`sandbox_config` writes the matching configuration: the desk runs on the
default categories, or on the categories, language and time zone borrowed from an admin's file
(:func:`borrowed_settings`), never on that file's token, Bot API server or storage.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.config import Config, load_config
from bot.sandbox.server import FakeTelegram

JSONDict = dict[str, Any]

# Ids well away from real ones and from the tests' cast.
MODERATOR_GROUP = -1007000000001
ESCALATION_CHAT = -1007000000002


@dataclass(frozen=True)
class Persona:
    """Someone the page can act as: a reporter, a moderator or the admin."""

    user_id: int
    name: str
    role: str  # "reporter", "moderator", "admin"
    username: str
    organization: str = ""
    language: str = "en"

    @property
    def label(self) -> str:
        detail = self.organization or self.role
        return f"{self.name} ({detail})"


PERSONAS: tuple[Persona, ...] = (
    Persona(7101, "Ayu Lestari", "reporter", "ayu_liaison", "Kominfo", "en"),
    Persona(7102, "Budi Santoso", "reporter", "budi_liaison", "BNPT", "id"),
    Persona(7103, "Citra Dewi", "reporter", "citra_liaison", "SAFEnet", "en"),
    Persona(7201, "Maya Putri", "moderator", "maya_mod"),
    Persona(7202, "Nico Hartono", "moderator", "nico_mod"),
    Persona(7301, "Adi Wijaya", "admin", "adi_admin"),
)


@dataclass(frozen=True)
class Source:
    """A chat or user that sample content is forwarded from."""

    key: str
    chat_id: int
    title: str
    kind: str  # "channel", "group", "user"
    username: str | None = None


SOURCES: tuple[Source, ...] = (
    Source("kabar", -1007100000001, "Kabar Bebas", "channel", "kabarbebas"),
    Source("cell", -1007100000002, "Sel Rahasia", "channel"),
    Source("slots", -1007100000003, "Lucky Slots 88", "channel", "luckyslots88"),
    Source("warga", -1007100000004, "Diskusi Warga", "group", "diskusiwarga"),
    Source("provokator", 7401, "Provokator", "user", "provokator_x"),
)


@dataclass(frozen=True)
class SharedChat:
    """A chat of moderator space, as the page lists it."""

    chat_id: int
    title: str
    members: tuple[int, ...]


class DemoCast:
    """The people and chats of the demo, registered on a fake Bot API."""

    def __init__(self, fake: FakeTelegram) -> None:
        self.fake = fake
        self.personas = PERSONAS
        moderators = tuple(p.user_id for p in PERSONAS if p.role == "moderator")
        admins = tuple(p.user_id for p in PERSONAS if p.role == "admin")
        # The admin sits in the group (admins usually do), which shows that membership alone
        # does not make a moderator.
        self.shared_chats = (
            SharedChat(MODERATOR_GROUP, "Moderators", moderators + admins),
            SharedChat(ESCALATION_CHAT, "Senior moderators", moderators),
        )
        self.sources = {source.key: source for source in SOURCES}

    def register(self) -> None:
        """Put everyone and every chat into the fake's world."""
        for persona in self.personas:
            self.fake.add_user(
                persona.user_id,
                persona.name,
                username=persona.username,
                language_code=persona.language,
            )
        for chat in self.shared_chats:
            self.fake.add_group(chat.chat_id, chat.title, members=chat.members)
        for source in SOURCES:
            if source.kind == "channel":
                self.fake.add_channel(source.chat_id, source.title, username=source.username)
            elif source.kind == "group":
                self.fake.add_group(
                    source.chat_id, source.title, username=source.username, bot_is_member=False
                )
            else:
                self.fake.add_user(source.chat_id, source.title, username=source.username)

    def open_private_chats(self) -> None:
        """Everyone opens their chat with the bot, as a new user does with /start."""
        for persona in self.personas:
            self.fake.send_message(persona.user_id, text="/start")

    def persona(self, user_id: int) -> Persona:
        for persona in self.personas:
            if persona.user_id == user_id:
                return persona
        raise KeyError(f"no persona {user_id}")

    @property
    def reporters(self) -> list[Persona]:
        return [p for p in self.personas if p.role == "reporter"]

    def chat_of(self, source_key: str) -> JSONDict:
        """The source as Telegram shows it in a forward's origin."""
        source = self.sources[source_key]
        if source.kind == "user":
            return self.fake.user(source.chat_id)
        return self.fake.chat(source.chat_id)


def sandbox_config_data(base_url: str, db_path: Path, borrowed: JSONDict | None = None) -> JSONDict:
    """The sandbox's configuration as YAML data: the cast, this Bot API, this database."""
    data: JSONDict = {
        "telegram": {"api_base_url": base_url},
        "moderation": {
            "chat_id": MODERATOR_GROUP,
            "moderators": [p.user_id for p in PERSONAS if p.role == "moderator"],
            "escalation_chat_id": ESCALATION_CHAT,
            "on_duty": [p.user_id for p in PERSONAS if p.role == "moderator"][:1],
        },
        "admins": [p.user_id for p in PERSONAS if p.role == "admin"],
        "reporters": [
            {
                "id": p.user_id,
                "name": p.name,
                "organization": p.organization,
                "language": p.language,
            }
            for p in PERSONAS
            if p.role == "reporter"
        ],
        "storage": {"path": str(db_path)},
        "language": "en",
    }
    data.update(borrowed or {})
    return data


def write_sandbox_config(
    folder: Path, base_url: str, db_path: Path, borrowed: JSONDict | None = None
) -> Path:
    """Write the sandbox's configuration file into ``folder``, readable by this user only."""
    path = folder / "sandbox.yaml"
    text = yaml.safe_dump(
        sandbox_config_data(base_url, db_path, borrowed), sort_keys=False, allow_unicode=True
    )
    path.write_text(text, "utf-8")
    os.chmod(path, 0o600)
    return path


# What a sandbox may take from an admin's file: how cases are sorted and worded, never who is on
# the desk, which token or server it uses, or where it keeps its data.
BORROWED_KEYS = ("categories", "language", "timezone")


def borrowed_settings(path: str) -> JSONDict:
    """The categories (with their reasons), language and time zone of a configuration file.

    The file is validated first, so a mistake in it is reported with its own file and line
    (ConfigError). A key this version of the desk does not know is not borrowed.
    """
    load_config(path)
    with open(path, encoding="utf-8-sig") as file:
        raw = yaml.safe_load(file) or {}
    known = Config.model_fields
    return {key: raw[key] for key in BORROWED_KEYS if key in raw and key in known}
