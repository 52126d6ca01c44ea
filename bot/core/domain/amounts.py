"""Amounts as Norwegians write them: "450 000 kr", "1,3 mill", "300k", "ca. en halv million".

The parser is strict on purpose: an estimated value decides which rules apply, so anything that
could be read two ways ("1,2,3", "1.500 mill", "-5", "mye") is refused rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from bot.core.domain.errors import ValidationFailed

_INVALID = "need.amount.invalid"


@dataclass(frozen=True)
class ParsedAmount:
    """An amount in whole NOK, with what the user said about VAT and precision."""

    value: int  # NOK
    includes_vat: bool
    approximate: bool


_INCL_VAT = re.compile(
    r"(?<!\w)(?:inkl\.?|inkludert|inklusive|medregnet|med|including|incl\.?)\s*(?:mva|moms|vat)\.?"
    r"(?!\w)"
)
_EXCL_VAT = re.compile(
    r"(?:(?<!\w)(?:eks\.?|ekskl\.?|eksklusive|ekskludert|uten|excl\.?|excluding|ex\.?)\s*"
    r"|\+\s*|(?<!\w)pluss\s+)(?:mva|moms|vat)\.?(?!\w)"
)
_APPROX = re.compile(
    r"(?<!\w)(?:ca\.?|cirka|omtrent|rundt|anslagsvis|ansl\.?|omkring|about|approx\.?|"
    r"approximately|around)(?!\w)|~"
)
_PER_YEAR = re.compile(
    r"(?<!\w)(?:(?:i|per|pr\.?|hvert|each|a)\s+(?:året|år|year)|årlig|annually|yearly)(?!\w)"
    r"|/\s*(?:år|year)(?!\w)"
)
_CURRENCY = re.compile(r"(?<!\w)(?:kr\.?|kroner|nok)(?!\w)|[,.]-")

# Multipliers; "m" and "k" and "'" only right after a digit (see _MAGNITUDE_AT_END).
_MAGNITUDES: dict[str, int] = {
    "k": 1_000,
    "'": 1_000,
    "tusen": 1_000,
    "thousand": 1_000,
    "tkr": 1_000,
    "tnok": 1_000,
    "m": 1_000_000,
    "mill": 1_000_000,
    "mill.": 1_000_000,
    "mil": 1_000_000,
    "mln": 1_000_000,
    "million": 1_000_000,
    "millioner": 1_000_000,
    "millions": 1_000_000,
    "mnok": 1_000_000,
    "mkr": 1_000_000,
    "mrd": 1_000_000_000,
    "mrd.": 1_000_000_000,
    "milliard": 1_000_000_000,
    "milliarder": 1_000_000_000,
    "bn": 1_000_000_000,
}
_MAG_WORDS = (
    r"mill(?:ioner|ion)?\.?|millions|mil|mln|mnok|mkr|mrd\.?|milliard(?:er)?|bn"
    r"|tusen|thousand|tkr|tnok"
)
_MAGNITUDE_AT_END = re.compile(rf"(?:(?<=\d)(?P<short>[km'])|(?<=[\d\s])(?P<word>{_MAG_WORDS}))$")

# Number words only count together with a magnitude ("en million", "to millioner").
_WORDS: dict[str, Decimal] = {
    "en": Decimal(1),
    "ett": Decimal(1),
    "et": Decimal(1),
    "én": Decimal(1),
    "a": Decimal(1),
    "one": Decimal(1),
    "to": Decimal(2),
    "two": Decimal(2),
    "tre": Decimal(3),
    "three": Decimal(3),
    "fire": Decimal(4),
    "four": Decimal(4),
    "fem": Decimal(5),
    "five": Decimal(5),
    "seks": Decimal(6),
    "sju": Decimal(7),
    "syv": Decimal(7),
    "åtte": Decimal(8),
    "ni": Decimal(9),
    "ti": Decimal(10),
    "hundre": Decimal(100),
    "halv": Decimal("0.5"),
    "en halv": Decimal("0.5"),
    "half a": Decimal("0.5"),
    "halvannen": Decimal("1.5"),
}
_WORD_AND_HALF = re.compile(r"(?P<word>\w+)\s+og\s+en\s+halv")

_GROUPED = re.compile(r"\d{1,3}(?P<sep>[ .'])\d{3}(?:(?P=sep)\d{3})*(?:,(?P<ore>\d{1,2}))?")
_COMMA_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+")
_DECIMAL = re.compile(r"\d+[,.]\d+")


def _normalise(text: str) -> str:
    text = text.lower().replace("\u00a0", " ").replace("\u202f", " ").replace("\u2009", " ")
    text = text.replace("’", "'").replace("´", "'").replace("−", "-").replace("–", "-")
    return " ".join(text.split())


def _number(num: str, has_magnitude: bool) -> Decimal:
    """Read the number part; refuse what is ambiguous."""
    if num in _WORDS:
        if not has_magnitude:
            raise ValidationFailed(f"number word without magnitude: {num!r}", message_key=_INVALID)
        return _WORDS[num]
    half = _WORD_AND_HALF.fullmatch(num)
    if half and half["word"] in _WORDS and has_magnitude:
        return _WORDS[half["word"]] + Decimal("0.5")
    if num.isdigit():
        return Decimal(num)
    grouped = _GROUPED.fullmatch(num)
    if grouped:
        if has_magnitude and (grouped["sep"] != " " or grouped["ore"]):
            # "1.500 mill" may mean 1,5 or 1 500 million
            raise ValidationFailed(f"ambiguous grouping: {num!r}", message_key=_INVALID)
        return Decimal(num.replace(grouped["sep"], "").replace(",", "."))
    if _COMMA_GROUPED.fullmatch(num) and not has_magnitude:
        # English grouping: nobody writes "450,000 kr" for 450 kroner
        return Decimal(num.replace(",", ""))
    if _DECIMAL.fullmatch(num):
        decimals = len(re.split(r"[,.]", num)[1])
        if has_magnitude and not ("." in num and decimals == 3):
            return Decimal(num.replace(",", "."))
        if not has_magnitude and decimals == 2:
            return Decimal(num.replace(",", "."))  # kroner and øre
    raise ValidationFailed(f"unreadable number: {num!r}", message_key=_INVALID)


def parse_amount(text: str) -> ParsedAmount:
    """Read an amount in NOK from what a user typed; øre are rounded to whole kroner.

    "inkl./inkludert/med mva" sets includes_vat; "eks./ekskl./uten mva" clears it; "ca.",
    "omtrent" and the like set approximate. Raises ValidationFailed("need.amount.invalid")
    for anything empty, negative, zero or ambiguous.
    """
    s = _normalise(text)
    incl, excl = _INCL_VAT.search(s), _EXCL_VAT.search(s)
    if incl and excl:
        raise ValidationFailed("both incl. and excl. VAT", message_key=_INVALID)
    s = _EXCL_VAT.sub(" ", _INCL_VAT.sub(" ", s))
    approximate = bool(_APPROX.search(s))
    s = _CURRENCY.sub(" ", _PER_YEAR.sub(" ", _APPROX.sub(" ", s)))
    s = " ".join(s.split()).strip(" .:=")
    if not s or "-" in s or "+" in s:
        raise ValidationFailed(f"no amount in {text!r}", message_key=_INVALID)
    multiplier = 1
    magnitude = _MAGNITUDE_AT_END.search(s)
    if magnitude:
        multiplier = _MAGNITUDES[magnitude["short"] or magnitude["word"]]
        s = s[: magnitude.start()].strip()
    try:
        number = _number(s, has_magnitude=magnitude is not None) * multiplier
    except InvalidOperation as exc:
        raise ValidationFailed(f"unreadable number: {s!r}", message_key=_INVALID) from exc
    value = int(number.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if value < 1:
        raise ValidationFailed(f"amount must be positive: {text!r}", message_key=_INVALID)
    return ParsedAmount(value=value, includes_vat=bool(incl), approximate=approximate)


def excl_vat(value: int, vat_percent: int = 25) -> int:
    """The amount without VAT, rounded to whole kroner: 562 500 at 25 % → 450 000."""
    exact = Decimal(value) * 100 / (100 + vat_percent)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


_NUM_WORDS = "|".join(
    sorted((re.escape(w) for w in _WORDS if w not in {"a"}), key=len, reverse=True)
)
_CANDIDATE = re.compile(
    rf"""
    (?P<approx>(?:(?<!\w)(?:ca\.?|cirka|omtrent|rundt|anslagsvis|omkring|about|around)|~)\s*)?
    (?P<cur1>(?<!\w)(?:kr\.?|nok)\s*)?
    (?<![\w.,])
    (?P<num>
        (?P<grouped>\d{{1,3}}(?:[ .',]\d{{3}})+(?!\d)(?:,\d{{1,2}})?)
      | \d+(?:[.,]\d+)?
      | (?:(?:{_NUM_WORDS})\s+og\s+en\s+halv|{_NUM_WORDS})(?=\s)
    )
    (?P<mag>\s*(?:{_MAG_WORDS})(?!\w)|(?<=\d)[km'](?!\w))?
    (?P<cur2>\s*(?:(?:kr\.?|kroner|nok)(?!\w)|[,.]-))?
    """,
    re.VERBOSE,
)


def find_amount_span(sentence: str) -> tuple[ParsedAmount, tuple[int, int]] | None:
    """Like find_amount, with where in the sentence the amount was found."""
    s = _normalise_keep_length(sentence)
    vat = ""
    if _INCL_VAT.search(s):
        vat = " inkl. mva"
    elif _EXCL_VAT.search(s):
        vat = " eks. mva"
    for match in _CANDIDATE.finditer(s):
        is_word = not match["num"][0].isdigit()
        has_unit = bool(match["mag"] or match["cur1"] or match["cur2"])
        if not (match["mag"] or (not is_word and (has_unit or match["grouped"]))):
            continue  # "30 nye PC-er", "2027", "2+1+1": a bare number is no amount
        try:
            amount = parse_amount(match.group(0) + vat)
        except ValidationFailed:
            continue
        return amount, match.span()
    return None


def find_amount(sentence: str) -> ParsedAmount | None:
    """Find the amount in a longer sentence, or None.

    An amount needs a currency word, a thousands grouping or a magnitude word, so "30 nye
    PC-er", the year 2027 and "2+1+1" are never taken for money.
    """
    found = find_amount_span(sentence)
    return found[0] if found else None


def _normalise_keep_length(text: str) -> str:
    # Same character count as the input, so spans map back to the original sentence.
    table = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "’": "'", "´": "'"})
    return text.translate(table).lower()
