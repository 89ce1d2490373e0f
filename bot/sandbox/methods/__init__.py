"""The Bot API methods the fake implements, grouped by area, and what they share.

Each group is a dataclass over the collaborators it needs; its Bot API methods are the ones it
declares with :func:`~bot.sandbox.routing.api` (or ``api_each``), and
:class:`~bot.sandbox.server.FakeTelegram` serves every declared method of every group. What the
groups share is a collaborator here too: :class:`Formatter` (texts, captions, keyboards) and
:class:`Poster` (storing the bot's messages).
"""

from bot.sandbox.methods.callbacks import CallbackQueries
from bot.sandbox.methods.chats import ChatMethods
from bot.sandbox.methods.content import Formatter
from bot.sandbox.methods.copying import CopyingMethods
from bot.sandbox.methods.editing import EditingMethods
from bot.sandbox.methods.posting import Poster
from bot.sandbox.methods.profile import ProfileMethods
from bot.sandbox.methods.sending import SendingMethods

__all__ = [
    "CallbackQueries",
    "ChatMethods",
    "CopyingMethods",
    "EditingMethods",
    "Formatter",
    "Poster",
    "ProfileMethods",
    "SendingMethods",
]
