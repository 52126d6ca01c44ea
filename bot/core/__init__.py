"""The pure core: domain rules and use cases.

Imports no framework (botbuilder, aiohttp, Graph, SQL); enforced by import-linter.
"""
