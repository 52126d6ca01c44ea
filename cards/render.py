"""Our subset of Adaptive Cards Templating, and `render(name, data)`.

There is no official Python templating SDK, so this implements the few rules our templates use,
with the semantics of Microsoft's JavaScript `adaptivecards-templating`:

- `"${path}"` inside a string is replaced by the value at `path` (`a.b.c` in the current data,
  `$root.a` from the root, `$index` for the position in a repeated array, `$data` for the
  current item itself). A string that is exactly one binding keeps the bound value's type
  (list, dict, bool, number, null).
- `"$data": "${path}"` on an object inside an array repeats the object once per item of that
  array (inside, bindings refer to the item); bound to an object it only changes the data context.
- `"$when": "${expr}"` drops the object when `expr` is false. `expr` is a path, `!path`, or
  `path == 'text'` / `path != 'text'` (single or double quotes; compared as text). null,
  false, "", 0 and [] are false, as in the JavaScript engine; templates use booleans anyway.

Nothing else: no functions, no arithmetic, no `${...}` inside keys. An unsupported expression
raises `TemplateError`, so a template cannot silently depend on more than this.

Where we differ from the JavaScript engine on purpose: a missing value renders as "" (it leaves
`${...}` in place), and a `$when` that is false on an object-valued property drops the property
(it leaves `null`). Templates avoid relying on either. tests/unit/test_cards.py renders every
sample card with both engines when CARDS_TEMPLATING_NODE_PATH points to a node_modules that has
`adaptivecards-templating`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

TEMPLATES_DIR = Path(__file__).parent / "templates"
MAX_CARD_BYTES = 28 * 1024
"""Graph and incoming-webhook posts allow ~28 KB (bot messages 40 KB): keep every card under it."""

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_SEGMENT = r"[A-Za-z_][A-Za-z0-9_]*"
_PATH = rf"(?:\$root|\$data|\$index|{_SEGMENT})(?:\.{_SEGMENT})*"
_PATH_RE = re.compile(rf"^{_PATH}$")
_BINDING = re.compile(r"\$\{([^{}]*)\}")
_EXACT = re.compile(r"^\$\{([^{}]*)\}$")
_TRUTH = re.compile(rf"^\s*(!?)\s*({_PATH})\s*$")
_COMPARE = re.compile(rf"""^\s*({_PATH})\s*(==|!=)\s*(?:'([^']*)'|"([^"]*)")\s*$""")


class TemplateError(ValueError):
    """A template uses something outside our subset, or the data does not fit it."""


class CardTooLarge(ValueError):
    """A rendered card is over `MAX_CARD_BYTES`: shorten the data (e.g. list fewer rows)."""


class _Missing:
    """Marker for a path that is not in the data (distinct from a present `None`)."""


_MISSING = _Missing()


@dataclass(frozen=True)
class _Scope:
    data: Any
    root: Any
    index: int | None
    strict: bool


def render(
    name: str, data: BaseModel | Mapping[str, Any], *, strict: bool = False
) -> dict[str, Any]:
    """Load `cards/templates/<name>.json`, bind `data` into it and return a plain dict.

    `data` is a card model (dumped in JSON mode) or a mapping of JSON values. With `strict`,
    a binding to a path missing from the data raises `TemplateError` (tests use it to catch
    typos in templates); otherwise it renders as "". Raises `CardTooLarge` over 28 KB.
    """
    card = bind(_template(name), data, strict=strict)
    if not isinstance(card, dict):
        raise TemplateError(f"template {name!r} did not render to an object")
    size = card_size_bytes(card)
    if size > MAX_CARD_BYTES:
        raise CardTooLarge(f"card {name!r} is {size} bytes, over {MAX_CARD_BYTES}")
    return card


def bind(template: Any, data: BaseModel | Mapping[str, Any], *, strict: bool = False) -> Any:
    """Bind `data` into a parsed template (any JSON value); returns new objects throughout."""
    root = data.model_dump(mode="json") if isinstance(data, BaseModel) else dict(data)
    return _bind_value(template, _Scope(data=root, root=root, index=None, strict=strict))


