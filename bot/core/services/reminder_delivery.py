"""Delivering contract reminders: who gets the card, queuing it through the outbox in the scan's
transaction, bringing snoozed reminders back once, and editing every copy after a decision.

Recipients: the contract's avtaleforvalter (the register names them by email; resolved with the
directory's `find_people`) and the service area's innkjøpskontakt; the 1-month escalation also
goes to the contract owner (the area's director) and the procurement channel. Anyone who cannot
be resolved is written down on the reminder (`delivery_note`) and the procurement channel gets
the card instead: a reminder is never dropped. The directory is read inside the scan's
transaction; with Graph that is one cached lookup per due reminder, a handful an hour.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.core.domain.contracts import Contract, ReminderDue
from bot.core.domain.directory import Person
from bot.core.domain.records import ConversationRef
from bot.core.domain.reminder_actions import PENDING, REQUEST_PENDING, ReminderRecord
from bot.core.formatting import format_date
from bot.core.i18n import language_of, t
from bot.core.ports import UnitOfWork
from bot.core.services import card_copies
from bot.core.services.contracts import may_see_value
from bot.core.services.reminder_context import ReminderContext, ReminderStore
from bot.core.services.reminders import ScanResult, scan_reminders

log = logging.getLogger(__name__)

REMINDER = "reminder"
CHANNEL_VIEW = "channel"
PERSON_VIEW = "person"
MAX_REFRESH_USERS = 60


def copy_subject(reminder_id: int, send: int) -> str:
    """The card copies of one delivery of a reminder (`KR-12.1`; fits card_copy's 20 chars)."""
    return f"KR-{reminder_id}.{send}"


@dataclass(frozen=True)
class Recipient:
    key: str  # ConversationRef key
    person: Person | None  # None: the procurement channel
    role: str  # manager | contact | owner | channel


@dataclass
class Recipients:
    found: list[Recipient] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)

    def add(self, recipient: Recipient) -> None:
        if all(r.key != recipient.key for r in self.found):
            self.found.append(recipient)


async def find_manager(ctx: ReminderContext, contract: Contract) -> Person | None:
    """The avtaleforvalter: the person with the register's email, else a single name match."""
    query = contract.manager_email.strip()
    if not query:
        return None
    people = await ctx.directory.find_people(query, limit=5)
    exact = [p for p in people if p.email and p.email.casefold() == query.casefold()]
    if exact:
        return exact[0]
    return people[0] if len(people) == 1 and "@" not in query else None


async def resolve_recipients(
    ctx: ReminderContext, contract: Contract, *, escalation: bool
) -> Recipients:
    directory = ctx.directory
    found = Recipients()

    async def person(person_id: str | None, role: str, missing: str) -> None:
        someone = await directory.get_person(person_id) if person_id else None
        if someone is None:
            found.unresolved.append(missing)
        else:
            found.add(Recipient(ConversationRef.user_key(ctx.tenant_id, someone.id), someone, role))

    manager = await find_manager(ctx, contract)
    if manager is None:
        found.unresolved.append(f"avtaleforvalter «{contract.manager_email or '–'}»")
    else:
        found.add(
            Recipient(ConversationRef.user_key(ctx.tenant_id, manager.id), manager, "manager")
        )
    area = await directory.service_area(contract.service_area) if contract.service_area else None
    area_name = contract.service_area or "–"
    await person(
        area.procurement_contact_id if area else None,
        "contact",
        f"innkjøpskontakt for «{area_name}»",
    )
    if escalation:
        await person(area.director_id if area else None, "owner", f"avtaleeier for «{area_name}»")
    if escalation or found.unresolved:
        channel = await directory.procurement_channel()
        if channel is None:
            found.unresolved.append("Innkjøpsseksjonens kanal")
        else:
            key = ConversationRef.conversation_key(channel.channel_id)
            found.add(Recipient(key, None, CHANNEL_VIEW))
    return found


async def lang_of(uow: UnitOfWork, recipient: Recipient) -> str:
    if recipient.person is None:
        return "nb"
    ref = await uow.conversations.get(recipient.key)
    if ref is not None and ref.locale:
        return language_of(ref.locale)
    return language_of(recipient.person.locale)


async def show_value_to(ctx: ReminderContext, person: Person | None, contract: Contract) -> bool:
    """A channel copy never shows values (a channel may have guests); people per may_see_value."""
    if person is None or person.is_guest:
        return False
    member = await ctx.directory.is_procurement_member(person.id)
    return may_see_value(person, contract, in_procurement=member)


async def refresh_ids(uow: UnitOfWork, keys: Sequence[str]) -> list[str]:
    """MRIs of the people whose chat the bot knows, for the card's refresh.userIds."""
    found: list[str] = []
    for key in keys:
        ref = await uow.conversations.get(key)
        user = ref.reference.get("user") if ref is not None else None
        mri = user.get("id") if isinstance(user, dict) else None
        if isinstance(mri, str) and mri and mri not in found:
            found.append(mri)
    return found[:MAX_REFRESH_USERS]


