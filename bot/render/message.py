"""A message ready to send, in our own terms (the Telegram edge turns it into API objects)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Button:
    """An inline button that sends callback data."""

    text: str
    data: str


@dataclass(frozen=True)
class Rendered:
    """HTML text and an inline keyboard of callback buttons."""

    text: str
    buttons: list[list[Button]] = field(default_factory=list)


def rows_of(buttons: list[Button], width: int) -> list[list[Button]]:
    """Buttons laid out `width` to a row."""
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]
