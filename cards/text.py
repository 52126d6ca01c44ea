"""Making user text safe to show in a card.

Teams TextBlocks (and FactSet titles and values) interpret a markdown subset: `**bold**`,
`_italic_`, `[link](url)`, lists. A title typed by a user must show as typed, not as a link to
somewhere else, so everything that comes from users goes through `escape_markdown`. The
`UserText` annotated type does that on validation, so a card model cannot forget it.

Input values (`Input.Text.value`) and button titles are not markdown: they take `PlainText`,
which only strips control characters, so a prefilled value round-trips unchanged.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

# C0/C1 controls (but not \n), zero-width characters and bidi overrides: the last two can make
# a text look different from what it is ("Trojan source" style spoofing of amounts or names).
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064"
    "\u2066-\u2069\ufeff]"
)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]()#>~])")
# A line starting with "- ", "+ " or "1. " would become a list item.
_BULLET = re.compile(r"^([ \t]*)([-+])(?=\s)", re.MULTILINE)
_ORDERED = re.compile(r"^([ \t]*\d+)(\.)(?=\s)", re.MULTILINE)


def strip_control(text: str) -> str:
    """Normalise line breaks, turn tabs into spaces and drop invisible control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _CONTROL.sub("", text)


def escape_markdown(text: str) -> str:
    """Return `text` so that a Teams TextBlock shows it literally.

    Backslash-escapes the markdown characters, neutralises leading list markers, strips control
    characters, and breaks up `${` so user text can never look like a template binding.
    Apply it once: escaping escaped text doubles the backslashes.
    """
    text = strip_control(text)
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    text = _BULLET.sub(r"\1\\\2", text)
    text = _ORDERED.sub(r"\1\\\2", text)
    return text.replace("${", "$\\{")


UserText = Annotated[str, AfterValidator(escape_markdown)]
"""Text from users (titles, descriptions, comments, names) shown in TextBlocks or FactSets."""

PlainText = Annotated[str, AfterValidator(strip_control)]
"""Text shown where no markdown applies: input values, choice and button titles."""
