"""Storage: SQLite through aiosqlite, one small repository per aggregate, behind `Store`."""

from bot.store.db import Store, Tx, current_update

__all__ = ["Store", "Tx", "current_update"]