def card_size_bytes(card: Mapping[str, Any]) -> int:
    """Size of the card as compact UTF-8 JSON, the way it goes on the wire."""
    return len(json.dumps(card, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def template_names() -> list[str]:
    """Every template in `cards/templates/`, by name."""
    return sorted(path.stem for path in TEMPLATES_DIR.glob("*.json"))


@cache
def _template(name: str) -> Any:
    # Cached and shared: binding builds new lists and dicts and never mutates this.
    if not _NAME.match(name):
        raise TemplateError(f"bad template name {name!r}")
    path = TEMPLATES_DIR / f"{name}.json"
    if not path.is_file():
        raise TemplateError(f"no template {name!r}")
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def _bind_value(node: Any, scope: _Scope) -> Any:
    if isinstance(node, str):
        return _bind_string(node, scope)
    if isinstance(node, list):
        return [out for item in node for out in _expand(item, scope)]
    if isinstance(node, dict):
        results = _expand(node, scope)
        if len(results) != 1:
            raise TemplateError("$data/$when at the top of a template must give one object")
        return results[0]
    return node


def _expand(node: Any, scope: _Scope) -> list[Any]:
    """Bind one array element (or property value) into zero, one or many results."""
    if not isinstance(node, dict):
        return [_bind_value(node, scope)]
    if "$data" in node:
        source = node["$data"]
        context = _bind_string(source, scope) if isinstance(source, str) else source
        rest = {key: value for key, value in node.items() if key != "$data"}
        if isinstance(context, list):
            return [
                out
                for index, item in enumerate(context)
                for out in _expand(rest, _Scope(item, scope.root, index, scope.strict))
            ]
        if isinstance(context, dict):
            return _expand(rest, _Scope(context, scope.root, scope.index, scope.strict))
        if context is None or context == "":
            return []  # nothing to repeat over
        raise TemplateError(f"$data must bind to an array or object, got {context!r}")
    if "$when" in node:
        if not _when(node["$when"], scope):
            return []
        node = {key: value for key, value in node.items() if key != "$when"}
    bound: dict[str, Any] = {}
    for key, value in node.items():
        results = _expand(value, scope) if isinstance(value, dict) else [_bind_value(value, scope)]
        if len(results) > 1:
            raise TemplateError(f"$data on property {key!r} repeats; only array items may")
        if results:  # a false $when on an object-valued property drops the property
            bound[key] = results[0]
    return [bound]


def _bind_string(text: str, scope: _Scope) -> Any:
    exact = _EXACT.match(text)
    if exact:
        value = _lookup(exact.group(1), scope)
        return "" if value is _MISSING else value
    return _BINDING.sub(lambda match: _stringify(_lookup(match.group(1), scope)), text)


def _when(condition: Any, scope: _Scope) -> bool:
    if isinstance(condition, bool):
        return condition
    exact = _EXACT.match(condition) if isinstance(condition, str) else None
    if not exact:
        raise TemplateError(f"$when must be one ${{...}} expression, got {condition!r}")
    expr = exact.group(1)
    truth = _TRUTH.match(expr)
    if truth:
        value = _lookup(truth.group(2), scope)
        result = bool(value) and value is not _MISSING
        return not result if truth.group(1) else result
    compare = _COMPARE.match(expr)
    if compare:
        path, operator, single, double = compare.groups()
        literal = single if single is not None else double
        equal = _stringify(_lookup(path, scope)) == literal
        return equal if operator == "==" else not equal
    raise TemplateError(f"unsupported $when expression {expr!r}")


def _lookup(path: str, scope: _Scope) -> Any:
    path = path.strip()
    if not _PATH_RE.match(path):
        raise TemplateError(f"unsupported binding expression {path!r}")
    head, *rest = path.split(".")
    value: Any
    if head == "$index":
        if rest:
            raise TemplateError("$index has no fields")
        value = scope.index if scope.index is not None else _MISSING
    elif head == "$root":
        value = scope.root
    elif head == "$data":
        value = scope.data
    else:
        value = scope.data
        rest = [head, *rest]
    for segment in rest:
        if isinstance(value, Mapping) and segment in value:
            value = value[segment]
        else:
            value = _MISSING
            break
    if value is _MISSING and scope.strict:
        raise TemplateError(f"no value for ${{{path}}}")
    return value


def _stringify(value: Any) -> str:
    """How a value reads inside a longer string (as the JavaScript engine writes it)."""
    if value is _MISSING or value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str | int | float):
        return str(value)
    raise TemplateError(f"cannot put {type(value).__name__} inside a string")
