"""Shared by the reminder card's use cases: loading a reminder with its contract and latest
option request, and editing every copy of its cards in place; the option approval card's
request to the contract owner."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core.domain.contracts import Contract
from bot.core.domain.directory import Person
from bot.core.domain.errors import NotFound
from bot.core.domain.records import CardCopy, ConversationRef
from bot.core.domain.reminder_actions import (
    APPROVED,
    REQUEST_PENDING,
    OptionRequest,
    ReminderRecord,
)
from bot.core.i18n import t
from bot.core.ports import UnitOfWork
from bot.core.services import card_copies
from bot.core.services.reminder_context import ReminderContext, ReminderStore
from bot.core.services.reminder_delivery import (
    CHANNEL_VIEW,
    REMINDER,
    copy_subject,
    describe,
    show_value_to,
)

OPTION = "option"


def option_subject(request_id: int) -> str:
    return f"OPS-{request_id}"


@dataclass(frozen=True)
class ReminderView:
    reminder: ReminderRecord
    contract: Contract
    option: OptionRequest | None = None
    deviations: int | None = None  # reported on the contract
    # The option of this deadline already waits for the owner (asked from another reminder):
    # this card does not offer "Utløs opsjon" again.
    waiting: OptionRequest | None = None


# --- loading and views ---------------------------------------------------------------------


async def load_view(store: ReminderStore, reminder_id: int) -> ReminderView:
    reminder = await store.reminder(reminder_id)
    contract = await store.get(reminder.contract_number) if reminder else None
    if reminder is None or contract is None:
        raise NotFound(f"no reminder {reminder_id}", message_key="reminder.not_found")
    deviations = await store.deviation_count(contract.number)
    if not reminder.is_option:
        return ReminderView(reminder, contract, None, deviations)
    own = await store.latest_option_request(reminder.id)
    latest = await store.latest_milestone_option_request(
        reminder.contract_number, reminder.milestone
    )
    sibling = latest if latest is not None and latest.reminder_id != reminder.id else None
    waiting = sibling if sibling is not None and sibling.status == REQUEST_PENDING else None
    # Exercised from another reminder of this deadline: that request tells who approved it.
    option = own or (sibling if sibling is not None and sibling.status == APPROVED else None)
    return ReminderView(reminder, contract, option, deviations, waiting)


async def get_view(ctx: ReminderContext, reminder_id: int) -> ReminderView | None:
    async with ctx.uow.read() as uow:
        try:
            return await load_view(ctx.store_of(uow), reminder_id)
        except NotFound:
            return None


# --- editing every copy --------------------------------------------------------------------


async def edit_reminder_copies(uow: UnitOfWork, ctx: ReminderContext, view: ReminderView) -> None:
    """Queue an in-place edit of every copy of the reminder card, of every delivery."""
    reminder = view.reminder
    for send in range(1, reminder.sends + 1):
        for copy in await uow.card_copies.list_for(copy_subject(reminder.id, send), REMINDER):
            viewer = _person_of(copy.recipient) if copy.view != CHANNEL_VIEW else None
            person = await ctx.directory.get_person(viewer) if viewer else None
            lang = "nb" if person is None or not person.locale.startswith("en") else "en"
            actionable = reminder.open and send == reminder.sends
            card = await ctx.cards.reminder_card(
                reminder,
                view.contract,
                lang=lang,
                show_value=await show_value_to(ctx, person, view.contract),
                actionable=actionable,
                option=view.option,
                waiting=view.waiting,
                deviation_count=view.deviations,
            )
            await queue_edit(uow, ctx, copy, card, reminder.version)


async def settle_siblings(
    uow: UnitOfWork, ctx: ReminderContext, reminder: ReminderRecord, *, close_as: str | None
) -> None:
    """The other reminders of the same deadline follow a decision on one of them: closed too
    when the deadline is decided (`close_as`, e.g. option_exercised), and their cards edited so
    none offers what was already chosen or asked for."""
    store = ctx.store_of(uow)
    for sibling in await store.reminders_of_milestone(reminder.contract_number, reminder.milestone):
        if sibling.id == reminder.id or not sibling.open:
            continue
        if close_as is not None:
            await store.update_reminder_if_version(sibling.id, sibling.version, status=close_as)
        await edit_reminder_copies(uow, ctx, await load_view(store, sibling.id))


async def queue_edit(
    uow: UnitOfWork, ctx: ReminderContext, copy: CardCopy, card: dict[str, Any], version: int
) -> None:
    await card_copies.queue_copy_edit(uow, ctx.clock, copy, card, version)


def _person_of(ref_key: str) -> str | None:
    """`user:<tenant>:<aad>` → the aad object id."""
    parts = ref_key.split(":", 2)
    return parts[2] if len(parts) == 3 and parts[0] == "user" else None


async def request_option_approval(
    uow: UnitOfWork,
    ctx: ReminderContext,
    option: OptionRequest,
    view: ReminderView,
    approver: Person,
) -> None:
    recipient = ConversationRef.user_key(ctx.tenant_id, approver.id)
    lang = "en" if approver.locale.startswith("en") else "nb"
    card = await ctx.cards.option_card(
        option,
        view.reminder,
        view.contract,
        lang=lang,
        actionable=True,
        show_value=await show_value_to(ctx, approver, view.contract),
    )
    await card_copies.post_copy(
        uow,
        ctx.clock,
        subject=option_subject(option.id),
        purpose=OPTION,
        recipient=recipient,
        view="approver",
        key=f"option:{option.id}:approver",
        card=card,
        text=t("option.notice", lang, **option_params(option, view, lang)),
    )


def option_params(option: OptionRequest, view: ReminderView, lang: str) -> dict[str, Any]:
    return {
        "number": view.contract.number,
        "title": view.contract.title,
        "n": view.reminder.option_number,
        "requester": option.requester_name,
        "approver": option.approver_name,
        "what": describe(view.reminder, lang),
    }
