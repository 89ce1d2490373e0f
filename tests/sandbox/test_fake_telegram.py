"""Tests of the fake Bot API itself, through python-telegram-bot's real HTTP layer."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import (
    Bot,
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberRestricted,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes
from telegram.request import HTTPXRequest

from bot.sandbox import FakeTelegram, parse_html, utf16_len
from tests.factories import (
    BAD_NEWS,
    DUA,
    GROUP,
    MOD_ONE,
    SATU,
    STRANGER,
    World,
    channel_post_link,
    next_date,
    origin_channel,
    origin_hidden_user,
    origin_user,
    polling,
)

JSONDict = dict[str, Any]

# PTB's RetryAfter warns about its own retry_after type while being constructed.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


@pytest.fixture
def fake(tg: FakeTelegram) -> FakeTelegram:
    """The shared fake Bot API fixture (`tg` in conftest.py), under this file's name."""
    return tg


@pytest.fixture
def world(fake: FakeTelegram) -> World:
    built = World.build(fake)
    built.start(SATU)
    return built


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    client = Bot(fake.token, base_url=fake.base_url)
    async with client:
        yield client


async def raw_post(fake: FakeTelegram, method: str, **kwargs: Any) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{fake.api_url}/{method}", **kwargs) as response,
    ):
        return response.status, await response.text()


def last_error(fake: FakeTelegram) -> str | None:
    """The exact description the fake answered last (PTB reshapes BadRequest messages:
    it strips "Bad Request: " and capitalizes, lowercasing the rest)."""
    return fake.calls[-1].error


def keyboard(data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("Press", callback_data=data)]])


# ------------------------------------------------------------------------------- basics


async def test_get_me_wrong_token_and_unknown_method(fake: FakeTelegram, bot: Bot) -> None:
    assert bot.username == "report_desk_bot"
    assert fake.calls_to("getMe")[0].ok
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{fake.base_url}999:WRONG/getMe") as response:
            assert response.status == 401
            assert await response.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }
        async with session.post(f"{fake.api_url}/sendTelepathy") as response:
            assert response.status == 404
            body = await response.json()
            assert body["description"] == "Not Found"
        # Method names are case-insensitive, as on Telegram.
        async with session.get(f"{fake.api_url}/getme") as response:
            assert response.status == 200
            assert (await response.json())["result"]["id"] == fake.bot_id


async def test_json_and_form_bodies_decode_nested_values(fake: FakeTelegram, world: World) -> None:
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "v1:go:1"}]]}
    status, text = await raw_post(
        fake,
        "sendMessage",
        json={"chat_id": SATU, "text": "json body", "reply_markup": json.dumps(markup)},
    )
    assert status == 200, text
    status, text = await raw_post(
        fake,
        "sendMessage",
        data={"chat_id": str(SATU), "text": "123", "reply_markup": json.dumps(markup)},
    )
    assert status == 200, text
    sent = fake.messages_in(SATU)
    assert [m["text"] for m in sent] == ["json body", "123"]
    assert all(m["reply_markup"] == markup for m in sent)
    assert fake.calls_to("sendMessage", chat_id=SATU)[1].params["chat_id"] == SATU


# ------------------------------------------------------------------------------- HTML


async def test_unknown_tag_rejected(fake: FakeTelegram, world: World, bot: Bot) -> None:
    with pytest.raises(BadRequest):
        await bot.send_message(SATU, "Hi <foo>there</foo>", parse_mode=ParseMode.HTML)
    assert last_error(fake) == (
        'Bad Request: can\'t parse entities: Unsupported start tag "foo" at byte offset 3'
    )
    with pytest.raises(BadRequest, match=r"(?i)unsupported start tag"):
        await bot.send_message(SATU, "1 < 2 is true", parse_mode=ParseMode.HTML)
    assert fake.messages_in(SATU) == []


