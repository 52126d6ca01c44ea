"""Fuzzing over HTTP with hypothesis: activities and card actions with missing, wrong-typed, huge
and hostile fields, sent to the real app.

Proves: never a 5xx, never an unhandled exception (no "turn failed" / "unhandled error" in the
log, no apology with a reference), and user text that comes back in a card shows escaped.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cards import verbs
from cards.text import escape_markdown
from tests.support.builders import KARI, User, make_card_action, make_message, make_submit
from tests.support.need_driver import NeedDriver, draft_id_of, verbs_in

pytestmark = [pytest.mark.e2e, pytest.mark.db]

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same examples every run: a failure reproduces
)

HOSTILE = [
    "**[klikk](http://evil)** <script>alert(1)</script>",
    "[Godkjenn](https://evil.example/phish) ${approve} {{x}}",
    "- punkt\n1. nummer\n> sitat\n# overskrift",
    "\u202eRTL-overstyring\u202c 1\u200b000 kr",
    "nul\x00bell\x07esc\x1b[31m",
    "x" * 10_000,
    "æøå ÆØÅ 🙂 \ud7ff",
    "' OR 1=1; DROP TABLE outbox; --",
    "~ # % & * { } + / \\ : < > ? | ' \"",
    "",
    "   ",
]

GRAPH_UNSAFE = "~#%&*{}+/\\:<>?|'\""

junk_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(HOSTILE),
)
junk = st.recursive(
    junk_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
user_text = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=300))

TOP_LEVEL = [
    "type",
    "id",
    "from",
    "conversation",
    "recipient",
    "channelData",
    "entities",
    "locale",
    "text",
    "value",
    "name",
    "timestamp",
    "replyToId",
    "channelId",
    "membersAdded",
    "action",
    "attachments",
]
ACTIVITY_TYPES = [
    "message",
    "invoke",
    "conversationUpdate",
    "installationUpdate",
    "messageReaction",
    "typing",
    "event",
    "endOfConversation",
    "messageUpdate",
    "messageDelete",
    "handoff",
    "no-such-type",
    "",
]


# Stored in VARCHAR columns (conversation_ref.locale is 20) or used in the reply URL (the fake
# connector, like any HTTP server, refuses a request line over 8 KiB).
KNOWN_LIMITS = {"locale": 20, "replyToId": 200, "id": 200}
# botbuilder's TeamsActivityHandler deserializes channelData itself for these.
SDK_CHANNEL_DATA_TYPES = ("conversationUpdate", "messageUpdate", "messageDelete")


class Errors(logging.Handler):
    """Collects records that mean a request or turn blew up."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if (
            record.exc_info
            or "turn failed" in message
            or "unhandled error" in message
            or "Traceback" in message
        ):
            self.records.append(record)

    def describe(self) -> str:
        return "\n".join(
            f"{r.name}: {r.getMessage()} {r.exc_info[1]!r}" if r.exc_info else r.getMessage()
            for r in self.records
        )


@pytest.fixture
def errors() -> Any:
    handler = Errors()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)


class App:
    """The running app, its fake connector and the error log, with a short repr (hypothesis
    prints the arguments of every falsifying example)."""

    def __init__(self, bot: Any, connector: Any, errors: Errors) -> None:
        self.bot, self.connector, self.errors = bot, connector, errors

    def __repr__(self) -> str:
        return "App()"


@pytest.fixture
def app(connector: Any, bot: Any, errors: Errors) -> App:
    return App(bot, connector, errors)


def _mutate(activity: dict[str, Any], draw: Any) -> dict[str, Any]:
    activity = copy.deepcopy(activity)
    for key in draw(st.lists(st.sampled_from(TOP_LEVEL), max_size=5, unique=True)):
        choice = draw(st.sampled_from(["delete", "junk", "string", "huge"]))
        if choice == "delete":
            activity.pop(key, None)
        elif choice == "junk":
            activity[key] = draw(junk)
        elif choice == "string":
            activity[key] = draw(user_text)
        else:
            activity[key] = "y" * 10_000
    if draw(st.booleans()):
        activity["type"] = draw(st.sampled_from(ACTIVITY_TYPES))
    if draw(st.booleans()) and isinstance(activity.get("from"), dict):
        activity["from"] = {
            k: v for k, v in activity["from"].items() if draw(st.booleans())
        }  # partial sender: no aadObjectId, no id, no name
    if draw(st.booleans()) and isinstance(activity.get("channelData"), dict):
        activity["channelData"]["tenant"] = draw(junk)
    return activity


