"""The collaboration room (samhandlingsrom) of an accepted need: names, the saga's steps, and how
each failure is treated.

```
team mode:    create_team → poll_operation → wait_team → create_channels → add_members
              → install_app → welcome → done
channel mode:                               create_channels → add_members → welcome → done
any step ──permanent error──▶ failed ──"Prøv igjen"──▶ the failed step again (pending)
```

Each step is idempotent: it looks before it creates (the team by its name's case-number prefix,
channels and members by listing them), so a step repeated after a crash creates nothing twice.
Pure: no Graph, no database. The adapter (integrations/graph/rooms.py) translates Graph's
answers into the `RoomError`s below; the service (bot/core/services/rooms.py) stores each step.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Final, Literal

# --- names --------------------------------------------------------------------------------------

TEAM_NAME_MAX: Final = 256  # displayName of a team (Microsoft 365 group)
CHANNEL_NAME_MAX: Final = 50  # displayName of a channel
DESCRIPTION_MAX: Final = 1024
SEPARATOR: Final = " – "
# Characters Teams refuses in channel names (and SharePoint in the site names Teams derives
# from team and channel names): ~ # % & * { } + / \ : < > ? | ' " and control characters.
_FORBIDDEN = re.compile(r"[~#%&*{}+/\\:<>?|'\"\x00-\x1f\x7f]")
_SPACES = re.compile(r"\s+")


def clean_name(text: str) -> str:
    """`text` without the characters Teams forbids, on one line, without leading `_`/`.` or a
    trailing `.` (Teams refuses those too)."""
    text = unicodedata.normalize("NFC", text)
    text = _FORBIDDEN.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    text = text.lstrip("_. ")
    return text.rstrip(". ")


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rstrip()
    # end on a word boundary when one is near, and show that something was left out
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space].rstrip(" –-,.")
    return cut + "…"


def room_name(case_number: str, title: str, *, limit: int = TEAM_NAME_MAX) -> str:
    """`ANS-2026-0042 – Nye PC-er til Skedsmo skole`, cleaned and cut to `limit` characters.

    The case number always survives in full: it is how the saga finds the team again."""
    prefix = clean_name(case_number)
    title_part = clean_name(title)
    if not title_part:
        return prefix[:limit]
    room = _cut(f"{prefix}{SEPARATOR}{title_part}", limit)
    return room if room.startswith(prefix) else prefix[:limit]


def channel_name(text: str) -> str:
    """A channel display name: cleaned and at most 50 characters."""
    return _cut(clean_name(text), CHANNEL_NAME_MAX)


def description(text: str) -> str:
    return _cut(_SPACES.sub(" ", text).strip(), DESCRIPTION_MAX)


# --- the saga's record --------------------------------------------------------------------------

Mode = Literal["team", "channel"]

CREATE_TEAM: Final = "create_team"
POLL_OPERATION: Final = "poll_operation"
WAIT_TEAM: Final = "wait_team"
CREATE_CHANNELS: Final = "create_channels"
ADD_MEMBERS: Final = "add_members"
INSTALL_APP: Final = "install_app"
WELCOME: Final = "welcome"
DONE: Final = "done"

TEAM_STEPS: Final = (
    CREATE_TEAM,
    POLL_OPERATION,
    WAIT_TEAM,
    CREATE_CHANNELS,
    ADD_MEMBERS,
    INSTALL_APP,
    WELCOME,
    DONE,
)
CHANNEL_STEPS: Final = (CREATE_CHANNELS, ADD_MEMBERS, WELCOME, DONE)

PENDING: Final = "pending"  # due at next_attempt_at
FAILED: Final = "failed"  # stopped; waits for "Prøv igjen"
COMPLETED: Final = "done"


def first_step(mode: Mode) -> str:
    return CREATE_TEAM if mode == "team" else CREATE_CHANNELS


def next_step(mode: Mode, step: str) -> str:
    steps = TEAM_STEPS if mode == "team" else CHANNEL_STEPS
    return steps[steps.index(step) + 1]


@dataclass(frozen=True)
class RoomMember:
    """Someone to put in the room; `owner` for the procurement advisor."""

    user_id: str
    name: str = ""
    owner: bool = False


@dataclass(frozen=True)
class RoomSaga:
    """The stored state of one case's room; every step writes what it learned here."""

    case_number: str
    tenant_id: str
    mode: Mode
    display_name: str
    description: str
    advisor_id: str
    members: tuple[RoomMember, ...]
    step: str
    status: str = PENDING
    version: int = 1
    team_id: str | None = None
    operation_id: str | None = None
    channel_id: str | None = None  # where the welcome card goes
    web_url: str = ""
    attempts: int = 0  # transient failures of the current step, in a row
    round: int = 1  # 1 + the number of "Prøv igjen"
    uncertain_since: datetime | None = None  # a POST /teams whose outcome we do not know
    not_found_since: datetime | None = None  # the new team still 404s (replication)
    last_error: str = ""
    next_attempt_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    channels_done: tuple[str, ...] = field(default=())


