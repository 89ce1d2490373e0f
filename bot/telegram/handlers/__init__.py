"""Thin glue from Telegram updates to the desk; one module per audience."""

from bot.desk import Desk


class DeskHandlers:
    """Handlers that turn updates into calls on the desk."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
