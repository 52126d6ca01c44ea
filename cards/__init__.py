"""The view layer: Adaptive Card templates and the typed data that fills them.

- `templates/*.json`: cards as the Adaptive Cards Designer writes them, with `${...}` bindings
  (version 1.5, the highest Teams renders).
- `models/`: one pydantic model per card, its data contract; each has a `build(lang, ...)`
  factory that localizes every text with `bot.core.i18n.t` and escapes user text.
- `render.py`: `render(name, data) -> dict`, our small, tested subset of Adaptive Cards
  Templating, with a size guard.
- `text.py`: `escape_markdown` and the `UserText` type that applies it on validation.
- `verbs.py`: the action verbs, shared with the Teams layer's card-action registry.

Cards return plain dicts: no botbuilder, no network, no Teams layer here.
"""

from cards.render import MAX_CARD_BYTES, CardTooLarge, TemplateError, card_size_bytes, render
from cards.text import PlainText, UserText, escape_markdown, strip_control

__all__ = [
    "MAX_CARD_BYTES",
    "CardTooLarge",
    "PlainText",
    "TemplateError",
    "UserText",
    "card_size_bytes",
    "escape_markdown",
    "render",
    "strip_control",
]
