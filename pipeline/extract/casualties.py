"""Casualty figures in one sentence, from the rule templates of `casualties.yaml`.

Each rule is a regex template over lexicon slots ({COUNT}, {OUTCOME}, {VICTIMS}, ...), expanded
and compiled once. A match gives a count (parsed by `numbers.parse_count`, or fixed by the rule),
a category (the lexicon group whose entries match the matched outcome/action/noun words in full),
victims, and whether it is a running total. Numbers that are not counts (ages, years, times,
calibres, money, addresses) are rejected by the guards of `guards.yaml`.

For speed, a rule runs only on sentences holding its gate words, and rules opening with a count,
a list of counted people or an action are tried only where one can begin; patterns without
case-sensitive parts run lower-cased on lower-cased text (docs/extraction.md "Speed").
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cached_property, lru_cache

from pipeline.extract.numbers import (
    COUNT_FIRST_PAIRS,
    COUNT_FIRST_WORDS,
    COUNT_RE,
    COUNT_WORDS,
    NUMBER,
    Count,
    number_value,
    parse_count,
)
from pipeline.extract.rules import (
    LowerText,
    WordSets,
    alternation,
    folds,
    gate_of,
    load,
    lowered,
    minimal_words,
    phrase,
    search_folded,
    top_level_bar,
)

_C = load("casualties")
_G = load("guards")
_V = load("victims")

CATEGORIES = ("killed", "injured", "killed_or_injured", "missing", "displaced", "detained")
# Lexicon groups are tried in this order when naming the category of matched words.
_CATEGORY_ORDER = ("killed_or_injured", "killed", "injured", "shot", "missing", "displaced", "detained")


@dataclass(frozen=True, slots=True)
class Figure:
    """A casualty figure found in a sentence (offsets are into the article text)."""

    start: int
    end: int
    count_start: int
    count_end: int
    category: str  # one of CATEGORIES, or "shot" (people hit by gunfire, dead or alive)
    count: Count
    victims: str | None
    cumulative: bool
    rule_id: str
    word: str  # the outcome/action/noun words that gave the category


def _victim_index() -> tuple[re.Pattern, dict[str, str], str, str]:
    lookup: dict[str, str] = {}
    plural, singular = [], []
    for group, words in _V["groups"].items():
        for w in words.get("plural", []):
            lookup.setdefault(w.lower(), group)
            plural.append(w)
        for w in words.get("singular", []):
            lookup.setdefault(w.lower(), group)
            singular.append(w)
    any_re = re.compile(rf"\b(?:{alternation(plural + singular)})\b", re.IGNORECASE)
    return any_re, lookup, alternation(plural), alternation(singular)


_VICTIM_ANY, _VICTIM_LOOKUP, _PLURAL, _SINGULAR = _victim_index()
_NOT_VICTIMS = alternation(_V["not_victims"])
_MODS_STOP = alternation(_C["mods_stop"] + _V["not_victims"])
_NOT_NAMES = alternation(_C["not_names"])  # grouped by first letter: the same words, found faster

_SLOTS = {
    "COUNT": COUNT_RE + rf"(?!\s+(?:{_NOT_VICTIMS})\b)",
    "MODS": rf"(?:#?(?!(?:{_MODS_STOP})\b)[\w'’-]+(?:\s+|(?=,))){{0,4}}?",
    "VICTIMS": rf"#?(?:{_PLURAL})",
    "VICTIM": rf"#?(?:{_SINGULAR})",
    "AUX": rf"(?:(?:{alternation(_C['aux'])})\s+){{0,5}}?",
    # (?=[A-Z]) first: the words that are no names are tried only where a capital stands (the
    # same matches; the engine tries a name at every position of a sentence).
    "NAME": r"(?-i:(?=[A-Z])(?!(?:" + _NOT_NAMES + r")\b)[A-Z][a-z'’-]+(?:\s+(?=[A-Z])(?!(?:"
    + _NOT_NAMES
    + r")\b)(?:[A-Z]\.\s+)?[A-Z][a-z'’-]+){0,2}(?:,?\s+(?:Jr|Sr|II|III)\b\.?)?)",
    "OUTCOME": rf"(?P<outcome>{alternation([f for fs in _C['lexicon']['outcome'].values() for f in fs])})\b",
    "ACTION": rf"(?<!\bto\s)(?P<action>{alternation([f for fs in _C['lexicon']['action'].values() for f in fs])})",
    "NOUN": rf"(?P<noun>{alternation([f for fs in _C['lexicon']['noun'].values() for f in fs])})",
}


# A list of counted people: "2 teen boys, 1 woman", "two men and a woman", "husband, wife and baby".
_ITEM = (
    rf"(?:{NUMBER}\s+(?:#?[\w'’-]+\s+){{0,3}}?#?(?:{_PLURAL}|{_SINGULAR})"
    rf"|(?:(?:an?|one|another|his|her|their)\s+)?(?:[\w'’-]+\s+){{0,2}}?(?:{_SINGULAR}))\b"
)
# Ages in apposition inside a list: "two sisters, ages 7 and 9, and their grandfather".
_LIST_AGES = r"(?:,\s*(?:ages?\s+)?\d{1,2}(?:\s*(?:,\s*and|,|and)\s*\d{1,2})*(?=\s*,))"
_LIST_AGES_RE = re.compile(_LIST_AGES.replace(r"(?=\s*,)", r"(?=\s*,|$)"), re.IGNORECASE)
_SLOTS["NUMLIST"] = rf"(?P<numlist>\b{_ITEM}{_LIST_AGES}?(?:\s*(?:,\s*and|,|and)\s+{_ITEM}{_LIST_AGES}?)+)"
_ITEM_SPLIT = re.compile(r"\s*(?:,\s*and|,|\band)\s+", re.IGNORECASE)
_ITEM_NUMBER = re.compile(rf"^({NUMBER})\s", re.IGNORECASE)


def _expand(template: str) -> str:
    return re.sub(r"\{([A-Z_]+)\}", lambda m: _SLOTS[m.group(1)], template)


def _category_matchers(kind: str) -> list[tuple[str, re.Pattern]]:
    groups = _C["lexicon"][kind]
    return [
        (cat, re.compile(rf"(?:{alternation(groups[cat])})", re.IGNORECASE))
        for cat in _CATEGORY_ORDER
        if cat in groups
    ]


_CATEGORY_OF = {kind: _category_matchers(kind) for kind in ("outcome", "action", "noun")}


@dataclass(frozen=True)
class _Rule:
    id: str
    pattern: str  # the template with its slots filled in
    count: int | None
    category: str | None
    spec: dict
    gates: tuple[frozenset[str], ...]  # the sentence must contain a word of each for the rule to match
    starts: str | None  # "count" / "numlist" / "action": matches start where one can; only there is tried
    low: re.Pattern | None  # the same pattern for lower-cased text (faster), when it can be written

    @cached_property
    def regex(self) -> re.Pattern:
        """The pattern (IGNORECASE) for the article's own letters. A rule with a `low` twin needs
        it only for text with look-alike letters ("ı", "ſ", "İ"): compiled on first use then, as
        compiling every rule twice took half the start-up of the extract stage."""
        return re.compile(self.pattern, re.IGNORECASE)


# Gates: words every match of a rule contains, so that the (costly) rule templates run only on
# sentences that can hold a match. A rule with an {OUTCOME}, {ACTION} or {NOUN} slot needs a word
# of that lexicon (see `rules.required_words`); other rules list their words in `needs`.
def _slot_gate(kind: str) -> frozenset[str] | None:
    return gate_of([f for fragments in _C["lexicon"][kind].values() for f in fragments])


_GATE_SLOTS = {slot: _slot_gate(slot.lower()) for slot in ("OUTCOME", "ACTION", "NOUN")}


def _gates(spec: dict) -> tuple[frozenset[str], ...]:
    gates = [g for slot, g in _GATE_SLOTS.items() if g is not None and "{" + slot + "}" in spec["pattern"]]
    if spec.get("needs"):
        gates.append(minimal_words({w.lower() for w in spec["needs"]}))
    if "{COUNT}" in spec["pattern"] and COUNT_WORDS is not None:
        gates.append(COUNT_WORDS)
    return tuple(gates)


# Rules opening with these slots are tried only where the slot can match (see `_find_starts`).
_STARTS_OF = {"{COUNT}": "count", "{NUMLIST}": "numlist", "\\b{ACTION}": "action"}

RULES: list[_Rule] = [
    _Rule(r["id"], pattern, r.get("count"), r.get("category"), r, _gates(r),
          _STARTS_OF.get(r["pattern"][: r["pattern"].find("}") + 1]), lowered(pattern))
    for r in _C["rules"]
    for pattern in (_expand(r["pattern"]),)
]
for _r in RULES:
    if _r.low is None:
        _r.regex  # compiled now, once before worker processes fork: such a rule always needs it
# A sentence without a word of the first gate of any rule is skipped at once (None when a rule has
# no gate).
_ANY_GATE = minimal_words({w for r in RULES for w in r.gates[0]}) if all(r.gates for r in RULES) else None
# All gates tested at once per sentence (`WordSets`): a rule runs when its gates' bits are all set.
_GATE_SETS = WordSets([g for r in RULES for g in r.gates])
_NEED = {r.gates: _GATE_SETS.bits(r.gates) for r in RULES}  # gates -> their bits (unknown gates: 0, run)
_ANY_BITS = _GATE_SETS.bits(tuple(r.gates[0] for r in RULES)) if _ANY_GATE is not None else 0


def _any_of(patterns: list[str], tail: str = "") -> str:
    """One pattern that finds whether one of `patterns` (each followed by `tail`) matches, for
    yes/no searches. Those opening with \\b share it, so that it is tested once per position of
    the text instead of once per pattern (the engine tries every pattern at every position);
    which pattern matched may differ, never whether one did."""
    bounded = [p[2:] for p in patterns if p.startswith("\\b") and not top_level_bar(p)]
    other = [p for p in patterns if not p.startswith("\\b") or top_level_bar(p)]
    alts = [f"(?:{'|'.join(f'(?:{p})' for p in other)}){tail}"] if other else []
    if bounded:
        alts.append(f"\\b(?:{'|'.join(f'(?:{p})' for p in bounded)}){tail}")
    return "|".join(alts)


# Each list as one pattern: one search instead of one per entry, the same answer.
_BEFORE = re.compile(_any_of(_G["before"], "$"), re.IGNORECASE)
_AFTER = re.compile("|".join(rf"(?:{p})" for p in _G["after"]), re.IGNORECASE)
_AGE_BEFORE = re.compile(_G["age_apposition"]["before"])
_AGE_AFTER = re.compile(_G["age_apposition"]["after"])
_YEAR_LO, _YEAR_HI = _G["year_range"]
_DIGITS = re.compile(r"\d[\d,]*")
_CUM_BEFORE = re.compile(_any_of(_C["cumulative_before"]), re.IGNORECASE)
_CUM_AROUND = re.compile(_any_of(_C["cumulative_cues"]), re.IGNORECASE)
# The same without IGNORECASE, for lower-cased text (see `rules.lowered`): much faster.
_CUM_BEFORE_LOW, _CUM_AROUND_LOW = lowered(_CUM_BEFORE.pattern), lowered(_CUM_AROUND.pattern)
_VICTIM_ANY_LOW = lowered(_VICTIM_ANY.pattern)
_BEFORE_LOW = lowered(_BEFORE.pattern)


def not_a_count(text: str, start: int, end: int) -> bool:
    """Whether the number at text[start:end] is an age, year, time, calibre, amount, address..."""
    before = text[max(0, start - 40) : start]
    after = text[end : end + 60]
    if search_folded(_BEFORE, _BEFORE_LOW, before) or _AFTER.match(after):
        return True
    token = text[start:end]
    if token.isdigit() and len(token) == 4 and _YEAR_LO <= int(token) <= _YEAR_HI:
        return True
    if len(token) <= 2 and token.isdigit() and _AGE_BEFORE.search(before) and _AGE_AFTER.match(after):
        return True  # "John Smith, 34, was ..."
    return False


def _number_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The bare numbers inside a count expression (both ends of a range)."""
    spans = [(m.start(), m.end()) for m in _DIGITS.finditer(text, start, end)]
    return spans or [(start, end)]


