"""A local fake Microsoft Graph for `make run`: the test suite's fake (directory and Teams
endpoints, Graph's JSON shapes) on a fixed port, so accepting a need in the Agents Playground
creates a collaboration room without a tenant. Nothing here is for production.

    python scripts/fake_graph_server.py --port 8765
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.fake_graph_teams import FakeTeamsGraph  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="fake-graph %(message)s")
    fake = FakeTeamsGraph()
    # the procurement team of the demo directory, for ROOMS__MODE=channel
    fake.add_team("team-innkjop", "Innkjøpsseksjonen")
    print(f"Fake Graph on http://{args.host}:{args.port}/v1.0")
    web.run_app(fake.make_app(), host=args.host, port=args.port, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