async def test_unclosed_and_mismatched_tags_rejected(
    fake: FakeTelegram, world: World, bot: Bot
) -> None:
    with pytest.raises(BadRequest):
        await bot.send_message(SATU, "<b>bold forever", parse_mode=ParseMode.HTML)
    assert last_error(fake) == (
        "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\""
    )
    with pytest.raises(BadRequest):
        await bot.send_message(SATU, "<b><i>x</b></i>", parse_mode=ParseMode.HTML)
    assert last_error(fake) == (
        "Bad Request: can't parse entities: Unmatched end tag at byte offset 7, "
        'expected "</i>", found "</b>"'
    )


async def test_escaped_text_accepted_and_stored_plain(fake: FakeTelegram, world: World) -> None:
    client = Bot(fake.token, base_url=fake.base_url)
    html_text = (
        "<b>Case 12</b> &lt;script&gt; &amp; &quot;q&quot; &#39;x&#x27; "
        '<a href="https://t.me/badnews/7">post</a> <code>c</code>'
    )
    async with client:
        sent = await client.send_message(SATU, html_text, parse_mode=ParseMode.HTML)
    assert sent.text == "Case 12 <script> & \"q\" 'x' post c"
    stored = fake.messages_in(SATU)[-1]
    assert stored["text"] == sent.text
    assert stored["_html"] == html_text
    types = [(e["type"], e["offset"], e["length"]) for e in stored["entities"]]
    assert types == [("bold", 0, 7), ("text_link", 27, 4), ("code", 32, 1)]
    assert stored["entities"][1]["url"] == "https://t.me/badnews/7"
    assert "_html" not in fake.calls_to("sendMessage")[-1].result


def test_parse_html_details() -> None:
    text, entities = parse_html(
        '<pre><code class="language-python">x = 1</code></pre>'
        "<blockquote expandable>q</blockquote><tg-spoiler>s</tg-spoiler>"
        '<span class="tg-spoiler">t</span>😀<u>u</u>'
    )
    assert text == "x = 1qst😀u"
    assert entities == [
        {"type": "pre", "offset": 0, "length": 5, "language": "python"},
        {"type": "expandable_blockquote", "offset": 5, "length": 1},
        {"type": "spoiler", "offset": 6, "length": 1},
        {"type": "spoiler", "offset": 7, "length": 1},
        {"type": "underline", "offset": 10, "length": 1},  # the emoji is 2 UTF-16 units
    ]
    assert parse_html("AT&T & co")[0] == "AT&T & co"  # a bare "&" is fine, as on Telegram
    with pytest.raises(Exception, match=r"Unsupported HTML entity"):
        parse_html("&nbsp;")
    with pytest.raises(Exception, match='Tag "span" must have class "tg-spoiler"'):
        parse_html('<span class="x">y</span>')
    with pytest.raises(Exception, match=r"Unexpected end tag at byte offset 1"):
        parse_html("a</b>")
    with pytest.raises(Exception, match=r"Unclosed start tag at byte offset 2"):
        parse_html("ab<b")


