"""`make run`: the bot on 127.0.0.1:3978 and, when Node.js is present, the Microsoft 365 Agents
Playground on port 56150 pointed at it. Without GRAPH__BASE_URL or ROOMS__MODE it also starts a
local fake Graph (scripts/fake_graph_server.py, port 8765) and turns collaboration rooms on
against it. Ctrl-C stops them all."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "@microsoft/m365agentsplayground"
CONFIG = ROOT / "infra" / "playground" / ".m365agentsplayground.yml"
DEMO_CONTRACTS = ROOT / "infra" / "demo" / "contracts.csv"


def playground_tenant() -> str:
    """The playground's tenant: contract reminders reach people in it (REMINDERS__TENANT_ID)."""
    match = re.search(r'^tenantId:\s*"?([^"\s]+)"?', CONFIG.read_text("utf-8"), re.MULTILINE)
    return match.group(1) if match else ""


def import_demo_contracts(python: str, env: dict[str, str]) -> None:
    """The demo contract register (re-importing changes nothing); DEMO_CONTRACTS=0 skips it.
    Kari manages two contracts with a reminder due around 1 December 2026."""
    if env.get("DEMO_CONTRACTS", "1") == "0" or not DEMO_CONTRACTS.exists():
        return
    subprocess.run(
        [python, "-m", "bot", "import-contracts", str(DEMO_CONTRACTS)], cwd=ROOT, env=env
    )


def wait_healthy(url: str, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def ensure_playground(folder: Path, version: str) -> Path | None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        print("Node.js not found: starting the bot without the Agents Playground.")
        return None
    binary = folder / "node_modules" / ".bin" / "agentsplayground"
    if not binary.exists():
        print(f"Installing {PACKAGE}@{version} into {folder} (once) ...")
        folder.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(folder),
                "--no-audit",
                "--no-fund",
                "--silent",
                f"{PACKAGE}@{version}",
            ],
            check=False,
        )
        if result.returncode != 0 or not binary.exists():
            print("Could not install the Agents Playground; the bot runs alone.")
            return None
    return binary


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--playground-dir", default=".playground")
    parser.add_argument("--playground-version", default="0.2.28")
    args = parser.parse_args()

    host = os.environ.get("BOT__HOST", "127.0.0.1")
    port = int(os.environ.get("BOT__PORT", "3978"))
    pg_port = int(os.environ.get("PLAYGROUND__PORT", "56150"))
    python = sys.executable
    processes: list[subprocess.Popen[bytes]] = []

    def stop(*_: object) -> None:
        for process in reversed(processes):
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

    signal.signal(signal.SIGTERM, lambda *_: (stop(), sys.exit(0)))
    bot_env = dict(os.environ)
    # The playground sends locale en-US in every activity; the demo speaks bokmål unless told.
    bot_env.setdefault("FORCE_LOCALE", os.environ.get("PLAYGROUND_LOCALE", "nb-NO"))
    if not os.environ.get("GRAPH__BASE_URL") and not os.environ.get("ROOMS__MODE"):
        # No tenant: a local fake Graph, so accepting a need opens a room (on the fake).
        graph_port = int(os.environ.get("FAKE_GRAPH_PORT", "8765"))
        fake_graph = subprocess.Popen(
            [python, str(ROOT / "scripts" / "fake_graph_server.py"), "--port", str(graph_port)],
            cwd=ROOT,
        )
        processes.append(fake_graph)
        bot_env.update(
            GRAPH__AUTH="none",
            GRAPH__BASE_URL=f"http://127.0.0.1:{graph_port}/v1.0",
            GRAPH__TEAMS_APP_ID=bot_env.get("GRAPH__TEAMS_APP_ID") or "local-innkjopsboten",
            ROOMS__MODE="team",
            # the fake's operations move on per check; a short interval keeps the demo quick
            ROOMS__POLL_INTERVAL_SECONDS=bot_env.get("ROOMS__POLL_INTERVAL_SECONDS") or "2",
        )
        print(f"Fake Graph for collaboration rooms: http://127.0.0.1:{graph_port}/v1.0")
    bot_env.setdefault("REMINDERS__TENANT_ID", playground_tenant())
    import_demo_contracts(python, bot_env)
    bot = subprocess.Popen([python, "-m", "bot", "serve"], cwd=ROOT, env=bot_env)
    processes.append(bot)
    try:
        if not wait_healthy(f"http://{host}:{port}/healthz"):
            print("The bot did not become healthy; see the log above.")
            stop()
            return 1
        binary = ensure_playground(ROOT / args.playground_dir, args.playground_version)
        if binary is not None:
            # Mock users that match the demo directory (Kari files, her manager Ola approves).
            shutil.copy(CONFIG, ROOT / args.playground_dir / CONFIG.name)
            env = dict(os.environ)
            if not env.get("DISPLAY") and sys.platform.startswith("linux"):
                env["TEAMSAPPTESTER_BROWSER"] = "none"  # no screen: don't try to open a browser
            playground = subprocess.Popen(
                [
                    str(binary),
                    "start",
                    "--app-endpoint",
                    f"http://{host}:{port}/api/messages",
                    "--port",
                    str(pg_port),
                    "--disable-telemetry",
                ],
                cwd=ROOT / args.playground_dir,
                env=env,
            )
            processes.append(playground)
            print(
                f"\n  Open the Agents Playground: http://localhost:{pg_port}\n"
                f"  Bot endpoint: http://{host}:{port}/api/messages   (Ctrl-C stops both)\n"
            )
        else:
            print(f"\n  Bot endpoint: http://{host}:{port}/api/messages   (Ctrl-C stops it)\n")
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
        return next((p.returncode or 0 for p in processes if p.poll() is not None), 0)
    except KeyboardInterrupt:
        print("\nStopping ...")
        return 0
    finally:
        stop()


if __name__ == "__main__":
    sys.exit(main())