# --- failures -----------------------------------------------------------------------------------

Kind = Literal["throttled", "transient", "not_found", "permanent", "uncertain"]


class RoomError(Exception):
    """A Graph call of the room saga failed, classified for the saga.

    `throttled`: 429, wait `retry_after`; `transient`: 5xx or the network, back off;
    `uncertain`: a create whose outcome is unknown (a 5xx or timeout on POST /teams: the team
    may exist), look it up before creating again; `not_found`: 404 (right after creation:
    replication); `permanent`: anything else (a missing permission, a refused name).
    `message` says what happened in plain words for the advisor's card.
    """

    def __init__(
        self,
        kind: Kind,
        detail: str,
        *,
        retry_after: float | None = None,
        status: int | None = None,
        code: str = "",
    ) -> None:
        super().__init__(detail)
        self.kind: Kind = kind
        self.detail = detail
        self.retry_after = retry_after
        self.status = status
        self.code = code


@dataclass(frozen=True)
class RetryPolicy:
    """How long the saga waits and when it gives up (settings.rooms)."""

    poll_interval_seconds: float = 30.0
    backoff_base_seconds: float = 5.0
    backoff_max_seconds: float = 600.0
    max_transient_attempts: int = 12
    replication_timeout_seconds: float = 900.0
    lookup_settle_seconds: float = 60.0


@dataclass(frozen=True)
class Decision:
    """What to do after a failed step: wait `delay` seconds and try again, or stop."""

    saga: RoomSaga
    delay: float | None  # None: failed for good
    reason: str = ""


def on_error(saga: RoomSaga, error: RoomError, *, policy: RetryPolicy, now: datetime) -> Decision:
    """The saga after `error` in its current step (pure: the caller stores it)."""
    if error.kind == "throttled":
        # throttling is the service asking us to slow down, not a failure: no attempt counted
        delay = error.retry_after if error.retry_after and error.retry_after > 0 else None
        return Decision(
            replace(saga, last_error=error.detail),
            delay if delay is not None else backoff(saga.attempts + 1, policy),
        )
    if error.kind == "not_found":
        since = saga.not_found_since or now
        if (now - since).total_seconds() >= policy.replication_timeout_seconds:
            return Decision(replace(saga, last_error=error.detail), None, "not_found")
        return Decision(
            replace(saga, not_found_since=since, last_error=error.detail),
            policy.poll_interval_seconds,
        )
    if error.kind in ("transient", "uncertain"):
        attempts = saga.attempts + 1
        changed = replace(saga, attempts=attempts, last_error=error.detail)
        if error.kind == "uncertain" and saga.uncertain_since is None:
            changed = replace(changed, uncertain_since=now)
        if attempts > policy.max_transient_attempts:
            return Decision(changed, None, "unavailable")
        return Decision(changed, backoff(attempts, policy))
    return Decision(replace(saga, last_error=error.detail), None, error.code or "permanent")


def backoff(attempt: int, policy: RetryPolicy) -> float:
    """Exponential backoff with ±20 % jitter, capped."""
    base = min(policy.backoff_max_seconds, policy.backoff_base_seconds * 2 ** max(0, attempt - 1))
    return float(base * random.uniform(0.8, 1.2))  # jitter spreads retries of many sagas


def settling(saga: RoomSaga, *, policy: RetryPolicy, now: datetime) -> bool:
    """After an uncertain POST /teams, wait this long for the team to show in a lookup before
    creating it again (a second POST could make a second team)."""
    if saga.uncertain_since is None:
        return False
    return now - saga.uncertain_since < timedelta(seconds=policy.lookup_settle_seconds)


def advanced(saga: RoomSaga, **changes: object) -> RoomSaga:
    """The saga moved to its next step, with what the step learned; the failure counters reset."""
    step = next_step(saga.mode, saga.step)
    return replace(
        saga,
        step=step,
        status=COMPLETED if step == DONE else PENDING,
        attempts=0,
        not_found_since=None,
        last_error="",
        **changes,  # type: ignore[arg-type]
    )


def may_retry(saga: RoomSaga) -> bool:
    return saga.status == FAILED


def restarted(saga: RoomSaga, *, now: datetime) -> RoomSaga:
    """ "Prøv igjen": the failed step again; a failed team creation starts over (the team that
    failed to provision is not adopted: the lookup only finds provisioned teams)."""
    step = saga.step
    changes: dict[str, object] = {}
    if step in (POLL_OPERATION, WAIT_TEAM) and saga.mode == "team":
        step = CREATE_TEAM
        changes = {"team_id": None, "operation_id": None}
    return replace(
        saga,
        step=step,
        status=PENDING,
        attempts=0,
        round=saga.round + 1,
        uncertain_since=None,
        not_found_since=None,
        next_attempt_at=now,
        **changes,  # type: ignore[arg-type]
    )
