"""Driven adapters (database, Graph, static directory, contract import), each behind a port."""
