"""Loading, merging and validating the YAML configuration, and the helpers built on it."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from bot.config import (
    DEFAULT_CATEGORY_KEYS,
    RESTART_KEYS,
    Config,
    ConfigError,
    Moderation,
    changed_keys,
    load_config,
    loading,
    parse_config,
    resolve_token,
    summary,
)
from bot.config.loading import MAX_BYTES

EXAMPLE = Path(__file__).resolve().parents[3] / "config.example.yaml"

MINIMAL = """\
moderation:
  chat_id: -1001234567890
  moderators: [111, 222]
"""

NEW_CATEGORY = """\
categories:
  extortion:
    labels: {en: Extortion, id: Pemerasan}
    priority: 2
    targets: {first_action_min: 30, decision_min: 120}
    reasons:
      take_down:
        threat: {en: threat, id: ancaman}
      dismiss:
        not_illegal: {en: not illegal, id: tidak melanggar hukum}
"""


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files are loaded by a relative name, so messages say "config.yaml" as an operator sees."""
    monkeypatch.chdir(tmp_path)


def write(tmp_path: Path, text: str, name: str = "config.yaml") -> str:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return name


def load(tmp_path: Path, text: str) -> Config:
    return load_config(write(tmp_path, text))


def errors(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text)
    assert str(caught.value) == "\n".join(caught.value.messages)
    return caught.value.messages


def only_error(tmp_path: Path, text: str) -> str:
    messages = errors(tmp_path, text)
    assert len(messages) == 1, messages
    return messages[0]


# --- loading ----------------------------------------------------------------------------------


def test_example_file_loads_and_applies_its_override() -> None:
    config = load_config(EXAMPLE)
    assert config.source_path == str(EXAMPLE)
    assert config.moderation.chat_id < 0
    assert config.moderation.escalation_chat_id is not None
    assert config.telegram.token is None  # the token comes from the environment
    assert len(config.reporters) == 3
    assert list(config.categories) == list(DEFAULT_CATEGORY_KEYS)
    terrorism = config.categories["terrorism"]
    assert terrorism.targets.first_action_min == 10
    assert terrorism.targets.decision_min == 60
    assert {"propaganda", "financing"} <= set(terrorism.reasons.take_down)


def test_example_file_mentions_every_key_and_default_category() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    for key in (
        "token:",
        "api_base_url:",
        "chat_id:",
        "moderators:",
        "escalation_chat_id:",
        "on_duty:",
        "admins:",
        "reporters:",
        "path:",
        "language:",
        "timezone:",
        "draft_ttl_hours:",
        "categories:",
        "BOT_TOKEN",
    ):
        assert key in text, key
    for category in DEFAULT_CATEGORY_KEYS:
        assert re.search(rf"^#\s+{category}\s", text, re.MULTILINE), category


def test_minimal_file_gets_every_default(tmp_path: Path) -> None:
    config = load(tmp_path, MINIMAL)
    assert config.telegram.api_base_url == "https://api.telegram.org/bot"
    assert config.storage.path == "data/desk.sqlite3"
    assert config.intake.draft_ttl_hours == 24
    assert config.language == "en"
    assert config.admins == [] and config.reporters == []
    assert list(config.categories) == [
        "terrorism",
        "child_abuse",
        "radicalism",
        "hate_speech",
        "disinformation",
        "pornography",
        "gambling",
        "fraud",
        "other",
    ]
    table = {
        key: (c.labels["en"], c.labels["id"], c.priority, c.targets.first_action_min)
        for key, c in config.categories.items()
    }
    assert table["child_abuse"] == ("Child sexual abuse", "Kekerasan seksual terhadap anak", 1, 15)
    assert table["hate_speech"] == ("Hate speech (SARA)", "Ujaran kebencian (SARA)", 2, 60)
    assert table["other"] == ("Other", "Lainnya", 4, 480)
    assert config.categories["hate_speech"].targets.decision_min == 480
    assert config.categories["other"].targets.decision_min == 2880
    for category in config.categories.values():
        assert category.reasons.take_down and category.reasons.dismiss
        assert "not_illegal" in category.reasons.dismiss
        for labels in [*category.reasons.take_down.values(), *category.reasons.dismiss.values()]:
            assert set(labels) == {"en", "id"}


def test_empty_sections_mean_defaults(tmp_path: Path) -> None:
    config = load(tmp_path, MINIMAL + "telegram:\nstorage:\nadmins:\ncategories:\n")
    assert config.storage.path == "data/desk.sqlite3"
    assert config.admins == []
    assert len(config.categories) == 9


