"""Load the temporal lexicon and rule files (YAML) and compile their patterns, once.

A rule file holds `rules:`, each with an `id`, a `pattern` (a regular expression with `{placeholders}` that expand to
lexicon alternations as named groups; `{month:m2}` names the group `m2`), a `resolve` function name (see
`resolvers.py`), optional `trigger`, `priority`, `params` and `flags` (`case` keeps the pattern case-sensitive), and
`examples` that run as tests. docs/temporal.md describes the format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pipeline import rulefiles
from pipeline.rulefiles import short_version as rules_version  # noqa: F401 - one version for all rule files

RULES_DIR = Path(__file__).resolve().parent.parent / "rules" / rulefiles.RULES_LANGUAGE / "temporal"
LEXICON_FILE = RULES_DIR / "lexicon.yaml"

# Expressions never start inside a word, a number, an amount of money or a hyphenated compound, nor after a slash
# unless they start with a letter (a page path or title: "Briefs/April 28, 2010"; "24/7", "2009/2010" are not dates)...
_BEFORE = r"(?<![\w$€£#@])(?!(?<=/)[\W\d_])(?<!\d\.)"
# ...and never end inside a word or a number ("1990s" is matched whole, "1,990" not at all).
_AFTER = r"(?![\w]|[.,]\d|%|/\d)"
# The same start condition as a character consumed before the expression, for `Rule.scan`: a pattern that begins
# with a character set lets the regex engine skip through words without trying a match at every letter.
_BEFORE_CHAR = r"[^\w$€£#@](?!(?<=/)[\W\d_])(?<!\d\.)"


# how many characters of an expression `Rule.first` reads at most
FIRST_LENGTH = 5


@dataclass(frozen=True)
class Rule:
    id: str
    file: str
    regex: re.Pattern[str]
    case_sensitive: bool  # False: the regex runs on the lowercased text (much faster than re.IGNORECASE)
    resolve: str
    priority: int
    trigger: re.Pattern[str]  # where in the lowercased text this rule can match (see `trigger_regex`)
    params: dict[str, Any] = field(default_factory=dict)
    examples: tuple[dict[str, Any], ...] = ()
    # what `trigger` looks for, for the one-pass scan in __init__: literal stems (prefixes of any word) and lexicon
    # words (whole, or with a plural "s")
    trigger_stems: frozenset[str] = frozenset()
    trigger_words: frozenset[str] = frozenset()
    # `regex` with the character before the expression consumed: run on the text with a blank in front, a match's
    # start is the expression's start in the text (see `_candidates` in __init__)
    scan: re.Pattern[str] | None = None
    trigger_digits: bool = True  # whether `trigger` also fires on digits
    first: str | None = None  # the lookahead test `scan` makes first (`first_strings`), None if it makes none


@dataclass(frozen=True)
class Lexicon:
    months: dict[str, int]
    ambiguous_months: frozenset[str]
    weekdays: dict[str, int]
    weekday_abbreviations: frozenset[str]
    numbers: dict[str, float]
    vague_numbers: dict[str, Any]
    ordinals: dict[str, int]
    units: dict[str, str]
    seasons: dict[str, str]
    parts: dict[str, str]
    day_parts: dict[str, str]
    day_offsets: dict[str, int]
    relative: dict[str, int]
    anaphoric_relative: frozenset[str]
    trigger_words: tuple[str, ...]
    holidays: dict[str, Any]
    future_cues: tuple[str, ...]
    future_prepositions: tuple[str, ...]
    forward_phrases: tuple[str, ...]
    reporting_verbs: frozenset[str]
    deferral_verbs: frozenset[str]
    future_in_past: frozenset[str]
    future_nouns: frozenset[str]
    not_past_ed: tuple[str, ...]
    past_cues: tuple[str, ...]
    narrative_since: tuple[str, ...]
    narrative_aside: tuple[str, ...]


def _alternation(words: list[str]) -> str:
    """Longest first so "sept" wins over "sep"; spaces match any run of blanks, hyphens optional spaces."""
    out = []
    for w in sorted(set(words), key=lambda s: (-len(s), s)):
        out.append(re.escape(w).replace(r"\ ", r"\s+").replace(r"\-", r"[-\s]?"))
    return "|".join(out)


@cache
def lexicon() -> Lexicon:
    raw = rulefiles.load(f"{rulefiles.RULES_LANGUAGE}/temporal/{LEXICON_FILE.name}")
    return Lexicon(
        months={str(k): int(v) for k, v in raw["months"].items()},
        ambiguous_months=frozenset(raw["ambiguous_months"]),
        weekdays={str(k): int(v) for k, v in raw["weekdays"].items()},
        weekday_abbreviations=frozenset(raw["weekday_abbreviations"]),
        numbers={str(k): float(v) for k, v in raw["numbers"].items()},
        vague_numbers={str(k): v for k, v in raw["vague_numbers"].items()},
        ordinals={str(k): int(v) for k, v in raw["ordinals"].items()},
        units={str(k): str(v) for k, v in raw["units"].items()},
        seasons={str(k): str(v) for k, v in raw["seasons"].items()},
        parts={str(k): str(v) for k, v in raw["parts"].items()},
        day_parts={str(k): str(v) for k, v in raw["day_parts"].items()},
        day_offsets={str(k): int(v) for k, v in raw["day_offsets"].items()},
        relative={str(k): int(v) for k, v in raw["relative"].items()},
        anaphoric_relative=frozenset(raw["anaphoric_relative"]),
        trigger_words=tuple(raw["trigger_words"]),
        holidays={str(k): v for k, v in raw["holidays"].items()},
        future_cues=tuple(raw["future_cues"]),
        future_prepositions=tuple(raw["future_prepositions"]),
        forward_phrases=tuple(raw["forward_phrases"]),
        reporting_verbs=frozenset(raw["reporting_verbs"]),
        deferral_verbs=frozenset(raw["deferral_verbs"]),
        future_in_past=frozenset(raw["future_in_past"]),
        future_nouns=frozenset(raw["future_nouns"]),
        not_past_ed=tuple(raw["not_past_ed"]),
        past_cues=tuple(raw["past_cues"]),
        narrative_since=tuple(raw["narrative_since"]),
        narrative_aside=tuple(raw["narrative_aside"]),
    )


def _with_abbreviations(words: list[str], full_len: int) -> str:
    full = [w for w in words if len(w) >= full_len or w in {"may", "june", "july"}]
    short = [w for w in words if w not in full]
    return rf"(?:(?:{_alternation(short)})\.(?![^\W\d_])|{_alternation(full + short)})"


_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ONES = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


@cache
def placeholders() -> dict[str, str]:
    """Placeholder name -> regular expression body (without the group)."""
    lex = lexicon()
    word_numbers = [k for k in lex.numbers]
    compound = "(?:" + "|".join(_TENS) + r")(?:[-\s](?:" + "|".join(_ONES) + "))?"
    number = rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?|{compound}|{_alternation(word_numbers)})"
    return {
        # full names take no period; abbreviations may ("Oct. 17"), so a sentence's full stop stays outside
        "month": _with_abbreviations(list(lex.months), 5),
        "weekday": _with_abbreviations(list(lex.weekdays), 6),
        "num": number,
        "vague": _alternation(list(lex.vague_numbers)),
        "ordinal": _alternation(list(lex.ordinals)),
        "unit": _alternation(list(lex.units)),
        "season": _alternation(list(lex.seasons)),
        "part": _alternation(list(lex.parts)),
        "daypart": _alternation(list(lex.day_parts)),
        "dayword": _alternation(list(lex.day_offsets)),
        "rel": _alternation(list(lex.relative)),
        "year": r"(?:1[0-9]|20)\d\d",
        # years said aloud, as in broadcast transcripts: "nineteen ninety-four", "two thousand one"
        "spoken_year": rf"(?:nineteen|twenty)[-\s]+(?:{compound}|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
        rf"|seventeen|eighteen|nineteen|o[-\s](?:{'|'.join(_ONES)}))"
        rf"|two\s+thousand(?:\s+and)?(?:[-\s](?:{'|'.join(_ONES)}|ten))?",
        "day": r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?",
        "tz": r"(?:local\s+time|est|edt|cst|cdt|mst|mdt|pst|pdt|gmt|utc|bst|cet|cest|eet|eest|msk|ist|jst)",
    }


def _trigger_words(name: str) -> set[str]:
    """A trigger class (a lexicon table) as word stems, or a literal word stem."""
    lex = lexicon()
    tables: dict[str, Any] = {
        "month_names": lex.months, "weekday_names": lex.weekdays, "units": {**lex.units, "weekend": 1},
        "seasons": lex.seasons, "day_parts": {**lex.day_parts, "tonight": 1},
        "day_words": {**lex.day_offsets, "tonight": 1}, "holidays": lex.holidays, "ordinals": lex.ordinals,
    }
    if name in tables:
        return {k.split(" ")[0] for k in tables[name]}
    return {name}


def _full_spec(spec: tuple[str, ...] | None) -> tuple[str, ...]:
    if spec is not None:
        return spec
    return ("digits", "month_names", "weekday_names", "units", "seasons", "day_parts", "day_words", "holidays",
            "nineteen", "two", *lexicon().trigger_words)


@cache
def trigger_stems(spec: tuple[str, ...] | None = None) -> tuple[frozenset[str], frozenset[str]]:
    """A trigger spec's literal stems and its lexicon words (see `trigger_regex`)."""
    stems: set[str] = set()
    words: set[str] = set()
    for name in _full_spec(spec):
        if name in _TRIGGER_CLASSES:
            words |= _trigger_words(name)
        elif name != "digits":
            stems.add(name)
    return frozenset(stems), frozenset(words)


