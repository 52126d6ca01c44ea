"""Card action verbs, shared with the Teams layer's card-action registry (verb -> handler).

`Action.Submit` buttons carry the verb as `data["verb"]` (they arrive as a message activity with
`value`); `Action.Execute` buttons carry it as `verb`, and also in `data["verb"]` so their
`Action.Submit` fallback reaches the same handler.
"""

from __future__ import annotations

from typing import Final

WELCOME_NEW_NEED: Final = "need.start"
WELCOME_NEW_DEVIATION: Final = "deviation.start"
WELCOME_MY_CASES: Final = "cases.mine"
WELCOME_HELP: Final = "help"

NEED_ANSWER: Final = "need.answer"  # a choice button or the dropdown's submit in a question card
NEED_SUBMIT: Final = "need.submit"
NEED_EDIT: Final = "need.edit"  # id of the summary's "Endre" show-card; sent by no button
NEED_EDIT_FIELD: Final = "need.edit_field"  # data: {"field": <field name>}
NEED_CANCEL: Final = "need.cancel"
NEED_FORM_OPEN: Final = "need.form"
NEED_FORM_SUBMIT: Final = "need.form_submit"  # data: one entry per form field id
NEED_RESUME: Final = "need.resume"
NEED_DISCARD: Final = "need.discard"

CASE_OPEN: Final = "case.open"  # data: {"case_id"}

APPROVAL_APPROVE: Final = "approval.approve"  # data: {"case_id", "version", "comment"}
APPROVAL_REJECT: Final = "approval.reject"
APPROVAL_ASK: Final = "approval.ask_info"
APPROVAL_WITHDRAW: Final = "approval.withdraw"
APPROVAL_REFRESH: Final = "approval.refresh"

TRIAGE_ACCEPT: Final = "triage.accept"  # data: {"case_id", "version"}
TRIAGE_CLARIFY: Final = "triage.clarify"  # + "clarify_question"
TRIAGE_EXISTING: Final = "triage.existing"  # + "agreement_ref"
TRIAGE_REJECT: Final = "triage.reject"  # + "reject_reason"

# The contract reminder card (data: {"reminder_id", "version"}) and the option approval card
# (data: {"request_id", "version", "comment"}).
REMINDER_START: Final = "reminder.start"
REMINDER_OPTION: Final = "reminder.option"
REMINDER_LET_EXPIRE: Final = "reminder.let_expire"
REMINDER_SNOOZE: Final = "reminder.snooze"
REMINDER_REFRESH: Final = "reminder.refresh"
OPTION_APPROVE: Final = "option.approve"
OPTION_REJECT: Final = "option.reject"
# The deviation report (avvik) in chat; every draft action carries `draft_id`.
DEVIATION_ANSWER: Final = "deviation.answer"  # data: {"answer"}
DEVIATION_SUBMIT: Final = "deviation.submit"
DEVIATION_EDIT_FIELD: Final = "deviation.edit_field"  # data: {"field"}
DEVIATION_CANCEL: Final = "deviation.cancel"
DEVIATION_FORM_OPEN: Final = "deviation.form"
DEVIATION_FORM_SUBMIT: Final = "deviation.form_submit"
DEVIATION_RESUME: Final = "deviation.resume"  # data: {"answer": "resume" | "discard"}
# The follow-up card (Action.Execute): data {"case_id", "version"} and the inputs.
DEVIATION_ACKNOWLEDGE: Final = "deviation.acknowledge"
DEVIATION_RECLAIM: Final = "deviation.reclaim"  # + "deadline" (YYYY-MM-DD), "note"
DEVIATION_CLOSE: Final = "deviation.close"  # + "outcome", "note"
# A proposed sanction, decided by the avtaleeier: + "sanction_note" (required to reject)
DEVIATION_SANCTION_APPROVE: Final = "deviation.sanction_approve"
DEVIATION_SANCTION_REJECT: Final = "deviation.sanction_reject"
ROOM_RETRY: Final = "room.retry"  # data: {"case_id", "version"}: restart a failed room saga

ALL: Final[frozenset[str]] = frozenset(
    {
        DEVIATION_ANSWER,
        DEVIATION_SUBMIT,
        DEVIATION_EDIT_FIELD,
        DEVIATION_CANCEL,
        DEVIATION_FORM_OPEN,
        DEVIATION_FORM_SUBMIT,
        DEVIATION_RESUME,
        DEVIATION_ACKNOWLEDGE,
        DEVIATION_RECLAIM,
        DEVIATION_CLOSE,
        DEVIATION_SANCTION_APPROVE,
        DEVIATION_SANCTION_REJECT,
        WELCOME_NEW_NEED,
        WELCOME_NEW_DEVIATION,
        WELCOME_MY_CASES,
        WELCOME_HELP,
        NEED_ANSWER,
        NEED_SUBMIT,
        NEED_EDIT,
        NEED_EDIT_FIELD,
        NEED_CANCEL,
        NEED_FORM_OPEN,
        NEED_FORM_SUBMIT,
        NEED_RESUME,
        NEED_DISCARD,
        CASE_OPEN,
        APPROVAL_APPROVE,
        APPROVAL_REJECT,
        APPROVAL_ASK,
        APPROVAL_WITHDRAW,
        APPROVAL_REFRESH,
        TRIAGE_ACCEPT,
        TRIAGE_CLARIFY,
        TRIAGE_EXISTING,
        TRIAGE_REJECT,
        REMINDER_START,
        REMINDER_OPTION,
        REMINDER_LET_EXPIRE,
        REMINDER_SNOOZE,
        REMINDER_REFRESH,
        OPTION_APPROVE,
        OPTION_REJECT,
        ROOM_RETRY,
    }
)
"""Every verb a card may carry; tests check each rendered card against it."""
