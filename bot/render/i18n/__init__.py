"""Message catalogues (English and Bahasa Indonesia) and the lookup.

Catalogue texts are HTML templates. Every placeholder value is HTML-escaped when it is filled in,
unless it is wrapped in `Markup` (text we built and escaped ourselves).
"""

from __future__ import annotations

import html
import string
from functools import cache
from importlib import resources
from typing import Any

import yaml

LANGUAGES = ("en", "id")
DEFAULT_LANGUAGE = "en"


class Markup(str):
    """A string that is already safe HTML and must not be escaped again."""

    __slots__ = ()


def escape(value: object) -> str:
    if isinstance(value, Markup):
        return value
    return html.escape(str(value), quote=False)


@cache
def catalogue(language: str) -> dict[str, str]:
    text = resources.files(__package__).joinpath(f"{language}.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"catalogue {language}.yaml is not a mapping")
    return {str(k): str(v) for k, v in data.items()}


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def normalize_language(code: str | None) -> str | None:
    """Map a Telegram language code ("id", "en-US", "in") onto a catalogue we have."""
    if not code:
        return None
    base = code.split("-")[0].lower()
    if base == "in":
        base = "id"
    return base if base in LANGUAGES else None


def t(language: str, key: str, **values: Any) -> Markup:
    lang = language if language in LANGUAGES else DEFAULT_LANGUAGE
    template = catalogue(lang).get(key)
    if template is None:
        template = catalogue(DEFAULT_LANGUAGE)[key]
    return Markup(template.format(**{name: escape(v) for name, v in values.items()}))


def plain(language: str, key: str, **values: Any) -> str:
    """A catalogue text for places that show no HTML (button labels, callback answers)."""
    lang = language if language in LANGUAGES else DEFAULT_LANGUAGE
    template = catalogue(lang).get(key)
    if template is None:
        template = catalogue(DEFAULT_LANGUAGE)[key]
    return template.format(**{name: str(v) for name, v in values.items()})
