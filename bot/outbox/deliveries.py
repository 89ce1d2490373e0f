"""How each kind of outbox row is sent, and what is recorded when Telegram accepts it.

A row is marked sent in the transaction that records what Telegram returned (a card's message
id), so nothing recorded as sent is sent again; the only repeat possible is a crash after
Telegram accepted a send and before that transaction. When that transaction fails because storage
fails (a full disk), what Telegram returned is kept in memory and recorded as soon as storage
works again: an accepted send is never sent again because recording it failed.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.config import Config
from bot.domain.models import Item, OutboxItem
from bot.domain.vocabulary import OutboxKind, OutboxState, PromptKind
from bot.outbox import sends
from bot.outbox.delivery import DeliveryError, Failure, OutgoingFile, OutgoingText, Transport
from bot.outbox.pacing import Pacer
from bot.render.cards import pointer_text, render_card
from bot.render.lists import render_digest
from bot.render.message import Button, Rendered
from bot.store import Store, Tx
from bot.store.errors import is_storage_failure


class Deferred(Exception):
    """The row depends on another that has not been sent yet; try it again later."""


class NotRecorded(Exception):
    """Telegram accepted the row but storage failed to record it; the record is retried."""


Record = Callable[[Tx], Awaitable[None]]


@dataclass(frozen=True)
class Unrecorded:
    """What Telegram accepted for a row, waiting for storage to record it."""

    row: OutboxItem
    write: Record


def buttons_of(payload: dict[str, Any]) -> list[list[Button]]:
    rows = payload.get("buttons") or []
    assert isinstance(rows, list)
    return [[Button(text, data) for text, data in row] for row in rows]


def shown_of(rendered: Rendered) -> str:
    """A short fingerprint of a message's text and buttons, to know what a chat shows."""
    buttons = [[(button.text, button.data) for button in row] for row in rendered.buttons]
    content = json.dumps([rendered.text, buttons], ensure_ascii=False)
    return hashlib.sha256(content.encode("utf-8")).hexdigest()[:32]


def cost(row: OutboxItem) -> int:
    """How many messages the row spends of a chat's budget."""
    if row.kind is OutboxKind.EVIDENCE:
        return len(row.payload["message_ids"])
    return 1