@lru_cache(maxsize=4096)  # the same few words come back figure after figure
def _category(kind: str, words: str) -> str | None:
    w = " ".join(words.split())
    for cat, rx in _CATEGORY_OF[kind]:
        if rx.fullmatch(w):
            return cat
    return None


# Counts repeat ("three", "at least 12"): each is parsed once per process.
_parse_count = lru_cache(maxsize=4096)(parse_count)


def _victims(phrase_text: str) -> str | None:
    """The group of the first victim word of a phrase ("15-year-old" alone names no group)."""
    low = phrase_text.lower()
    if _VICTIM_ANY_LOW is not None and folds(phrase_text, low):
        phrase_text, rx = low, _VICTIM_ANY_LOW  # the same matches, found faster
    else:
        rx = _VICTIM_ANY
    for m in rx.finditer(phrase_text):
        group = _VICTIM_LOOKUP.get(" ".join(m.group().lower().split()))
        if group:
            return group
    return None


def _cumulative(text: str, sent_start: int, sent_end: int, start: int, count_start: int, end: int) -> bool:
    before = text[max(sent_start, count_start - 300) : count_start]
    if search_folded(_CUM_BEFORE, _CUM_BEFORE_LOW, before):
        return True
    window = text[max(sent_start, start - 60) : min(sent_end, end + 50)]
    return search_folded(_CUM_AROUND, _CUM_AROUND_LOW, window) is not None


