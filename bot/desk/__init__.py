"""Use cases, one transaction each, never importing Telegram: intake, filing, moderation,
questions, lookup, reporters' commands, alarms, admin; `Desk` wires them together."""

from bot.desk.desk import Desk

__all__ = ["Desk"]
