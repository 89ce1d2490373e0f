"""Problems an admin must act on, told once per problem (not in a loop) and forgotten once fixed.

Each problem has a key; the meta row `alerted:<key>` remembers what was told. A problem that
changes (a new reason, another error text) is told again.
"""

from __future__ import annotations

from bot.desk.context import DeskContext
from bot.outbox import sends
from bot.render.i18n import t
from bot.render.text import clip
from bot.store import Tx

ALERTED = "alerted:"
# An admin alert quotes at most this much of a problem's text (a message holds 4096).
ALERT_LIMIT = 3000


async def alert_admins_once(
    context: DeskContext, tx: Tx, key: str, problem: str, text_key: str, /, **values: object
) -> bool:
    """Tell every admin, in their language, unless this very problem was told; True if told."""
    if not await first_telling(tx, key, problem):
        return False
    for admin in context.config().admins:
        language = await context.language_of(tx, admin)
        await sends.message(tx, admin, t(language, text_key, **values))
    return True


async def first_telling(tx: Tx, key: str, problem: str) -> bool:
    """True, and remembered, unless this very problem was already told under `key`."""
    meta_key = ALERTED + key
    if await tx.meta.get(meta_key) == problem:
        return False
    await tx.meta.set(meta_key, problem)
    return True


async def forget_alert(tx: Tx, key: str) -> bool:
    """The problem is fixed: the next occurrence is told again. True if it had been told."""
    meta_key = ALERTED + key
    if await tx.meta.get(meta_key) is None:
        return False
    await tx.meta.delete(meta_key)
    return True


async def forget_alerts(tx: Tx, prefix: str) -> None:
    await tx.meta.delete_prefix(ALERTED + prefix)


def quoted(problem: str) -> str:
    """A problem's text as an alert quotes it."""
    return clip(problem, ALERT_LIMIT)
