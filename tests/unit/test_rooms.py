"""Room names (characters Teams forbids, length limits) and the room saga's pure rules."""

from __future__ import annotations

import re
import string
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bot.core.domain import rooms
from bot.core.domain.rooms import RetryPolicy, RoomError, RoomMember, RoomSaga

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
POLICY = RetryPolicy(
    poll_interval_seconds=30,
    backoff_base_seconds=5,
    backoff_max_seconds=60,
    max_transient_attempts=3,
    replication_timeout_seconds=600,
    lookup_settle_seconds=60,
)
FORBIDDEN = set("~#%&*{}+/\\:<>?|'\"")


def saga(**changes: object) -> RoomSaga:
    base = RoomSaga(
        case_number="ANS-2026-0042",
        tenant_id="t",
        mode="team",
        display_name="ANS-2026-0042 – PC-er",
        description="",
        advisor_id="aad-per",
        members=(RoomMember("aad-per", owner=True), RoomMember("aad-kari")),
        step=rooms.CREATE_TEAM,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# --- names --------------------------------------------------------------------------------------


def test_room_name_is_number_dash_title() -> None:
    assert rooms.room_name("ANS-2026-0042", "Nye PC-er til Skedsmo skole") == (
        "ANS-2026-0042 – Nye PC-er til Skedsmo skole"
    )


def test_forbidden_characters_are_removed() -> None:
    name = rooms.room_name("ANS-2026-0042", 'PC/nettbrett: "Kjeller" & <Skedsmo> #1 50%?')
    assert not FORBIDDEN & set(name)
    assert name == "ANS-2026-0042 – PC nettbrett Kjeller Skedsmo 1 50"


def test_control_characters_and_line_breaks_become_spaces() -> None:
    assert rooms.room_name("ANS-2026-0001", "Skole\nmøbler\t\x00nå") == (
        "ANS-2026-0001 – Skole møbler nå"
    )


def test_leading_underscore_and_trailing_period_are_dropped() -> None:
    assert rooms.clean_name("__.Møbler.") == "Møbler"


def test_long_titles_are_cut_on_a_word_with_an_ellipsis() -> None:
    title = "Rammeavtale om " + "kontorrekvisita og skolemateriell " * 20
    name = rooms.room_name("ANS-2026-0042", title)
    assert len(name) <= rooms.TEAM_NAME_MAX
    assert name.startswith("ANS-2026-0042 – Rammeavtale om")
    assert name.endswith("…") and not name.endswith(" …")


def test_channel_names_fit_fifty_characters() -> None:
    name = rooms.room_name(
        "ANS-2026-0042", "Renholdstjenester for alle skolene i kommunen", limit=50
    )
    assert len(name) <= 50 and name.startswith("ANS-2026-0042 – Renholds")
    assert rooms.channel_name("Behov og konkurransestrategi") == "Behov og konkurransestrategi"


def test_a_title_of_only_forbidden_characters_leaves_the_number() -> None:
    assert rooms.room_name("ANS-2026-0042", "???///") == "ANS-2026-0042"


@given(st.text(max_size=400))
def test_any_title_gives_a_clean_name_within_limits(title: str) -> None:
    for limit in (rooms.TEAM_NAME_MAX, rooms.CHANNEL_NAME_MAX):
        name = rooms.room_name("ANS-2026-0042", title, limit=limit)
        assert len(name) <= limit
        assert name.startswith("ANS-2026-0042")
        assert not FORBIDDEN & set(name)
        assert not re.search(r"[\x00-\x1f\x7f]", name)
        assert name == name.strip() and not name.endswith(".")


# --- steps ------------------------------------------------------------------------------------


def test_team_mode_steps_in_order() -> None:
    step = rooms.first_step("team")
    seen = [step]
    while step != rooms.DONE:
        step = rooms.next_step("team", step)
        seen.append(step)
    assert seen == list(rooms.TEAM_STEPS)


def test_channel_mode_starts_with_channels_and_skips_the_team() -> None:
    assert rooms.first_step("channel") == rooms.CREATE_CHANNELS
    assert rooms.CREATE_TEAM not in rooms.CHANNEL_STEPS
    assert rooms.INSTALL_APP not in rooms.CHANNEL_STEPS


def test_advancing_resets_the_failure_counters_and_keeps_what_was_learned() -> None:
    moved = rooms.advanced(
        saga(attempts=2, last_error="503", not_found_since=NOW), team_id="t1", operation_id="o1"
    )
    assert moved.step == rooms.POLL_OPERATION and moved.status == rooms.PENDING
    assert (moved.attempts, moved.last_error, moved.not_found_since) == (0, "", None)
    assert (moved.team_id, moved.operation_id) == ("t1", "o1")


def test_the_last_step_completes_the_saga() -> None:
    assert rooms.advanced(saga(step=rooms.WELCOME)).status == rooms.COMPLETED


# --- failures ---------------------------------------------------------------------------------


def test_throttling_waits_retry_after_and_is_not_counted() -> None:
    decision = rooms.on_error(
        saga(), RoomError("throttled", "429", retry_after=17), policy=POLICY, now=NOW
    )
    assert decision.delay == 17 and decision.saga.attempts == 0


def test_transient_errors_back_off_and_give_up_after_the_limit() -> None:
    current = saga()
    delays = []
    for _ in range(POLICY.max_transient_attempts):
        decision = rooms.on_error(current, RoomError("transient", "503"), policy=POLICY, now=NOW)
        assert decision.delay is not None
        delays.append(decision.delay)
        current = decision.saga
    assert delays[0] < delays[-1] <= POLICY.backoff_max_seconds * 1.2
    final = rooms.on_error(current, RoomError("transient", "503"), policy=POLICY, now=NOW)
    assert final.delay is None and final.reason == "unavailable"


def test_an_uncertain_create_remembers_since_when_and_settles_before_creating_again() -> None:
    decision = rooms.on_error(saga(), RoomError("uncertain", "504"), policy=POLICY, now=NOW)
    assert decision.saga.uncertain_since == NOW
    assert rooms.settling(decision.saga, policy=POLICY, now=NOW + timedelta(seconds=59))
    assert not rooms.settling(decision.saga, policy=POLICY, now=NOW + timedelta(seconds=60))
    assert not rooms.settling(saga(), policy=POLICY, now=NOW)


def test_replication_404_is_retried_for_a_bounded_time() -> None:
    first = rooms.on_error(
        saga(step=rooms.WAIT_TEAM), RoomError("not_found", "404"), policy=POLICY, now=NOW
    )
    assert first.delay == POLICY.poll_interval_seconds and first.saga.not_found_since == NOW
    later = NOW + timedelta(seconds=POLICY.replication_timeout_seconds)
    final = rooms.on_error(first.saga, RoomError("not_found", "404"), policy=POLICY, now=later)
    assert final.delay is None


def test_permanent_errors_stop_at_once() -> None:
    decision = rooms.on_error(
        saga(), RoomError("permanent", "403", code="Forbidden"), policy=POLICY, now=NOW
    )
    assert decision.delay is None and decision.reason == "Forbidden"


def test_retry_after_a_failed_operation_starts_the_team_over() -> None:
    failed = saga(step=rooms.POLL_OPERATION, status=rooms.FAILED, team_id="t", operation_id="o")
    assert rooms.may_retry(failed)
    restarted = rooms.restarted(failed, now=NOW)
    assert restarted.step == rooms.CREATE_TEAM and restarted.status == rooms.PENDING
    assert (restarted.team_id, restarted.operation_id, restarted.round) == (None, None, 2)


def test_retry_of_a_later_step_resumes_it() -> None:
    failed = saga(step=rooms.ADD_MEMBERS, status=rooms.FAILED, team_id="t", attempts=4)
    restarted = rooms.restarted(failed, now=NOW)
    assert restarted.step == rooms.ADD_MEMBERS and restarted.team_id == "t"
    assert restarted.attempts == 0 and restarted.next_attempt_at == NOW


def test_only_a_failed_saga_may_be_retried() -> None:
    assert not rooms.may_retry(saga())
    assert not rooms.may_retry(saga(status=rooms.COMPLETED))


# --- texts ------------------------------------------------------------------------------------

LOCALES = Path(__file__).parents[2] / "bot" / "core" / "locales"
CODE = [
    Path(__file__).parents[2] / "bot" / "core" / "services" / "rooms.py",
    Path(__file__).parents[2] / "bot" / "teams" / "features" / "rooms.py",
    Path(__file__).parents[2] / "bot" / "core" / "services" / "room_members.py",
]


def _catalog(lang: str) -> dict[str, str]:
    with (LOCALES / lang / "rooms.yaml").open(encoding="utf-8") as handle:
        return {str(k): str(v) for k, v in yaml.safe_load(handle).items()}


def test_room_texts_exist_in_both_languages_with_the_same_placeholders() -> None:
    nb, en = _catalog("nb"), _catalog("en")
    assert set(nb) == set(en)
    for key in nb:
        names = {n for _, n, _, _ in string.Formatter().parse(nb[key]) if n}
        assert names == {n for _, n, _, _ in string.Formatter().parse(en[key]) if n}, key


def test_every_room_key_in_the_code_exists() -> None:
    used: set[str] = set()
    for path in CODE:
        used |= set(re.findall(r'"(rooms\.[a-z_.]+[a-z_])"', path.read_text(encoding="utf-8")))
    assert used
    assert used - set(_catalog("nb")) == set()


def test_every_outcome_of_adding_a_person_has_a_text() -> None:
    from bot.core.services.room_members import OUTCOMES

    nb = _catalog("nb")
    assert {f"rooms.add.{outcome}" for outcome in OUTCOMES} <= set(nb)


def test_every_saga_failure_reason_has_a_text() -> None:
    nb = _catalog("nb")
    for reason in ("operation", "forbidden", "not_found", "refused", "unavailable"):
        assert f"rooms.failed.reason.{reason}" in nb


# --- settings ---------------------------------------------------------------------------------


def test_room_settings_defaults_and_validation() -> None:
    from pydantic import ValidationError

    from bot.settings import RoomsSettings, Settings

    rooms_ = RoomsSettings()
    assert rooms_.mode == "off" and rooms_.poll_interval_seconds >= 30
    assert rooms_.channels == [
        "Behov og konkurransestrategi",
        "Konkurransegrunnlag",
        "Evaluering",
        "Kontrakt og oppfølging",
    ]
    with pytest.raises(ValidationError, match="ROOMS__TEAM_ID"):
        RoomsSettings(mode="channel")
    prod = {
        "env": "prod",
        "bot": {"app_id": "a", "app_password": "p", "app_tenant_id": "t"},
    }
    with pytest.raises(ValidationError, match="at least 30"):
        Settings(_env_file=None, rooms={"mode": "team", "poll_interval_seconds": 5}, **prod)  # type: ignore[call-arg]
    Settings(_env_file=None, rooms={"mode": "team"}, **prod)  # type: ignore[call-arg]


def test_room_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.settings import Settings

    monkeypatch.setenv("ROOMS__MODE", "channel")
    monkeypatch.setenv("ROOMS__TEAM_ID", "team-1")
    monkeypatch.setenv("ROOMS__PRIVATE", "false")
    monkeypatch.setenv("ROOMS__CHANNELS", '["Én", "To"]')
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.rooms.mode == "channel" and settings.rooms.team_id == "team-1"
    assert settings.rooms.private is False and settings.rooms.channels == ["Én", "To"]
