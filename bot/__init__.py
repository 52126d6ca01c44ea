"""innkjøpsboten: the application (composition root, CLI, Teams layer, worker, pure core)."""
