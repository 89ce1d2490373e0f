"""What people read: cards, digests and reporter texts as escaped HTML within Telegram's limits,
their buttons and button data, and the English and Indonesian catalogues."""
