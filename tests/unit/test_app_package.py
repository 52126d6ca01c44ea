"""The Teams app package: built by infra/package.py, checked against Microsoft's own schema.

The manifest schema comes from the npm package `@microsoft/app-manifest` (the one the Agents
Toolkit validates with), fetched once with `npm pack` into the git-ignored `.cache/app-manifest/`.
Without npm, or when the fetch fails, the schema tests skip and say why; the rules the schema
does not cover (icon sizes and colours, ids, zip contents) run regardless.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile
import zlib
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
NPM_PACKAGE = "@microsoft/app-manifest"
NPM_VERSION = "1.1.2"
SCHEMA_VERSION = "1.30"
CACHE = REPO / ".cache" / "app-manifest"
SCHEMA_URL = (
    "https://developer.microsoft.com/en-us/json-schemas/teams/v{v}/MicrosoftTeams{kind}.schema.json"
)

BOT_ID = "3f2c8a4e-9b1d-4c6e-8f7a-2d5b9c1e0a47"
EXPECTED_FILES = {"manifest.json", "color.png", "outline.png", "nb.json", "en.json"}


# --------------------------------------------------------------------------- the builder


def _load_packager() -> ModuleType:
    spec = importlib.util.spec_from_file_location("infra_package", REPO / "infra" / "package.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("infra_package", module)
    spec.loader.exec_module(module)
    return module


packager = _load_packager()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("pkg") / "innkjopsboten.zip"
    packager.build(out, env={"BOT__APP_ID": BOT_ID, "BOT_DOMAIN": "https://bot.example.no/x"})
    with zipfile.ZipFile(out) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture(scope="module")
def manifest(built: dict[str, bytes]) -> dict[str, Any]:
    return json.loads(built["manifest.json"])


# --------------------------------------------------------------------------- schema from npm


def _schema_dir() -> Path:
    return (
        CACHE / NPM_VERSION / "package" / "build" / "json-schemas" / "teams" / f"v{SCHEMA_VERSION}"
    )


def _fetch_schemas() -> str | None:
    """Fill the cache with `npm pack`; the reason it could not, or None on success."""
    if _schema_dir().is_dir():
        return None
    npm = shutil.which("npm")
    if npm is None:
        return "npm is not installed, so Microsoft's manifest schema cannot be fetched"
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as work:
        try:
            done = subprocess.run(
                [npm, "pack", f"{NPM_PACKAGE}@{NPM_VERSION}", "--pack-destination", work],
                capture_output=True,
                text=True,
                timeout=180,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"npm pack {NPM_PACKAGE}@{NPM_VERSION} failed: {exc}"
        tarballs = list(Path(work).glob("*.tgz"))
        if done.returncode != 0 or not tarballs:
            return f"npm pack {NPM_PACKAGE}@{NPM_VERSION} failed: {done.stderr.strip()[-300:]}"
        unpacked = Path(work) / "unpacked"
        with tarfile.open(tarballs[0]) as archive:
            archive.extractall(unpacked, filter="data")
        target = CACHE / NPM_VERSION
        with contextlib.suppress(OSError):  # another run got there first
            unpacked.rename(target)
    if not _schema_dir().is_dir():
        return f"{NPM_PACKAGE}@{NPM_VERSION} does not ship the v{SCHEMA_VERSION} schema"
    return None


def _validators() -> dict[str, Any]:
    loaded = _load_validators()
    if isinstance(loaded, str):
        pytest.skip(loaded)
    return loaded


@cache
def _load_validators() -> dict[str, Any] | str:
    why = _fetch_schemas()
    if why:
        return why
    from jsonschema import Draft4Validator, Draft6Validator, validators
    from referencing import Registry
    from referencing.jsonschema import DRAFT4

    # The schemas say draft-04 but use `const` (draft-06); ajv, which the Toolkit uses, honours it.
    draft4_with_const = validators.extend(
        Draft4Validator, {"const": Draft6Validator.VALIDATORS["const"]}
    )
    schemas: dict[str, dict[str, Any]] = {}
    registry: Registry = Registry()
    for path in sorted(_schema_dir().glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8-sig"))
        kind = path.name.removeprefix("MicrosoftTeams").removesuffix(".schema.json")
        url = SCHEMA_URL.format(v=SCHEMA_VERSION, kind=kind)
        schemas[kind] = schema
        registry = registry.with_resource(url, DRAFT4.create_resource(schema))
    return {
        kind: draft4_with_const(
            schema, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER
        )
        for kind, schema in schemas.items()
        if kind in ("", ".Localization")
    }


def _errors(validator: Any, document: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.path)))
    ]


def test_manifest_matches_microsoft_schema(manifest: dict[str, Any]) -> None:
    assert manifest["manifestVersion"] == SCHEMA_VERSION
    assert manifest["$schema"] == SCHEMA_URL.format(v=SCHEMA_VERSION, kind="")
    assert _errors(_validators()[""], manifest) == []


@pytest.mark.parametrize("name", ["nb.json", "en.json"])
def test_localization_matches_microsoft_schema(built: dict[str, bytes], name: str) -> None:
    strings = json.loads(built[name])
    assert strings["$schema"] == SCHEMA_URL.format(v=SCHEMA_VERSION, kind=".Localization")
    assert _errors(_validators()[".Localization"], strings) == []


# --------------------------------------------------------------------------- rules outside it


def test_zip_holds_exactly_the_expected_files(built: dict[str, bytes]) -> None:
    assert set(built) == EXPECTED_FILES
    assert next(iter(built)) == "manifest.json"
    assert all("/" not in name for name in built)  # flat, as Teams wants


def test_ids_placeholders_and_version(manifest: dict[str, Any], built: dict[str, bytes]) -> None:
    assert manifest["id"] == BOT_ID
    assert manifest["bots"][0]["botId"] == BOT_ID
    assert manifest["webApplicationInfo"]["id"] == BOT_ID
    assert manifest["webApplicationInfo"]["resource"] == f"api://botid-{BOT_ID}"
    assert manifest["validDomains"] == ["bot.example.no"]
    assert manifest["version"] == packager.project_version()
    for name, data in built.items():
        if name.endswith(".json"):
            assert "${{" not in data.decode("utf-8"), f"unfilled placeholder in {name}"


def test_template_placeholders_are_known_to_the_toolkit_envs() -> None:
    """Every ${{NAME}} in the templates is filled by package.py and defined in env/.env.*."""
    used: set[str] = set()
    for path in (REPO / "infra" / "appPackage").glob("*.json"):
        used |= set(packager.PLACEHOLDER.findall(path.read_text(encoding="utf-8")))
    assert used == {"BOT_ID", "TEAMS_APP_ID", "BOT_DOMAIN"}
    for env_file in ("env/.env.local", "env/.env.dev"):
        defined = {
            line.split("=", 1)[0]
            for line in (REPO / env_file).read_text(encoding="utf-8").splitlines()
            if "=" in line and not line.startswith("#")
        }
        assert used <= defined, (env_file, used - defined)


def test_bot_shape(manifest: dict[str, Any]) -> None:
    (bot,) = manifest["bots"]
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    assert bot["supportsFiles"] is False
    assert bot["isNotificationOnly"] is False
    by_scope = {scope: cl for cl in bot["commandLists"] for scope in cl["scopes"]}
    assert set(by_scope) == {"personal", "team", "groupChat"}
    personal = [c["title"] for c in by_scope["personal"]["commands"]]
    assert personal == [
        "ny behovsmelding",
        "meld avvik",
        "mine saker",
        "mine godkjenninger",
        "finn avtale",
        "avtaler som utløper",
        "hjelp",
        "avvik for",
        "sammendrag på",
    ]
    assert manifest["localizationInfo"]["defaultLanguageTag"] == "nb-NO"
    assert {"languageTag": "en-US", "file": "en.json"} in manifest["localizationInfo"][
        "additionalLanguages"
    ]


def test_command_titles_fit_and_have_descriptions(
    manifest: dict[str, Any], built: dict[str, bytes]
) -> None:
    for cl in manifest["bots"][0]["commandLists"]:
        for command in cl["commands"]:
            assert len(command["title"]) <= 32, command["title"]
            assert command.get("description")
    for name in ("nb.json", "en.json"):
        for key, value in json.loads(built[name]).items():
            if key.endswith(".title"):
                assert len(value) <= 32, (name, key, value)


def _localizable(manifest: dict[str, Any]) -> dict[str, str]:
    out = {
        "name.short": manifest["name"]["short"],
        "name.full": manifest["name"]["full"],
        "description.short": manifest["description"]["short"],
        "description.full": manifest["description"]["full"],
    }
    for i, cl in enumerate(manifest["bots"][0]["commandLists"]):
        for j, command in enumerate(cl["commands"]):
            for field in ("title", "description"):
                out[f"bots[0].commandLists[{i}].commands[{j}].{field}"] = command[field]
    return out


def test_default_language_file_repeats_the_manifest(
    manifest: dict[str, Any], built: dict[str, bytes]
) -> None:
    nb = json.loads(built["nb.json"])
    nb.pop("$schema")
    assert nb == _localizable(manifest)


def test_english_translates_every_string(manifest: dict[str, Any], built: dict[str, bytes]) -> None:
    en = json.loads(built["en.json"])
    en.pop("$schema")
    assert set(en) == set(_localizable(manifest))
    assert en["description.short"] != manifest["description"]["short"]


# --------------------------------------------------------------------------- icons (no Pillow)


def _png(data: bytes) -> tuple[int, int, list[tuple[int, int, int, int]]]:
    """Width, height and RGBA pixels of an 8-bit non-interlaced PNG (types 0, 2, 3, 4, 6)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, palette, trns = 8, b"", b"", b""
    width = height = depth = ctype = interlace = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            palette = body
        elif kind == b"tRNS":
            trns = body
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    assert depth == 8 and interlace == 0, "only 8-bit non-interlaced PNGs are read here"
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytearray] = []
    prev = bytearray(stride)
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        kind_, cur = line[0], bytearray(line[1:])
        for x in range(stride):
            a = cur[x - channels] if x >= channels else 0
            b = prev[x]
            c = prev[x - channels] if x >= channels else 0
            if kind_ == 1:
                cur[x] = (cur[x] + a) & 0xFF
            elif kind_ == 2:
                cur[x] = (cur[x] + b) & 0xFF
            elif kind_ == 3:
                cur[x] = (cur[x] + (a + b) // 2) & 0xFF
            elif kind_ == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                cur[x] = (cur[x] + pred) & 0xFF
        rows.append(cur)
        prev = cur
    pixels: list[tuple[int, int, int, int]] = []
    for row in rows:
        for x in range(width):
            px = row[x * channels : (x + 1) * channels]
            if ctype == 6:
                pixels.append((px[0], px[1], px[2], px[3]))
            elif ctype == 2:
                pixels.append((px[0], px[1], px[2], 255))
            elif ctype == 4:
                pixels.append((px[0], px[0], px[0], px[1]))
            elif ctype == 0:
                pixels.append((px[0], px[0], px[0], 255))
            else:
                i = px[0]
                alpha = trns[i] if i < len(trns) else 255
                pixels.append((palette[3 * i], palette[3 * i + 1], palette[3 * i + 2], alpha))
    return width, height, pixels


def test_color_icon_is_192_and_opaque_colour(built: dict[str, bytes]) -> None:
    width, height, pixels = _png(built["color.png"])
    assert (width, height) == (192, 192)
    assert len({(r, g, b) for r, g, b, _ in pixels}) > 2, "a full colour icon, not a blank"
    assert any(r != g or g != b for r, g, b, _ in pixels), "should not be greyscale"


def test_outline_icon_is_32_white_on_transparent(built: dict[str, bytes]) -> None:
    width, height, pixels = _png(built["outline.png"])
    assert (width, height) == (32, 32)
    alphas = [a for *_, a in pixels]
    assert min(alphas) == 0, "needs a transparent background"
    assert max(alphas) == 255, "needs a visible glyph"
    assert sum(a == 0 for a in alphas) > len(alphas) // 4
    coloured = {(r, g, b) for r, g, b, a in pixels if a > 0}
    assert coloured == {(255, 255, 255)}, (
        f"only white may be visible, found {coloured - {(255, 255, 255)}}"
    )


def test_packager_placeholder_id_and_unknown_placeholders(tmp_path: Path) -> None:
    out = packager.build(tmp_path / "p.zip", env={})
    with zipfile.ZipFile(out) as archive:
        data = json.loads(archive.read("manifest.json"))
    assert data["id"] == data["bots"][0]["botId"] == packager.PLACEHOLDER_APP_ID
    assert data["validDomains"] == ["localhost"]

    source = tmp_path / "src"
    shutil.copytree(REPO / "infra" / "appPackage", source)
    manifest_path = source / "manifest.json"
    template = json.loads(manifest_path.read_text(encoding="utf-8"))
    template["name"]["full"] = "${{NOT_SET_ANYWHERE}}"
    manifest_path.write_text(json.dumps(template), encoding="utf-8")
    with pytest.raises(packager.PackageError, match="NOT_SET_ANYWHERE"):
        packager.build(tmp_path / "q.zip", env={}, source_dir=source)
    with pytest.raises(packager.PackageError, match="GUID"):
        packager.build(tmp_path / "r.zip", env={"BOT__APP_ID": "not-a-guid"})
