"""What the domain asks to send: rows written into the outbox inside the caller's transaction.

Priorities order the outbox (lower first): people waiting on the bot come first, then changes to
cards moderators already see, then what makes new cases visible (cards, digests), and only then
evidence, most urgent case first. Rows made on behalf of someone (`fair_key`: a reporter) take
turns with other reporters' rows at the same priority.
"""

from __future__ import annotations

from bot.domain.vocabulary import OutboxKind
from bot.render.message import Button
from bot.store import Tx

PRIORITY_PERSON = 0
PRIORITY_CARD_EDIT = 1
PRIORITY_NEW_CARD = 2
# Overdue alarms come after what makes cases visible (after a downtime: the digests first).
PRIORITY_ALARM = 3
# Edits that only add detail (another reporter joined) wait with the backlog, below.
PRIORITY_REFRESH = 10
# Cards already listed in a digest wait here, most urgent category first, as the group's budget
# allows (10 + the category's priority, 1..9).
PRIORITY_BACKLOG_BASE = 11
# Evidence waits until every case is visible, then goes by the case's priority (20 + 1..9).
PRIORITY_EVIDENCE_BASE = 20

# Evidence messages posted when a moderator asks for more.
EVIDENCE_BATCH = 10


def reporter_key(reporter_id: int) -> str:
    """The fair key of what is sent on a reporter's behalf."""
    return f"reporter:{reporter_id}"


def evidence_priority(case_priority: int) -> int:
    return PRIORITY_EVIDENCE_BASE + case_priority


async def message(
    tx: Tx,
    chat_id: int,
    text: str,
    *,
    buttons: list[list[Button]] | None = None,
    case_id: int | None = None,
    priority: int = PRIORITY_PERSON,
) -> None:
    """A text message. In a private chat it takes turns with other people's messages."""
    payload: dict[str, object] = {"text": text}
    if buttons:
        payload["buttons"] = [[[b.text, b.data] for b in row] for row in buttons]
    await tx.outbox.enqueue(
        chat_id,
        OutboxKind.MESSAGE,
        payload,
        priority=priority,
        case_id=case_id,
        fair_key=f"chat:{chat_id}" if chat_id > 0 else None,
    )


async def new_card(
    tx: Tx,
    chat_id: int,
    case_id: int,
    *,
    priority: int = PRIORITY_NEW_CARD,
    fair_key: str | None = None,
) -> None:
    """A card is rendered when it is sent, so it always shows the case as it is then."""
    await tx.outbox.enqueue(
        chat_id, OutboxKind.CARD, {}, priority=priority, case_id=case_id, fair_key=fair_key
    )


async def evidence(
    tx: Tx,
    chat_id: int,
    case_id: int,
    from_chat_id: int,
    message_ids: list[int],
    *,
    album: bool,
    priority: int,
    fair_key: str | None = None,
) -> None:
    """Copies of one of a reporter's messages, or of one whole album, as replies to the case's
    card (an album is sent again from its stored files, as copies of several messages cannot
    reply)."""
    await tx.outbox.enqueue(
        chat_id,
        OutboxKind.EVIDENCE,
        {"from_chat_id": from_chat_id, "message_ids": message_ids, "album": album},
        priority=priority,
        case_id=case_id,
        fair_key=fair_key,
    )


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


async def card_edits(tx: Tx, cards: list[tuple[int, int]], priority: int) -> None:
    """`card_edit` for many (case, chat) cards at once: a pending edit is moved up if need be,
    the rest are queued."""
    await tx.outbox.queue_card_edits(cards, priority)


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
