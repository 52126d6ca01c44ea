"""Helpers for deviation tests: the demo contract register, and reporting a deviation in chat
like a user would (answering whatever is asked)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bot.core.domain.contracts import ReminderPolicy
from bot.core.domain.deviation_records import DeviationCase
from bot.core.i18n import t
from integrations.contracts.importer import import_contracts
from tests.support.need_driver import ChatDriver, card_texts, verbs_in

DEMO_EXPORT = Path(__file__).resolve().parents[1] / "data" / "kav-deviations.csv"
SENTENCE = "leveransen fra Kontorland kom tre uker for sent"

# A plausible answer to every question (what a user would type or click).
ANSWERS = {
    "contract": "#AV-2024-001",
    "category": "forsinkelse",
    "description": "Bestillingen av kopipapir kom tre uker for sent.",
    "observed_on": "i går",
    "severity": "hoy",
    "unit": "Skedsmo skole",
}
FIELD_OF_QUESTION = {
    t(f"deviation.field.{name}.question", lang): name for name in ANSWERS for lang in ("nb", "en")
} | {
    t(f"deviation.field.contract.{key}", lang).split(quote)[0]: "contract"
    for key in ("matches", "none")
    for lang, quote in (("nb", "«"), ("en", '"'))
}


async def import_demo_contracts(bot: Any) -> None:
    report = await import_contracts(
        DEMO_EXPORT,
        uow_factory=bot.uow,
        policy=ReminderPolicy(),
        today=date(2026, 11, 1),
        now=datetime.now(UTC),
    )
    assert report.added + report.unchanged == 5, report


def asked(card: dict[str, Any]) -> str | None:
    for text in card_texts(card):
        plain = text.replace("\\", "")
        for question, name in FIELD_OF_QUESTION.items():
            if plain.startswith(question.replace("\\", "")[:30]):
                return name
    return None


def buttons(card: dict[str, Any]) -> dict[str, str]:
    """Button title -> the answer it sends."""
    return {
        str(action.get("title")): str(action["data"].get("answer"))
        for action in card.get("actions", [])
        if isinstance(action.get("data"), dict) and "answer" in action["data"]
    }


class DeviationDriver(ChatDriver):
    async def answer_until_summary(
        self, answers: dict[str, str] | None = None, limit: int = 12
    ) -> dict[str, Any]:
        given = {**ANSWERS, **(answers or {})}
        for _ in range(limit):
            card = self.last_card()
            if "deviation.submit" in verbs_in(card):
                return card
            name = asked(card)
            assert name is not None, f"no known question in {card_texts(card)}"
            self.asked.append(name)
            value = given[name]
            if value.startswith("#") or value in buttons(card).values():
                await self.click({"verb": "deviation.answer", "answer": value})
            else:
                await self.say(value)
        raise AssertionError(f"no summary after {limit} answers; asked {self.asked}")

    async def report(self, sentence: str = SENTENCE, **answers: str) -> str:
        """Report a deviation from a sentence to a case number."""
        await self.say(sentence)
        summary = await self.answer_until_summary(answers)
        draft_id = next(
            a["data"]["draft_id"]
            for a in summary["actions"]
            if a.get("data", {}).get("verb") == "deviation.submit"
        )
        await self.click({"verb": "deviation.submit", "draft_id": draft_id})
        async with self.bot.uow() as uow:
            (case,) = await uow.deviations.list_for_reporter(self.user.aad_object_id, limit=1)
        return str(case.case_number)


DEVIATION_FILED_AT = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)


def deviation_case(
    number: str, *, contract: str | None = "AV-2024-001", **kw: object
) -> DeviationCase:
    """A stored deviation as the repository keeps it (for tests that need one in place)."""
    values: dict[str, object] = {
        "id": 0,
        "case_number": number,
        "tenant_id": "t",
        "reporter_id": "aad-kari",
        "reporter_name": "Kari Nordmann",
        "locale": "nb",
        "category": "forsinkelse",
        "description": "Kom «tre uker» for sent – ÆØÅ",
        "observed_on": date(2026, 11, 15),
        "severity": "hoy",
        "unit": "Skedsmo skole",
        "state": "registrert",
        "version": 1,
        "created_at": DEVIATION_FILED_AT,
        "updated_at": DEVIATION_FILED_AT,
        "contract_number": contract,
        "attachments": [{"name": "følgeseddel.pdf", "url": "https://x/f.pdf"}],
        "control_followup": False,
    }
    values.update(kw)
    return DeviationCase(**values)  # type: ignore[arg-type]
