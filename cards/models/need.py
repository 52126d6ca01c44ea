"""Cards of the needs-report dialog in 1:1 chat: a question, the summary, resume-or-discard."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

from pydantic import Field

from bot.core.formatting import format_nok
from cards.models.base import (
    CardModel,
    Choice,
    Fact,
    Line,
    as_lang,
    choices,
    facts,
    format_when,
    label,
    lines,
)
from cards.text import PlainText, UserText

MAX_BUTTONS = 6
"""Up to this many choices are buttons; more become a compact dropdown with one submit button."""
MAX_CHOICES = 30


class QuestionCard(CardModel):
    """One dialog question. Choice buttons send `need.answer` with `answer` = the choice value;
    the dropdown (more than `MAX_BUTTONS` choices) sends `need.answer` with input `answer`."""

    template: ClassVar[str] = "question"
    verb: PlainText = "need.answer"  # the deviation report asks with `deviation.answer`
    text: UserText
    example: UserText | None = None
    error: UserText | None = None
    progress: str | None = None
    buttons: list[Choice] = Field(default_factory=list, max_length=MAX_BUTTONS)
    dropdown: list[Choice] = Field(default_factory=list, max_length=MAX_CHOICES)
    has_example: bool = False
    has_error: bool = False
    has_progress: bool = False
    has_dropdown: bool = False

    @classmethod
    def build(
        cls,
        lang: str,
        *,
        text: str,
        example: str | None = None,
        error: str | None = None,
        options: Sequence[tuple[str, str]] = (),
        step: tuple[int, int] | None = None,
        verb: str = "need.answer",
    ) -> QuestionCard:
        """`options` are `(value, title)` pairs; `step` is `(number, of)` for "Spørsmål 2 av 7".

        The texts are shown escaped: pass catalog texts, with any echoed user input inside.
        """
        lang_ = as_lang(lang)
        all_choices = choices(options)
        many = len(all_choices) > MAX_BUTTONS
        progress = label("question", "progress", lang_, n=step[0], total=step[1]) if step else None
        return cls(
            lang=lang_,
            verb=verb,
            text=text,
            example=example,
            error=error,
            progress=progress,
            buttons=[] if many else all_choices,
            dropdown=all_choices if many else [],
            has_example=bool(example),
            has_error=bool(error),
            has_progress=progress is not None,
            has_dropdown=many,
        )


class NeedSummaryCard(CardModel):
    """The needs report before sending: Send (`need.submit`), Endre (a show-card with a field
    picker sending `need.edit_field` + `field`, or `need.form` for the whole form),
    Avbryt (`need.cancel`). Every action carries `draft_id` so a stale card can be told apart."""

    template: ClassVar[str] = "need_summary"
    draft_id: PlainText
    title: UserText
    facts: list[Fact]
    total: str
    tier_name: UserText
    tier_lines: list[Line]
    checklist: list[Line]
    editable_fields: list[Choice]
    has_checklist: bool

    @classmethod
    def build(
        cls,
        lang: str,
        *,
        draft_id: str,
        title: str,
        rows: Sequence[tuple[str, str]],
        total: int | Decimal | None,
        tier_name: str,
        tier_lines: Sequence[str] = (),
        checklist: Sequence[str] = (),
        editable_fields: Sequence[tuple[str, str]] = (),
    ) -> NeedSummaryCard:
        """`rows` are `(label, value)` rows; `editable_fields` are `(field name, label)`."""
        lang_ = as_lang(lang)
        return cls(
            lang=lang_,
            draft_id=draft_id,
            title=title,
            facts=facts(rows),
            total=format_nok(total, lang_),
            tier_name=tier_name,
            tier_lines=lines(tier_lines),
            checklist=lines(checklist),
            editable_fields=choices(editable_fields),
            has_checklist=bool(checklist),
        )


class ResumeDraftCard(CardModel):
    """ "You have a needs report in progress": Fortsett (`need.resume`) / Forkast
    (`need.discard`), both with `draft_id`."""

    template: ClassVar[str] = "resume_draft"
    draft_id: PlainText
    detail: UserText | None = None
    has_detail: bool = False

    @classmethod
    def build(
        cls,
        lang: str,
        *,
        draft_id: str,
        title: str | None = None,
        updated: date | datetime | None = None,
    ) -> ResumeDraftCard:
        lang_ = as_lang(lang)
        detail: str | None = None
        if title and updated:
            detail = label(
                "resume_draft", "detail", lang_, title=title, when=format_when(updated, lang_)
            )
        elif title:
            detail = label("resume_draft", "detail_title", lang_, title=title)
        return cls(lang=lang_, draft_id=draft_id, detail=detail, has_detail=detail is not None)
