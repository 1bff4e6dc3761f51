"""Pure readers and writers of qualitative data formats (no database)."""
