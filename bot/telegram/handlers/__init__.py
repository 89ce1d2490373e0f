"""Thin glue from Telegram updates to the desk; one module per audience."""