def _from_match(rule: _Rule, m: re.Match, text: str, s0: int, s1: int) -> Figure | None:
    groups = m.groupdict()
    category = rule.category
    word = ""
    for kind in ("outcome", "action", "noun"):
        for name in (kind, kind + "2"):
            if groups.get(name):
                word = groups[name]
                category = category or _category(kind, word)
    if rule.spec.get("kinds") and groups.get("kind"):
        category = rule.spec["kinds"][groups["kind"].lower()]
        word = groups["kind"]
    category = category or rule.spec.get("category_default")
    if category is None:
        return None
    if groups.get("numlist"):
        c0, c1 = m.span("numlist")
        ages = [a.span() for a in _LIST_AGES_RE.finditer(text, c0, c1)]
        items = _ITEM_SPLIT.split(_LIST_AGES_RE.sub("", groups["numlist"]))
        values = [number_value(n.group(1)) if (n := _ITEM_NUMBER.match(i)) else 1 for i in items]
        numbers = [(a, b) for a, b in _number_spans(text, c0, c1) if not any(x <= a < y for x, y in ages)]
        if len(values) < 2 or None in values or any(not_a_count(text, a, b) for a, b in numbers):
            return None
        n = sum(values)
        count = Count(n, n, n, "exact")
    elif groups.get("mult"):
        n = rule.spec["multipliers"][groups["mult"].lower()]
        count = Count(n, n, n, "exact")
        c0, c1 = m.span("mult")
    elif rule.count is not None:
        n = rule.count
        count = Count(n, n, None, "at_least") if rule.spec.get("qualifier") == "at_least" else Count(n, n, n, "exact")
        c0, c1 = m.span()
    else:
        c0, c1 = m.span("count")
        if any(not_a_count(text, a, b) for a, b in _number_spans(text, c0, c1)):
            return None
        count = _parse_count(m.group("count"))
        if count is None:
            return None
        verb = groups.get("verb")
        if verb and count.qualifier == "exact" and count.best is not None:  # "toll surpassed 400", "toll nears 90"
            q = rule.spec.get("verb_qualifiers", {}).get(verb.lower())
            if q == "more_than":
                count = Count(count.best + 1, count.best + 1, None, q)
            elif q == "nearly":
                count = Count(None, count.best, count.best, q)
        if rule.spec.get("add"):  # "he and two others": the people named before the count
            count = Count(*(v + rule.spec["add"] if v is not None else None for v in count[:3]), count.qualifier)
    start, end = m.span()
    while start < end and text[start] in " ,;\t\n":
        start += 1
    victims = _victims(text[start:end].replace(word, " ") if word else text[start:end])
    cumulative = _cumulative(text, s0, s1, start, c0, end)
    return Figure(start, end, c0, c1, category, count, victims, cumulative, rule.id, word)


