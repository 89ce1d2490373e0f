"""The Telegram edge, the only package that imports `telegram`: updates become calls on the desk,
outbox rows become Bot API calls, and Telegram's errors become our failure classes."""
