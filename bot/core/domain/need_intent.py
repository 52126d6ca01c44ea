"""Does a free sentence describe a procurement need? ("vi trenger 30 nye PC-er ...")."""

from __future__ import annotations

import re

_NEED_PHRASES = re.compile(
    r"\b("
    r"vi trenger|jeg trenger|vi har behov|jeg har behov|behov for|trenger (?:vi|jeg)|"
    r"skal kjøpe|skal anskaffe|ønsker å kjøpe|ønsker å anskaffe|må kjøpe|må anskaffe|"
    r"vil kjøpe|vil anskaffe|skal leie|skal lease|trenger \w+|"
    r"we need|i need|we want to buy|we would like to buy|need to buy|need to procure"
    r")\b",
    re.IGNORECASE,
)


def looks_like_need(text: str) -> bool:
    """True when the text reads as someone describing what they need to buy."""
    return bool(_NEED_PHRASES.search(text or ""))