async def test_text_length_limits(fake: FakeTelegram, world: World, bot: Bot) -> None:
    await bot.send_message(SATU, "a" * 4096)
    with pytest.raises(BadRequest, match=r"(?i)^message is too long$"):
        await bot.send_message(SATU, "a" * 4097)
    # Markup and entities do not count, only the text after parsing.
    await bot.send_message(SATU, "&amp;" * 4096, parse_mode=ParseMode.HTML)
    await bot.send_message(SATU, "<b>" + "b" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(SATU, "&lt;" * 4097, parse_mode=ParseMode.HTML)
    # UTF-16 code units: an emoji outside the BMP counts twice.
    await bot.send_message(SATU, "😀" * 2048)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(SATU, "😀" * 2048 + "x")
    # Surrounding whitespace is trimmed before counting, as Telegram does.
    await bot.send_message(SATU, "\n" + "c" * 4096 + "\n")
    with pytest.raises(BadRequest, match=r"(?i)^message text is empty$"):
        await bot.send_message(SATU, "<b> </b>", parse_mode=ParseMode.HTML)
    lengths = [utf16_len(m["text"]) for m in fake.messages_in(SATU)]
    assert lengths == [4096] * 5


async def test_caption_limit(fake: FakeTelegram, world: World, bot: Bot) -> None:
    photo = fake.send_message(SATU, photo=True)["photo"][-1]["file_id"]
    await bot.send_photo(SATU, photo, caption="c" * 1024)
    with pytest.raises(BadRequest, match=r"(?i)^message caption is too long$"):
        await bot.send_photo(SATU, photo, caption="c" * 1025)
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_photo(SATU, "AgACAgIAAxkBAAI-made-up")
    with pytest.raises(BadRequest, match=r"(?i)type of file mismatch"):
        await bot.send_document(SATU, photo)


# ------------------------------------------------------------------------------- keyboards


async def test_callback_data_limit_in_bytes(fake: FakeTelegram, world: World, bot: Bot) -> None:
    await bot.send_message(SATU, "ok", reply_markup=keyboard("x" * 64))
    await bot.send_message(SATU, "ok", reply_markup=keyboard("é" * 32))  # 64 bytes
    with pytest.raises(BadRequest, match=r"(?i)^BUTTON_DATA_INVALID$"):
        await bot.send_message(SATU, "no", reply_markup=keyboard("x" * 65))
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(SATU, "no", reply_markup=keyboard("é" * 33))  # 66 bytes
    with pytest.raises(BadRequest, match=r"(?i)text buttons are unallowed"):
        await bot.send_message(
            SATU, "no", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Bare")]])
        )
    assert len(fake.messages_in(SATU)) == 2


async def test_identical_edit_is_not_modified(fake: FakeTelegram, world: World, bot: Bot) -> None:
    sent = await bot.send_message(
        GROUP, "<b>Case 1</b>", parse_mode=ParseMode.HTML, reply_markup=keyboard("a")
    )
    with pytest.raises(BadRequest, match=r"(?i)^Message is not modified"):
        await bot.edit_message_text(
            "<b>Case 1</b>",
            chat_id=GROUP,
            message_id=sent.message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard("a"),
        )
    assert last_error(fake) == (
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message"
    )
    # Same text without the bold entity is a change.
    await bot.edit_message_text(
        "Case 1", chat_id=GROUP, message_id=sent.message_id, reply_markup=keyboard("a")
    )
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(GROUP, sent.message_id, reply_markup=keyboard("a"))
    await bot.edit_message_reply_markup(GROUP, sent.message_id, reply_markup=keyboard("b"))
    # Omitting reply_markup in editMessageText removes the keyboard.
    await bot.edit_message_text("Case 1 closed", chat_id=GROUP, message_id=sent.message_id)
    current = fake.message(GROUP, sent.message_id)
    assert current["text"] == "Case 1 closed"
    assert "reply_markup" not in current
    assert "edit_date" in current
    with pytest.raises(BadRequest, match=r"(?i)^message to edit not found$"):
        await bot.edit_message_text("x", chat_id=GROUP, message_id=999)


async def test_press_and_answer_callback_query(fake: FakeTelegram, world: World, bot: Bot) -> None:
    sent = await bot.send_message(GROUP, "Card", reply_markup=keyboard("v1:take:1"))
    query_id = fake.press(MOD_ONE, GROUP, sent.message_id, "v1:take:1")
    updates = await bot.get_updates()
    query = updates[-1].callback_query
    assert query is not None and query.id == query_id
    assert query.data == "v1:take:1"
    assert query.from_user.id == MOD_ONE
    assert query.message is not None and query.message.message_id == sent.message_id
    with pytest.raises(BadRequest, match=r"(?i)^MESSAGE_TOO_LONG$"):
        await bot.answer_callback_query(query_id, text="x" * 201)
    assert await bot.answer_callback_query(query_id, text="Taken")
    answer = fake.answered(query_id)
    assert answer is not None and answer.ok and answer.params["text"] == "Taken"
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)  # already answered


