"""What the domain asks to send: rows written into the outbox inside the caller's transaction.

Priorities order the outbox (lower first): people waiting on the bot come first, then changes to
cards moderators already see, then new cards with their evidence.
"""

from __future__ import annotations

from bot.domain.vocabulary import OutboxKind
from bot.render.message import Button
from bot.store import Tx

PRIORITY_PERSON = 0
PRIORITY_CARD_EDIT = 1
PRIORITY_NEW_CARD = 2
# Edits that only add detail (another reporter joined) wait with the backlog, below.
PRIORITY_REFRESH = 10
# Cards already listed in a digest wait here, most urgent category first, as the group's budget
# allows (10 + the category's priority, 1..9).
PRIORITY_BACKLOG_BASE = 11

# One copyMessages call's worth: within the group's per-minute budget, and an album's maximum.
EVIDENCE_BATCH = 10


async def message(
    tx: Tx,
    chat_id: int,
    text: str,
    *,
    buttons: list[list[Button]] | None = None,
    case_id: int | None = None,
    priority: int = PRIORITY_PERSON,
) -> None:
    payload: dict[str, object] = {"text": text}
    if buttons:
        payload["buttons"] = [[[b.text, b.data] for b in row] for row in buttons]
    await tx.outbox.enqueue(
        chat_id, OutboxKind.MESSAGE, payload, priority=priority, case_id=case_id
    )


async def new_card(
    tx: Tx, chat_id: int, case_id: int, *, priority: int = PRIORITY_NEW_CARD
) -> None:
    """A card is rendered when it is sent, so it always shows the case as it is then."""
    await tx.outbox.enqueue(chat_id, OutboxKind.CARD, {}, priority=priority, case_id=case_id)


async def evidence(
    tx: Tx,
    chat_id: int,
    case_id: int,
    from_chat_id: int,
    message_ids: list[int],
    *,
    priority: int = PRIORITY_NEW_CARD,
) -> None:
    """Copies of a reporter's messages, in batches Telegram takes in one go (albums whole)."""
    for batch in await evidence_batches(tx, from_chat_id, message_ids):
        await tx.outbox.enqueue(
            chat_id,
            OutboxKind.EVIDENCE,
            {"from_chat_id": from_chat_id, "message_ids": batch},
            priority=priority,
            case_id=case_id,
        )


async def evidence_batches(tx: Tx, from_chat_id: int, message_ids: list[int]) -> list[list[int]]:
    """Split into batches of at most EVIDENCE_BATCH messages without splitting an album (an
    album holds at most 10 items)."""
    groups: list[list[int]] = []
    last_album: str | None = None
    for message_id in message_ids:
        item = await tx.items.by_message(from_chat_id, message_id)
        album = item.media_group_id if item else None
        if album is not None and album == last_album:
            groups[-1].append(message_id)
        else:
            groups.append([message_id])
        last_album = album
    batches: list[list[int]] = []
    for group in groups:
        if batches and len(batches[-1]) + len(group) <= EVIDENCE_BATCH:
            batches[-1].extend(group)
        else:
            batches.append(list(group))
    return batches


async def pointer(tx: Tx, chat_id: int, case_id: int, message_id: int) -> None:
    """Turn a superseded card into a one-line pointer without buttons."""
    await tx.outbox.enqueue(
        chat_id,
        OutboxKind.POINTER,
        {"message_id": message_id},
        priority=PRIORITY_CARD_EDIT,
        case_id=case_id,
    )


async def card_edit(
    tx: Tx, chat_id: int, case_id: int, *, priority: int = PRIORITY_CARD_EDIT
) -> None:
    """Bring the live card up to date. One pending edit per card is enough, since it renders
    when sent; a more urgent reason to edit moves the pending one up."""
    if await tx.outbox.raise_pending_priority(OutboxKind.CARD_EDIT, chat_id, case_id, priority):
        return
    await tx.outbox.enqueue(chat_id, OutboxKind.CARD_EDIT, {}, priority=priority, case_id=case_id)


async def prompt(
    tx: Tx, chat_id: int, text: str, *, case_id: int, kind: str, moderator: int
) -> None:
    """A ForceReply prompt in moderator space; the reply to it is the moderator's input."""
    await tx.outbox.enqueue(
        chat_id,
        OutboxKind.MESSAGE,
        {
            "text": text,
            "force_reply": True,
            "record": {"prompt": kind, "moderator": moderator},
        },
        priority=PRIORITY_CARD_EDIT,
        case_id=case_id,
    )


async def question(tx: Tx, chat_id: int, text: str, case_id: int) -> None:
    """A moderator's question to a reporter; the reporter's reply to it answers the case."""
    await tx.outbox.enqueue(
        chat_id,
        OutboxKind.MESSAGE,
        {"text": text, "force_reply": True, "record": {"question": True}},
        priority=PRIORITY_PERSON,
        case_id=case_id,
    )


async def file(
    tx: Tx,
    chat_id: int,
    path: str,
    filename: str,
    *,
    as_photo: bool = False,
    caption: str | None = None,
    priority: int = PRIORITY_PERSON,
) -> None:
    """A file written for this send (a chart, an export); the worker removes it once sent."""
    payload: dict[str, object] = {"path": path, "filename": filename, "as_photo": as_photo}
    if caption:
        payload["caption"] = caption
    await tx.outbox.enqueue(chat_id, OutboxKind.FILE, payload, priority=priority)


async def leave(tx: Tx, chat_id: int) -> None:
    """Leave a group the configuration does not name."""
    await tx.outbox.enqueue(chat_id, OutboxKind.LEAVE, {}, priority=PRIORITY_CARD_EDIT)