def test_categories_merge_field_by_field(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        MINIMAL
        + """\
categories:
  terrorism:
    targets: {first_action_min: 10}
    labels: {en: Terror}
    reasons:
      take_down:
        propaganda: {en: propaganda of terror}
        financing: {en: terrorist financing, id: pendanaan terorisme}
  fraud:
    aliases: [tipu]
""",
    )
    terrorism = config.categories["terrorism"]
    assert terrorism.targets.first_action_min == 10
    assert terrorism.targets.decision_min == 60
    assert terrorism.priority == 1
    assert terrorism.labels == {"en": "Terror", "id": "Terorisme"}
    assert "teror" in terrorism.aliases
    take_down = terrorism.reasons.take_down
    assert take_down["propaganda"] == {"en": "propaganda of terror", "id": "propaganda terorisme"}
    assert take_down["financing"]["id"] == "pendanaan terorisme"
    assert "incitement" in take_down
    assert terrorism.reasons.dismiss == config.categories["other"].reasons.dismiss
    assert config.categories["fraud"].aliases == ["tipu"]
    assert config.categories["fraud"].labels["id"] == "Penipuan"
    assert list(config.categories)[:2] == ["terrorism", "child_abuse"]


def test_new_category_is_added_when_complete(tmp_path: Path) -> None:
    config = load(tmp_path, MINIMAL + NEW_CATEGORY)
    assert list(config.categories)[-1] == "extortion"
    assert config.categories["extortion"].aliases == []
    urgency = [key for key, _ in config.categories_by_urgency()]
    assert urgency[:5] == ["terrorism", "child_abuse", "radicalism", "hate_speech", "extortion"]
    assert urgency[-1] == "other"


def test_enabled_false_switches_a_default_category_off(tmp_path: Path) -> None:
    text = MINIMAL + (
        "categories:\n  gambling:\n    enabled: false\n"
        "  fraud:\n    enabled: true\n    aliases: [tipu, judi]\n"
        "  pornography: {enabled: }\n"
    )
    config = load(tmp_path, text)
    assert "gambling" not in config.categories
    assert "pornography" in config.categories
    assert len(config.categories) == 8
    # gambling's own words no longer name anything, so fraud may take one of them.
    assert config.category_for_word("judol") is None
    assert config.category_for_word("judi") == "fraud"
    assert "Default categories switched off: gambling" in summary(config)


def test_a_new_category_switched_off_is_left_out_unchecked(tmp_path: Path) -> None:
    config = load(tmp_path, MINIMAL + "categories:\n  extortion: {enabled: false, priority: 2}\n")
    assert "extortion" not in config.categories
    assert "switched off" not in summary(config)


def test_a_reason_set_to_null_is_removed(tmp_path: Path) -> None:
    text = MINIMAL + (
        "categories:\n  terrorism:\n    reasons:\n"
        "      take_down: {propaganda: null, financing: {en: financing, id: pendanaan}}\n"
        "      dismiss:\n        duplicate:\n"
    )
    config = load(tmp_path, text)
    reasons = config.categories["terrorism"].reasons
    assert list(reasons.take_down) == ["incitement", "recruitment", "financing"]
    assert "duplicate" not in reasons.dismiss
    assert "duplicate" in config.categories["fraud"].reasons.dismiss
    assert "propaganda" not in config.categories["terrorism"].reasons.take_down


@pytest.mark.parametrize("kind", ["take_down", "dismiss"])
def test_an_empty_reason_map_of_a_default_is_refused(tmp_path: Path, kind: str) -> None:
    """Merged over the defaults it would change nothing, which its writer cannot have meant."""
    text = MINIMAL + f"categories:\n  fraud:\n    reasons:\n      {kind}: {{}}\n"
    assert only_error(tmp_path, text) == (
        f"categories.fraud.reasons.{kind}: an empty map is not allowed: leave the key out to keep"
        " the default reasons, or set a code to null to remove that reason (at least one must"
        " stay) (config.yaml line 7)"
    )


def test_merge_problems_come_with_every_other_problem(tmp_path: Path) -> None:
    text = MINIMAL + (
        "categories:\n  fraud:\n    priority: 0\n    reasons:\n      dismiss: {}\n"
        "  gamblng: {enabled: false}\nlanguage: fr\n"
    )
    assert [message.split(":")[0] for message in errors(tmp_path, text)] == [
        "categories.fraud.priority",
        "categories.fraud.reasons.dismiss",
        "categories.gamblng.enabled",
        "language",
    ]


def test_new_category_must_be_complete(tmp_path: Path) -> None:
    messages = errors(tmp_path, MINIMAL + "categories:\n  terorism:\n    priority: 2\n")
    assert len(messages) == 3
    for field in ("labels", "targets", "reasons"):
        assert any(
            m.startswith(f"categories.terorism.{field}: required key missing") for m in messages
        ), messages
    assert all("config.yaml line 5)" in m for m in messages)
    assert all('did you mean "terrorism"?' in m for m in messages)


# --- error messages ---------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config("config.yaml")
    assert caught.value.messages == ["config.yaml: file not found"]
    with pytest.raises(ConfigError, match=r"deploy/desk\.yaml: file not found"):
        load_config(Path("deploy") / "desk.yaml")


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    message = only_error(tmp_path, MINIMAL + "admins: [1, 2\nlanguage: en\n")
    assert message.startswith("config.yaml line ")
    assert "could not parse YAML" in message
    line = int(message.split("line ")[1].split(":")[0])
    assert line in (4, 5, 6)


