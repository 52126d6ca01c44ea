"""Sample deviation cards for tests/unit/test_cards.py (every template needs a sample)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from cards.models import CardModel
from cards.models.deviation import (
    DeviationCard,
    DeviationFormCard,
    DeviationStatsCard,
    DeviationSummaryCard,
)

HOSTILE = "**fet** [lenke](http://evil) <script>"
CATEGORIES = [("kvalitet", "Kvalitet / mangel"), ("forsinkelse", "Forsinkelse")]
SEVERITIES = [("lav", "Lav"), ("middels", "Middels"), ("hoy", "Høy"), ("kritisk", "Kritisk")]
ROWS = [("Leverandør", "Kontorland AS"), ("Kategori", "Forsinkelse"), ("Meldt av", HOSTILE)]
FILES = [("bilde.png", "https://contoso.sharepoint.com/bilde.png"), (HOSTILE, "javascript:x")]


def _case(lang: str, view: str, state: str) -> DeviationCard:
    return DeviationCard.build(
        lang,
        view=view,  # type: ignore[arg-type]
        case_id="AVV-2026-0001",
        version=3,
        number="AVV-2026-0001",
        contract="Kontorrekvisita (AV-2024-001)",
        state=state.capitalize(),
        state_id=state,
        rows=ROWS,
        description="Leveransen kom tre uker for sent. " * 20,
        attachments=FILES,
        outcomes=[("rettet", "Rettet"), ("prisavslag", "Prisavslag")],
        control=state == "registrert",
        notice="Kortet var utdatert." if view == "readonly" else None,
        today=date(2026, 12, 1),
    )


DEVIATION_SAMPLES: dict[str, Callable[[str], CardModel]] = {
    "deviation_summary": lambda lang: DeviationSummaryCard.build(
        lang,
        draft_id="d-1",
        rows=ROWS,
        attachments=FILES,
        notes=["Merket for kontrolloppfølging."],
        editable_fields=[("contract", "Avtale"), ("category", "Kategori")],
    ),
    "deviation_form": lambda lang: DeviationFormCard.build(
        lang,
        categories=CATEGORIES,
        severities=SEVERITIES,
        values={"contract": "Kontorland", "observed_on": date(2026, 11, 30)},
        errors={"unit": "Skriv navnet på enheten."},
        draft_id="d-1",
    ),
    "deviation_actor": lambda lang: _case(lang, "actor", "registrert"),
    "deviation_actor_followup": lambda lang: _case(lang, "actor", "under_oppfolging"),
    "deviation_readonly": lambda lang: _case(lang, "readonly", "mottatt"),
    "deviation_closed": lambda lang: _case(lang, "closed", "lukket"),
    "deviation_sanction": lambda lang: _case(lang, "sanction", "til_godkjenning"),
    "deviation_stats": lambda lang: DeviationStatsCard.build(
        lang,
        heading="Avvik for «Kontorland»",
        subject="Avtaler: AV-2024-001 Kontorland AS",
        rows=[("Forsinkelse", "2 registrert · 1 lukket")],
        totals="Totalt 3, av dem 2 åpne.",
    ),
    "deviation_stats_empty": lambda lang: DeviationStatsCard.build(
        lang, heading="Avvik", subject="Avtaler: –", rows=[], totals="", empty="Ingen avvik."
    ),
}
