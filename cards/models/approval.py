"""The manager's approval card (Universal Actions), in one of four views.

- `approver`: the summary, a comment box (input id `comment`) and Godkjenn / Avvis / Be om mer
  informasjon (`Action.Execute`, data `{case_id, version}`).
- `requester`: the status and Trekk tilbake.
- `readonly`: the summary and the status, for anyone else who sees the card.
- `decided`: who decided, on whose behalf (a stand-in), when, and the comment.

`refresh.userIds` lists the users whose client asks the bot for their own view (max 60 MRIs);
the bot answers `approval.refresh` with the view for the user who asks, and edits the base
message on a decision so everyone sees the decided view.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import ClassVar, Literal, NamedTuple

from pydantic import Field, field_validator

from bot.core.formatting import format_nok
from cards.models.base import CardModel, Fact, as_lang, facts, format_when, label
from cards.text import PlainText, UserText, escape_markdown

MAX_REFRESH_USERS = 60  # Teams' limit for refresh.userIds
_MRI = re.compile(r"^\d+:\S+$")  # 29:<bot-specific id> or 8:orgid:<AAD object id>

ApprovalView = Literal["approver", "requester", "readonly", "decided"]
ApprovalOutcome = Literal["approved", "rejected", "info_requested", "withdrawn"]


class ApprovalDecision(NamedTuple):
    """What was decided, by whom (and for whom, when a stand-in decided), when, and why."""

    outcome: ApprovalOutcome
    decided_by: str
    decided_at: datetime
    on_behalf_of: str | None = None
    comment: str | None = None


class ApprovalCard(CardModel):
    """Data of the approval card; `view` picks what the template shows."""

    template: ClassVar[str] = "approval"
    view: ApprovalView
    case_id: PlainText
    version: int
    number: UserText
    title: UserText
    intro: str  # localized, names inside escaped by build()
    facts: list[Fact]
    total: str
    tier_name: UserText
    status: UserText
    refresh_user_ids: list[str] = Field(default_factory=list, max_length=MAX_REFRESH_USERS)
    outcome: str = ""
    decided_by: UserText = ""
    on_behalf_of: UserText = ""
    decided_at: str = ""
    comment: UserText = ""
    has_on_behalf: bool = False
    has_comment: bool = False
    notice: UserText = ""  # a short note on top: a refused or stale click
    has_notice: bool = False

    @field_validator("refresh_user_ids")
    @classmethod
    def _mris(cls, user_ids: list[str]) -> list[str]:
        bad = [user_id for user_id in user_ids if not _MRI.match(user_id)]
        if bad:
            raise ValueError(f"not Teams user MRIs: {bad[:3]}")
        return list(dict.fromkeys(user_ids))

    @classmethod
    def build(
        cls,
        lang: str,
        *,
        view: ApprovalView,
        case_id: str,
        version: int,
        number: str,
        title: str,
        requester: str,
        approver: str,
        rows: Sequence[tuple[str, str]],
        total: int | Decimal | None,
        tier_name: str,
        status: str,
        refresh_user_ids: Sequence[str] = (),
        decision: ApprovalDecision | None = None,
        notice: str | None = None,
    ) -> ApprovalCard:
        """`rows` are `(label, value)`; `status` is a localized status label. In the decided
        view `decision` is required and the refresh list is emptied (nothing left to act on)."""
        lang_ = as_lang(lang)
        if view == "decided" and decision is None:
            raise ValueError("the decided view needs a decision")
        names = {"requester": escape_markdown(requester), "approver": escape_markdown(approver)}
        intro = label("approval", f"intro_{view}", lang_, **names)
        extra: dict[str, object] = {}
        if decision is not None and view == "decided":
            extra = {
                "outcome": label("approval", f"outcome_{decision.outcome}", lang_),
                "decided_by": decision.decided_by,
                "on_behalf_of": decision.on_behalf_of or "",
                "decided_at": format_when(decision.decided_at, lang_),
                "comment": decision.comment or "",
                "has_on_behalf": bool(decision.on_behalf_of),
                "has_comment": bool(decision.comment),
            }
        return cls.model_validate(
            {
                "lang": lang_,
                "view": view,
                "case_id": case_id,
                "version": version,
                "number": number,
                "title": title,
                "intro": intro,
                "facts": facts(rows),
                "total": format_nok(total, lang_),
                "tier_name": tier_name,
                "status": status,
                "refresh_user_ids": []
                if view == "decided"
                else list(dict.fromkeys(refresh_user_ids)),
                "notice": notice or "",
                "has_notice": bool(notice),
                **extra,
            }
        )
