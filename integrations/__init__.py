"""Driven adapters: database, Microsoft Graph, static directory, contract import. Each implements a port."""