def _unknown_invoke(activity: Any) -> bool:
    return (
        isinstance(activity, dict)
        and activity.get("type") == "invoke"
        and activity.get("name") != "adaptiveCard/action"
    )


async def _post_and_check(bot: Any, activity: Any, errors: Errors, connector: Any) -> int:
    before_log = len(errors.records)
    before_sent = len(connector.requests)
    status, body = await bot.post(activity)
    assert status < 500, (status, body, activity)
    assert len(errors.records) == before_log, errors.describe()
    for record in connector.requests[before_sent:]:
        assert "referanse" not in record.text and "reference" not in record.text, record.text
    return status


@FUZZ
@given(data=st.data())
async def test_mangled_activities_never_5xx_nor_crash_a_turn(app, data):
    bot, connector, errors = app.bot, app.connector, app.errors
    base = data.draw(
        st.sampled_from(
            [
                make_message(KARI, "hjelp", connector.url),
                make_message(KARI, "ny behovsmelding", connector.url),
                make_submit(KARI, {"verb": "need.answer", "answer": "x"}, connector.url),
                make_card_action(KARI, verbs.CASE_OPEN, {"case_id": "ANS-1"}, connector.url),
            ]
        )
    )
    if data.draw(st.booleans()):
        base["text"] = data.draw(user_text)
    activity = _mutate(base, data.draw)
    await _post_and_check(bot, activity, errors, connector)


@FUZZ
@given(
    verb=st.one_of(st.sampled_from(sorted(verbs.ALL)), st.text(max_size=20), junk),
    payload=st.one_of(
        junk,
        st.dictionaries(
            st.sampled_from(
                DATA_KEYS := [
                    "verb",
                    "draft_id",
                    "field",
                    "answer",
                    "case_id",
                    "version",
                    "comment",
                    "clarify_question",
                    "agreement_ref",
                    "reject_reason",
                    "title",
                    "annual_value",
                ]
            ),
            junk,
            max_size=6,
        ),
    ),
    kind=st.sampled_from(["execute", "submit", "raw-invoke"]),
)
async def test_card_actions_with_junk_data_never_5xx_nor_crash(app, verb, payload, kind):
    bot, connector, errors = app.bot, app.connector, app.errors
    if kind == "execute":
        activity = make_card_action(KARI, "x", {}, connector.url)
        activity["value"]["action"]["verb"] = verb
        activity["value"]["action"]["data"] = payload
    elif kind == "submit":
        value = dict(payload) if isinstance(payload, dict) else {"x": payload}
        value["verb"] = verb
        activity = make_submit(KARI, value, connector.url)
    else:
        activity = make_card_action(KARI, "x", {}, connector.url)
        activity["value"] = payload
    status = await _post_and_check(bot, activity, errors, connector)
    if kind != "submit":
        assert status == 200  # Teams wants invoke errors as 200 with a status in the body


@pytest.mark.parametrize("name", [None, "", "task/fetch", "composeExtension/query", "no/such"])
async def test_an_invoke_we_do_not_handle_is_not_answered_with_a_5xx(connector, bot, name):
    activity = make_card_action(KARI, verbs.CASE_OPEN, {}, connector.url)
    if name is None:
        del activity["name"]
    else:
        activity["name"] = name
    status, body = await bot.post(activity)
    assert status < 500, (status, body)


@pytest.mark.parametrize("kind", SDK_CHANNEL_DATA_TYPES)
@pytest.mark.parametrize("channel_data", ["tekst", [], {"tenant": []}, {"tenant": "t"}])
async def test_malformed_channel_data_is_refused_before_the_turn(
    connector, bot, errors, kind, channel_data
):
    activity = make_message(KARI, "hei", connector.url)
    activity["type"] = kind
    activity["channelData"] = channel_data
    status, _ = await bot.post(activity)
    assert status < 500
    assert not errors.records, errors.describe()
    assert not any("referanse" in r.text for r in connector.requests)


