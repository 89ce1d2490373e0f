"""Plain values and rules of the desk; imports nothing else of ours and never Telegram."""
