"""Our Adaptive Cards Templating subset (cards.render) and the escaping of user text."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from cards import (
    MAX_CARD_BYTES,
    CardTooLarge,
    PlainText,
    TemplateError,
    UserText,
    card_size_bytes,
    escape_markdown,
    render,
    strip_control,
)
from cards.models import ErrorCard
from cards.render import bind, template_names

pytestmark = pytest.mark.unit

HOSTILE = "**fet** [lenke](http://evil) <script>"


# --- bindings inside strings -------------------------------------------------------------


def test_binding_inside_a_string_is_replaced() -> None:
    data = {"case": {"number": "ANS-2026-0042", "title": "Pulter"}}
    assert bind("Sak ${case.number}: ${case.title}", data) == "Sak ANS-2026-0042: Pulter"


def test_values_inside_a_string_read_as_the_javascript_engine_writes_them() -> None:
    data = {"n": 3, "whole": 2.0, "half": 2.5, "yes": True, "no": False, "none": None}
    assert bind("${n} ${whole} ${half} ${yes} ${no} [${none}]", data) == "3 2 2.5 true false []"


@pytest.mark.parametrize(
    "value", [[1, 2], {"a": 1}, True, False, 42, 1.5, None, "text", []], ids=repr
)
def test_a_string_that_is_exactly_one_binding_keeps_the_type(value: Any) -> None:
    assert bind({"x": "${v}"}, {"v": value}) == {"x": value}


def test_a_list_or_object_inside_a_longer_string_is_an_error() -> None:
    with pytest.raises(TemplateError):
        bind("ids: ${ids}", {"ids": ["29:a"]})


def test_missing_values_render_as_empty_string() -> None:
    assert bind({"a": "${nothing}", "b": "x${no.such.path}y", "c": "${a.b}"}, {"a": "s"}) == {
        "a": "",
        "b": "xy",
        "c": "",
    }


def test_strict_mode_refuses_missing_values() -> None:
    with pytest.raises(TemplateError, match="no value"):
        bind("${labels.typo}", {"labels": {}}, strict=True)


def test_a_present_none_is_not_missing_in_strict_mode() -> None:
    assert bind({"v": "${v}", "s": "[${v}]"}, {"v": None}, strict=True) == {"v": None, "s": "[]"}


def test_bound_values_are_not_evaluated_again() -> None:
    data = {"title": "${$root.secret}", "secret": "hemmelig"}
    assert bind("${title}", data) == "${$root.secret}"


def test_template_is_not_changed_by_binding() -> None:
    template = {"body": [{"$data": "${rows}", "text": "${name}"}]}
    before = repr(template)
    bind(template, {"rows": [{"name": "a"}]})
    assert repr(template) == before


@pytest.mark.parametrize(
    "expression",
    ["${count + 1}", "${formatNumber(total)}", "${rows[0].name}", "${'text'}", "${a..b}"],
)
def test_expressions_outside_the_subset_are_refused(expression: str) -> None:
    with pytest.raises(TemplateError, match="unsupported"):
        bind(expression, {"count": 1, "total": 1, "rows": [{"name": "a"}], "a": {}})


# --- $data -------------------------------------------------------------------------------


def test_data_repeats_an_array_element_per_item() -> None:
    template = {
        "body": [
            {"type": "TextBlock", "text": "first"},
            {"$data": "${rows}", "type": "TextBlock", "text": "${$index}: ${name} (${$root.who})"},
            {"type": "TextBlock", "text": "last"},
        ]
    }
    data = {"who": "Kari", "rows": [{"name": "a"}, {"name": "b"}]}
    assert [block["text"] for block in bind(template, data)["body"]] == [
        "first",
        "0: a (Kari)",
        "1: b (Kari)",
        "last",
    ]


def test_inside_data_a_name_refers_to_the_item_before_the_root() -> None:
    template = {"facts": [{"$data": "${facts}", "title": "${title}", "value": "${value}"}]}
    data = {"title": "root title", "facts": [{"title": "Enhet", "value": "Kjeller skole"}]}
    assert bind(template, data) == {"facts": [{"title": "Enhet", "value": "Kjeller skole"}]}


def test_data_item_itself_is_dollar_data() -> None:
    assert bind([{"$data": "${names}", "text": "${$data}"}], {"names": ["a", "b"]}) == [
        {"text": "a"},
        {"text": "b"},
    ]


def test_data_bound_to_an_object_changes_the_context() -> None:
    template = [{"$data": "${case}", "text": "${number}", "who": "${$root.who}"}]
    assert bind(template, {"case": {"number": "ANS-1"}, "who": "Ola"}) == [
        {"text": "ANS-1", "who": "Ola"}
    ]


@pytest.mark.parametrize("rows", [[], None], ids=["empty", "null"])
def test_data_over_nothing_renders_nothing(rows: Any) -> None:
    assert bind([{"$data": "${rows}", "text": "x"}, {"text": "y"}], {"rows": rows}) == [
        {"text": "y"}
    ]


def test_nested_data_and_root_inside_repeats() -> None:
    template = [
        {
            "$data": "${groups}",
            "items": [{"$data": "${members}", "text": "${name}/${$root.org}/${$index}"}],
        }
    ]
    data = {"org": "LK", "groups": [{"members": [{"name": "a"}, {"name": "b"}]}]}
    assert bind(template, data) == [{"items": [{"text": "a/LK/0"}, {"text": "b/LK/1"}]}]


def test_data_repeating_on_a_property_is_an_error() -> None:
    with pytest.raises(TemplateError):
        bind({"selectAction": {"$data": "${rows}", "type": "Action.Submit"}}, {"rows": [1, 2]})


def test_data_bound_to_a_scalar_is_an_error() -> None:
    with pytest.raises(TemplateError):
        bind([{"$data": "${n}", "text": "x"}], {"n": 5})


# --- $when -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "shown"),
    [
        ("${flag}", True),
        ("${!flag}", False),
        ("${off}", False),
        ("${!off}", True),
        ("${empty}", False),
        ("${missing}", False),
        ("${!missing}", True),
        ("${view == 'approver'}", True),
        ('${view == "approver"}', True),
        ("${view != 'approver'}", False),
        ("${view == 'readonly'}", False),
        ("${errors.title != ''}", True),
        ("${errors.unit != ''}", False),
        ("${ view  ==  'approver' }", True),
    ],
)
def test_when(condition: str, shown: bool) -> None:
    data = {
        "flag": True,
        "off": False,
        "empty": "",
        "view": "approver",
        "errors": {"title": "For kort", "unit": ""},
    }
    result = bind([{"$when": condition, "text": "x"}], data)
    assert result == ([{"text": "x"}] if shown else [])


def test_when_is_evaluated_per_repeated_item() -> None:
    template = [{"$data": "${rows}", "$when": "${show}", "text": "${name}"}]
    rows = [{"name": "a", "show": True}, {"name": "b", "show": False}]
    assert bind(template, {"rows": rows}) == [{"text": "a"}]


def test_false_when_on_an_object_property_drops_the_property() -> None:
    template = {"type": "AdaptiveCard", "refresh": {"$when": "${live}", "action": {}}}
    assert bind(template, {"live": False}) == {"type": "AdaptiveCard"}


@pytest.mark.parametrize(
    "condition", ["${a && b}", "${a > 1}", "${count(rows) == 0}", "a", "${a} and ${b}"]
)
def test_when_outside_the_subset_is_refused(condition: str) -> None:
    with pytest.raises(TemplateError):
        bind([{"$when": condition, "text": "x"}], {"a": True, "b": True, "rows": []})


# --- render(): templates, models, size ---------------------------------------------------


class _Reference(BaseModel):
    lang: str = "nb"
    reference: str


def test_render_loads_a_template_and_accepts_a_model_or_a_mapping() -> None:
    data = {
        "lang": "nb",
        "reference": "abc123",
        "message": None,
        "has_message": False,
        "labels": {"heading": "H", "body": "B", "reference": "Ref", "help": "Hjelp"},
    }
    from_mapping = render("error", data, strict=True)
    assert from_mapping["type"] == "AdaptiveCard"
    assert from_mapping["body"][-1]["text"] == "Ref: abc123"
    from_model = render("error", _Reference(reference="abc123"))
    assert from_model["body"][-1]["text"] == ": abc123"  # labels missing: rendered empty


def test_render_twice_gives_equal_independent_cards() -> None:
    card = ErrorCard.build("nb", reference="r-1")
    first, second = render("error", card), render("error", card)
    assert first == second
    first["body"].clear()
    assert render("error", card) == second


@pytest.mark.parametrize("name", ["../pyproject", "Error", "nope", ""])
def test_render_refuses_unknown_or_odd_template_names(name: str) -> None:
    with pytest.raises(TemplateError):
        render(name, {})


def test_template_names_lists_the_templates() -> None:
    assert {"welcome", "approval", "triage", "need_form"} <= set(template_names())


def test_card_size_counts_compact_utf8() -> None:
    assert card_size_bytes({"a": "æøå"}) == len('{"a":"æøå"}'.encode())


def test_render_refuses_a_card_over_28_kb() -> None:
    huge = ErrorCard.build("nb", reference="r", message="x" * (MAX_CARD_BYTES + 1))
    with pytest.raises(CardTooLarge, match="over 28672"):
        render("error", huge)


# --- escaping user text ------------------------------------------------------------------


def test_hostile_markdown_is_shown_literally() -> None:
    assert escape_markdown(HOSTILE) == r"\*\*fet\*\* \[lenke\]\(http://evil\) <script\>"


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("_kursiv_", r"\_kursiv\_"),
        ("# overskrift", r"\# overskrift"),
        ("> sitat", r"\> sitat"),
        ("~~strek~~", r"\~\~strek\~\~"),
        ("`kode`", r"\`kode\`"),
        ("C:\\mappe", r"C:\\mappe"),
        ("- punkt\n- to", "\\- punkt\n\\- to"),
        ("  + punkt", "  \\+ punkt"),
        ("1. første\n12. tolvte", "1\\. første\n12\\. tolvte"),
        ("1.5 mill og 2.000", "1.5 mill og 2.000"),
        ("a - b", "a - b"),
        ("${$root.secret}", "$\\{$root.secret}"),
        ("linje\r\nto\tfane", "linje\nto fane"),
        ("null\x00bell\x07esc\x1b", "nullbellesc"),
        ("pris\u202e0001\u202c kr", "pris0001 kr"),
        ("usynlig\u200bord\ufeff", "usynligord"),
        ("Skolepulter til Kjeller skole", "Skolepulter til Kjeller skole"),
    ],
)
def test_escape_markdown(text: str, escaped: str) -> None:
    assert escape_markdown(text) == escaped


_SPECIAL = set("\\`*_[]()#>~")
_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # CommonMark: backslash + ASCII punctuation


@given(st.text())
def test_escaped_text_reads_back_as_the_original(text: str) -> None:
    # What a CommonMark renderer shows for the escaped text is the text itself.
    assert _UNESCAPE.sub(r"\1", escape_markdown(text)) == strip_control(text)


@given(st.text(alphabet=st.sampled_from(list("ab *_[]()#>~`\\-+1.\n ${}"))))
def test_no_markdown_character_is_left_unescaped(text: str) -> None:
    escaped = escape_markdown(text)
    bare = re.sub(r"\\.", "", escaped, flags=re.DOTALL)
    assert not (_SPECIAL & set(bare))
    assert "${" not in escaped
    for line in escaped.split("\n"):
        assert not re.match(r"^\s*([-+]|\d+\.)\s", line)


class _Comment(BaseModel):
    shown: UserText
    prefilled: PlainText


def test_user_text_escapes_on_validation_and_plain_text_only_strips_controls() -> None:
    comment = _Comment(shown=HOSTILE, prefilled=HOSTILE + "\x00")
    assert comment.shown == escape_markdown(HOSTILE)
    assert comment.prefilled == HOSTILE
