"""Running the desk outside the conversation: its health as the process sees it, exports,
the transparency report, private files (and, with the operations issue, backups, retention and
monitoring)."""