def gate_words() -> WordSets:
    """The word sets of the rules' gates, for a caller that tests several at once (see `find_figures`)."""
    return _GATE_SETS


def find_figures(text: str, start: int, end: int, words: LowerText | None = None, present: int | None = None) -> list[Figure]:
    """Casualty figures in text[start:end] (one sentence), in text order; earlier rules win overlaps.

    Rules run only on sentences holding their gate words, and rules that open with a count
    only where a count can start; `words` (the article's `LowerText`) saves lower-casing it
    again for every sentence, and `present` (`gate_words().mask` of the sentence) testing its
    words again. The result is what every rule searched everywhere gives.
    """
    words = words if words is not None else LowerText(text)
    if present is None:
        present = _GATE_SETS.mask(words, start, end)  # bit set: the sentence has a word of that gate
    if _ANY_GATE is not None and not present & _ANY_BITS:
        return []
    table = _RULES_FOR if _RULES_FOR.rules is RULES else _RulesFor(RULES)  # (tests swap RULES)
    folded = words.folded
    taken = bytearray(end - start + 1)  # 1 where a kept figure lies (offsets from `start`): a linear overlap test
    found: list[Figure] = []
    starts: dict[str, list[int]] = {}
    for rule in table[present]:
        # Starts are found in lower-case text: with look-alike letters ("ſeveral") search everywhere.
        kind = rule.starts if folded else None
        if kind and kind not in starts:
            _find_starts(kind, text, words.low, start, end, starts)
        at = starts[kind] if kind else None
        fast = folded and rule.low is not None
        rx, searched = (rule.low, words.low) if fast else (rule.regex, text)
        pos = start
        while pos < end:
            m = _search_at(rx, searched, pos, end, at) if at is not None else rx.search(searched, pos, end)
            if m is None:
                break
            fig = _from_match(rule, _InText(m, text) if fast else m, text, start, end)
            # A rejected match (e.g. a year read as a count) may hide a good one starting inside it.
            pos = m.end() if fig is not None and m.end() > m.start() else m.start() + 1
            if fig is None:
                continue
            if taken.find(1, fig.start - start, fig.end - start) != -1:
                continue
            taken[fig.start - start : fig.end - start] = b"\x01" * (fig.end - fig.start)
            found.append(fig)
    if not found:
        return found  # most sentences that pass the gates (nothing to sort or add up)
    found.sort(key=lambda f: f.start)
    return found + _with_suicide(found) + _with_others(text, found)


