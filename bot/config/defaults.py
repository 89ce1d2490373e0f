"""The default categories as data (defaults.yaml), and how a file's values merge over defaults.

Kept free of the schema so that the schema, the loader and the messages can all read the raw
defaults; `schema.default_categories()` gives them validated.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml


def _load_defaults() -> dict[str, dict[str, Any]]:
    text = resources.files(__package__).joinpath("defaults.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError("bot/config/defaults.yaml is not a mapping of categories")
    return data


# The raw form of the defaults: the YAML `categories:` section is merged over this.
DEFAULT_CATEGORY_DATA: dict[str, dict[str, Any]] = _load_defaults()

DEFAULT_CATEGORY_KEYS: tuple[str, ...] = tuple(DEFAULT_CATEGORY_DATA)


def merge(base: Any, override: Any) -> Any:
    """`override` over `base`: mappings merge key by key; anything else replaces.

    An empty value (None) over an existing key changes nothing.
    """
    if not (isinstance(base, dict) and isinstance(override, dict)):
        return override
    merged = dict(base)
    for key, value in override.items():
        if key in base:
            if value is not None:
                merged[key] = merge(base[key], value)
        else:
            merged[key] = value
    return merged
