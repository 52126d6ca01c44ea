"""The welcome and help cards: what the bot does, and the commands it understands."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from cards.models.base import CardModel, as_lang, label
from cards.text import escape_markdown

# Command ids, in the order the help card lists them; texts are card.help.cmd_<id>/desc_<id>.
HELP_COMMANDS = (
    "new_need",
    "new_deviation",
    "my_cases",
    "my_approvals",
    "find_agreement",
    "expiring",
    "deviation_stats",
    "cancel",
    "back",
    "help",
)


class WelcomeCard(CardModel):
    """First contact in 1:1 chat. Buttons: need.start, deviation.start, cases.mine, help."""

    template: ClassVar[str] = "welcome"
    greeting: str  # localized; the user's name inside it is escaped by build()

    @classmethod
    def build(cls, lang: str, *, user_name: str | None = None) -> WelcomeCard:
        lang_ = as_lang(lang)
        name = (user_name or "").strip().split(" ")[0]  # first name only: friendlier, shorter
        greeting = (
            label("welcome", "greeting_named", lang_, name=escape_markdown(name))
            if name
            else label("welcome", "greeting", lang_)
        )
        return cls(lang=lang_, greeting=greeting)


class HelpCommand(BaseModel):
    """One help line: the command as typed, and what it does (both from the catalog)."""

    model_config = ConfigDict(frozen=True)
    command: str
    description: str


class HelpCard(CardModel):
    """The command list, plus the welcome card's buttons."""

    template: ClassVar[str] = "help"
    commands: list[HelpCommand]

    @classmethod
    def build(cls, lang: str) -> HelpCard:
        lang_ = as_lang(lang)
        commands = [
            HelpCommand(
                command=label("help", f"cmd_{name}", lang_),
                description=label("help", f"desc_{name}", lang_),
            )
            for name in HELP_COMMANDS
        ]
        return cls(lang=lang_, commands=commands)
