"""Both catalogues: the same keys, the same placeholders, and truly translated."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import bot.render.i18n
from bot.render.i18n import catalogue, escape, normalize_language, placeholders, t

# Texts that are the same in both languages because they hold only names, numbers or commands.
SAME_IN_BOTH = {
    "status.line",
    "queue.line",
    "health.problem",
    "digest.line",
    "status.with_reason",
    "stats.category_line",
    "stats.organization_line",
    "quality.line",
    "card.title",
}


def test_no_key_is_written_twice() -> None:
    """YAML keeps the last of two equal keys without a word: a second text would replace the
    first everywhere it is used."""
    folder = Path(bot.render.i18n.__file__).parent
    for language in ("en", "id"):
        keys = re.findall(
            r"^([a-z][\w.]*):", (folder / f"{language}.yaml").read_text("utf-8"), re.M
        )
        assert [k for k, n in Counter(keys).items() if n > 1] == [], language


def test_catalogues_have_the_same_keys() -> None:
    assert catalogue("en").keys() == catalogue("id").keys()


def test_catalogues_have_the_same_placeholders() -> None:
    english, indonesian = catalogue("en"), catalogue("id")
    for key, text in english.items():
        assert placeholders(text) == placeholders(indonesian[key]), key


def test_indonesian_is_translated() -> None:
    english, indonesian = catalogue("en"), catalogue("id")
    untranslated = {k for k in english if english[k] == indonesian[k]} - SAME_IN_BOTH
    assert untranslated == set()


def test_values_are_escaped_but_templates_keep_markup() -> None:
    text = t("en", "report.ack_new", case="<b>1</b>")
    assert "<b>#&lt;b&gt;1&lt;/b&gt;</b>" in text
    assert escape("a & b") == "a &amp; b"


def test_telegram_language_codes_map_to_catalogues() -> None:
    assert normalize_language("id") == "id"
    assert normalize_language("en-GB") == "en"
    assert normalize_language("in") == "id"
    assert normalize_language("de") is None
    assert normalize_language(None) is None


def test_indonesian_uses_the_reviewed_terms() -> None:
    """The terms of docs/indonesian-review.md: a liaison is a narahubung, the desk is "layanan
    ini" (only the product's name keeps the English word), a dismissal is "tidak
    ditindaklanjuti" (never "ditolak", which tells a liaison their report was rejected),
    minutes are "menit", the on-duty moderators "Petugas jaga"."""
    indonesian = catalogue("id")
    for key, text in indonesian.items():
        words = text.replace("Report Desk", "")
        assert not re.search(r"\bpenghubung|\bdesk\b|\bmin\b|\bbertugas\b", words, re.I), key
        if "dismiss" in key:
            assert "ditolak" not in text, key
    for key in ("state.dismissed", "press.done.dismissed", "history.dismissed"):
        assert "tidak ditindaklanjuti" in indonesian[key], key
