"""The configuration: schema, defaults, loading with precise errors, summary and live reload."""

from bot.config.defaults import DEFAULT_CATEGORY_KEYS
from bot.config.loading import TOKEN_ENV, load_config, parse_config, resolve_token
from bot.config.messages import ConfigError
from bot.config.schema import (
    LANGUAGES,
    RESTART_KEYS,
    Category,
    Config,
    Intake,
    Lang,
    Moderation,
    Reasons,
    Reporter,
    Storage,
    Targets,
    TelegramSettings,
    default_categories,
)
from bot.config.summary import changed_keys, summary

__all__ = [
    "DEFAULT_CATEGORY_KEYS",
    "LANGUAGES",
    "RESTART_KEYS",
    "TOKEN_ENV",
    "Category",
    "Config",
    "ConfigError",
    "Intake",
    "Lang",
    "Moderation",
    "Reasons",
    "Reporter",
    "Storage",
    "Targets",
    "TelegramSettings",
    "changed_keys",
    "default_categories",
    "load_config",
    "parse_config",
    "resolve_token",
    "summary",
]