class _RulesFor(dict):
    """A sentence's gate mask -> the rules whose gates it all holds, in rule order. Sentences
    share a few masks, so a sentence costs one look-up instead of a test per rule."""

    _LIMIT = 4096  # masks remembered; past that the memory starts afresh

    def __init__(self, rules: list[_Rule]) -> None:
        super().__init__()
        self.rules = rules
        self.needs = [(r, _NEED.get(r.gates, 0)) for r in rules]  # unknown gates: 0, run

    def __missing__(self, present: int) -> tuple[_Rule, ...]:
        if len(self) >= self._LIMIT:
            self.clear()
        run = self[present] = tuple(r for r, need in self.needs if present & need == need)
        return run


_RULES_FOR = _RulesFor(RULES)


class _InText:
    """A match of a rule's lower-cased twin (`_Rule.low`) in `LowerText.low`, read as the match
    of the rule itself in the article's own letters: lower-casing a folded text keeps every
    offset and `lowered` keeps what each pattern character accepts, so the two matches have the
    same spans; a group is the article's text between them. (Matching the rule again on the
    text gave the same, at the cost of a second match per figure.)"""

    __slots__ = ("_m", "_text")

    def __init__(self, m: re.Match, text: str) -> None:
        self._m = m
        self._text = text

    def span(self, group: int | str = 0) -> tuple[int, int]:
        return self._m.span(group)

    def start(self, group: int | str = 0) -> int:
        return self._m.start(group)

    def end(self, group: int | str = 0) -> int:
        return self._m.end(group)

    def group(self, group: int | str = 0) -> str | None:
        a, b = self._m.span(group)
        return self._text[a:b] if a >= 0 else None

    def groupdict(self) -> dict[str, str | None]:
        regs, text = self._m.regs, self._text
        return {name: text[regs[i][0] : regs[i][1]] if regs[i][0] >= 0 else None for name, i in self._m.re.groupindex.items()}


