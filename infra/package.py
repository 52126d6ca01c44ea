"""Build the Teams app package (a zip) from `infra/appPackage/`.

    .venv/bin/python infra/package.py [--out dist/innkjopsboten.zip]

The manifest and localization files are templates with Agents Toolkit style placeholders,
`${{NAME}}`, filled from the environment (and from `.env` at the repo root, for the names the
bot itself reads):

- `BOT_ID`: the bot's Entra app (client) id. From `BOT_ID`, else `BOT__APP_ID`; when both are
  empty a stable placeholder GUID is used and a warning printed (fine for the Agents
  Playground, not for a real tenant).
- `TEAMS_APP_ID`: the manifest `id`. From `TEAMS_APP_ID`, else the bot id (the usual choice for a
  bot-only app uploaded to the org catalog).
- `BOT_DOMAIN`: host name of the bot endpoint, for `validDomains` (default `localhost`). A URL
  such as `https://bot.example.no/api/messages` is reduced to its host.
- Any other `${{NAME}}` is taken from the environment; an unknown one is an error.

The manifest `version` is always set from `pyproject.toml`. Only the standard library is used.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
import tomllib
import zipfile
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
APP_PACKAGE = REPO / "infra" / "appPackage"
DEFAULT_OUT = REPO / "dist" / "innkjopsboten.zip"
PLACEHOLDER_APP_ID = "00000000-0000-4000-8000-000000000000"
PLACEHOLDER = re.compile(r"\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
# A fixed timestamp so the same input gives a byte-identical zip.
ZIP_DATE = (2020, 1, 1, 0, 0, 0)


class PackageError(Exception):
    pass


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def read_dotenv(path: Path) -> dict[str, str]:
    """A minimal `.env` reader (KEY=VALUE, # comments, optional quotes); never overrides env."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip().removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key] = value
    return values


def project_version(pyproject: Path = REPO / "pyproject.toml") -> str:
    with pyproject.open("rb") as handle:
        version = tomllib.load(handle)["project"]["version"]
    if not re.fullmatch(r"\d+\.\d+\.\d+", version):
        raise PackageError(
            f"pyproject version {version!r} is not MAJOR.MINOR.PATCH (Teams needs it)"
        )
    return str(version)


def domain_of(value: str) -> str:
    value = value.strip()
    if "://" in value:
        value = urlsplit(value).netloc
    value = value.split("/", 1)[0]
    return value.rsplit("@", 1)[-1].split(":", 1)[0].lower()


def resolve_values(env: Mapping[str, str]) -> dict[str, str]:
    """The placeholder values: the three we compute plus everything in `env`."""
    values = dict(env)
    bot_id = (env.get("BOT_ID") or env.get("BOT__APP_ID") or "").strip()
    if not bot_id:
        warn(
            "BOT__APP_ID is empty: using the placeholder app id "
            f"{PLACEHOLDER_APP_ID} (sideload in the Agents Playground only)"
        )
        bot_id = PLACEHOLDER_APP_ID
    if not GUID.match(bot_id):
        raise PackageError(f"bot app id {bot_id!r} is not a GUID")
    teams_app_id = (env.get("TEAMS_APP_ID") or "").strip() or bot_id
    if not GUID.match(teams_app_id):
        raise PackageError(f"TEAMS_APP_ID {teams_app_id!r} is not a GUID")
    domain = domain_of(env.get("BOT_DOMAIN") or "") or "localhost"
    if domain == "localhost":
        warn("BOT_DOMAIN is not set: validDomains gets 'localhost' (set it for a real tenant)")
    values.update(BOT_ID=bot_id, TEAMS_APP_ID=teams_app_id, BOT_DOMAIN=domain)
    return values


def substitute(text: str, values: Mapping[str, str], *, source: str) -> str:
    missing = sorted({m.group(1) for m in PLACEHOLDER.finditer(text) if m.group(1) not in values})
    if missing:
        raise PackageError(f"{source}: no value for placeholder(s) {', '.join(missing)}")
    # Values go into JSON strings: escape them the JSON way.
    return PLACEHOLDER.sub(lambda m: json.dumps(values[m.group(1)])[1:-1], text)


def render(source_dir: Path, values: Mapping[str, str], version: str) -> dict[str, bytes]:
    """File name -> bytes of everything that goes into the zip."""
    manifest_text = substitute(
        (source_dir / "manifest.json").read_text(encoding="utf-8"), values, source="manifest.json"
    )
    manifest = json.loads(manifest_text)
    manifest["version"] = version
    files: dict[str, bytes] = {}

    for key in ("color", "outline"):
        name = manifest["icons"][key]
        files[name] = (source_dir / name).read_bytes()

    localization = manifest.get("localizationInfo", {})
    names = [localization.get("defaultLanguageFile")]
    names += [extra["file"] for extra in localization.get("additionalLanguages", [])]
    for name in filter(None, names):
        text = substitute((source_dir / name).read_text(encoding="utf-8"), values, source=name)
        files[name] = dump_json(json.loads(text))

    # validDomains must not be empty strings or duplicates.
    if "validDomains" in manifest:
        manifest["validDomains"] = list(dict.fromkeys(d for d in manifest["validDomains"] if d))
    files["manifest.json"] = dump_json(manifest)
    return dict(sorted(files.items(), key=lambda item: item[0] != "manifest.json"))


def dump_json(data: object) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_zip(files: Mapping[str, bytes], out: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(buffer.getvalue())


def build(
    out: Path = DEFAULT_OUT,
    *,
    env: Mapping[str, str] | None = None,
    source_dir: Path = APP_PACKAGE,
) -> Path:
    if env is None:
        env = {**read_dotenv(REPO / ".env"), **os.environ}
    values = resolve_values(env)
    files = render(source_dir, values, project_version())
    write_zip(files, out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the Teams app package (zip).")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"default: {DEFAULT_OUT}")
    args = parser.parse_args(argv)
    try:
        out = build(args.out)
    except (PackageError, OSError, KeyError, json.JSONDecodeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        names = ", ".join(archive.namelist())
    print(
        f"wrote {out} (app id {manifest['id']}, bot id {manifest['bots'][0]['botId']}, "
        f"version {manifest['version']}, domains {manifest.get('validDomains', [])}): {names}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
