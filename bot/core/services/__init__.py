"""Use cases as plain async functions taking a command and keyword ports."""
