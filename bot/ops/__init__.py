"""Operations outside the conversation: exports, the transparency report, private files."""
