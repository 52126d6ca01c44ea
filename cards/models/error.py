"""The error card: a short apology, what to do, and a reference to quote."""

from __future__ import annotations

from typing import ClassVar

from cards.models.base import CardModel, as_lang
from cards.text import UserText


class ErrorCard(CardModel):
    """Sent by the error boundary. `message` is an `AppError`'s safe user message, if any."""

    template: ClassVar[str] = "error"
    reference: UserText
    message: UserText | None = None
    has_message: bool = False

    @classmethod
    def build(cls, lang: str, *, reference: str, message: str | None = None) -> ErrorCard:
        return cls(
            lang=as_lang(lang), reference=reference, message=message, has_message=bool(message)
        )