async def test_expired_callback_query_rejected(fake: FakeTelegram, world: World, bot: Bot) -> None:
    sent = await bot.send_message(GROUP, "Card", reply_markup=keyboard("a"))
    first = fake.press(MOD_ONE, GROUP, sent.message_id, "a")
    fake.expire_queries()
    with pytest.raises(BadRequest):
        await bot.answer_callback_query(first)
    assert last_error(fake) == (
        "Bad Request: query is too old and response timeout expired or query ID is invalid"
    )
    second = fake.press(MOD_ONE, GROUP, sent.message_id, "forged:data")
    fake.advance_time(fake.callback_query_ttl + 1)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(second)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("no-such-query")
    failed = fake.answered(second)
    assert failed is not None and not failed.ok


# ------------------------------------------------------------------------------- chats


async def test_unknown_chat_rejected(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)^chat not found$"):
        await bot.send_message(-100999, "hello")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.get_chat("@nobody_here")


async def test_private_chat_not_started_is_forbidden(
    fake: FakeTelegram, world: World, bot: Bot
) -> None:
    with pytest.raises(Forbidden) as info:
        await bot.send_message(STRANGER, "hello")
    assert info.value.message == "Forbidden: bot can't initiate conversation with a user"
    fake.send_message(STRANGER, text="hi")
    await bot.send_message(STRANGER, "hello")
    fake.block_bot(STRANGER)
    with pytest.raises(Forbidden, match=r"^Forbidden: bot was blocked by the user$"):
        await bot.send_message(STRANGER, "still there?")
    updates = await bot.get_updates(allowed_updates=["message", "my_chat_member"])
    blocked = updates[-1].my_chat_member
    assert blocked is not None and blocked.new_chat_member.status == "kicked"


async def test_group_membership_and_rights(fake: FakeTelegram, world: World, bot: Bot) -> None:
    member = await bot.get_chat_member(GROUP, fake.bot_id)
    assert isinstance(member, ChatMemberAdministrator)
    fake.add_group(-100777, "Muted", bot_can_post=False)
    with pytest.raises(BadRequest, match=r"(?i)not enough rights to send text messages to the"):
        await bot.send_message(-100777, "x")
    assert isinstance(await bot.get_chat_member(-100777, fake.bot_id), ChatMemberRestricted)
    fake.add_group(-100778, "Elsewhere", bot_is_member=False)
    with pytest.raises(Forbidden, match=r"bot is not a member of the supergroup chat"):
        await bot.send_message(-100778, "x")

    fake.remove_bot_from_group(GROUP)
    with pytest.raises(Forbidden, match=r"^Forbidden: bot was kicked from the supergroup chat$"):
        await bot.send_message(GROUP, "x")
    fake.restore_bot_to_group(GROUP)
    await bot.send_message(GROUP, "back")
    updates = await bot.get_updates(allowed_updates=["my_chat_member"])
    statuses = [
        (u.my_chat_member.old_chat_member.status, u.my_chat_member.new_chat_member.status)
        for u in updates
        if u.my_chat_member
    ]
    assert statuses == [("administrator", "kicked"), ("kicked", "member")]
    kicked = updates[0].my_chat_member
    assert kicked is not None and isinstance(kicked.new_chat_member, ChatMemberBanned)

    chat = await bot.get_chat(GROUP)
    assert chat.title == "Moderators"
    channel = await bot.get_chat("@badnews")
    assert channel.id == BAD_NEWS
    assert (await bot.get_chat_member(GROUP, MOD_ONE)).status == "member"
    assert (await bot.get_chat_member(GROUP, STRANGER)).status == "left"


async def test_replies(fake: FakeTelegram, world: World, bot: Bot) -> None:
    report = fake.send_message(SATU, text="Look at https://t.me/badnews/5 please")
    reply = await bot.send_message(
        SATU, "Received", reply_parameters=ReplyParameters(report["message_id"])
    )
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.text == report["text"]
    with pytest.raises(BadRequest, match=r"(?i)^message to be replied not found$"):
        await bot.send_message(SATU, "x", reply_parameters=ReplyParameters(9999))
    loose = await bot.send_message(
        SATU,
        "x",
        reply_parameters=ReplyParameters(9999, allow_sending_without_reply=True),
    )
    assert loose.reply_to_message is None


# ------------------------------------------------------------------------------- injected updates


