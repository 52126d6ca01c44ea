"""Filing a deviation (avvik): who hears of it, the case number, the notices.

The avtaleforvalter is found from the contract's manager field and the contract owner from its
service area, before the transaction; the case, its audit entry and every notice are then
committed together.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.core.domain import deviation as rules
from bot.core.domain.contracts import Contract
from bot.core.domain.deviation_fields import DeviationDraft
from bot.core.domain.deviation_records import DeviationCase
from bot.core.domain.directory import Directory, Person, fold
from bot.core.domain.errors import ValidationFailed
from bot.core.domain.records import ConversationRef
from bot.core.i18n import language_of, t
from bot.core.ports import UnitOfWork
from bot.core.services.approvals import lang_of
from bot.core.services.audit import record
from bot.core.services.deviations import (
    DeviationContext,
    channel_key,
    params_of,
    post_copy,
    reporter_key,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileDeviation:
    draft: DeviationDraft
    reporter_id: str
    reporter_name: str
    tenant_id: str
    lang: str
    draft_id: str | None = None
    contract: Contract | None = None  # None: "vet ikke" (procurement finds it)


@dataclass(frozen=True)
class People:
    """Who hears of a deviation besides procurement: the avtaleforvalter and the owner."""

    manager: Person | None = None
    owner: Person | None = None


# --- who is who ----------------------------------------------------------------------------------


async def contract_manager(directory: Directory, contract: Contract | None) -> Person | None:
    """The avtaleforvalter from the contract's manager field: an e-mail (or a name) in KAV."""
    if contract is None or not contract.manager_email.strip():
        return None
    wanted = contract.manager_email.strip()
    for person in await directory.find_people(wanted, limit=5):
        if "@" in wanted and person.email.casefold() == wanted.casefold():
            return person
        if "@" not in wanted and fold(person.name) == fold(wanted):
            return person
    return None


async def contract_owner(directory: Directory, contract: Contract | None) -> Person | None:
    """The contract owner: the director of the contract's service area (by id or name)."""
    if contract is None or not contract.service_area.strip():
        return None
    area = await directory.service_area(contract.service_area.strip())
    if area is None:
        wanted = fold(contract.service_area)
        area = next((a for a in await directory.service_areas() if fold(a.name) == wanted), None)
    if area is None or area.director_id is None:
        return None
    return await directory.get_person(area.director_id)


async def people_of(ctx: DeviationContext, contract: Contract | None) -> People:
    return People(
        manager=await contract_manager(ctx.directory, contract),
        owner=await contract_owner(ctx.directory, contract),
    )


# --- filing --------------------------------------------------------------------------------------


def _check_complete(draft: DeviationDraft) -> None:
    missing = [
        name for name in ("category", "description", "severity") if getattr(draft, name) is None
    ]
    if missing or not draft.has("contract"):
        raise ValidationFailed(f"incomplete: {missing}", message_key="deviation.incomplete")


async def filed_from_draft(
    ctx: DeviationContext, reporter_id: str, draft_id: str
) -> DeviationCase | None:
    async with ctx.uow.read() as uow:
        return await uow.deviations.get_by_draft(reporter_id, draft_id)


async def file_deviation(ctx: DeviationContext, cmd: FileDeviation) -> DeviationCase:
    """Register the deviation (AVV-2026-0017) and tell everyone who must act or know."""
    draft = cmd.draft
    _check_complete(draft)
    assert draft.category is not None and draft.severity is not None
    people = await people_of(ctx, cmd.contract)
    channel = await ctx.directory.procurement_channel()
    now = ctx.clock.now()
    contract = cmd.contract
    lang = language_of(cmd.lang)
    async with ctx.uow() as uow:
        if cmd.draft_id:
            existing = await uow.deviations.get_by_draft(cmd.reporter_id, cmd.draft_id)
            if existing is not None:
                return existing
        number = await uow.case_numbers.next_number(rules.PREFIX, now.year)
        case = await uow.deviations.add(
            DeviationCase(
                id=0,
                case_number=number,
                draft_id=cmd.draft_id,
                tenant_id=cmd.tenant_id,
                reporter_id=cmd.reporter_id,
                reporter_name=cmd.reporter_name,
                locale=lang,
                category=draft.category,
                description=draft.description or "",
                observed_on=draft.observed_on,
                severity=draft.severity,
                unit=draft.unit or "",
                state=rules.REGISTRERT,
                version=1,
                created_at=now,
                updated_at=now,
                contract_number=contract.number if contract else None,
                contract_title=contract.title if contract else "",
                supplier=contract.supplier if contract else "",
                manager_id=people.manager.id if people.manager else None,
                manager_name=people.manager.name if people.manager else "",
                owner_id=people.owner.id if people.owner else None,
                owner_name=people.owner.name if people.owner else "",
                service_area=contract.service_area if contract else "",
                attachments=list(draft.attachments),
                control_followup=rules.needs_control(draft.category),
            )
        )
        await record(
            uow,
            clock=ctx.clock,
            actor=cmd.reporter_id,
            action="deviation.registered",
            subject=number,
            details={
                "contract": case.contract_number,
                "category": case.category,
                "severity": case.severity,
                "control_followup": case.control_followup,
                "manager": case.manager_id,
                "owner": case.owner_id if rules.notify_owner(case.severity) else None,
                "attachments": len(case.attachments),
            },
        )
        await _notify_filed(uow, ctx, case, channel.channel_id if channel else None)
        await uow.commit()
    return case


async def _notify_filed(
    uow: UnitOfWork, ctx: DeviationContext, case: DeviationCase, channel_id: str | None
) -> None:
    number = case.case_number
    if case.manager_id:
        recipient = ConversationRef.user_key(case.tenant_id, case.manager_id)
        lang = await lang_of(uow, recipient)
        await post_copy(
            uow,
            ctx,
            case,
            recipient=recipient,
            view="actor",
            key=f"{number}:deviation:manager",
            lang=lang,
            text=t("deviation.notice.to_manager", lang, **params_of(case, lang)),
        )
    if channel_id:
        key = (
            "deviation.notice.to_procurement"
            if case.contract_number
            else "deviation.notice.to_procurement_unknown"
        )
        await post_copy(
            uow,
            ctx,
            case,
            recipient=channel_key(channel_id),
            view="actor",
            key=f"{number}:deviation:channel",
            lang="nb",
            text=t(key, "nb", **params_of(case, "nb")),
        )
    else:
        log.warning("no procurement channel configured: %s reaches the manager only", number)
    owner = case.owner_id
    if (
        owner
        and rules.notify_owner(case.severity)
        and owner not in (case.manager_id, case.reporter_id)
    ):
        recipient = ConversationRef.user_key(case.tenant_id, owner)
        lang = await lang_of(uow, recipient)
        await post_copy(
            uow,
            ctx,
            case,
            recipient=recipient,
            view="readonly",
            key=f"{number}:deviation:owner",
            lang=lang,
            text=t("deviation.notice.to_owner", lang, **params_of(case, lang)),
        )
    if case.reporter_id == case.manager_id:
        return  # the avtaleforvalter reported it and has the card with the buttons already
    await post_copy(
        uow,
        ctx,
        case,
        recipient=reporter_key(case),
        view="reporter",
        key=f"{number}:deviation:reporter",
        lang=case.locale,
        text=t("deviation.notice.reporter_copy", case.locale, **params_of(case, case.locale)),
    )
