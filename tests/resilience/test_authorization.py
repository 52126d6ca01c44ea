"""Authorization matrix: tokens (auth on), tenants, the anonymous loopback rule, and who may
click which approval or triage button.

Every forbidden request is refused (401/403, or a refusal card that changes nothing), never a
500, and refused again when repeated.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any
from unittest import mock

import jwt
import pytest
from aiohttp.test_utils import make_mocked_request
from botframework.connector.auth import jwt_token_extractor
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import select
from sqlmodel import col

from bot.settings import BotSettings
from bot.teams.routes import is_loopback, make_messages_handler
from integrations.db.tables import OutboxRow
from tests.support.approval_driver import ShiftedClock, click, file_need
from tests.support.builders import (
    KARI,
    TENANT,
    User,
    make_bot_added,
    make_card_action,
    make_install,
    make_message,
    make_submit,
)
from tests.support.need_driver import verbs_in

pytestmark = [pytest.mark.e2e, pytest.mark.db]

APP_ID = "11111111-2222-3333-4444-555555555555"
BOT_FRAMEWORK = "https://api.botframework.com"
APP_PASSWORD = "app-password-" + "x" * 32  # long enough for HS256 without a warning


# --- tokens -------------------------------------------------------------------------------


def _rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


MICROSOFT = _rsa_key()  # stands in for the Bot Framework's signing key (see `trusted_keys`)
ATTACKER = _rsa_key()
MS_KID = "bf-signing-key-1"


@pytest.fixture
def trusted_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """botbuilder fetches the Bot Framework's keys from login.botframework.com; here it gets
    `MICROSOFT` instead, so one token in this file is validly signed and every check after the
    signature (audience, expiry, service URL) is really exercised."""
    jwk = json.loads(RSAAlgorithm.to_jwk(MICROSOFT.public_key()))
    jwk.update({"kid": MS_KID, "endorsements": ["msteams"]})

    async def refresh(self: Any) -> None:
        from datetime import datetime

        self.keys = [jwk]
        self.last_updated = datetime.now()

    monkeypatch.setattr(jwt_token_extractor.JwtTokenExtractor, "metadataCache", {})
    monkeypatch.setattr(jwt_token_extractor._OpenIdMetadata, "_refresh", refresh)


def _claims(service_url: str, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": BOT_FRAMEWORK,
        "aud": APP_ID,
        "serviceurl": service_url,
        "nbf": now - 60,
        "iat": now - 60,
        "exp": now + 3600,
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _token(
    key: Any, claims: dict[str, Any], *, kid: str | None = MS_KID, alg: str = "RS256"
) -> str:
    headers = {"kid": kid} if kid else {}
    return jwt.encode(claims, key, algorithm=alg, headers=headers)


def _none_alg(claims: dict[str, Any]) -> str:
    import base64

    def part(value: dict[str, Any]) -> str:
        raw = json.dumps(value).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT', 'kid': MS_KID})}.{part(claims)}."


async def _auth_bot(start_bot: Any) -> Any:
    return await start_bot(
        bot=BotSettings(app_id=APP_ID, app_password=APP_PASSWORD, app_tenant_id=TENANT)
    )


async def test_a_token_signed_with_the_trusted_key_is_accepted(connector, start_bot, trusted_keys):
    """The positive control: without it, "everything is 401" would pass the tests below."""
    bot = await _auth_bot(start_bot)
    token = _token(MICROSOFT, _claims(connector.url + "/"))
    status, body = await bot.post(
        make_message(KARI, "hjelp", connector.url), headers={"Authorization": f"Bearer {token}"}
    )
    assert status in (200, 201), body


FORGED = {
    "attacker's key, Microsoft's kid": lambda url: _token(ATTACKER, _claims(url)),
    "wrong audience": lambda url: _token(MICROSOFT, _claims(url, aud="someone-else")),
    "no audience": lambda url: _token(MICROSOFT, _claims(url, aud=None)),
    "expired": lambda url: _token(
        MICROSOFT, _claims(url, exp=int(time.time()) - 3600, nbf=int(time.time()) - 7200)
    ),
    "other service url": lambda url: _token(MICROSOFT, _claims("https://evil.example/")),
    "foreign issuer": lambda url: _token(MICROSOFT, _claims(url, iss="https://evil.example/")),
    "HS256, foreign issuer": lambda url: _token(
        APP_PASSWORD, _claims(url, iss="evil"), alg="HS256"
    ),
    "garbage": lambda url: "not.a.token",
    "empty bearer": lambda url: "",
}
FORGED_500 = {
    # botbuilder raises a plain Exception / IndexError here, which the route re-raises.
    "attacker's key, unknown kid": lambda url: _token(ATTACKER, _claims(url), kid="evil-kid"),
    "attacker's key, no kid": lambda url: _token(ATTACKER, _claims(url), kid=None),
    "HS256 with the app password": lambda url: _token(APP_PASSWORD, _claims(url), alg="HS256"),
    "alg none": lambda url: _none_alg(_claims(url)),
}


async def _post_with(bot: Any, connector: Any, token: str, scheme: str = "Bearer") -> int:
    headers = {"Authorization": f"{scheme} {token}".strip()}
    status, _ = await bot.post(make_message(KARI, "hjelp", connector.url), headers=headers)
    return status


@pytest.mark.parametrize("forgery", sorted(FORGED))
async def test_forged_tokens_are_refused_with_401(connector, start_bot, trusted_keys, forgery):
    bot = await _auth_bot(start_bot)
    token = FORGED[forgery](connector.url + "/")
    for _ in range(2):  # refused every time, not only the first
        assert await _post_with(bot, connector, token) == 401
    assert connector.requests == []


@pytest.mark.parametrize("forgery", sorted(FORGED_500))
async def test_forged_tokens_botbuilder_chokes_on_are_refused_with_401(
    connector, start_bot, trusted_keys, forgery
):
    bot = await _auth_bot(start_bot)
    status = await _post_with(bot, connector, FORGED_500[forgery](connector.url + "/"))
    assert status == 401
    assert connector.requests == []


@pytest.mark.parametrize("scheme", ["", "Basic", "bearer", "Bearer  "])
async def test_missing_or_other_scheme_is_refused(connector, start_bot, trusted_keys, scheme):
    bot = await _auth_bot(start_bot)
    token = _token(MICROSOFT, _claims(connector.url + "/")) if scheme else ""
    assert await _post_with(bot, connector, token, scheme) == 401
    assert connector.requests == []


# --- tenants -------------------------------------------------------------------------------

FOREIGN = User("aad-mallory", "Mallory", tenant="00000000-0000-4000-8000-foreign")


def _foreign(kind: str, url: str) -> dict[str, Any]:
    if kind == "message":
        return make_message(FOREIGN, "hjelp", url)
    if kind == "card action":
        return make_card_action(FOREIGN, "approval.approve", {"case_id": "ANS-2026-0001"}, url)
    if kind == "submit":
        return make_submit(FOREIGN, {"verb": "need.start"}, url)
    if kind == "install":
        return make_install(FOREIGN, url)
    if kind == "bot added":
        return make_bot_added(FOREIGN, url)
    if kind == "tenant only in conversation":
        activity = make_message(FOREIGN, "hjelp", url)
        del activity["channelData"]["tenant"]
        return activity
    if kind == "no tenant at all":
        activity = make_message(FOREIGN, "hjelp", url)
        del activity["channelData"]["tenant"]
        del activity["conversation"]["tenantId"]
        return activity
    raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind",
    [
        "message",
        "card action",
        "submit",
        "install",
        "bot added",
        "tenant only in conversation",
        "no tenant at all",
    ],
)
async def test_a_foreign_tenant_is_refused_with_403(connector, start_bot, kind):
    bot = await start_bot(allowed_tenants=[TENANT])
    for _ in range(2):
        status, _ = await bot.post(_foreign(kind, connector.url))
        assert status == 403
    assert connector.requests == []
    async with bot.uow() as uow:
        assert await uow.conversations.get(f"user:{FOREIGN.tenant}:{FOREIGN.aad_object_id}") is None


# --- anonymous mode: loopback only ---------------------------------------------------------


@pytest.mark.unit
@pytest.mark.parametrize(
    ("remote", "allowed"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("10.0.0.5", False),
        ("192.168.1.20", False),
        ("172.17.0.1", False),
        ("0.0.0.0", False),
        ("::", False),
        ("fe80::1", False),
        ("localhost", False),  # a name is not an address
        ("127.0.0.1.evil.example", False),
        ("", False),
        (None, False),
    ],
)
def test_is_loopback(remote, allowed):
    assert is_loopback(remote) is allowed


class _Transport:
    def __init__(self, peer: tuple[str, int]) -> None:
        self._peer = peer

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._peer if name == "peername" else default


async def _anonymous_status(peer: str, headers: dict[str, str] | None = None) -> int:
    logic = mock.AsyncMock()
    adapter = mock.AsyncMock()
    adapter.process_activity.return_value = None
    handler = make_messages_handler(adapter, logic, anonymous=True, allowed_tenants=frozenset())
    body = json.dumps(make_message(KARI, "hjelp", "http://127.0.0.1:1/")).encode()
    request = make_mocked_request(
        "POST",
        "/api/messages",
        headers={"Content-Type": "application/json", **(headers or {})},
        transport=_Transport((peer, 50000)),
        payload=mock.Mock(read=mock.AsyncMock(return_value=body)),
    )
    request.read = mock.AsyncMock(return_value=body)  # type: ignore[method-assign]
    response = await handler(request)
    if response.status == 403:
        assert not adapter.process_activity.called, "a refused request reached the adapter"
    return response.status


@pytest.mark.unit
@pytest.mark.parametrize("peer", ["10.0.0.5", "192.168.1.20", "2001:db8::7"])
async def test_anonymous_mode_refuses_a_peer_that_is_not_loopback(peer):
    assert await _anonymous_status(peer) == 403
    # Proxies' headers are no way around it.
    spoofed = {"X-Forwarded-For": "127.0.0.1", "Forwarded": "for=127.0.0.1", "X-Real-IP": "::1"}
    assert await _anonymous_status(peer, spoofed) == 403


@pytest.mark.unit
async def test_anonymous_mode_serves_loopback():
    assert await _anonymous_status("127.0.0.1") == 201


# --- approvals and triage: who may click what ----------------------------------------------

try:
    import bot.teams.features.approvals  # noqa: F401

    APPROVALS = True
except ImportError:  # pragma: no cover - before the approvals feature landed
    APPROVALS = False

needs_approvals = pytest.mark.skipif(
    not APPROVALS, reason="bot.teams.features.approvals is not there yet"
)

GUEST = User("aad-gjest", "Gustav Gjest (Konsulenthuset AS)")  # a guest account in demo.yaml
STRANGER = User("aad-ukjent", "Ukjent Person")  # not in the directory at all
OLA = User("aad-ola", "Ola Hansen")  # Kari's manager: the approver
LISE = User("aad-lise", "Lise Johansen")  # Ola's stand-in, but only in December 2026
INGRID = User("aad-ingrid", "Ingrid Solberg")  # Ola's manager: not part of Kari's case
PER = User("aad-per", "Per Innkjøper")  # Innkjøpsseksjonen
NOVEMBER = datetime(2026, 11, 16, 8, tzinfo=UTC)  # a Monday; Lise is not standing in yet

APPROVER_VERBS = ("approval.approve", "approval.reject", "approval.ask_info")
TRIAGE_VERBS = ("triage.accept", "triage.clarify", "triage.existing", "triage.reject")
TEXTS = {
    "comment": "Nei",
    "clarify_question": "Hva?",
    "agreement_ref": "RA-1",
    "reject_reason": "Nei",
}


async def _snapshot(bot: Any, number: str) -> tuple[Any, ...]:
    async with bot.uow() as uow:
        case = await uow.needs.get(number)
        audit = [e.action for e in await uow.audit.all() if e.subject == number]
        queued = await uow.session.scalars(select(col(OutboxRow.idempotency_key)))
    return case.status, case.version, case.decided_by, tuple(audit), frozenset(queued)


async def _refused_every_time(
    bot: Any,
    connector: Any,
    user: User,
    verb: str,
    number: str,
    version: Any,
    *,
    may_see_buttons: bool = False,
) -> None:
    """Click as `user` twice by Action.Execute and twice by the Action.Submit fallback: nothing
    may change (case, audit log, outbox), and someone who may never do this is offered no
    button for it (an approver with a stale card gets the current card, buttons and all)."""
    before = await _snapshot(bot, number)
    data = {"case_id": number, "version": version, **TEXTS}
    for _ in range(2):
        status, body = await bot.post(make_card_action(user, verb, data, connector.url))
        assert status == 200, body
        assert body["statusCode"] == 200 and body["type"].endswith("adaptive"), body
        assert await _snapshot(bot, number) == before, f"{user.name}: {verb} changed the case"
        if not may_see_buttons:
            assert verb not in verbs_in(body["value"]), f"{user.name} is offered {verb} again"
        status, _ = await bot.post(make_submit(user, {"verb": verb, **data}, connector.url))
        assert status in (200, 201)
        assert await _snapshot(bot, number) == before, f"{user.name}: {verb} changed the case"


async def _filed(start_bot: Any, connector: Any) -> tuple[Any, str]:
    bot = await start_bot(overrides={"clock": ShiftedClock(NOVEMBER)})
    return bot, await file_need(bot, connector)


@needs_approvals
@pytest.mark.parametrize(
    "who",
    [
        pytest.param(GUEST, id="guest"),
        pytest.param(KARI, id="requester"),
        pytest.param(INGRID, id="third person (approver's manager)"),
        pytest.param(PER, id="third person (procurement)"),
        pytest.param(STRANGER, id="unknown user"),
        pytest.param(LISE, id="stand-in outside their dates"),
    ],
)
async def test_only_the_approver_may_approve_reject_or_ask(connector, start_bot, who):
    bot, number = await _filed(start_bot, connector)
    for verb in APPROVER_VERBS:
        await _refused_every_time(bot, connector, who, verb, number, 1)


@needs_approvals
@pytest.mark.parametrize(
    "who",
    [
        pytest.param(OLA, id="approver"),
        pytest.param(GUEST, id="guest"),
        pytest.param(INGRID, id="third person"),
        pytest.param(LISE, id="stand-in outside their dates"),
    ],
)
async def test_only_the_requester_may_withdraw(connector, start_bot, who):
    bot, number = await _filed(start_bot, connector)
    await _refused_every_time(bot, connector, who, "approval.withdraw", number, 1)


@needs_approvals
@pytest.mark.parametrize("version", [0, 2, None, "1 OR 1=1"])
async def test_a_stale_or_doctored_card_version_is_refused(connector, start_bot, version):
    bot, number = await _filed(start_bot, connector)
    for verb in APPROVER_VERBS:
        await _refused_every_time(bot, connector, OLA, verb, number, version, may_see_buttons=True)


@needs_approvals
async def test_a_card_from_before_a_decision_is_refused(connector, start_bot):
    bot, number = await _filed(start_bot, connector)
    await click(
        bot, connector, OLA, "approval.ask_info", {"case_id": number, "version": 1, **TEXTS}
    )
    for verb in APPROVER_VERBS:  # the card Ola clicked before asking: version 1
        await _refused_every_time(bot, connector, OLA, verb, number, 1, may_see_buttons=True)
    await _refused_every_time(
        bot, connector, KARI, "approval.withdraw", number, 1, may_see_buttons=True
    )


@needs_approvals
@pytest.mark.parametrize(
    "who",
    [
        pytest.param(KARI, id="requester"),
        pytest.param(OLA, id="approver"),
        pytest.param(GUEST, id="guest"),
        pytest.param(INGRID, id="third person"),
    ],
)
async def test_only_procurement_may_triage(connector, start_bot, who):
    bot, number = await _filed(start_bot, connector)
    await click(bot, connector, OLA, "approval.approve", {"case_id": number, "version": 1})
    for verb in TRIAGE_VERBS:
        await _refused_every_time(bot, connector, who, verb, number, 2)