async def test_injected_messages_look_like_telegrams(
    fake: FakeTelegram, world: World, bot: Bot
) -> None:
    command = fake.send_message(SATU, text="/start@report_desk_bot hello")
    assert command["entities"] == [{"type": "bot_command", "offset": 0, "length": 22}]
    post = world.forward_channel_post(SATU, world.bad_news, 42, text="see t.me/badnews/42")
    answer = fake.send_message(SATU, text="and this", reply_to_message_id=post["message_id"])
    hidden = fake.send_message(
        SATU, text="from someone", forward_origin=origin_hidden_user("Anon", next_date())
    )
    video = fake.send_message(
        SATU, video=True, caption="clip", forward_origin=origin_user(world.dua)
    )
    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [1, 2, 3, 4, 5, 6]
    messages = [u.message for u in updates if u.message]
    parsed = messages[-4]
    assert parsed.forward_origin is not None and parsed.forward_origin.type == "channel"
    assert parsed.parse_entities() == {parsed.entities[0]: "t.me/badnews/42"}
    assert channel_post_link(world.bad_news, 42) == "https://t.me/badnews/42"
    assert channel_post_link(world.secret_cell, 3) == "https://t.me/c/2000000002/3"
    replied = messages[-3].reply_to_message
    assert replied is not None and replied.message_id == post["message_id"]
    assert answer["reply_to_message"]["text"] == "see t.me/badnews/42"
    assert messages[-2].forward_origin is not None
    assert hidden["forward_origin"]["sender_user_name"] == "Anon"
    assert messages[-1].video is not None and messages[-1].caption == "clip"
    assert video["video"]["file_id"] != fake.send_message(SATU, video=True)["video"]["file_id"]
    photo = fake.send_message(SATU, photo=True)["photo"]
    assert [p["width"] for p in photo] == [90, 320, 1280]
    assert len({p["file_unique_id"] for p in photo}) == 3


async def test_get_updates_offset_and_long_poll(fake: FakeTelegram, world: World, bot: Bot) -> None:
    assert fake.pending_updates == 1  # the /start from the world fixture
    first = await bot.get_updates()
    assert len(first) == 1
    again = await bot.get_updates()
    assert [u.update_id for u in again] == [first[0].update_id]  # not confirmed yet
    confirmed = await bot.get_updates(offset=first[0].update_id + 1, timeout=0)
    assert confirmed == () and fake.pending_updates == 0

    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(offset=first[0].update_id + 1, timeout=10))
    await asyncio.sleep(0.2)
    assert not poll.done()
    fake.send_message(SATU, text="wake up")
    woken = await asyncio.wait_for(poll, 3)
    assert time.monotonic() - started < 3
    assert [u.message.text for u in woken if u.message] == ["wake up"]

    fake.send_message(SATU, text="limited")
    fake.send_message(SATU, text="twice")
    assert len(await bot.get_updates(limit=1)) == 1
    # Negative offset keeps only the last N updates.
    last = await bot.get_updates(offset=-1)
    assert [u.message.text for u in last if u.message] == ["twice"]
    assert fake.pending_updates == 1


async def test_allowed_updates_filter_and_is_remembered(
    fake: FakeTelegram, world: World, bot: Bot
) -> None:
    await bot.get_updates(offset=-1, allowed_updates=["callback_query"])
    await bot.get_updates(offset=2)
    sent = await bot.send_message(GROUP, "Card", reply_markup=keyboard("a"))
    fake.send_message(SATU, text="dropped: not an allowed type")
    fake.press(MOD_ONE, GROUP, sent.message_id, "a")
    updates = await bot.get_updates()  # allowed_updates=None keeps the last list
    assert [u.callback_query is not None for u in updates] == [True]
    fake.send_message(SATU, text="default again")
    updates = await bot.get_updates(offset=updates[-1].update_id + 1, allowed_updates=[])
    assert [u.message.text for u in updates if u.message] == ["default again"]


async def test_concurrent_polls_conflict(fake: FakeTelegram, bot: Bot) -> None:
    second = Bot(fake.token, base_url=fake.base_url)  # like a second process on the token
    async with second:
        older = asyncio.create_task(bot.get_updates(timeout=5))
        await asyncio.sleep(0.2)
        newer = asyncio.create_task(second.get_updates(timeout=0))
        with pytest.raises(Conflict, match=r"terminated by other getUpdates request"):
            await older
        assert await newer == ()


