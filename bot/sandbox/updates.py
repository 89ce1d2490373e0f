"""The updates waiting for the bot: the queue, getUpdates long polling, offsets, the webhook.

As on Telegram: an update stays queued until a getUpdates with an ``offset`` past it confirms
it; a newer getUpdates ends an older one still waiting with ``409 Conflict``; ``allowed_updates``
persists between calls and drops queued updates of other kinds; an active webhook forbids
getUpdates. Closing the queue ends every long poll with what it has.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
from typing import Any

from bot.sandbox.errors import CONFLICT, TelegramApiError, bad_request
from bot.sandbox.params import JSONDict, as_int
from bot.sandbox.routing import api

# Telegram's default when allowed_updates was never set (or set to an empty list).
DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)


class UpdateQueue:
    """Updates not yet confirmed by the bot, and the methods by which it fetches them."""

    def __init__(self) -> None:
        self.updates: list[JSONDict] = []
        self.next_update_id = 1
        self.webhook_url = ""
        self._allowed_updates: frozenset[str] | None = None
        self._poll_generation = 0
        self._wakeup = asyncio.Event()
        self._closed = asyncio.Event()

    def open(self) -> None:
        """Fresh events for a (re)started server, which may run in a new event loop."""
        self._closed = asyncio.Event()
        self._wakeup = asyncio.Event()

    def close(self) -> None:
        """End every waiting long poll now, with the updates it has."""
        self._closed.set()
        self._wakeup.set()

    def enqueue(self, kind: str, payload: JSONDict) -> JSONDict:
        """Queue an update of ``kind`` under the next update id and wake a waiting long poll."""
        update = {"update_id": self.next_update_id, kind: copy.deepcopy(payload)}
        self.next_update_id += 1
        self.updates.append(update)
        self._wakeup.set()
        return update

    def enqueue_raw(self, update: JSONDict) -> None:
        """Enqueue an update as given; ``update_id`` is assigned when missing."""
        update = copy.deepcopy(update)
        if "update_id" not in update:
            update = {"update_id": self.next_update_id, **update}
        self.next_update_id = max(self.next_update_id, int(update["update_id"]) + 1)
        self.updates.append(update)
        self._wakeup.set()

    @api
    async def get_updates(self, p: JSONDict) -> Any:
        self._poll_generation += 1
        generation = self._poll_generation
        self._wakeup.set()  # an older long poll still waiting gets 409 Conflict
        await asyncio.sleep(0)
        if self.webhook_url:
            raise TelegramApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        allowed = p.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(str(a) for a in allowed) if allowed else None
        offset = as_int(p.get("offset"))
        if offset is not None:
            self._confirm(offset)
        limit = as_int(p.get("limit"))
        limit = 100 if limit is None or limit <= 0 else min(limit, 100)
        timeout = p.get("timeout")
        timeout = float(timeout) if isinstance(timeout, int | float) else 0.0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, timeout)
        while True:
            if generation != self._poll_generation:
                raise TelegramApiError(409, CONFLICT)
            batch = self._deliverable(limit)
            remaining = deadline - loop.time()
            if batch or remaining <= 0 or self._closed.is_set():
                return batch
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), remaining)

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            self.updates = self.updates[offset:]
        else:
            self.updates = [u for u in self.updates if int(u["update_id"]) >= offset]

    def _deliverable(self, limit: int) -> list[JSONDict]:
        allowed = self._allowed_updates or DEFAULT_ALLOWED_UPDATES
        kept = [u for u in self.updates if _update_kind(u) in allowed]
        self.updates = kept
        return copy.deepcopy(kept[:limit])

    @api
    async def set_webhook(self, p: JSONDict) -> Any:
        url = str(p.get("url") or "")
        if url and not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook_url = url
        if p.get("drop_pending_updates"):
            self.updates.clear()
        return True

    @api
    async def delete_webhook(self, p: JSONDict) -> Any:
        self.webhook_url = ""
        if p.get("drop_pending_updates"):
            self.updates.clear()
        return True

    @api
    async def get_webhook_info(self, p: JSONDict) -> Any:
        info: JSONDict = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }
        if self._allowed_updates is not None:
            info["allowed_updates"] = sorted(self._allowed_updates)
        return info


def _update_kind(update: JSONDict) -> str:
    for key in update:
        if key != "update_id":
            return key
    return ""
