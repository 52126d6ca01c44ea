"""What every card model shares: the language, the localized labels, and small row types.

Approach to texts: a model carries *data*; fixed labels come from the catalog
(`bot/core/locales/*/cards.yaml`). `labels` is computed from the model's `lang`: every key
`card.common.<name>` and `card.<template>.<name>` becomes `labels.<name>` for the template.
Texts that need parameters ("Viser 20 av 31") are formatted by the model's `build(...)` factory
into ordinary fields. Everything that comes from users is `UserText`, escaped on validation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from functools import cache
from typing import Any, ClassVar, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, computed_field

from bot.core.formatting import format_date
from bot.core.i18n import keys, language_of, t
from cards.render import render
from cards.text import PlainText, UserText

Lang = Literal["nb", "en"]
OSLO = ZoneInfo("Europe/Oslo")


def as_lang(lang: str) -> Lang:
    """`nb`, `en`, or a Teams locale such as `en-US` / `nb-NO` → the card language."""
    return "en" if language_of(lang) == "en" else "nb"


@cache
def _labels(template: str, lang: str) -> Mapping[str, str]:
    found: dict[str, str] = {}
    # Keys are listed from bokmål, the complete catalog; t() falls back to it as well.
    for prefix in ("card.common.", f"card.{template}."):
        for key in sorted(keys("nb")):
            if key.startswith(prefix):
                found[key.removeprefix(prefix)] = t(key, lang)
    return found


def label(template: str, name: str, lang: str, /, **params: Any) -> str:
    """One catalog text of a card (`card.<template>.<name>`, else `card.common.<name>`)."""
    own = f"card.{template}.{name}"
    key = own if own in keys("nb") else f"card.common.{name}"
    return t(key, lang, **params)


class CardModel(BaseModel):
    """Base of the card data contracts: `render(model.template, model)` or `model.render()`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    template: ClassVar[str]

    lang: Lang

    @computed_field  # type: ignore[prop-decorator]
    @property
    def labels(self) -> dict[str, str]:
        """The card's fixed texts in `lang`, keyed by the last part of the catalog key."""
        return dict(_labels(self.template, self.lang))

    def render(self) -> dict[str, Any]:
        """The card as a plain dict, ready to be an attachment's `content`."""
        return render(self.template, self)


class Fact(BaseModel):
    """One FactSet row. Both sides are escaped: values are often user text."""

    model_config = ConfigDict(frozen=True)
    title: UserText
    value: UserText


class Line(BaseModel):
    """One line of text in a repeated list (tier explanation, checklist item)."""

    model_config = ConfigDict(frozen=True)
    text: UserText


class Choice(BaseModel):
    """One option of an `Input.ChoiceSet` or a choice button (not markdown: plain text)."""

    model_config = ConfigDict(frozen=True)
    title: PlainText
    value: PlainText


def facts(rows: Iterable[tuple[str, str]]) -> list[Fact]:
    """`[(label, value), ...]` → FactSet rows."""
    return [Fact(title=title, value=value) for title, value in rows]


def lines(texts: Iterable[str]) -> list[Line]:
    return [Line(text=text) for text in texts]


def choices(pairs: Iterable[tuple[str, str]]) -> list[Choice]:
    """`[(value, title), ...]` → choices (value first, as ids and names usually come)."""
    return [Choice(value=value, title=title) for value, title in pairs]


def format_when(value: date | datetime | None, lang: str) -> str:
    """A date as `24.12.2026`; an aware datetime as `24.12.2026 kl. 14:05` in Oslo time."""
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return format_date(value, lang)
    local = value.astimezone(OSLO) if value.tzinfo else value
    return t("card.common.datetime", lang, date=format_date(local, lang), time=f"{local:%H:%M}")