# ------------------------------------------------------------------------------- copies


async def test_copy_messages_keeps_album_together(
    fake: FakeTelegram, world: World, bot: Bot
) -> None:
    album = world.forward_album(SATU, world.bad_news, 100, 3)
    note = fake.send_message(SATU, text="context")
    ids = [m["message_id"] for m in album] + [note["message_id"]]
    copies = await bot.copy_messages(GROUP, SATU, ids)
    assert len(copies) == 4
    stored = [fake.message(GROUP, c.message_id) for c in copies]
    groups = {m.get("media_group_id") for m in stored[:3]}
    assert len(groups) == 1 and None not in groups
    assert groups != {album[0]["media_group_id"]}
    assert "media_group_id" not in stored[3]
    assert all("forward_origin" not in m for m in stored)
    assert stored[0]["caption"] == "Album"
    assert stored[0]["photo"] == album[0]["photo"]

    forwards = await bot.forward_messages(GROUP, SATU, ids[:3])
    forwarded = fake.message(GROUP, forwards[0].message_id)
    assert forwarded["forward_origin"]["type"] == "channel"
    assert forwarded["forward_origin"]["message_id"] == 100

    fake.delete_by_user(SATU, note["message_id"])
    with pytest.raises(BadRequest, match=r"(?i)^message to copy not found$"):
        await bot.copy_message(GROUP, SATU, note["message_id"])
    copy_id = await bot.copy_message(
        GROUP, SATU, ids[0], caption="<i>re</i>", parse_mode=ParseMode.HTML
    )
    assert fake.message(GROUP, copy_id.message_id)["caption"] == "re"
    protected = fake.send_message(SATU, text="secret", has_protected_content=True)
    with pytest.raises(BadRequest, match=r"(?i)message can't be copied"):
        await bot.copy_message(GROUP, SATU, protected["message_id"])


async def test_send_media_group_and_delete(fake: FakeTelegram, world: World, bot: Bot) -> None:
    photos = [fake.send_message(SATU, photo=True)["photo"][-1]["file_id"] for _ in range(2)]
    sent = await bot.send_media_group(
        GROUP, [InputMediaPhoto(photos[0], caption="one"), InputMediaPhoto(photos[1])]
    )
    assert len({m.media_group_id for m in sent}) == 1
    assert len(fake.messages_in(GROUP)) == 2
    assert await bot.delete_message(GROUP, sent[0].message_id)
    assert [m["message_id"] for m in fake.messages_in(GROUP)] == [sent[1].message_id]
    assert fake.message(GROUP, sent[0].message_id)["_deleted"] is True
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(GROUP, sent[0].message_id)


# ------------------------------------------------------------------------------- faults


async def test_fault_429(fake: FakeTelegram, world: World, bot: Bot) -> None:
    fake.fail("sendmessage", kind="429", retry_after=7)
    with pytest.raises(RetryAfter):
        await bot.send_message(SATU, "x")
    failed = fake.calls_to("sendMessage")[-1]
    assert failed.error_code == 429 and failed.fault == "429"
    assert failed.error == "Too Many Requests: retry after 7"
    await bot.send_message(SATU, "x")  # times=1: the next call goes through
    fake.fail("sendMessage", kind="429", retry_after=3)
    status, body = await raw_post(fake, "sendMessage", json={"chat_id": SATU, "text": "x"})
    assert status == 429
    assert json.loads(body)["parameters"] == {"retry_after": 3}


async def test_fault_500_and_502(fake: FakeTelegram, world: World, bot: Bot) -> None:
    fake.fail("sendMessage", kind="500")
    with pytest.raises(NetworkError, match=r"Internal Server Error"):
        await bot.send_message(SATU, "x")
    fake.fail("sendMessage", kind="502", chat_id=SATU, times=2)
    await bot.send_message(GROUP, "other chats are unaffected")
    with pytest.raises(NetworkError, match=r"Bad Gateway"):
        await bot.send_message(SATU, "x")
    status, body = await raw_post(fake, "sendMessage", json={"chat_id": SATU, "text": "x"})
    assert status == 502 and "<center>nginx" in body
    assert fake.messages_in(SATU) == []


