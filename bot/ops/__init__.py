"""Running the desk: its health as the process sees it (and, with the operations issue,
backups, retention and monitoring)."""