_TRIGGER_CLASSES = frozenset(
    {"month_names", "weekday_names", "units", "seasons", "day_parts", "day_words", "holidays", "ordinals"}
)


@cache
def trigger_regex(spec: tuple[str, ...] | None = None) -> re.Pattern[str]:
    """Where a rule can match in the lowercased text: digits and/or the start of its trigger words.

    `spec` names lexicon classes (month_names, weekday_names, units, seasons, day_parts, day_words, holidays, ordinals),
    `digits`, or literal word stems; None means every class plus the lexicon's `trigger_words`.
    """
    spec = _full_spec(spec)
    words = set().union(*trigger_stems(spec))
    parts = [r"\d+"] if "digits" in spec else []
    if words:  # no word-boundary check: a cheap over-approximation is faster than a precise scan
        parts.append("|".join(sorted(map(re.escape, words), key=len, reverse=True)))
    return re.compile("|".join(parts))


def _class_items(items: Any) -> set[str] | None:
    """The items of a parsed character class (`[...]`) written as class items again, or None for one that cannot
    be (a negated set, a category other than digits, spaces or word characters)."""
    from re import _constants as c  # the parse tree of the standard engine: read-only use

    categories = {c.CATEGORY_DIGIT: r"\d", c.CATEGORY_SPACE: r"\s", c.CATEGORY_WORD: r"\w"}
    out: set[str] = set()
    for op, av in items:
        if op is c.LITERAL:
            out.add(re.escape(chr(av)))
        elif op is c.RANGE:
            out.add(re.escape(chr(av[0])) + "-" + re.escape(chr(av[1])))
        elif op is c.CATEGORY and av in categories:
            out.add(categories[av])
        else:
            return None
    return out