async def test_fault_drop(fake: FakeTelegram, world: World, bot: Bot) -> None:
    fake.fail("sendMessage", kind="drop")
    with pytest.raises(NetworkError):
        await bot.send_message(SATU, "x")
    assert fake.messages_in(SATU) == []
    await bot.send_message(SATU, "y")
    assert [m["text"] for m in fake.messages_in(SATU)] == ["y"]


async def test_fault_accept_then_drop(fake: FakeTelegram, world: World, bot: Bot) -> None:
    fake.fail("sendMessage", kind="accept_then_drop")
    with pytest.raises(NetworkError):
        await bot.send_message(SATU, "delivered, but the bot cannot know")
    assert [m["text"] for m in fake.messages_in(SATU)] == ["delivered, but the bot cannot know"]
    call = fake.calls_to("sendMessage")[-1]
    assert call.ok and call.fault == "accept_then_drop"


async def test_fault_timeout_and_stop_cancels_it(fake: FakeTelegram, world: World) -> None:
    fake.hang_seconds = 30
    fake.fail("sendMessage", kind="timeout")
    client = Bot(fake.token, base_url=fake.base_url, request=HTTPXRequest(read_timeout=0.3))
    async with client:
        with pytest.raises(TimedOut):
            await client.send_message(SATU, "x")
    assert fake.messages_in(SATU) == []
    started = time.monotonic()
    await fake.stop()
    assert time.monotonic() - started < 5
    # A restarted fake keeps its port and its state ("Telegram was down for a moment").
    url = fake.base_url
    await fake.start()
    assert fake.base_url == url
    async with Bot(fake.token, base_url=fake.base_url) as again:
        await again.send_message(SATU, "back online")
    assert [m["text"] for m in fake.messages_in(SATU)] == ["back online"]


async def test_fault_matches_any_method_case_and_chat(fake: FakeTelegram, world: World) -> None:
    fake.fail("*", kind="500", times=2)
    fake.fail("SENDMESSAGE", chat_id=GROUP, kind="drop")
    for _ in range(2):
        status, _body = await raw_post(fake, "getMe")
        assert status == 500
    status, _body = await raw_post(fake, "sendMessage", json={"chat_id": SATU, "text": "a"})
    assert status == 200
    with pytest.raises(aiohttp.ClientError):
        await raw_post(fake, "sendMessage", json={"chat_id": GROUP, "text": "a"})


async def test_crash_hooks(fake: FakeTelegram, world: World, bot: Bot) -> None:
    seen: list[str] = []
    fake.crash_hook("after_get_updates", lambda: seen.append("updates"))
    fake.crash_hook("after_send_accepted:sendMessage", lambda: seen.append("sent"))
    await bot.get_updates(offset=-1, timeout=0)  # one update: fires
    await bot.send_message(SATU, "x")
    await bot.send_message(SATU, "y")  # hooks are one-shot
    assert seen == ["updates", "sent"]


# ------------------------------------------------------------------------------- rate limits


async def send_until_refused(fake: FakeTelegram, bot: Bot, chat_id: int, allowed: int) -> None:
    """With rate limits on, ``allowed`` messages into the chat go out and the next gets 429."""
    fake.enforce_rate_limits = True
    for i in range(allowed):
        await bot.send_message(chat_id, f"message {i}")
    with pytest.raises(RetryAfter):
        await bot.send_message(chat_id, "one too many")


async def test_rate_limit_21st_group_message(fake: FakeTelegram, world: World, bot: Bot) -> None:
    await send_until_refused(fake, bot, GROUP, 20)
    assert fake.rate_limited == 1
    error = fake.calls_to("sendMessage")[-1].error or ""
    wait = int(error.rsplit(" ", 1)[-1])
    assert 1 <= wait <= 60
    await bot.send_message(SATU, "other chats still work")
    fake.advance_time(61)
    await bot.send_message(GROUP, "a minute later")
    assert len(fake.messages_in(GROUP)) == 21