@pytest.mark.parametrize(
    "field",
    ["long locale", "NUL in locale", "long aadObjectId", "long conversation id", "NUL in title"],
)
async def test_overlong_or_nul_fields_do_not_fail_the_turn(connector, bot, errors, field):
    activity = make_message(KARI, "hjelp", connector.url)
    if field == "long locale":
        activity["locale"] = "nb-NO-" + "x" * 30
    elif field == "NUL in locale":
        activity["locale"] = "nb\x00NO"
    elif field == "long aadObjectId":
        activity["from"]["aadObjectId"] = "a" * 65
    elif field == "long conversation id":
        activity["conversation"]["id"] = "a:" + "c" * 400
    else:
        activity = make_submit(
            KARI,
            {"verb": "need.form_submit", **FORM, "title": "PC-er\x00 til skolen"},
            connector.url,
        )
        await bot.post(activity)
        summary = [r for r in connector.requests if r.cards][-1].cards[-1]
        activity = make_submit(
            KARI, {"verb": "need.submit", "draft_id": draft_id_of(summary)}, connector.url
        )
    status, _ = await bot.post(activity)
    assert status < 500
    assert not errors.records, errors.describe()


def _shown_strings(card: dict[str, Any]) -> list[str]:
    """Strings a TextBlock or FactSet renders as markdown."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextBlock" and isinstance(node.get("text"), str):
                found.append(node["text"])
            if node.get("type") == "FactSet":
                for fact in node.get("facts") or []:
                    found.extend(str(fact.get(k, "")) for k in ("title", "value"))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


FORM = {
    "service_area": "samfunn",
    "unit": "Eiendom",
    "contract_type": "tjeneste",
    "annual_value": "800 000",
    "period": "2+1+1",
    "start_date": "01.03.2027",
    "urgency": "normal",
    "existing_agreement": "nei",
    "other_units": "nei",
    "climate_impact": "moderat",
    "high_risk_product": "nei",
    "labour_crime_risk": "ja",
    "personal_data": "nei",
    "budget_confirmed": "ja",
}

titles = st.one_of(
    st.sampled_from([h[:120].replace("\x00", "") for h in HOSTILE if len(h.strip()) >= 3]),
    st.text(
        alphabet=st.characters(
            codec="utf-8",
            categories=("L", "N", "P", "S", "Zs", "Cc"),
            exclude_characters="\x00",  # NUL: see test_overlong_or_nul_fields_do_not_fail_the_turn
        ),
        min_size=3,
        max_size=120,
    ),
).filter(lambda s: 3 <= len(" ".join(s.split())) <= 120)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
@given(title=titles)
async def test_a_hostile_title_is_shown_escaped_in_the_summary_and_case_cards(app, title):
    bot, connector, errors = app.bot, app.connector, app.errors
    user = User("aad-fuzz", "Fuzz Fuzzesen")
    driver = NeedDriver(bot, connector, user)
    await driver.click({"verb": "need.discard"})  # a clean start for every example
    replies = await driver.click(
        {"verb": "need.form_submit", "draft_id": "fz", **FORM, "title": title}
    )
    assert not errors.records, errors.describe()
    summary = driver.last_card()
    assert "need.submit" in verbs_in(summary), [r.all_text() for r in replies]
    stored = " ".join(title.replace("\u00a0", " ").split())  # the intake's whitespace clean-up
    shown = _shown_strings(summary)
    assert any(escape_markdown(stored) in s for s in shown), (escape_markdown(stored), shown)
    if escape_markdown(stored) != stored:  # no raw copy besides the escaped ones
        raw = [s for s in shown if stored in s.replace(escape_markdown(stored), "")]
        assert not raw, ("the title is shown unescaped", raw)
    await driver.click({"verb": "need.submit", "draft_id": draft_id_of(summary)})
    async with bot.uow() as uow:
        (case,) = await uow.needs.list_for_requester(user.aad_object_id, limit=1)
    await driver.click({"verb": "case.open", "case_id": case.case_number})
    shown = _shown_strings(driver.last_card())
    assert any(escape_markdown(case.title) in s for s in shown), shown
    assert not errors.records, errors.describe()


@pytest.mark.parametrize(
    "title",
    [
        f"Innkjøp {GRAPH_UNSAFE} team",
        "Renhold: rådhus/bibliotek & svømmehall <2027>?",
        "Leie av #lokaler | 50% \"rabatt\" {opsjon} 'A+B' ~ C*",
    ],
)
async def test_graph_unsafe_characters_in_a_title_go_through_the_chat_flow(
    connector, bot, errors, title
):
    user = NeedDriver(bot, connector, KARI)
    await user.say("ny behovsmelding")
    summary = await user.answer_until_summary({"title": title})
    await user.click({"verb": "need.submit", "draft_id": draft_id_of(summary)})
    async with bot.uow() as uow:
        cases = await uow.needs.list_for_requester(KARI.aad_object_id)
    assert [c.title for c in cases] == [title]
    assert not errors.records, errors.describe()
    assert not any("referanse" in r.text for r in user.sent())
