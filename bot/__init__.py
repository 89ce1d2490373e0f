"""Report Desk: a Telegram case desk between trusted reporters and moderators."""

import os

# Opt in to python-telegram-bot's coming behaviour (durations as timedelta) now: our error
# classification reads both forms, and the opt-in silences PTB's deprecation warning.
os.environ.setdefault("PTB_TIMEDELTA", "1")
