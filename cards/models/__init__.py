"""One pydantic model per card: the data contract of `cards/templates/<template>.json`.

Build a card with its factory, then render it: `WelcomeCard.build("nb").render()`, which is
`render("welcome", WelcomeCard.build("nb"))`.
"""

from cards.models.approval import ApprovalCard, ApprovalDecision, ApprovalOutcome, ApprovalView
from cards.models.base import CardModel, Choice, Fact, Lang, Line, as_lang
from cards.models.cases import CaseDetailCard, CaseEntry, CaseListCard, CaseRow
from cards.models.contracts import ContractEntry, ContractListCard
from cards.models.deviation import (
    DeviationCard,
    DeviationFormCard,
    DeviationStatsCard,
    DeviationSummaryCard,
)
from cards.models.error import ErrorCard
from cards.models.menu import HelpCard, WelcomeCard
from cards.models.need import NeedSummaryCard, QuestionCard, ResumeDraftCard
from cards.models.need_form import FORM_FIELDS, NeedFormCard
from cards.models.reminder import OptionApprovalCard, ReminderCard
from cards.models.rooms import RoomFailedCard, RoomWelcomeCard
from cards.models.triage import TriageCard, TriageDecision, TriageOutcome, TriageView

CARD_MODELS: tuple[type[CardModel], ...] = (
    WelcomeCard,
    HelpCard,
    QuestionCard,
    NeedSummaryCard,
    NeedFormCard,
    CaseListCard,
    CaseDetailCard,
    ContractListCard,
    ResumeDraftCard,
    ErrorCard,
    ApprovalCard,
    TriageCard,
    ReminderCard,
    OptionApprovalCard,
    DeviationSummaryCard,
    DeviationFormCard,
    DeviationCard,
    DeviationStatsCard,
    RoomWelcomeCard,
    RoomFailedCard,
)

__all__ = [
    "CARD_MODELS",
    "FORM_FIELDS",
    "ApprovalCard",
    "ApprovalDecision",
    "ApprovalOutcome",
    "ApprovalView",
    "CardModel",
    "CaseDetailCard",
    "CaseEntry",
    "CaseListCard",
    "CaseRow",
    "Choice",
    "ContractEntry",
    "ContractListCard",
    "DeviationCard",
    "DeviationFormCard",
    "DeviationStatsCard",
    "DeviationSummaryCard",
    "ErrorCard",
    "Fact",
    "HelpCard",
    "Lang",
    "Line",
    "NeedFormCard",
    "NeedSummaryCard",
    "OptionApprovalCard",
    "QuestionCard",
    "ReminderCard",
    "ResumeDraftCard",
    "RoomFailedCard",
    "RoomWelcomeCard",
    "TriageCard",
    "TriageDecision",
    "TriageOutcome",
    "TriageView",
    "WelcomeCard",
    "as_lang",
]