def first_chars(body: str) -> str | None:
    """A character class holding every character a match of `body` can start with, or None if it cannot be told.

    Put in a lookahead at the start of a pattern, it spares the engine the whole alternation at most word starts.
    """
    from re import _constants as c, _parser  # the parse tree of the standard engine: read-only use

    def seq(items: Any) -> tuple[set[str] | None, bool]:
        out: set[str] = set()
        for op, av in items:
            chars, nullable = one(op, av)
            if chars is None:
                return None, False
            out |= chars
            if not nullable:
                return out, False
        return out, True

    def one(op: Any, av: Any) -> tuple[set[str] | None, bool]:
        if op is c.LITERAL:
            return {re.escape(chr(av))}, False
        if op is c.IN:
            return _class_items(av), False
        if op is c.SUBPATTERN or op is c.ATOMIC_GROUP:
            return seq(av[-1] if op is c.SUBPATTERN else av)
        if op is c.BRANCH:
            out, nullable = set(), False
            for alt in av[1]:
                chars, n = seq(alt)
                if chars is None:
                    return None, False
                out |= chars
                nullable = nullable or n
            return out, nullable
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            chars, n = seq(av[2])
            return chars, n or av[0] == 0
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            return set(), True  # zero width: the next item decides
        return None, False

    chars, nullable = seq(_parser.parse(body))
    if chars is None or nullable or not chars:
        return None
    return "[" + "".join(sorted(chars)) + "]"