def _count_start_regex() -> re.Pattern:
    """Where a count can begin in lower-cased text (see `_count_starts`)."""
    pairs: dict[str, list[str]] = {}
    for first, second in sorted(COUNT_FIRST_PAIRS):
        pairs.setdefault(first, []).append(re.escape(second))
    pair = "|".join(rf"{re.escape(first)}\s+(?:{'|'.join(seconds)})" for first, seconds in pairs.items())
    # A token starting with a non-ASCII word character is kept too: str.isdigit() takes digits
    # (superscripts, circled numbers) that \d leaves out, and a start too many costs one try.
    return re.compile(rf"\b(?=\d|[^\W\x00-\x7f]|(?:{alternation(sorted(COUNT_FIRST_WORDS))})(?!\w)|(?:{pair})(?!\w))")


_COUNT_AT = _count_start_regex()
_WORD_CHAR = re.compile(r"\w")


def _count_starts(low: str, start: int, end: int) -> list[int]:
    """Offsets in low[start:end] (lower-cased text) where a count can begin: at least every token
    (a run of \\w) that starts with a digit or is a word of COUNT_FIRST_WORDS, or the first of two
    (only whitespace between) of COUNT_FIRST_PAIRS. One regex scan instead of a loop over tokens;
    the few extra offsets it may give (tokens starting with other non-ASCII letters) cost one try
    of a rule each and change nothing, as a rule is tried at every offset given."""
    out = [m.start() for m in _COUNT_AT.finditer(low, start, end)]
    if 0 < start < end and _WORD_CHAR.match(low, start - 1):
        out.insert(0, start)  # a token cut by the start of the span (\b cannot see it)
    return out


_SINGULAR_AT = lowered(rf"\b(?=(?:{_SINGULAR}))") or re.compile(rf"\b(?=(?:{_SINGULAR}))", re.IGNORECASE)
_BOUNDARY = re.compile(r"\b")


def _numlist_starts(text: str, low: str, start: int, end: int, count_starts: list[int]) -> list[int]:
    """Offsets where a list of counted people can begin (see _ITEM): where a count can, or at a
    word boundary within the three words ("an 18-year-old") before a singular victim noun."""
    out = set(count_starts)
    for m in _SINGULAR_AT.finditer(low, start, end):  # `low`: LowerText.low of a folded text
        q = lo = i = m.start()
        for _ in range(3):  # back over up to three words, each followed by whitespace
            j = i
            while j > start and text[j - 1].isspace():
                j -= 1
            k = j
            while k > start and (text[k - 1].isalnum() or text[k - 1] in "_'’-"):
                k -= 1
            if j == i or k == j:
                break
            lo = i = k
        out.update(b.start() for b in _BOUNDARY.finditer(text, lo, q + 1))
    return sorted(out)


