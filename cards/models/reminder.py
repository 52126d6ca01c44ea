"""The contract reminder card, and the contract owner's card for exercising an option.

Reminder card: the contract, what is due and by when, how many deviations are reported on it
(nothing when the count is not known), the value only when the caller says the viewer may see
it, and the actions (`Action.Execute`, data `{reminder_id, version}`): Start ny anskaffelse,
Utløs opsjon (option milestones only), La avtalen utløpe (not for consumption), Minn meg på om
14 dager. Once decided the buttons are gone and the outcome is shown. A consumption reminder
(the maximum value nearing) says how much of it is used; the amounts only with the value.

Option card: the request (who asks, which option, by when) with a comment box and Godkjenn /
Avvis for the contract owner; afterwards the decision.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import ClassVar

from pydantic import Field, field_validator

from bot.core.formatting import format_date, format_nok
from cards.models.base import CardModel, Fact, as_lang, facts, label
from cards.text import PlainText, UserText, escape_markdown

MAX_REFRESH_USERS = 60
_MRI = re.compile(r"^\d+:\S+$")


class ReminderCard(CardModel):
    template: ClassVar[str] = "reminder"
    reminder_id: PlainText
    version: int
    number: UserText
    title: UserText
    heading: str  # localized
    intro: str  # localized; names inside escaped by build()
    facts: list[Fact]
    value: str
    has_value: bool
    actionable: bool
    can_option: bool
    can_expire: bool = True
    outcome: UserText = ""
    has_outcome: bool = False
    notice: UserText = ""
    has_notice: bool = False
    is_escalation: bool = False
    refresh_user_ids: list[str] = Field(default_factory=list, max_length=MAX_REFRESH_USERS)

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
        reminder_id: int,
        version: int,
        number: str,
        title: str,
        supplier: str,
        what: str,
        deadline: date,
        lead: str,
        escalation: bool,
        manager: str,
        service_area: str,
        final_end: date,
        estimated_value: int | None,
        max_value: int | None = None,
        show_value: bool,
        deviation_count: int | None = None,
        actionable: bool,
        can_option: bool,
        outcome: str | None = None,
        notice: str | None = None,
        refresh_user_ids: Sequence[str] = (),
        consumed_value: int | None = None,
    ) -> ReminderCard:
        """`what` is the milestone in words ("frist for opsjon 1"); values are shown only with
        `show_value`; `deviation_count` None shows no deviation row at all. A `lead` in percent
        ("80%") makes it a consumption reminder: `consumed_value` is what was bought so far."""
        lang_ = as_lang(lang)
        consumption = lead.endswith("%")
        suffix = "_escalation" if escalation else ""
        if consumption:
            # The share used now (the threshold that was reached, when the amounts are unknown).
            percent = (
                consumed_value * 100 // max_value
                if consumed_value is not None and max_value
                else lead.removesuffix("%")
            )
            heading = label("reminder", f"heading_consumption{suffix}", lang_)
            intro = label("reminder", f"intro_consumption{suffix}", lang_, percent=percent)
        else:
            heading = label("reminder", f"heading{suffix}", lang_)
            intro = label(
                "reminder",
                f"intro{suffix}",
                lang_,
                what=escape_markdown(what),
                deadline=format_date(deadline, lang_),
                lead=lead.removesuffix("m"),
            )
        rows = [
            (label("reminder", "supplier", lang_), supplier),
            (label("reminder", "deadline", lang_), format_date(deadline, lang_)),
            (label("reminder", "final_end", lang_), format_date(final_end, lang_)),
            (label("reminder", "manager", lang_), manager or "–"),
            (label("reminder", "service_area", lang_), service_area or "–"),
        ]
        if consumption:
            del rows[1]  # no deadline of its own: it lasts until the final end
            if show_value and consumed_value is not None and max_value:
                used = label(
                    "reminder",
                    "consumed_of_max",
                    lang_,
                    consumed=format_nok(consumed_value, lang_),
                    max=format_nok(max_value, lang_),
                    percent=percent,
                )
                rows.insert(1, (label("reminder", "consumed", lang_), used))
        if deviation_count is not None:
            rows.append((label("reminder", "deviations", lang_), str(deviation_count)))
        value = ""
        if show_value and estimated_value is not None:
            value = format_nok(estimated_value, lang_)
            if max_value is not None:
                value = label(
                    "reminder",
                    "value_with_max",
                    lang_,
                    value=value,
                    max=format_nok(max_value, lang_),
                )
        return cls(
            lang=lang_,
            reminder_id=str(reminder_id),
            version=version,
            number=number,
            title=title,
            heading=heading,
            intro=intro,
            facts=facts(rows),
            value=value,
            has_value=bool(value),
            actionable=actionable,
            can_option=actionable and can_option,
            can_expire=not consumption,
            outcome=outcome or "",
            has_outcome=bool(outcome),
            notice=notice or "",
            has_notice=bool(notice),
            is_escalation=escalation,
            refresh_user_ids=[] if not actionable else list(dict.fromkeys(refresh_user_ids)),
        )


class OptionApprovalCard(CardModel):
    template: ClassVar[str] = "option_approval"
    request_id: PlainText
    version: int
    number: UserText
    title: UserText
    intro: str
    facts: list[Fact]
    value: str
    has_value: bool
    actionable: bool
    outcome: UserText = ""
    has_outcome: bool = False
    notice: UserText = ""
    has_notice: bool = False

    @classmethod
    def build(
        cls,
        lang: str,
        *,
        request_id: int,
        version: int,
        number: str,
        title: str,
        supplier: str,
        option_number: str,
        deadline: date,
        option_end: date | None,
        requester: str,
        approver: str,
        estimated_value: int | None,
        show_value: bool,
        actionable: bool,
        outcome: str | None = None,
        notice: str | None = None,
    ) -> OptionApprovalCard:
        lang_ = as_lang(lang)
        intro = label(
            "option_approval",
            "intro",
            lang_,
            requester=escape_markdown(requester),
            n=option_number,
            deadline=format_date(deadline, lang_),
        )
        rows = [
            (label("option_approval", "supplier", lang_), supplier),
            (label("option_approval", "deadline", lang_), format_date(deadline, lang_)),
            (label("option_approval", "requester", lang_), requester),
            (label("option_approval", "approver", lang_), approver),
        ]
        if option_end is not None:
            rows.insert(2, (label("option_approval", "option_end", lang_), format_date(option_end)))
        value = format_nok(estimated_value, lang_) if show_value and estimated_value else ""
        return cls(
            lang=lang_,
            request_id=str(request_id),
            version=version,
            number=number,
            title=title,
            intro=intro,
            facts=facts(rows),
            value=value,
            has_value=bool(value),
            actionable=actionable,
            outcome=outcome or "",
            has_outcome=bool(outcome),
            notice=notice or "",
            has_notice=bool(notice),
        )
