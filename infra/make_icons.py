"""Draw the Teams app icons: `infra/appPackage/color.png` and `infra/appPackage/outline.png`.

    .venv/bin/pip install pillow   # only for this script; not a project dependency
    .venv/bin/python infra/make_icons.py

The glyph is a shopping basket with the letters "IK" (Innkjøp) cut out of it, drawn from
polygons (no fonts, so the output is the same on every machine). Teams wants:
- color.png: 192×192, full colour (here a teal tile with a white basket);
- outline.png: 32×32, white on a transparent background, nothing but white and transparency.
The PNGs are committed; run this again only when the design changes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
APP_PACKAGE = HERE / "appPackage"

ACCENT = (0, 96, 107)  # #00606B, same as accentColor in manifest.json
WHITE = (255, 255, 255)
SUPERSAMPLE = 8

Point = tuple[float, float]


def _glyph_mask(size: int, *, margin: float) -> Image.Image:
    """An 'L' mask (255 = glyph) of the basket with IK cut out, drawn on a 100×100 design grid."""
    big = size * SUPERSAMPLE
    mask = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(mask)
    inner = 100.0 - 2 * margin

    def p(x: float, y: float) -> Point:
        return (
            (margin + x * inner / 100.0) * big / 100.0,
            (margin + y * inner / 100.0) * big / 100.0,
        )

    def box(x0: float, y0: float, x1: float, y1: float) -> list[Point]:
        return [p(x0, y0), p(x1, y1)]

    stroke = 7.0 * inner / 100.0 * big / 100.0
    # Handle: an arc above the rim.
    draw.arc(box(26, 4, 74, 52), start=180, end=360, fill=255, width=round(stroke))
    # Rim.
    draw.rounded_rectangle(box(4, 26, 96, 40), radius=3 * big / 100.0, fill=255)
    # Body: a trapezoid.
    draw.polygon([p(10, 40), p(90, 40), p(80, 94), p(20, 94)], fill=255)
    # Letters I and K, cut out of the body.
    draw.rectangle(box(30, 50, 39, 86), fill=0)  # I
    draw.rectangle(box(47, 50, 56, 86), fill=0)  # K stem
    draw.polygon([p(56, 66), p(66, 50), p(77, 50), p(63, 69)], fill=0)  # K upper arm
    draw.polygon([p(56, 70), p(61, 63), p(77, 86), p(66, 86)], fill=0)  # K lower leg
    return mask.resize((size, size), Image.Resampling.LANCZOS)


def color_icon() -> Image.Image:
    size = 192
    big = size * SUPERSAMPLE
    tile = Image.new("RGBA", (big, big), (*ACCENT, 255))
    tile = tile.resize((size, size), Image.Resampling.LANCZOS)
    glyph = _glyph_mask(size, margin=18)
    white = Image.new("RGBA", (size, size), (*WHITE, 255))
    tile.paste(white, (0, 0), glyph)
    return tile.convert("RGB")


def outline_icon() -> Image.Image:
    size = 32
    alpha = _glyph_mask(size, margin=4)
    icon = Image.new("RGBA", (size, size), (*WHITE, 0))
    icon.putalpha(alpha)
    # Every pixel stays pure white; only alpha varies. Fully transparent pixels are (255,255,255,0).
    return icon


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=APP_PACKAGE, help="folder for the PNGs")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    color_icon().save(args.out / "color.png", optimize=True)
    outline_icon().save(args.out / "outline.png", optimize=True)
    print(f"wrote {args.out / 'color.png'} and {args.out / 'outline.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
