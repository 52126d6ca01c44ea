"""Contract search results and "avtaler som utløper": one row per contract.

Values are passed in only when the viewer may see them (the caller decides, see
bot/core/services/contracts.py); the card never shows what it was not given.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import ClassVar, NamedTuple

from pydantic import BaseModel, ConfigDict

from bot.core.formatting import format_date, format_nok
from cards.models.base import CardModel, as_lang, label
from cards.text import UserText

MAX_ROWS = 10


class ContractEntry(NamedTuple):
    number: str
    title: str
    supplier: str
    final_end: date
    estimated_value: int | None = None  # None: unknown, or not for this viewer's eyes
    deviations: int | None = None
    max_value: int | None = None  # like estimated_value: only for those who may see values
    consumed_value: int | None = None


class ContractRowModel(BaseModel):
    model_config = ConfigDict(frozen=True)
    number: UserText
    title: UserText
    meta: UserText
    value: str
    has_value: bool


class ContractListCard(CardModel):
    template: ClassVar[str] = "contract_list"
    heading: UserText
    contracts: list[ContractRowModel]
    is_empty: bool
    empty: str

    @classmethod
    def build(
        cls, lang: str, *, heading: str, contracts: Sequence[ContractEntry], empty: str
    ) -> ContractListCard:
        lang_ = as_lang(lang)
        rows = []
        for entry in list(contracts)[:MAX_ROWS]:
            meta = label(
                "contract_list",
                "meta",
                lang_,
                supplier=entry.supplier,
                end=format_date(entry.final_end),
            )
            value = (
                label("contract_list", "value", lang_, value=format_nok(entry.estimated_value))
                if entry.estimated_value is not None
                else ""
            )
            if entry.consumed_value is not None and entry.max_value:
                used = label(
                    "contract_list",
                    "consumed",
                    lang_,
                    consumed=format_nok(entry.consumed_value),
                    max=format_nok(entry.max_value),
                    percent=entry.consumed_value * 100 // entry.max_value,
                )
                value = f"{value} · {used}" if value else used
            rows.append(
                ContractRowModel(
                    number=entry.number,
                    title=entry.title,
                    meta=meta,
                    value=value,
                    has_value=bool(value),
                )
            )
        return cls(lang=lang_, heading=heading, contracts=rows, is_empty=not rows, empty=empty)
