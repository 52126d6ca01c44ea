"""Serve an aiohttp app in this process on a free loopback port."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web


@dataclass
class Site:
    runner: web.AppRunner
    url: str

    async def close(self) -> None:
        await self.runner.cleanup()


async def start_site(app: web.Application) -> Site:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return Site(runner, f"http://127.0.0.1:{port}")