def summary_text(reminder: ReminderRecord, contract: Contract, lang: str) -> str:
    if reminder.is_consumption:
        return t(
            "reminder.notice_consumption",
            lang,
            number=contract.number,
            title=contract.title,
            percent=contract.consumed_percent or reminder.lead.removesuffix("%"),
        )
    return t(
        "reminder.notice",
        lang,
        number=contract.number,
        title=contract.title,
        what=describe(reminder, lang),
        deadline=format_date(reminder.deadline, lang),
    )


def describe(reminder: ReminderRecord, lang: str) -> str:
    """The milestone in words: "fristen for opsjon 1" / "avtalens sluttdato"."""
    if reminder.is_consumption:
        return t("reminder.what.consumption", lang)
    key = "reminder.what.option" if reminder.is_option else "reminder.what.expiry"
    return t(key, lang, n=reminder.option_number)


async def deliver(
    uow: UnitOfWork,
    ctx: ReminderContext,
    store: ReminderStore,
    reminder: ReminderRecord,
    contract: Contract,
) -> int:
    """Queue the reminder card to everyone it is for, in the caller's transaction; returns how
    many cards were queued. Unresolved people are noted on the reminder."""
    recipients = await resolve_recipients(ctx, contract, escalation=reminder.escalation)
    if recipients.unresolved:
        note = "; ".join(recipients.unresolved)
        log.warning("reminder %s of %s: could not resolve %s", reminder.id, contract.number, note)
        await store.set_delivery_note(reminder.id, note)
    if not recipients.found:
        log.error("reminder %s of %s has nobody to go to", reminder.id, contract.number)
        return 0
    refresh = await refresh_ids(uow, [r.key for r in recipients.found if r.person is not None])
    deviations = await store.deviation_count(contract.number)
    waiting = None
    if reminder.is_option:  # asked for from an earlier card of this deadline: not again
        latest = await store.latest_milestone_option_request(
            reminder.contract_number, reminder.milestone
        )
        waiting = latest if latest is not None and latest.status == REQUEST_PENDING else None
    subject = copy_subject(reminder.id, reminder.sends)
    queued = 0
    for recipient in recipients.found:
        lang = await lang_of(uow, recipient)
        card = await ctx.cards.reminder_card(
            reminder,
            contract,
            lang=lang,
            show_value=await show_value_to(ctx, recipient.person, contract),
            actionable=True,
            refresh_user_ids=refresh,
            deviation_count=deviations,
            waiting=waiting,
        )
        if await card_copies.post_copy(
            uow,
            ctx.clock,
            subject=subject,
            purpose=REMINDER,
            recipient=recipient.key,
            view=CHANNEL_VIEW if recipient.person is None else PERSON_VIEW,
            key=f"reminder:{reminder.id}:{reminder.sends}:{recipient.key}",
            card=card,
            text=summary_text(reminder, contract, lang),
        ):
            queued += 1
    if ctx.on_queued is not None:
        ctx.on_queued(queued)
    return queued


async def resend_snoozed(
    uow: UnitOfWork,
    ctx: ReminderContext,
    store: ReminderStore,
    as_of: date,
    limit: int = 200,
    *,
    on_delivered: Callable[[ReminderRecord, Contract], None] | None = None,
) -> int:
    """Bring back every snoozed reminder whose day has come, exactly once: the conditional
    update lets one scan win when two run at once."""
    count = 0
    for reminder in await store.due_snoozes(as_of, limit):
        if not await store.update_reminder_if_version(
            reminder.id,
            reminder.version,
            status=PENDING,
            snooze_until=None,
            sends=reminder.sends + 1,
        ):
            continue
        contract = await store.get(reminder.contract_number)
        fresh = await store.reminder(reminder.id)
        if (
            contract is None
            or fresh is None
            or fresh.milestone in await store.closed_milestones(reminder.contract_number)
        ):
            continue
        await deliver(uow, ctx, store, fresh, contract)
        if on_delivered is not None:
            on_delivered(fresh, contract)
        count += 1
    return count


async def scan_and_deliver(
    ctx: ReminderContext,
    as_of: date | None = None,
    *,
    on_delivered: Callable[[ReminderRecord, Contract], None] | None = None,
) -> ScanResult:
    """One scan (the worker's schedule and `scan-reminders`): new reminders and snoozes that
    came back, recorded and queued in one transaction. `on_delivered` sees each reminder."""
    day = as_of or ctx.today()
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        store = ctx.store_of(uow)

        async def queue(due: ReminderDue, contract: Contract) -> None:
            reminder = await store.reminder_for(due)
            if reminder is not None:
                await deliver(uow, ctx, store, reminder, contract)
                if on_delivered is not None:
                    on_delivered(reminder, contract)

        result = await scan_reminders(
            contracts=store, policy=ctx.policy, as_of=day, now=now, queue=queue
        )
        snoozes = await resend_snoozed(uow, ctx, store, day, on_delivered=on_delivered)
        await uow.commit()
    return ScanResult(
        queued=result.queued + snoozes,
        already_sent=result.already_sent,
        contracts_checked=result.contracts_checked,
    )
