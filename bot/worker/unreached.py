"""What the outbox does for a person the bot has no chat with yet.

Teams only lets a bot write to someone who has the app. So, once per person and process, the
app is installed for them through Graph (Teams then opens the chat and the waiting notice goes
out at once). If that is not possible, or the chat has still not appeared after
`fallback_after_attempts` tries, the notice is posted in the procurement channel with an
@mention of the person instead: late is acceptable, lost is not.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.core.domain.directory import Directory
from bot.core.domain.records import ConversationRef, OutboxMessage
from bot.core.i18n import language_of, t
from bot.core.ports import AppInstaller
from cards.mention import with_mention

log = logging.getLogger(__name__)

USER_PREFIX = "user:"


@dataclass(frozen=True)
class Redirect:
    recipient: str
    payload: dict[str, Any]


class UnreachedRecipients:
    def __init__(
        self,
        *,
        directory_of: Callable[[], Directory],
        installer_of: Callable[[], AppInstaller | None],
        fallback_after_attempts: int,
    ) -> None:
        self._directory_of = directory_of
        self._installer_of = installer_of
        self._fallback_after = fallback_after_attempts
        self._install_tried: set[str] = set()
        self._install_failed: set[str] = set()

    async def plan(self, message: OutboxMessage) -> Redirect | None:
        """None: keep waiting (the caller reschedules). A Redirect: post it there instead."""
        person_id = _person_of(message.recipient)
        if person_id is None:
            return None  # a channel or group chat: nothing to install, nobody to mention
        installer = self._installer_of()
        if installer is not None and person_id not in self._install_tried:
            self._install_tried.add(person_id)
            if await self._install(installer, person_id):
                return None  # Teams opens the chat; the conversationUpdate wakes the notice
            self._install_failed.add(person_id)
        if person_id in self._install_failed or message.attempts >= self._fallback_after:
            return await self._to_channel(message, person_id)
        return None  # they may still open the chat themselves

    async def _install(self, installer: AppInstaller, person_id: str) -> bool:
        try:
            return await installer.install_for(person_id)
        except Exception:
            log.exception("installing the app for %s failed", person_id)
            return False

    async def _to_channel(self, message: OutboxMessage, person_id: str) -> Redirect | None:
        directory = self._directory_of()
        channel = await directory.procurement_channel()
        if channel is None:
            return None
        person = await directory.get_person(person_id)
        name = person.name if person is not None else person_id
        lang = language_of(person.locale if person is not None else None)
        log.info("no chat with %s: posting outbox %s in the channel", person_id, message.id)
        return Redirect(
            recipient=ConversationRef.conversation_key(channel.channel_id),
            payload=with_mention(
                message.payload, person_id=person_id, name=name, lead=t("outbox.for_you", lang)
            ),
        )


def _person_of(recipient: str) -> str | None:
    if not recipient.startswith(USER_PREFIX):
        return None
    _, _, rest = recipient.partition(USER_PREFIX)
    _, _, person_id = rest.partition(":")
    return person_id or None
