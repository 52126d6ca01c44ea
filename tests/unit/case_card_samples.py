"""Sample "mine saker" cards with both kinds and a collaboration room, for
tests/unit/test_cards.py (rendered with our renderer and Microsoft's JavaScript templating)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from cards.models import CardModel, CaseDetailCard, CaseEntry, CaseListCard

ROOM_URL = "https://teams.microsoft.com/l/team/19%3Aabc%40thread.tacv2/conversations"
FILED = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)

MIXED = [
    CaseEntry(
        "AVV-2026-0002",
        "AVV-2026-0002",
        "Kontorrekvisita (AV-2024-001)",
        "Forsinkelse · Høy · Registrert",
        FILED,
        kind="Avvik",
    ),
    CaseEntry(
        "ANS-2026-0003",
        "ANS-2026-0003",
        "Nye PC-er til Skedsmo skole",
        "Akseptert",
        FILED,
        kind="Behovsmelding",
        room_text="Samhandlingsrommet er klart i Teams.",
        room_url=ROOM_URL,
    ),
    CaseEntry(
        "ANS-2026-0002",
        "ANS-2026-0002",
        "Elevpulter",
        "Akseptert",
        FILED,
        kind="Behovsmelding",
        room_text="Samhandlingsrommet opprettes …",
    ),
    CaseEntry(
        "ANS-2026-0001",
        "ANS-2026-0001",
        "Lenke som ikke er https",
        "Akseptert",
        FILED,
        kind="Behovsmelding",
        room_text="Samhandlingsrommet er klart i Teams.",
        room_url="javascript:alert(1)",
    ),
]


def _detail(lang: str, *, room_text: str = "", room_url: str = "") -> CaseDetailCard:
    return CaseDetailCard.build(
        lang,
        case_id="ANS-2026-0003",
        number="ANS-2026-0003",
        title="Nye PC-er til Skedsmo skole",
        status="Akseptert",
        rows=[("Tjenesteområde", "Oppvekst og utdanning")],
        total=1_800_000,
        tier_name="Nasjonal terskel",
        room_text=room_text,
        room_url=room_url,
    )


CASE_SAMPLES: dict[str, Callable[[str], CardModel]] = {
    "case_list_mixed": lambda lang: CaseListCard.build(lang, cases=MIXED, total=19),
    "case_detail_room": lambda lang: _detail(
        lang, room_text="Samhandlingsrommet er klart i Teams.", room_url=ROOM_URL
    ),
    "case_detail_room_creating": lambda lang: _detail(
        lang, room_text="Samhandlingsrommet opprettes …"
    ),
}
