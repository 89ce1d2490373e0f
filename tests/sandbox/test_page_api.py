"""The sandbox page's web API in process: a whole sandbox (local Bot API, desk, page) on loopback,
driven over HTTP as the page's script drives it."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.sandbox.app import Sandbox, SandboxOptions
from bot.sandbox.demo import ESCALATION_CHAT, MODERATOR_GROUP
from bot.sandbox.samples import SAMPLES

AYU, BUDI, MAYA, ADI = 7101, 7102, 7201, 7301
WAIT = 60.0  # a ceiling for the desk's answers on a loaded machine


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    running = Sandbox(SandboxOptions(port=0))
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def post(
    http: aiohttp.ClientSession, sandbox: Sandbox, path: str, body: Any
) -> tuple[int, dict]:
    async with http.post(sandbox.page.url + path.lstrip("/"), json=body) as response:
        return response.status, await response.json()


def texts(sandbox: Sandbox, chat_id: int) -> list[str]:
    return [m.get("text") or m.get("caption") or "" for m in sandbox.fake.messages_in(chat_id)]


def card(sandbox: Sandbox, case: int) -> dict:
    cards = [
        m
        for m in sandbox.fake.messages_in(MODERATOR_GROUP)
        if (m.get("text") or "").startswith(f"#{case} ·")
    ]
    assert cards, texts(sandbox, MODERATOR_GROUP)
    return cards[-1]


def button(message: dict, label: str) -> str:
    for row in message["reply_markup"]["inline_keyboard"]:
        for b in row:
            if label in b["text"]:
                return str(b["callback_data"])
    raise AssertionError(f"no {label!r} on {message.get('text')!r}")


async def press(
    http: aiohttp.ClientSession, sandbox: Sandbox, who: int, message: dict, data: str
) -> int:
    """`who` presses the button with `data` on a message in moderator space; the page's status."""
    chat = {"user": who, "chat": MODERATOR_GROUP}
    status, _ = await post(
        http, sandbox, "/api/press", {**chat, "message": message["message_id"], "data": data}
    )
    return status


async def report(http: aiohttp.ClientSession, sandbox: Sandbox, who: int, sample: str) -> int:
    assert (await post(http, sandbox, "/api/forward", {"user": who, "sample": sample}))[0] == 200
    status, _ = await post(
        http, sandbox, "/api/send", {"user": who, "chat": who, "text": "/report terrorism"}
    )
    assert status == 200
    ack = await sandbox.fake.wait_for(
        lambda: [t for t in texts(sandbox, who) if "case #" in t or "kasus #" in t],
        timeout=WAIT,
        description="the acknowledgement",
    )
    return int(re.search(r"#(\d+)", ack[-1]).group(1))  # type: ignore[union-attr]


