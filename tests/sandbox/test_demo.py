"""The sandbox's configuration: the demo cast on this Bot API and database, and only the wording
(categories, reasons, language, time zone) borrowed from an admin's file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from bot.sandbox.demo import MODERATOR_GROUP, PERSONAS, borrowed_settings, write_sandbox_config

ADMINS_FILE = """\
telegram:
  token: "123456:real-token"
  api_base_url: https://api.telegram.org/bot
moderation: {chat_id: -1001234567890, moderators: [111]}
admins: [111]
reporters: [{id: 333, name: Real Liaison, organization: Real Org}]
storage: {path: /var/lib/desk/desk.sqlite3}
language: id
categories:
  terrorism:
    reasons:
      take_down:
        financing: {en: terrorist financing, id: pendanaan terorisme}
"""


def test_only_categories_reasons_and_language_are_borrowed(tmp_path: Path) -> None:
    source = tmp_path / "config.yaml"
    source.write_text(ADMINS_FILE, "utf-8")
    borrowed = borrowed_settings(str(source))
    assert set(borrowed) == {"categories", "language"}

    path = write_sandbox_config(tmp_path, "http://127.0.0.1:1/bot", tmp_path / "s.db", borrowed)
    config = load_config(path)
    assert config.telegram.token is None
    assert config.telegram.api_base_url == "http://127.0.0.1:1/bot"
    assert config.storage.path == str(tmp_path / "s.db")
    assert config.language == "id"
    assert "financing" in config.categories["terrorism"].reasons.take_down
    assert "propaganda" in config.categories["terrorism"].reasons.take_down  # defaults stay
    assert config.moderation.chat_id == MODERATOR_GROUP
    assert [r.name for r in config.reporters] == [p.name for p in PERSONAS if p.role == "reporter"]
    assert config.admins == [p.user_id for p in PERSONAS if p.role == "admin"]
    assert not set(config.admins) & set(config.moderation.moderators)
    assert path.stat().st_mode & 0o077 == 0


def test_without_a_file_the_sandbox_runs_on_the_default_categories(tmp_path: Path) -> None:
    config = load_config(write_sandbox_config(tmp_path, "http://127.0.0.1:1/bot", tmp_path / "d"))
    assert len(config.categories) == 9
    assert config.language == "en"


def test_a_file_with_a_mistake_is_reported_with_its_name(tmp_path: Path) -> None:
    source = tmp_path / "mine.yaml"
    source.write_text("moderation: {chat_id: 5, moderators: [1]}\n", "utf-8")
    with pytest.raises(ConfigError, match=r"mine\.yaml"):
        borrowed_settings(str(source))
