"""The audit log's hash chain: each entry's hash covers its content and the previous hash.

Editing or deleting any row breaks the chain from that row on, which `verify_chain` reports.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bot.core.domain.records import AuditEntry

GENESIS = "0" * 64


def entry_hash(
    *,
    prev_hash: str,
    at: datetime,
    actor: str,
    on_behalf_of: str | None,
    action: str,
    subject: str,
    details: dict[str, Any],
) -> str:
    canonical = json.dumps(
        {
            "prev": prev_hash,
            "at": at.isoformat(),
            "actor": actor,
            "on_behalf_of": on_behalf_of,
            "action": action,
            "subject": subject,
            "details": details,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def verify_chain(entries: Iterable[AuditEntry]) -> list[str]:
    """Return one line per problem found (empty when the chain is intact)."""
    problems: list[str] = []
    expected_prev = GENESIS
    last_id = 0
    for entry in entries:
        if entry.id != last_id + 1:
            problems.append(f"row {last_id + 1}..{entry.id - 1}: missing (deleted?)")
        if entry.prev_hash != expected_prev:
            problems.append(f"row {entry.id}: previous-hash link broken")
        actual = entry_hash(
            prev_hash=entry.prev_hash,
            at=entry.at,
            actor=entry.actor,
            on_behalf_of=entry.on_behalf_of,
            action=entry.action,
            subject=entry.subject,
            details=entry.details,
        )
        if actual != entry.hash:
            problems.append(f"row {entry.id}: content does not match its hash (edited?)")
        expected_prev = entry.hash
        last_id = entry.id
    return problems