def test_yaml_syntax_error_line_is_exact(tmp_path: Path) -> None:
    text = "moderation:\n  chat_id: -100\n  moderators: [1]\nlanguage: en: id\n"
    message = only_error(tmp_path, text)
    assert message.startswith("config.yaml line 4: could not parse YAML: ")


@pytest.fixture(params=["libyaml", "python"])
def yaml_parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both parsers: libyaml where PyYAML has it, the pure-Python one where it does not."""
    if request.param == "python":
        monkeypatch.setattr(loading, "_Loader", yaml.SafeLoader)
    elif not hasattr(yaml, "CSafeLoader"):
        pytest.skip("PyYAML without libyaml")
    return str(request.param)


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("moderation:\n\tchat_id: -100\n  moderators: [1]\n", 2, 1),
        ("moderation:\n  chat_id: -100\n\tmoderators: [1]\n", 3, 1),
        ("moderation:\n  chat_id: -100\n  \tmoderators: [1]\n", 3, 3),
        ("moderation:\n  chat_id: -100\n  moderators:\n\t- 1\n", 4, 1),
        ("reporters:\n  - id: 1\n\t  name: x\n", 3, 1),
    ],
)
def test_a_tab_is_named_with_its_line(
    tmp_path: Path, yaml_parser: str, text: str, line: int, column: int
) -> None:
    assert only_error(tmp_path, text) == (
        f"config.yaml line {line}: could not parse YAML: a tab at column {column}; indent with"
        " spaces, not tabs"
    )


def test_both_parsers_find_the_same_problems(tmp_path: Path, yaml_parser: str) -> None:
    text = MINIMAL + "language: en\nlanguage: id\noff: 1\n"
    assert errors(tmp_path, text) == [
        "language: this key appears twice (lines 4 and 5); keep one (config.yaml line 5)",
        'off: YAML reads off as false, not as text; put it in quotes ("off") (config.yaml line 6)',
        "off: unknown key (allowed here: telegram, moderation, admins, reporters, storage,"
        " language, timezone, intake, retention, backup, monitoring, categories)"
        " (config.yaml line 6)",
    ]
    assert only_error(tmp_path, MINIMAL + "language: en: id\n").startswith(
        "config.yaml line 4: could not parse YAML: mapping values are not allowed"
    )


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    assert "expected a mapping" in only_error(tmp_path, "- a\n- b\n")
    assert "empty" in only_error(tmp_path, "# nothing here\n")


@pytest.mark.parametrize(
    "text",
    [
        "moderation: {chat_id: -100, moderators: [1]}\nbad: \x00\n",
        "---\na: 1\n---\nb: 2\n",
        "? [1, 2]\n: 3\n",
        "a: &a [*a]\n",
        "moderation: !!binary aGVsbG8=\n",
        "moderation:\n\tchat_id: 1\n",
        "categories: 5\nreporters: {a: 1}\nmoderation: [1]\n",
        "categories:\n  terrorism: [1]\n  Bad Key: {}\n",
        "just a string\n",
    ],
)
def test_malformed_files_raise_config_error_only(tmp_path: Path, text: str) -> None:
    assert all(message.strip() for message in errors(tmp_path, text))


def test_binary_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ConfigError, match=r"config\.yaml: not UTF-8"):
        load_config("config.yaml")


def test_non_utf8_bytes_are_reported_by_line_and_column(tmp_path: Path) -> None:
    text = MINIMAL + "reporters:\n  - {id: 5, name: José, organization: Kominfo}\n"
    text += "  - {id: 6, name: Ana, organization: Café}\n"
    (tmp_path / "config.yaml").write_bytes(text.encode("latin-1"))
    with pytest.raises(ConfigError) as caught:
        load_config("config.yaml")
    assert caught.value.messages == [
        "config.yaml line 5: not UTF-8 text (byte 0xe9 at column 22); save the file as UTF-8",
        "config.yaml line 6: not UTF-8 text (byte 0xe9 at column 41); save the file as UTF-8",
    ]


def test_a_file_in_another_encoding_lists_ten_lines_then_counts(tmp_path: Path) -> None:
    text = MINIMAL + "".join(f"# café {number}\n" for number in range(12))
    (tmp_path / "config.yaml").write_bytes(text.encode("latin-1"))
    with pytest.raises(ConfigError) as caught:
        load_config("config.yaml")
    messages = caught.value.messages
    assert len(messages) == 11
    assert messages[0].startswith("config.yaml line 4: not UTF-8 text (byte 0xe9 at column 6)")
    assert messages[9].startswith("config.yaml line 13: ")
    assert messages[10] == "config.yaml: 2 more lines not UTF-8 text"


def test_a_utf16_file_is_named_as_such(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_bytes(MINIMAL.encode("utf-16"))
    with pytest.raises(ConfigError) as caught:
        load_config("config.yaml")
    assert caught.value.messages == [
        "config.yaml: not UTF-8 text but UTF-16; save the file as UTF-8"
    ]


def test_a_utf8_byte_order_mark_is_fine(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_bytes(MINIMAL.encode("utf-8-sig"))
    assert load_config("config.yaml").moderation.moderators == [111, 222]


def test_control_characters_are_reported_by_line_and_column(tmp_path: Path) -> None:
    text = MINIMAL + "language: e\x01n\nadmins: [1]\x7f\n"
    assert errors(tmp_path, text) == [
        "config.yaml line 4: could not parse YAML: the character #x0001 at column 12 is not"
        " allowed; remove it",
        "config.yaml line 5: could not parse YAML: the character #x007f at column 12 is not"
        " allowed; remove it",
    ]


def test_many_lines_with_control_characters_are_listed_up_to_ten(tmp_path: Path) -> None:
    messages = errors(tmp_path, MINIMAL + "#\x02\n" * 12)
    assert len(messages) == 11
    assert messages[9].startswith("config.yaml line 13: could not parse YAML: the character")
    assert messages[10] == "config.yaml: more lines have characters YAML does not allow"


def test_a_file_over_1_mb_is_refused_before_it_is_read(tmp_path: Path) -> None:
    with open(tmp_path / "config.yaml", "wb") as file:  # sparse: nothing of it is ever written
        file.truncate(50 * 1024 * 1024)
    with pytest.raises(ConfigError) as caught:
        load_config("config.yaml")
    assert caught.value.messages == [
        "config.yaml: the file is 50.0 MB; a configuration file may be at most 1 MB"
        " (is this the right file?)"
    ]


def large_config(size: int) -> str:
    """A valid configuration of exactly `size` bytes: many reporters, then a comment."""
    lines = [MINIMAL, "reporters:\n"]
    total = len(MINIMAL) + len("reporters:\n")
    user_id = 1000
    while total < size - 200:
        line = (
            f"  - {{id: {user_id}, name: Reporter {user_id}, organization: Org {user_id % 40}}}\n"
        )
        lines.append(line)
        total += len(line)
        user_id += 1
    lines.append("#" + "x" * (size - total - 2) + "\n")
    text = "".join(lines)
    assert len(text.encode("utf-8")) == size
    return text


def test_a_large_file_up_to_the_limit_loads_and_one_byte_more_is_refused(tmp_path: Path) -> None:
    text = large_config(MAX_BYTES)
    started = time.monotonic()
    config = load(tmp_path, text)
    # About 1.3 s on a shared 2-core machine with libyaml, 3.5 s with the pure-Python parser.
    assert time.monotonic() - started < 30
    assert len(config.reporters) > 10_000
    messages = errors(tmp_path, text + "\n")
    assert messages == [
        "config.yaml: the file is 1.0 MB; a configuration file may be at most 1 MB"
        " (is this the right file?)"
    ]
    with pytest.raises(ConfigError, match=r"at most 1 MB"):
        parse_config(text + "\n")


@pytest.mark.parametrize(
    ("text", "messages"),
    [
        pytest.param(
            MINIMAL + 'categories:\n  gamblng:\n    enabled: false\n  fraud: {enabled: "no"}\n',
            [
                'categories.gamblng.enabled: "gamblng" is not a default category, so this switches'
                ' nothing off; did you mean "gambling"? (config.yaml line 6)',
                'categories.fraud.enabled: expected true or false, got "no" (config.yaml line 7)',
            ],
            id="switching off a misspelt default is an error",
        ),
        pytest.param(
            MINIMAL
            + "categories:\n  terrorism:\n    reasons:\n"
            + "      take_down: {propoganda: null}\n      dismiss: {spam: null}\n",
            [
                "categories.terrorism.reasons.take_down.propoganda: null removes a default reason,"
                ' but terrorism has no take_down reason "propoganda"; did you mean "propaganda"?'
                " (config.yaml line 7)",
                "categories.terrorism.reasons.dismiss.spam: null removes a default reason, but"
                ' terrorism has no dismiss reason "spam"; it has not_illegal, insufficient,'
                " already_removed, not_found, duplicate (config.yaml line 8)",
            ],
            id="removing a reason that is not there",
        ),
        pytest.param(
            "moderation:\n"
            '  chat_id: "-100"\n'
            "  moderators: 111\n"
            "language: fr\n"
            "intake:\n"
            "  draft_ttl_hours: soon\n"
            "reporters:\n"
            "  - {id: 5, name: 2024, organization: X}\n",
            [
                'moderation.chat_id: expected an integer, got "-100" (remove the quotes)'
                " (config.yaml line 2)",
                "moderation.moderators: expected a list, got 111 (config.yaml line 3)",
                'language: expected one of en/id, got "fr" (config.yaml line 4)',
                'intake.draft_ttl_hours: expected a number, got "soon" (config.yaml line 6)',
                "reporters[0].name: expected a string, got 2024 (put it in quotes)"
                " (config.yaml line 8)",
            ],
            id="wrong types are all reported sorted by line",
        ),
        pytest.param(
            "moderation:\n"
            '  chat_id: "-1001234567890"\n'
            '  moderators: [\'111111\', 222222, " 333 ", "abc"]\n'
            '  escalation_chat_id: "-100987"\n'
            'intake: {draft_ttl_hours: "12.5"}\n',
            [
                'moderation.chat_id: expected an integer, got "-1001234567890" (remove the quotes)'
                " (config.yaml line 2)",
                'moderation.moderators[0]: expected an integer, got "111111" (remove the quotes)'
                " (config.yaml line 3)",
                'moderation.moderators[2]: expected an integer, got " 333 " (remove the quotes)'
                " (config.yaml line 3)",
                'moderation.moderators[3]: expected an integer, got "abc" (config.yaml line 3)',
                'moderation.escalation_chat_id: expected an integer, got "-100987" (remove the'
                " quotes) (config.yaml line 4)",
                'intake.draft_ttl_hours: expected a number, got "12.5" (remove the quotes)'
                " (config.yaml line 5)",
            ],
            id="quoted numbers are told to lose their quotes",
        ),
        pytest.param(
            MINIMAL + "  on_dutty: [111]\nstorag:\n  path: x\nwhatever: 1\n",
            [
                'moderation.on_dutty: unknown key, did you mean "on_duty"? (config.yaml line 4)',
                'storag: unknown key, did you mean "storage"? (config.yaml line 5)',
                "whatever: unknown key (allowed here: telegram, moderation, admins, reporters,"
                " storage, language, timezone, intake, retention, backup, monitoring, categories)"
                " (config.yaml line 7)",
            ],
            id="unknown key suggests the closest",
        ),
        # The key is named as written, on its own line, not as the boolean YAML made of it.
        pytest.param(
            MINIMAL + "categories:\n  fraud:\n    labels:\n      no: Penipuan\n",
            [
                "categories.fraud.labels.no: YAML reads no as false, not as text; put it in quotes"
                ' ("no") (config.yaml line 7)',
                "categories.fraud.labels.no: invalid key, expected one of en/id"
                " (config.yaml line 7)",
            ],
            id="a boolean key is no longer shown as a number",
        ),
        pytest.param(
            "moderation:\n  chat_id: -100\n  moderators: []\n  escalation_chat_id: -100\n",
            [
                "moderation.moderators: expected at least one moderator's user id"
                " (config.yaml line 3)",
                "moderation.escalation_chat_id: -100 is the moderator group itself (chat_id); use"
                " another chat (config.yaml line 4)",
            ],
            id="escalation chat must differ from the group even when moderators are wrong",
        ),
    ],
)
def test_every_problem_is_told_in_the_files_order(
    tmp_path: Path, text: str, messages: list[str]
) -> None:
    assert errors(tmp_path, text) == messages


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "language: en\nadmins: [1]\nmoderation:\n  moderators: [1]\n",
            "moderation.chat_id: required key missing (config.yaml line 3)",
            id="missing key names path and parent line",
        ),
        pytest.param(
            "language: en\n",
            "moderation: required key missing (config.yaml line 1)",
            id="missing section",
        ),
        pytest.param(
            MINIMAL
            + "reporters:\n"
            + "  - {id: 333, name: A, organization: X}\n"
            + "  - id: abc\n"
            + "    name: B\n"
            + "    organization: Y\n",
            'reporters[1].id: expected an integer, got "abc" (config.yaml line 6)',
            id="wrong type names path expectation value and line",
        ),
        pytest.param(
            MINIMAL + "categories:\n  fraud:\n    priorty: 2\n",
            'categories.fraud.priorty: unknown key, did you mean "priority"? (config.yaml line 6)',
            id="unknown key inside a category",
        ),
        pytest.param(
            "moderation:\n  chat_id: -100\n  moderators: [111, 222]\n  on_duty: [333]\n",
            "moderation.on_duty[0]: user 333 is not one of moderation.moderators"
            " (config.yaml line 4)",
            id="on duty not a moderator",
        ),
        pytest.param(
            MINIMAL + "categories:\n  fraud:\n    labels: {en: no}\n",
            "categories.fraud.labels.en: expected a string, got false (put it in quotes)"
            " (config.yaml line 6)",
            id="yaml 1.1 booleans are caught",
        ),
        pytest.param(
            MINIMAL + "reporters:\n  - {id: 5, name: A, organization: X, language: de}\n",
            'reporters[0].language: expected one of en/id, got "de" (config.yaml line 5)',
            id="bad language",
        ),
        pytest.param(
            MINIMAL
            + NEW_CATEGORY.replace(
                "labels: {en: Extortion, id: Pemerasan}", "labels: {en: Extortion}"
            ),
            "categories.extortion.labels: missing the id text (every label needs both en and id)"
            " (config.yaml line 6)",
            id="category needs both labels",
        ),
        pytest.param(
            MINIMAL + "categories:\n  fraud:\n    labels: {fr: Fraude}\n",
            "categories.fraud.labels.fr: invalid key, expected one of en/id (config.yaml line 6)",
            id="label in an unknown language",
        ),
        pytest.param(
            MINIMAL + "categories:\n  fraud:\n    aliases: [scam, judi]\n",
            'categories.fraud.aliases[1]: "judi" names two categories (alias of gambling, alias of'
            " fraud); a key, label or alias must name one category only (config.yaml line 6)",
            id="alias shared by two categories",
        ),
        pytest.param(
            MINIMAL + "categories:\n  fraud:\n    enable: false\n",
            'categories.fraud.enable: unknown key, did you mean "enabled"? (config.yaml line 6)',
            id="enabled is suggested for a misspelling",
        ),
        pytest.param(
            MINIMAL
            + "categories:\n"
            + "".join(f"  {key}: {{enabled: false}}\n" for key in DEFAULT_CATEGORY_KEYS),
            "categories: expected at least one category (not every one can be switched off)"
            " (config.yaml line 4)",
            id="at least one category stays",
        ),
        pytest.param(
            MINIMAL
            + "categories:\n  terrorism:\n    reasons:\n      take_down: "
            + "{propaganda: null, incitement: null, recruitment: null}\n",
            "categories.terrorism.reasons.take_down: every take_down reason is removed (set to"
            " null); keep at least one (config.yaml line 7)",
            id="every reason of a kind cannot be removed",
        ),
    ],
)
def test_a_single_problem_is_told_in_full(tmp_path: Path, text: str, message: str) -> None:
    assert only_error(tmp_path, text) == message


@pytest.mark.parametrize(
    ("text", "beginning", "line"),
    [
        pytest.param(
            MINIMAL + "source_path: elsewhere.yaml\n",
            "source_path: unknown key",
            None,
            id="source path is not a yaml key",
        ),
        pytest.param(
            MINIMAL
            + "reporters:\n"
            + "  - {id: 333, name: A, organization: X}\n"
            + "  - {id: 444, name: B, organization: X}\n"
            + "  - {id: 333, name: C, organization: Y}\n",
            "reporters[2].id: reporter id 333 is listed twice",
            7,
            id="duplicate reporter ids",
        ),
        pytest.param(
            "moderation:\n  chat_id: -100\n  moderators: [111, 222, 111]\n",
            "moderation.moderators[2]: user 111 is listed twice",
            3,
            id="duplicate moderator",
        ),
        pytest.param(
            MINIMAL + "language: en\nlanguage: id\n",
            "language: this key appears twice (lines 4 and 5)",
            None,
            id="duplicate yaml key",
        ),
        pytest.param(
            MINIMAL + "categories:\n  terrorism:\n    targets: {first_action_min: 90}\n",
            "categories.terrorism.targets: first_action_min (90) is longer",
            None,
            id="first action target after decision target",
        ),
        pytest.param(
            MINIMAL + "intake: {draft_ttl_hours: 0}\n",
            "intake.draft_ttl_hours: expected a positive number, got 0",
            None,
            id="non-positive draft ttl",
        ),
        pytest.param(
            MINIMAL
            + NEW_CATEGORY.replace("        threat: {en: threat, id: ancaman}\n", "").replace(
                "take_down:", "take_down: {}"
            ),
            "categories.extortion.reasons.take_down: expected at least one",
            10,
            id="empty reason list",
        ),
        pytest.param(
            MINIMAL
            + "categories:\n  fraud:\n    reasons:\n      dismiss:\n"
            + "        Not-Illegal: {en: not it, id: bukan}\n",
            'categories.fraud.reasons.dismiss.Not-Illegal: "Not-Illegal" is not',
            8,
            id="reason code must be a short identifier",
        ),
        pytest.param(
            MINIMAL + NEW_CATEGORY.replace("{en: threat, id: ancaman}", "{id: ancaman}"),
            "categories.extortion.reasons.take_down.threat: missing the en text",
            None,
            id="reason needs both labels",
        ),
        # terrorism comes first, but gambling's "judi" is the default: the file's word is wrong.
        pytest.param(
            MINIMAL + "categories:\n  terrorism:\n    aliases: [teror, judi]\n",
            'categories.terrorism.aliases[1]: "judi" names two categories (alias of gambling,'
            " alias of terrorism)",
            None,
            id="a clash is blamed where the file wrote the word",
        ),
    ],
)
def test_a_single_problem_is_named_with_its_line(
    tmp_path: Path, text: str, beginning: str, line: int | None
) -> None:
    message = only_error(tmp_path, text)
    assert message.startswith(beginning)
    if line is not None:
        assert message.endswith(f"(config.yaml line {line})")


@pytest.mark.parametrize("key", ["no", "No", "yes", "on", "OFF", "false"])
def test_yaml_1_1_booleans_as_keys_are_named_with_the_line(tmp_path: Path, key: str) -> None:
    value = "false" if key.lower() in ("no", "off", "false") else "true"
    text = MINIMAL + f"categories:\n  fraud:\n    reasons:\n      dismiss:\n        {key}: x\n"
    assert errors(tmp_path, text)[0] == (
        f"categories.fraud.reasons.dismiss.{key}: YAML reads {key} as {value}, not as text; put"
        f' it in quotes ("{key}") (config.yaml line 8)'
    )


def test_a_quoted_no_is_an_ordinary_key(tmp_path: Path) -> None:
    text = (
        MINIMAL
        + 'categories:\n  fraud:\n    reasons:\n      dismiss:\n        "no": {en: n, id: n}\n'
    )
    assert "no" in load(tmp_path, text).categories["fraud"].reasons.dismiss


def test_ids_have_the_right_sign(tmp_path: Path) -> None:
    messages = errors(tmp_path, "moderation:\n  chat_id: 12345\n  moderators: [-5]\n")
    assert messages[0].startswith("moderation.chat_id: expected a group id")
    assert messages[1].startswith("moderation.moderators[0]: expected a Telegram user id")


@pytest.mark.parametrize("value", ["0", "-15"])
def test_non_positive_target(tmp_path: Path, value: str) -> None:
    text = MINIMAL + f"categories:\n  fraud:\n    targets: {{first_action_min: {value}}}\n"
    assert only_error(tmp_path, text) == (
        f"categories.fraud.targets.first_action_min: expected a positive number, got {value}"
        " (config.yaml line 6)"
    )


def test_time_zone_defaults_to_utc_and_takes_iana_names(tmp_path: Path) -> None:
    assert load(tmp_path, MINIMAL).timezone == "UTC"
    config = load(tmp_path, MINIMAL + "timezone: Asia/Jakarta\n")
    assert config.zone.utcoffset(None) is None  # a ZoneInfo, resolved from the name
    assert str(config.zone) == "Asia/Jakarta"


@pytest.mark.parametrize("value", ["Asia/Jakartaa", "Asia", "WIB", "../etc/passwd", '""'])
def test_unknown_time_zone_is_named_with_its_key(tmp_path: Path, value: str) -> None:
    message = only_error(tmp_path, MINIMAL + f"timezone: {value}\n")
    assert message.startswith("timezone: unknown time zone ")
    assert "use an IANA name such as Asia/Jakarta" in message
    assert message.endswith("(config.yaml line 4)")


# --- every problem in one run -----------------------------------------------------------------


def test_rules_between_fields_are_reported_with_every_other_problem(tmp_path: Path) -> None:
    """A rule between fields is reported even when fields it reads, or others, are invalid."""
    text = """\
