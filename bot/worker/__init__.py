"""Background loops started and stopped with the aiohttp app: outbox delivery (later: scans)."""
