"""Text within Telegram's limits: UTF-16 lengths, clipping untrusted text, whole-line fitting,
escaping for attributes, and how ages are written (times: `times.py`)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.render.i18n import escape

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
NAME_LIMIT = 64
TITLE_LIMIT = 128
NOTE_LIMIT = 600
DETAIL_LIMIT = 300
# Moderators' own words (a reason, a question) in a message to a reporter.
REPORTER_TEXT_LIMIT = 1500


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def clip(text: str, limit: int) -> str:
    """Cut untrusted text to `limit` UTF-16 units (before escaping), marking the cut."""
    if utf16_len(text) <= limit:
        return text
    out = []
    used = 0
    for char in text:
        size = utf16_len(char)
        if used + size > limit - 1:
            break
        out.append(char)
        used += size
    return "".join(out) + "…"


def escape_attr(value: str) -> str:
    return (
        value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


def fit_lines(lines: Sequence[str], limit: int) -> str:
    """Keep whole lines (each is balanced HTML) while they fit, then mark the cut."""
    kept: list[str] = []
    used = 0
    for line in lines:
        size = utf16_len(line) + 1
        if used + size > limit - 2:
            kept.append("…")
            break
        kept.append(line)
        used += size
    return "\n".join(kept)


def format_age(seconds: float, language: str) -> str:
    """`12m`, `1h05m`, `2d3h` in English; `12 menit`, `1 jam 5 menit`, `2 hari 3 jam` in
    Indonesian, where `h` would read as *hari* (day) and `m` is no unit at all."""
    minutes = max(0, int(seconds // 60))
    hours, minutes = divmod(minutes, 60)
    if language == "id":
        if hours == 0:
            return f"{minutes} menit"
        if hours < 48:
            return f"{hours} jam {minutes} menit" if minutes else f"{hours} jam"
        days, hours = divmod(hours, 24)
        return f"{days} hari {hours} jam" if hours else f"{days} hari"
    if hours == 0:
        return f"{minutes}m"
    if hours < 48:
        return f"{hours}h{minutes:02d}m"
    return f"{hours // 24}d{hours % 24}h"


def mention(user_id: int, name: str) -> str:
    """An HTML mention of a user by id, showing their name."""
    return f'<a href="tg://user?id={int(user_id)}">{escape(name)}</a>'