moderation:
  chat_id: x
  moderators: [111, "abc", 111]
  escalation_chat_id: -100
  on_duty: [333, 111, 333]
admins: [7, 7, "z"]
reporters:
  - {id: 5, name: 2024, organization: X}
  - {id: 5, name: B, organization: Y}
categories:
  fraud:
    aliases: [scam, judi]
    priority: 0
  extortion:
    labels: {en: Extortion, fr: Extorsion}
"""
    assert errors(tmp_path, text) == [
        'moderation.chat_id: expected an integer, got "x" (config.yaml line 2)',
        'moderation.moderators[1]: expected an integer, got "abc" (config.yaml line 3)',
        "moderation.moderators[2]: user 111 is listed twice, as items 0 and 2 (config.yaml line 3)",
        "moderation.on_duty[0]: user 333 is not one of moderation.moderators (config.yaml line 5)",
        "moderation.on_duty[2]: user 333 is listed twice, as items 0 and 2 (config.yaml line 5)",
        "moderation.on_duty[2]: user 333 is not one of moderation.moderators (config.yaml line 5)",
        "admins[1]: user 7 is listed twice, as items 0 and 1 (config.yaml line 6)",
        'admins[2]: expected an integer, got "z" (config.yaml line 6)',
        "reporters[0].name: expected a string, got 2024 (put it in quotes) (config.yaml line 8)",
        "reporters[1].id: reporter id 5 is listed twice, as items 0 and 1 (config.yaml line 9)",
        'categories.fraud.aliases[1]: "judi" names two categories (alias of gambling, alias of'
        " fraud); a key, label or alias must name one category only (config.yaml line 12)",
        "categories.fraud.priority: expected a priority from 1 (most urgent) to 9, got 0"
        " (config.yaml line 13)",
        "categories.extortion.priority: required key missing (a new category must give labels,"
        " priority, targets and reasons) (config.yaml line 14)",
        "categories.extortion.targets: required key missing (a new category must give labels,"
        " priority, targets and reasons) (config.yaml line 14)",
        "categories.extortion.reasons: required key missing (a new category must give labels,"
        " priority, targets and reasons) (config.yaml line 14)",
        "categories.extortion.labels.fr: invalid key, expected one of en/id (config.yaml line 15)",
        "categories.extortion.labels: missing the id text (every label needs both en and id)"
        " (config.yaml line 15)",
    ]


def test_rules_hold_for_a_configuration_built_in_code() -> None:
    with pytest.raises(ValidationError) as caught:
        Moderation(chat_id=-100, moderators=[1, 1], on_duty=[2])
    assert sorted(error["loc"] for error in caught.value.errors()) == [
        ("moderators", 1),
        ("on_duty", 0),
    ]


# --- token ------------------------------------------------------------------------------------

SECRET = "987654:SECRET-token-value"


def test_token_from_environment_wins(tmp_path: Path) -> None:
    config = load(tmp_path, MINIMAL + f'telegram:\n  token: "{SECRET}"\n')
    assert resolve_token(config, {"BOT_TOKEN": "111:env"}) == "111:env"


def test_token_falls_back_to_the_file(tmp_path: Path) -> None:
    config = load(tmp_path, MINIMAL + f'telegram:\n  token: "{SECRET}"\n')
    assert resolve_token(config, {}) == SECRET
    assert resolve_token(config, {"BOT_TOKEN": ""}) == SECRET


def test_missing_token_names_bot_token(tmp_path: Path) -> None:
    config = load(tmp_path, MINIMAL)
    with pytest.raises(ConfigError) as caught:
        resolve_token(config, {"OTHER": "x"})
    assert "BOT_TOKEN" in str(caught.value)


def test_token_never_appears_in_messages(tmp_path: Path) -> None:
    config = load(tmp_path, MINIMAL + f'telegram:\n  token: "{SECRET}"\n')
    assert SECRET not in summary(config)
    with_other_token = config.model_copy(
        update={"telegram": config.telegram.model_copy(update={"token": "other"})}
    )
    assert changed_keys(config, with_other_token) == ["telegram.token"]
    messages = errors(tmp_path, MINIMAL + "telegram:\n  token: 123456789\n  bogus: 1\n")
    assert messages[0] == "telegram.token: expected a string (config.yaml line 5)"
    assert all("123456789" not in m for m in messages)


# --- lookups ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "key"),
    [
        ("terrorism", "terrorism"),
        ("TERRORISM", "terrorism"),
        ("#terrorism", "terrorism"),
        ("Terorisme", "terrorism"),
        ("teror", "terrorism"),
        ("Pornografi", "pornography"),
        ("Pornography", "pornography"),
        ("hoaks", "disinformation"),
        ("HOAX", "disinformation"),
        ("judol", "gambling"),
        ("Penipuan", "fraud"),
        ("scam", "fraud"),
        ("lainnya", "other"),
        ("child_abuse", "child_abuse"),
        ("csam", "child_abuse"),
        ("SARA", "hate_speech"),
        ("Hate speech (SARA)", "hate_speech"),
        ("radikal", "radicalism"),
    ],
)
def test_category_for_word(tmp_path: Path, word: str, key: str) -> None:
    config = load(tmp_path, MINIMAL)
    assert config.category_for_word(word) == key


@pytest.mark.parametrize("word", ["please", "this", "", "#", "channel", "terror-ism"])
def test_category_for_ordinary_word(tmp_path: Path, word: str) -> None:
    assert load(tmp_path, MINIMAL).category_for_word(word) is None


def test_roles(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        MINIMAL + "admins: [999]\nreporters:\n  - {id: 333, name: Satu, organization: Kominfo}\n",
    )
    assert config.is_moderator(111) and not config.is_moderator(999)
    assert config.is_admin(999) and not config.is_admin(111)
    reporter = config.reporter(333)
    assert reporter is not None and reporter.organization == "Kominfo"
    assert config.reporter(111) is None


def test_constructed_directly_with_defaults() -> None:
    config = Config(moderation=Moderation(chat_id=-100, moderators=[1]))
    assert len(config.categories) == 9
    assert config.category_for_word("judi") == "gambling"


# --- summary and reload -----------------------------------------------------------------------


def test_summary_mentions_group_and_counts() -> None:
    text = summary(load_config(EXAMPLE))
    for mentioned in (
        "-1001234567890",
        "-1009876543210",
        "Reporters: 3 (Kominfo: 2, SAFEnet: 1)",
        "Moderators (2): 111111111, 222222222",
        "Admins (1): 111111111",
        "On duty (1): 111111111",
        "data/desk.sqlite3",
    ):
        assert mentioned in text, text
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if "terrorism" in line)
    last = next(i for i, line in enumerate(lines) if " other " in line)
    assert first < last
    assert "first action 10 min, decision 1 h" in lines[first]


def test_changed_keys(tmp_path: Path) -> None:
    old = load(tmp_path, MINIMAL)
    assert changed_keys(old, load(tmp_path, MINIMAL)) == []
    new = load(
        tmp_path,
        MINIMAL.replace("[111, 222]", "[111, 333]")
        + "storage: {path: other.sqlite3}\nlanguage: id\nadmins: [1]\n"
        + "categories:\n  fraud: {priority: 2}\n",
    )
    changed = changed_keys(old, new)
    assert changed == [
        "moderation.moderators",
        "admins",
        "storage.path",
        "language",
        "categories.fraud",
    ]
    assert [key for key in changed if key in RESTART_KEYS] == ["storage.path"]