async def test_every_person_opened_their_chat_and_the_page_serves_itself(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    await sandbox.fake.wait_for(
        lambda: all(texts(sandbox, p.user_id) for p in sandbox.cast.personas),
        timeout=WAIT,
        description="every welcome",
    )
    async with http.get(sandbox.page.url) as response:
        assert response.status == 200
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        page = await response.text()
    assert '<script src="/static/app.js">' in page
    for asset in ("/static/app.js", "/static/style.css"):
        async with http.get(sandbox.page.url + asset.lstrip("/")) as response:
            assert response.status == 200, asset
    script = (Path(__file__).parents[2] / "bot/sandbox/web/static/app.js").read_text("utf-8")
    for unsafe in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert unsafe not in script


async def test_forward_report_press_and_the_reporter_hears_the_outcome(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    case = await report(http, sandbox, AYU, "channel-post")
    assert await press(http, sandbox, MAYA, card(sandbox, case), f"v1:c:{case}") == 200
    await sandbox.fake.wait_for(
        lambda: "claimed by Maya Putri" in card(sandbox, case)["text"], timeout=WAIT
    )
    taken = card(sandbox, case)
    await press(http, sandbox, MAYA, taken, button(taken, "Take down"))
    reasons = await sandbox.fake.wait_for(
        lambda: (
            "terrorist propaganda" in json.dumps(card(sandbox, case).get("reply_markup"))
            and card(sandbox, case)
        ),
        timeout=WAIT,
    )
    await press(http, sandbox, MAYA, reasons, button(reasons, "propaganda"))
    outcome = await sandbox.fake.wait_for(
        lambda: [t for t in texts(sandbox, AYU) if "is decided" in t], timeout=WAIT
    )
    assert "taken down" in outcome[-1]
    assert "Maya" not in outcome[-1]


async def test_every_sample_forwards_and_repeats_join_one_case(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    for sample in SAMPLES:
        status, answer = await post(
            http, sandbox, "/api/forward", {"user": BUDI, "sample": sample.key}
        )
        assert status == 200, (sample.key, answer)
        assert len(answer["messages"]) == max(1, len(sample.photos))
    forwarded = [m for m in sandbox.fake.history(BUDI) if "forward_origin" in m]
    kinds = {m["forward_origin"]["type"] for m in forwarded}
    assert kinds == {"channel", "user", "hidden_user", "chat"}
    album = [m for m in forwarded if m.get("media_group_id")]
    assert len(album) == 3 and len({m["media_group_id"] for m in album}) == 1

    first = await report(http, sandbox, AYU, "user-message")
    again = await report(http, sandbox, BUDI, "user-message")
    assert first == again


async def test_a_photo_is_a_picture_drawn_for_it(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    _, answer = await post(http, sandbox, "/api/forward", {"user": AYU, "sample": "channel-photo"})
    photo = sandbox.fake.message(AYU, answer["messages"][0])["photo"][-1]
    async with http.get(f"{sandbox.page.url}media/{photo['file_unique_id']}.png") as response:
        assert response.status == 200
        assert response.content_type == "image/png"
        assert (await response.read()).startswith(b"\x89PNG\r\n\x1a\n")
    async with http.get(f"{sandbox.page.url}media/..%2Fsecret.png") as response:
        assert response.status == 404


@pytest.mark.parametrize(
    ("path", "body", "error"),
    [
        ("/api/send", {"user": 999, "chat": 999, "text": "hi"}, "not one of the demo's people"),
        ("/api/send", {"user": AYU, "chat": MODERATOR_GROUP, "text": "hi"}, "is not in"),
        ("/api/send", {"user": AYU, "chat": BUDI, "text": "hi"}, "not open to this person"),
        ("/api/send", {"user": ADI, "chat": ESCALATION_CHAT, "text": "hi"}, "is not in"),
        ("/api/send", {"user": AYU, "chat": AYU, "text": "   "}, "type something"),
        ("/api/send", {"user": AYU, "chat": AYU, "text": "x" * 4097}, "at most 4096"),
        ("/api/send", {"user": AYU, "chat": AYU, "text": "a", "reply_to": 999}, "gone"),
        ("/api/forward", {"user": AYU, "sample": "nope"}, "no such sample"),
        ("/api/press", {"user": MAYA, "chat": MODERATOR_GROUP, "message": 1, "data": "x"}, ""),
        ("/api/flood", {"count": 1000}, "1 to 100"),
        ("/api/flood", {"count": True}, "1 to 100"),
    ],
)
async def test_the_page_acts_only_where_its_person_could(
    sandbox: Sandbox, http: aiohttp.ClientSession, path: str, body: dict, error: str
) -> None:
    status, answer = await post(http, sandbox, path, body)
    assert status == 400
    assert answer["ok"] is False
    assert error in answer["error"]


async def test_a_button_the_message_does_not_carry_cannot_be_pressed(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    case = await report(http, sandbox, AYU, "channel-post")
    message = card(sandbox, case)["message_id"]
    status, answer = await post(
        http,
        sandbox,
        "/api/press",
        {"user": MAYA, "chat": MODERATOR_GROUP, "message": message, "data": f"v1:r:{case}:t:x"},
    )
    assert status == 400
    assert "no longer there" in answer["error"]


async def test_other_sites_cannot_act_or_reach_the_page(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    url = sandbox.page.url + "api/send"
    body = {"user": AYU, "chat": AYU, "text": "/help"}
    async with http.post(url, data=json.dumps(body), headers={"Content-Type": "text/plain"}) as r:
        assert r.status == 415
    async with http.post(url, json=body, headers={"Origin": "http://evil.example"}) as r:
        assert r.status == 403
    async with http.get(sandbox.page.url, headers={"Host": "evil.example:8080"}) as r:
        assert r.status == 421
    assert not [m for m in sandbox.fake.history(AYU) if m.get("text") == "/help"]


async def test_the_stream_starts_with_a_snapshot_then_follows_changes(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    async with http.get(sandbox.page.url + "api/events") as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        first = await read_event(stream)
        assert first[0] == "snapshot"
        assert {p["id"] for p in first[1]["personas"]} >= {AYU, MAYA, ADI}
        await post(
            http, sandbox, "/api/send", {"user": AYU, "chat": AYU, "text": "<b>not bold</b>"}
        )
        while True:
            event, data = await read_event(stream)
            if event == "message" and data["from"]["id"] == AYU:
                break
        assert data["text"] == "<b>not bold</b>"
        assert "bold" not in {e["type"] for e in data["entities"]}


async def test_a_flood_sends_a_burst_from_the_demo_reporters(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    status, answer = await post(http, sandbox, "/api/flood", {"count": 6})
    assert (status, answer["sent"]) == (200, 6)
    for reporter in sandbox.cast.reporters:
        reports = [
            m
            for m in sandbox.fake.history(reporter.user_id)
            if (m.get("text") or "").startswith("/report gambling")
        ]
        assert len(reports) == 2


async def read_event(stream: aiohttp.ClientResponse) -> tuple[str, dict]:
    event = ""
    async with asyncio.timeout(WAIT):
        while True:
            line = (await stream.content.readline()).decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[len("event: ") :]
            elif line.startswith("data: "):
                return event, json.loads(line[len("data: ") :])
