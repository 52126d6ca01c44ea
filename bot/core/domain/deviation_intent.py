"""Does a free sentence report a deviation ("leveransen fra Kontorland kom tre uker for sent")?

Needs and deviations share the fallback for free sentences, so the two must not steal each
other's sentences. Explicit words (avvik, reklamasjon, klage) make a deviation even beside
"trenger"; the softer signs of a delivery gone wrong (for sent, mangler, feil i fakturaen) only
count when the sentence does not also read as a need ("vi mangler PC-er og trenger 30 nye").
"""

from __future__ import annotations

import re
from typing import Literal

from bot.core.domain.need_intent import looks_like_need

_EXPLICIT = re.compile(
    r"(?<!\w)(?:avvik\w*|reklamer\w*|reklamasjon\w*|klage\w*|deviation\w*|complaint\w*)(?!\w)",
    re.IGNORECASE,
)
_SIGNS = re.compile(
    r"(?<!\w)(?:"
    r"for\s+sent|forsinke\w*|ble\s+ikke\s+levert|ikke\s+levert|kom\s+aldri|kom\s+ikke|"
    r"mangelfull\w*|mangler|manglet|defekt\w*|ødelagt\w*|skadet|knust|feil\s+(?:i|på|vare\w*|"
    r"pris\w*|faktur\w*|antall|levert)|feilfakturer\w*|overfakturer\w*|dårlig\s+kvalitet|"
    r"brudd\s+på|svart\s+arbeid|uten\s+hms-kort|sosial\s+dumping|datalekkasje|sikkerhetsbrudd|"
    r"late\s+delivery|arrived\s+late|was\s+late|never\s+arrived|not\s+delivered|damaged|"
    r"broken|wrong\s+invoice|overcharged"
    r")(?!\w)",
    re.IGNORECASE,
)

Intent = Literal["need", "deviation"]


def looks_like_deviation(text: str) -> bool:
    """True when the text reads as someone reporting that a supplier or delivery failed."""
    text = text or ""
    if _EXPLICIT.search(text):
        return True
    return bool(_SIGNS.search(text)) and not looks_like_need(text)


def intent_of(text: str) -> Intent | None:
    """Which conversation a free sentence starts: a deviation, a need, or neither."""
    if looks_like_deviation(text):
        return "deviation"
    if looks_like_need(text):
        return "need"
    return None
