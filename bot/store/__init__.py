"""Storage: SQLite through aiosqlite, one small repository per aggregate, behind `Store`."""

from bot.store.db import InboxAttempt, Store, Tx, current_attempt
from bot.store.files import StorageError

__all__ = ["InboxAttempt", "StorageError", "Store", "Tx", "current_attempt"]
