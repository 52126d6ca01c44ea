"""Test harness: fake Bot Connector, Teams-shaped activity builders, app runner."""
