"""Report Desk: a Telegram case desk between trusted reporters and moderators."""
