"""The nine default categories, merged as the bot uses them, pinned field by field.

A refactor of where the defaults live (code or YAML) must not change one label, alias, priority,
target or reason; a deliberate change updates default_categories.json in the same commit.
"""

from __future__ import annotations

import json
from pathlib import Path

from bot.config import DEFAULT_CATEGORY_KEYS, default_categories

PINNED = Path(__file__).with_name("default_categories.json")


def test_default_categories_are_exactly_the_pinned_ones() -> None:
    pinned = json.loads(PINNED.read_text("utf-8"))
    merged = {
        key: category.model_dump(mode="json") for key, category in default_categories().items()
    }
    assert list(merged) == list(pinned)
    for key in pinned:
        assert merged[key] == pinned[key], key


def test_default_category_order_is_the_pinned_order() -> None:
    assert list(DEFAULT_CATEGORY_KEYS) == list(json.loads(PINNED.read_text("utf-8")))