async def test_rate_limit_private_burst(fake: FakeTelegram, world: World, bot: Bot) -> None:
    await send_until_refused(fake, bot, SATU, 3)
    fake.advance_time(1.0)
    await bot.send_message(SATU, "after a second")
    assert fake.rate_limited == 1


async def test_rate_limit_media_group_counts_each_item(
    fake: FakeTelegram, world: World, bot: Bot
) -> None:
    fake.enforce_rate_limits = True
    photos = [fake.send_message(SATU, photo=True)["photo"][0]["file_id"] for _ in range(10)]
    await bot.send_media_group(GROUP, [InputMediaPhoto(p) for p in photos])
    await bot.send_media_group(GROUP, [InputMediaPhoto(p) for p in photos])
    with pytest.raises(RetryAfter):
        await bot.send_message(GROUP, "21st")


# ------------------------------------------------------------------------------- PTB application


async def test_application_polls_the_fake(fake: FakeTelegram, world: World) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(
            update.effective_chat.id, "<b>Welcome</b>", parse_mode="HTML"
        )

    app = ApplicationBuilder().token(fake.token).base_url(fake.base_url).build()
    app.add_handler(CommandHandler("start", start))
    async with polling(app):
        welcome = await fake.wait_for(lambda: fake.messages_in(SATU))
        assert welcome[0]["text"] == "Welcome"
        await fake.wait_for(lambda: fake.pending_updates == 0)
    assert fake.calls_to("deleteWebhook")


async def test_wait_for_describes_timeouts(fake: FakeTelegram) -> None:
    with pytest.raises(AssertionError, match=r"timed out after 0.05s waiting for"):
        await fake.wait_for(lambda: fake.messages_in(GROUP + 1), timeout=0.05)
    assert await fake.wait_for(lambda: 42) == 42


async def test_commands_and_world_channels(fake: FakeTelegram, world: World, bot: Bot) -> None:
    from telegram import BotCommand, BotCommandScopeChat

    await bot.set_my_commands(
        [BotCommand("report", "Send a report")], scope=BotCommandScopeChat(SATU)
    )
    assert fake.commands_for({"type": "chat", "chat_id": SATU}) == [
        {"command": "report", "description": "Send a report"}
    ]
    got = await bot.get_my_commands(scope=BotCommandScopeChat(SATU))
    assert [c.command for c in got] == ["report"]
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.set_my_commands([BotCommand("x", "y")], scope=BotCommandScopeChat(STRANGER))
    with pytest.raises(Forbidden, match=r"bot is not a member of the channel chat"):
        await bot.send_message(BAD_NEWS, "x")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(world.secret_cell["id"], "x")
    assert origin_channel(world.bad_news, 1, 5)["chat"]["username"] == "badnews"


POLLER = """
import asyncio, sys
from telegram import Bot

async def main() -> None:
    async with Bot(sys.argv[1], base_url=sys.argv[2]) as bot:
        offset = None
        while True:
            updates = await bot.get_updates(offset=offset, timeout=5)
            for update in updates:
                offset = update.update_id + 1
                await bot.send_message(update.effective_chat.id, "echo")

asyncio.run(main())
"""


async def test_separate_process_and_crash_hook(fake: FakeTelegram, world: World) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", POLLER, fake.token, fake.base_url
    )
    try:
        # The fixture's /start is handled, then confirmed by the next poll's offset.
        await fake.wait_for(lambda: fake.messages_in(SATU), timeout=20)
        await fake.wait_for(lambda: fake.pending_updates == 0)
        # The next update is delivered, then the process dies before it can confirm it.
        fake.crash_hook("after_get_updates", lambda: os.kill(proc.pid, signal.SIGKILL))
        fake.send_message(DUA, text="/start")
        assert await asyncio.wait_for(proc.wait(), 20) == -signal.SIGKILL
        assert fake.pending_updates == 1
        assert fake.messages_in(DUA) == []
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
