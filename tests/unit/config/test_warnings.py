"""Warnings about a valid configuration: the example's placeholder ids, told but never fatal."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot import __main__ as cli
from bot.config import Config, Moderation, load_config
from bot.config import warnings as config_warnings_module
from bot.config.reloading import Reloader
from bot.config.warnings import EXAMPLE_GROUP_IDS, EXAMPLE_USER_IDS, config_warnings

EXAMPLE = Path(__file__).resolve().parents[3] / "config.example.yaml"

REAL = """\
moderation:
  chat_id: -1002000000001
  moderators: [70001, 70002]
  on_duty: [70001]
admins: [70002]
reporters:
  - {id: 70003, name: Satu, organization: Kominfo}
"""


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def line_in_example(fragment: str) -> int:
    lines = EXAMPLE.read_text("utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if fragment in line)


def test_the_placeholders_are_exactly_the_examples_ids() -> None:
    example = load_config(EXAMPLE)
    moderation = example.moderation
    assert {moderation.chat_id, moderation.escalation_chat_id} == EXAMPLE_GROUP_IDS
    users = {*moderation.moderators, *moderation.on_duty, *example.admins}
    assert users | {reporter.id for reporter in example.reporters} == EXAMPLE_USER_IDS


def test_every_placeholder_of_the_example_is_told_with_its_line() -> None:
    warnings = config_warnings(load_config(EXAMPLE))
    name = str(EXAMPLE)
    assert warnings[0] == (
        "moderation.chat_id: still the example's placeholder -1001234567890; put your moderator"
        " group's id (add the bot to the group and it posts the id, or an admin sends /chatid"
        f" there) ({name} line {line_in_example('chat_id: -1001234567890')})"
    )
    user_hint = "put a real user id (anyone can send /whoami to the bot in a private chat)"
    moderators = line_in_example("moderators: [111111111")
    assert warnings[1:3] == [
        f"moderation.moderators[{index}]: still the example's placeholder {user_id}; {user_hint}"
        f" ({name} line {moderators})"
        for index, user_id in enumerate((111111111, 222222222))
    ]
    paths = [warning.split(":")[0] for warning in warnings]
    assert paths == [
        "moderation.chat_id",
        "moderation.moderators[0]",
        "moderation.moderators[1]",
        "moderation.escalation_chat_id",
        "moderation.on_duty[0]",
        "admins[0]",
        "reporters[0].id",
        "reporters[1].id",
        "reporters[2].id",
    ]
    assert warnings[-1].endswith(f"({name} line {line_in_example('id: 555555555')})")


def test_real_ids_give_no_warning(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(REAL, "utf-8")
    assert config_warnings(load_config("config.yaml")) == []


def test_a_configuration_built_in_code_is_warned_about_too() -> None:
    config = Config(moderation=Moderation(chat_id=-1001234567890, moderators=[5]), admins=[5])
    assert config_warnings(config) == [
        "moderation.chat_id: still the example's placeholder -1001234567890; put your moderator"
        " group's id (add the bot to the group and it posts the id, or an admin sends /chatid"
        " there) (the configuration)"
    ]


def test_no_admins_is_a_warning_naming_what_reaches_no_one() -> None:
    config = Config(moderation=Moderation(chat_id=-1001, moderators=[5]))
    [warning] = config_warnings(config)
    assert warning.startswith("admins: no admins are configured") and "/whoami" in warning


def test_a_new_check_joins_the_others_in_line_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "config.yaml").write_text(
        REAL.replace("admins: [70002]", "admins: [111111111]"), "utf-8"
    )

    def no_escalation(config: Config):
        if config.moderation.escalation_chat_id is None:
            yield ("moderation",), "no escalation chat; cases cannot be escalated"

    monkeypatch.setattr(config_warnings_module, "CHECKS", [*config_warnings_module.CHECKS])
    config_warnings_module.CHECKS.append(no_escalation)
    assert config_warnings(load_config("config.yaml")) == [
        "moderation: no escalation chat; cases cannot be escalated (config.yaml line 1)",
        "admins[0]: still the example's placeholder 111111111; put a real user id (anyone can"
        " send /whoami to the bot in a private chat) (config.yaml line 5)",
    ]


def test_check_config_prints_the_warnings_after_the_summary_and_succeeds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["check-config", "--config", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    summary, warnings = out.split("\nWarnings (the bot still starts):\n")
    assert summary.startswith("Configuration: ")
    assert "Categories by urgency (9):" in summary
    assert warnings.splitlines() == config_warnings(load_config(EXAMPLE))


def test_check_config_without_warnings_prints_only_the_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "config.yaml").write_text(REAL, "utf-8")
    assert cli.main(["check-config"]) == 0
    assert "Warnings" not in capsys.readouterr().out


def test_the_bot_logs_the_warnings_as_it_starts(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    started: list[str] = []

    async def run(path: str, *, init: bool = False) -> int:
        started.append(path)
        return 0

    monkeypatch.setattr("bot.runtime.run", run)
    monkeypatch.setenv("BOT_TOKEN", "123:abc")
    with caplog.at_level(logging.WARNING, logger="bot.config.warnings"):
        assert cli.main(["--config", str(EXAMPLE)]) == 0
    assert started == [str(EXAMPLE)]
    logged = [record.getMessage() for record in caplog.records]
    assert logged == [
        f"configuration: {warning}" for warning in config_warnings(load_config(EXAMPLE))
    ]


class Listener:
    async def config_rejected(self, error: str) -> None:
        raise AssertionError(error)

    async def config_applied(self, changed: list[str], restart: list[str]) -> None:
        pass

    async def moderator_group_moved(self, old_chat: int, new_chat: int) -> None:
        pass


async def test_a_reload_logs_the_warnings_of_the_new_configuration(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(REAL, "utf-8")
    installed = [load_config(path)]
    reloader = Reloader(str(path), lambda: installed[-1], installed.append, Listener())
    path.write_text(REAL.replace("admins: [70002]", "admins: [111111111]"), "utf-8")
    with caplog.at_level(logging.WARNING, logger="bot.config.warnings"):
        assert (await reloader.reload("test")).ok
    assert installed[-1].admins == [111111111]
    assert [record.getMessage() for record in caplog.records] == [
        "configuration: admins[0]: still the example's placeholder 111111111; put a real user id"
        f" (anyone can send /whoami to the bot in a private chat) ({path} line 5)"
    ]