# The first item of every list of counted people ends in a victim word followed by the list's
# separator ("," or "and"; ages in apposition open with a comma): a sentence without one holds
# no list, and where one may begin is not worth looking for (one search instead).
_LIST_SEPARATED = lowered(rf"\b(?:{_PLURAL}|{_SINGULAR})\b\s*(?:,|and)")

# Where the {ACTION} slot (with its look-behind) matches, overlapping ones included.
_ACTION_AT = lowered(rf"\b(?={_SLOTS['ACTION']})")


def _find_starts(kind: str, text: str, low: str, start: int, end: int, starts: dict[str, list[int]]) -> None:
    """Offsets of text[start:end] (lower-cased: `low`) where a match of a rule opening with a
    count, a list of counted people or an action can begin, into `starts[kind]`."""
    if kind == "action":
        at = _ACTION_AT.finditer(low, start, end) if _ACTION_AT is not None else None
        starts[kind] = [m.start() for m in at] if at is not None else list(range(start, end + 1))
        return
    if kind == "numlist" and _LIST_SEPARATED is not None and _LIST_SEPARATED.search(low, start, end) is None:
        starts[kind] = []  # no list here
        return
    if "count" not in starts:
        starts["count"] = _count_starts(low, start, end)
    if kind == "numlist":
        starts[kind] = _numlist_starts(text, low, start, end, starts["count"])


def _search_at(regex: re.Pattern, text: str, pos: int, end: int, starts: list[int]) -> re.Match | None:
    """`regex.search(text, pos, end)` for a pattern whose matches can only begin at `starts`."""
    for k in range(bisect_left(starts, pos), len(starts)):
        m = regex.match(text, starts[k], end)
        if m is not None:
            return m
    return None


_JOINED = re.compile(r"\s*(?:,|;|,?\s*and)\s*", re.IGNORECASE)
_OTHERS_AFTER_COUNT = re.compile(r"\s+(?:others|other|more)\b", re.IGNORECASE)


def _with_others(text: str, found: list[Figure]) -> list[Figure]:
    """"4 shot and wounded, 2 others grazed": two counts of one category joined in one clause, the
    second of "others", add up (a figure spanning both)."""
    out = []
    for f, g in zip(found, found[1:]):
        if (
            f.category == g.category
            and not (f.cumulative or g.cumulative)
            and f.count.qualifier == g.count.qualifier == "exact"
            and _JOINED.fullmatch(text, f.end, g.start)
            and _OTHERS_AFTER_COUNT.match(text, g.count_end)
        ):
            n = f.count.best + g.count.best
            out.append(Figure(f.start, g.end, f.count_start, g.count_end, f.category, Count(n, n, n, "exact"),
                              f.victims or g.victims, False, "sum_others", f.word))
    return out


def _with_suicide(found: list[Figure]) -> list[Figure]:
    """"Killed four ... before killing himself": the killer's death adds one to the count before it."""
    out = []
    for k, f in enumerate(found):
        if f.rule_id != "suicide" or f.category != "killed":
            continue
        before = [g for g in found[:k] if g.category == "killed" and g.rule_id not in ("suicide", "murder_suicide", "fatal_event")
                  and not g.cumulative and g.count.best and f.start - g.end < 120]
        if before:
            g = before[-1]
            n = g.count.best + 1
            low = g.count.low + 1 if g.count.low is not None else None
            high = g.count.high + 1 if g.count.high is not None else None
            out.append(Figure(g.start, f.end, g.count_start, g.count_end, "killed", Count(low, n, high, g.count.qualifier),
                              g.victims, False, "killed_then_suicide", g.word))
    return out


__all__ = ["CATEGORIES", "Figure", "find_figures", "not_a_count", "phrase"]