class Deliveries:
    def __init__(
        self, store: Store, transport: Transport, config: Callable[[], Config], pacer: Pacer
    ) -> None:
        self.store = store
        self.transport = transport
        self.config = config
        self.pacer = pacer
        self.unrecorded: list[Unrecorded] = []
        self._by_kind: dict[OutboxKind, Callable[[OutboxItem], Awaitable[None]]] = {
            OutboxKind.MESSAGE: self._send_message,
            OutboxKind.CARD: self._send_card,
            OutboxKind.CARD_EDIT: self._edit_card,
            OutboxKind.EVIDENCE: self._copy_evidence,
            OutboxKind.POINTER: self._edit_to_pointer,
            OutboxKind.DIGEST: self._send_digest,
            OutboxKind.LEAVE: self._leave,
            OutboxKind.FILE: self._send_file,
        }

    async def deliver(self, row: OutboxItem) -> None:
        """Send the row and record it; DeliveryError when Telegram refused, Deferred to wait."""
        await self._by_kind[row.kind](row)

    async def finish(
        self,
        row: OutboxItem,
        state: OutboxState,
        *,
        result: object = None,
        error: str | None = None,
    ) -> None:
        async def write(tx: Tx) -> None:
            await tx.outbox.finish(row.id, state, result=result, error=error)

        await self._record(row, write)

    async def _record(self, row: OutboxItem, write: Record) -> None:
        """Record what happened to a row; if storage fails, keep it to record later."""
        try:
            async with self.store.transaction() as tx:
                await write(tx)
        except Exception as error:
            if not is_storage_failure(error):
                raise
            self.unrecorded.append(Unrecorded(row, write))
            raise NotRecorded(str(error)) from error

    async def record_unrecorded(self) -> bool:
        """Record what waits for storage, oldest first; False while storage still fails."""
        while self.unrecorded:
            waiting = self.unrecorded[0]
            try:
                async with self.store.transaction() as tx:
                    await waiting.write(tx)
            except Exception as error:
                if is_storage_failure(error):
                    return False
                raise
            self.unrecorded.pop(0)
        return True

    async def _send_message(self, row: OutboxItem) -> None:
        record = row.payload.get("record")
        reply_to = None
        if record and "prompt" in record and row.case_id is not None:
            async with self.store.read() as tx:
                reply_to = await tx.cards.live(row.case_id, row.chat_id)
        with self.pacer.sending(row.chat_id):
            message_id = await self.transport.send_message(
                OutgoingText(
                    row.chat_id,
                    str(row.payload["text"]),
                    buttons_of(row.payload),
                    reply_to,
                    force_reply=bool(row.payload.get("force_reply")),
                )
            )

        async def write(tx: Tx) -> None:
            if record and row.case_id is not None:
                if "prompt" in record:
                    await tx.prompts.record(
                        row.chat_id,
                        message_id,
                        row.case_id,
                        PromptKind(record["prompt"]),
                        record["moderator"],
                    )
                if "question" in record:
                    await tx.prompts.record_question(row.chat_id, message_id, row.case_id)
            await tx.outbox.finish(row.id, OutboxState.SENT, result=[message_id])

        await self._record(row, write)

    async def _send_card(self, row: OutboxItem) -> None:
        assert row.case_id is not None
        async with self.store.read() as tx:
            view = await tx.case_view(row.case_id, row.chat_id)
        if view is None:
            await self.finish(row, OutboxState.FAILED, error="case not found")
            return
        rendered = render_card(view, self.config())
        with self.pacer.sending(row.chat_id):
            message_id = await self.transport.send_message(
                OutgoingText(row.chat_id, rendered.text, rendered.buttons)
            )
        case_id = row.case_id

        async def write(tx: Tx) -> None:
            await tx.cards.record(case_id, row.chat_id, message_id)
            await tx.cards.set_shown(case_id, row.chat_id, shown_of(rendered))
            await tx.facts.seen([case_id])
            await tx.outbox.finish(row.id, OutboxState.SENT, result=[message_id])
            await self._catch_up(tx, row, rendered)

        await self._record(row, write)

    async def _catch_up(self, tx: Tx, row: OutboxItem, sent: Rendered) -> None:
        """The case may have changed while its card was in flight (an edit arriving then was
        folded into this one): if what we sent is already stale, queue one more edit."""
        assert row.case_id is not None
        view = await tx.case_view(row.case_id, row.chat_id)
        picker = await tx.cards.picker(row.case_id, row.chat_id)
        if view is not None and render_card(view, self.config(), picker) != sent:
            await sends.card_edit(tx, row.chat_id, row.case_id)

    async def _card_message(self, tx: Tx, row: OutboxItem) -> int | None:
        """The live card this row refers to; Deferred while that card is still to be posted."""
        assert row.case_id is not None
        message_id = await tx.cards.live(row.case_id, row.chat_id)
        if message_id is None and await tx.outbox.pending_exists(
            OutboxKind.CARD, row.chat_id, row.case_id, before_id=row.id
        ):
            raise Deferred
        return message_id

    async def _edit_card(self, row: OutboxItem) -> None:
        assert row.case_id is not None
        async with self.store.read() as tx:
            message_id = await self._card_message(tx, row)
            view = await tx.case_view(row.case_id, row.chat_id)
            picker = await tx.cards.picker(row.case_id, row.chat_id)
            shown = await tx.cards.shown(row.case_id, row.chat_id)
        if message_id is None or view is None:
            await self.finish(row, OutboxState.SKIPPED, error="no card to edit")
            return
        rendered = render_card(view, self.config(), picker)
        if shown == shown_of(rendered):
            # The chat already shows exactly this: an edit would only spend the group's budget.
            await self.finish(row, OutboxState.SKIPPED, error="unchanged")
            return
        try:
            with self.pacer.sending(row.chat_id):
                await self.transport.edit_message(
                    row.chat_id, message_id, rendered.text, rendered.buttons
                )
        except DeliveryError as error:
            if error.failure is Failure.TARGET_MISSING:
                # Someone deleted the card: post it afresh so the case stays visible.
                case_id, description = row.case_id, error.description

                async def post_again(tx: Tx) -> None:
                    await tx.outbox.finish(row.id, OutboxState.FAILED, error=description)
                    await sends.new_card(tx, row.chat_id, case_id)

                await self._record(row, post_again)
                return
            if error.failure is not Failure.NOT_MODIFIED:
                raise

        case_id = row.case_id

        async def write(tx: Tx) -> None:
            await tx.cards.set_shown(case_id, row.chat_id, shown_of(rendered))
            await tx.outbox.finish(row.id, OutboxState.SENT, result=[message_id])
            await self._catch_up(tx, row, rendered)

        await self._record(row, write)

    async def _send_digest(self, row: OutboxItem) -> None:
        async with self.store.read() as tx:
            views = [await tx.case_view(int(case_id)) for case_id in row.payload["case_ids"]]
        rendered = render_digest([v for v in views if v is not None], self.config())
        with self.pacer.sending(row.chat_id):
            message_id = await self.transport.send_message(
                OutgoingText(row.chat_id, rendered.text, rendered.buttons)
            )
        case_ids = [int(case_id) for case_id in row.payload["case_ids"]]

        async def write(tx: Tx) -> None:
            await tx.outbox.finish(row.id, OutboxState.SENT, result=[message_id])
            await tx.facts.seen(case_ids)

        await self._record(row, write)

    async def _edit_to_pointer(self, row: OutboxItem) -> None:
        assert row.case_id is not None
        text = pointer_text(row.case_id, self.config().language)
        try:
            with self.pacer.sending(row.chat_id):
                await self.transport.edit_message(
                    row.chat_id, int(row.payload["message_id"]), text, []
                )
        except DeliveryError as error:
            if error.failure not in (Failure.NOT_MODIFIED, Failure.TARGET_MISSING):
                raise
        await self.finish(row, OutboxState.SENT)

    async def _copy_evidence(self, row: OutboxItem) -> None:
        """Evidence replies to its card: a message copied, or an album sent again from its
        stored files; a message its reporter deleted is sent again from what was stored."""
        async with self.store.read() as tx:
            card = await self._card_message(tx, row)
            message_ids = [int(m) for m in row.payload["message_ids"]]
            from_chat = int(row.payload["from_chat_id"])
            stored = [await tx.items.by_message(from_chat, m) for m in message_ids]
        items = [item for item in stored if item is not None]
        with self.pacer.sending(row.chat_id, len(message_ids)):
            if row.payload.get("album") and len(items) == len(message_ids):
                copied = await self.transport.send_album(row.chat_id, items, card)
            else:
                copied = []
                for message_id, item in zip(message_ids, stored, strict=True):
                    copied += await self._copy_one(row.chat_id, from_chat, message_id, item, card)

        async def write(tx: Tx) -> None:
            if row.case_id is not None:
                await tx.cards.record_copies(row.case_id, row.chat_id, copied)
            await tx.outbox.finish(row.id, OutboxState.SENT, result=copied)

        await self._record(row, write)

    async def _copy_one(
        self, chat_id: int, from_chat: int, message_id: int, item: Item | None, card: int | None
    ) -> list[int]:
        try:
            return [await self.transport.copy_message(chat_id, from_chat, message_id, card)]
        except DeliveryError as error:
            if error.failure is not Failure.TARGET_MISSING or item is None:
                raise
            return await self.transport.resend_items(chat_id, [item], card)

    async def _leave(self, row: OutboxItem) -> None:
        await self.transport.leave_chat(row.chat_id)
        await self.finish(row, OutboxState.SENT)

    async def _send_file(self, row: OutboxItem) -> None:
        path = Path(str(row.payload["path"]))
        if not await asyncio.to_thread(path.is_file):
            await self.finish(row, OutboxState.FAILED, error="the file to send is gone")
            return
        with self.pacer.sending(row.chat_id):
            message_id = await self.transport.send_file(
                OutgoingFile(
                    row.chat_id,
                    str(path),
                    str(row.payload["filename"]),
                    as_photo=bool(row.payload.get("as_photo")),
                    caption=row.payload.get("caption"),
                )
            )
        await self.finish(row, OutboxState.SENT, result=[message_id])
        await asyncio.to_thread(path.unlink, missing_ok=True)
