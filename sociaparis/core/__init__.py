"""Core: settings, database engine and sessions, the error catalog."""