def first_strings(body: str, k: int = 3) -> str | None:
    """A regex for every way a match of `body` can begin (its first `k` characters, fewer where a match may end
    sooner), or None if that cannot be told.

    A finer `first_chars`: put in a lookahead at the start of a pattern, it turns away most word starts with a test of
    a few characters before the engine enters the pattern's alternations ("the" passes, "that" does not). It only
    ever over-approximates (assertions are skipped, unknown sets match any character), so it never loses a match.
    """
    from re import _constants as c, _parser  # the parse tree of the standard engine: read-only use

    any_char = frozenset({r"\s\S"})
    Prefixes = set[tuple[frozenset[str], ...]]  # each position a set of class items

    def seq(items: Any, n: int) -> Prefixes | None:
        out: Prefixes = {()}
        for op, av in items:
            grown: Prefixes = set()
            for p in out:
                if len(p) >= n:
                    grown.add(p)
                    continue
                more = one(op, av, n - len(p))
                if more is None:
                    return None
                grown |= {p + q for q in more}
            out = grown
            if len(out) > 500:
                return None  # too many to be worth a test
        return out

    def one(op: Any, av: Any, n: int) -> Prefixes | None:
        if op is c.LITERAL:
            return {(frozenset({re.escape(chr(av))}),)}
        if op is c.IN:
            items = _class_items(av)
            return {(any_char,)} if items is None else {(frozenset(items),)}  # None: negated or unusual: any character
        if op is c.NOT_LITERAL or op is c.ANY:
            return {(any_char,)}
        if op is c.SUBPATTERN:
            return None if av[1] & re.IGNORECASE else seq(av[-1], n)
        if op is c.ATOMIC_GROUP:
            return seq(av, n)
        if op is c.BRANCH:
            out: Prefixes = set()
            for alt in av[1]:
                more = seq(alt, n)
                if more is None:
                    return None
                out |= more
            return out
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            lo, hi, sub = av
            once = seq(sub, n)
            if once is None:
                return None
            # n copies give at least n characters unless a copy can be empty, in which case fewer copies than the
            # minimum can also show
            out = set()
            for copies in range(0 if () in once else min(lo, n), min(hi, n) + 1):
                more = seq(list(sub) * copies, n)
                if more is None:
                    return None
                out |= more
            return out
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            return {()}  # zero width
        return None

    parsed = _parser.parse(body)
    if parsed.state.flags & re.IGNORECASE:
        return None
    found = seq(parsed, k)
    if found is None or () in found:
        return None
    # as a trie; a prefix shorter than k (a match may end there) lets anything follow
    tree: dict[frozenset[str], Any] = {}
    for p in sorted(found, key=len):
        node = tree
        for depth, cls in enumerate(p):
            if depth == len(p) - 1:
                if len(p) < k:
                    node[cls] = None
                else:
                    node.setdefault(cls, {})
            elif node.get(cls, {}) is None:
                break
            else:
                node = node.setdefault(cls, {})

    def render(node: dict[frozenset[str], Any]) -> str:
        alts = []
        for cls, child in sorted(node.items(), key=lambda item: sorted(item[0])):
            (item,) = cls if len(cls) == 1 else (None,)
            one_char = item is not None and (len(item) == 1 or (len(item) == 2 and item[0] == "\\"))
            alts.append((item if one_char else "[" + "".join(sorted(cls)) + "]") + (render(child) if child else ""))
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return render(tree)


_PLACEHOLDER = re.compile(r"\{([a-z]\w*)(?::(\w+))?\}")


def expand(pattern: str) -> str:
    table = placeholders()

    def sub(m: re.Match[str]) -> str:
        kind, name = m.group(1), m.group(2) or m.group(1)
        if kind not in table:
            raise ValueError(f"unknown placeholder {{{kind}}} in pattern {pattern!r}")
        return f"(?P<{name}>{table[kind]})"

    return _PLACEHOLDER.sub(sub, pattern)


def rule_files() -> list[Path]:
    return sorted(p for p in RULES_DIR.glob("*.yaml") if p.name != LEXICON_FILE.name)


@cache
def rules() -> tuple[Rule, ...]:
    out: list[Rule] = []
    for path in rule_files():
        doc = rulefiles.load(f"{rulefiles.RULES_LANGUAGE}/temporal/{path.name}")
        for spec in doc.get("rules", []):
            case = "case" in spec.get("flags", [])
            if not case and re.search(r"(?<!\\)[A-Z]", re.sub(r"\(\?P<\w+>", "", spec["pattern"])):
                raise ValueError(f"{path.name}: rule {spec['id']}: patterns run on lowercased text; write them lowercase")
            body = expand(spec["pattern"])
            try:
                regex = re.compile(_BEFORE + "(?:" + body + ")" + _AFTER)
                # five characters tell "the past" from "the attack"; three where five make too many prefixes
                first = first_strings(body, FIRST_LENGTH) or first_strings(body) or first_chars(body)
                scan = re.compile(_BEFORE_CHAR + (f"(?={first})" if first else "") + "(?:" + body + ")" + _AFTER)
            except re.error as exc:  # a broken rule file must fail loudly, naming the rule
                raise ValueError(f"{path.name}: rule {spec['id']}: {exc}") from exc
            out.append(
                Rule(
                    id=spec["id"],
                    file=path.name,
                    regex=regex,
                    case_sensitive=case,
                    resolve=spec["resolve"],
                    priority=int(spec.get("priority", 0)),
                    trigger=trigger_regex(tuple(spec["trigger"]) if "trigger" in spec else None),
                    params=dict(spec.get("params", {})),
                    examples=tuple(spec.get("examples", [])),
                    trigger_stems=trigger_stems(tuple(spec["trigger"]) if "trigger" in spec else None)[0],
                    trigger_words=trigger_stems(tuple(spec["trigger"]) if "trigger" in spec else None)[1],
                    trigger_digits="trigger" not in spec or "digits" in spec["trigger"],
                    scan=scan,
                    first=first,
                )
            )
    ids = [r.id for r in out]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"duplicate temporal rule ids: {dupes}")
    return tuple(out)
