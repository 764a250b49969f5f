"""Loading the extraction rule files (`pipeline/rules/en/extract/*.yaml`) once, and helpers to compile their lexicons."""

from __future__ import annotations

import re
from functools import lru_cache, reduce
from operator import or_

from pipeline import rulefiles
from pipeline.rulefiles import short_version as rules_version  # noqa: F401 - one version for all rule files


@lru_cache(maxsize=None)
def load(name: str) -> dict:
    """The rule file `pipeline/rules/en/extract/{name}.yaml` (e.g. "numbers"), checked against its schema."""
    return rulefiles.load(f"{rulefiles.RULES_LANGUAGE}/extract/{name}.yaml")


def phrase(fragment: str) -> str:
    """A lexicon fragment as a regex: literal spaces match any run of whitespace."""
    return re.sub(r" +", r"\\s+", fragment)


def alternation(fragments: list[str]) -> str:
    """Fragments joined longest first, so the longest phrase wins at a position.

    Fragments are grouped by the letter they can start with ("a(?:ttack|mbush)|b(?:last|omb)"):
    the same language and the same preference order (fragments that cannot start with the same
    letter never compete at a position), but the regex engine tries one group per position
    instead of every fragment.

    A fragment whose first letters cannot be told ("[\\w]+-year-old") stays where it is, as it
    is, between the groups of the fragments before it and of those after it: the same order at
    every position, and one such fragment no longer leaves the whole list ungrouped.
    """
    # Longest first; ties in a fixed order (a set's order changes from run to run).
    ordered = [phrase(f) for f in sorted(set(fragments), key=lambda f: (-len(f), f))]
    out: list[str] = []
    run: list[tuple[str, set[str]]] = []  # fragments since the last one of unknown first letters
    for f in ordered:
        firsts = None if top_level_bar(f) else _first_letters(f)
        if firsts:
            run.append((f, firsts))
            continue
        if run:
            out.append(_by_first_letter(run))
            run = []
        out.append(f)  # cannot tell which letters the fragment starts with
    if run:
        out.append(_by_first_letter(run))
    return "|".join(out)


def _by_first_letter(fragments: list[tuple[str, set[str]]]) -> str:
    """Fragments (in order, each with the letters it can start with) grouped by letter."""
    groups: dict[str, list[str]] = {}
    for f, firsts in fragments:
        for c in sorted(firsts):
            groups.setdefault(c, []).append(f)
    out = []
    for c, members in sorted(groups.items()):
        if len(members) == 1 and members[0][0].lower() == c and _first_letters(members[0]) == {c}:
            out.append(members[0])
        elif all(m[0] == members[0][0] and _plain_start(m) for m in members):
            out.append(f"{members[0][0]}(?:{'|'.join(m[1:] for m in members)})")
        else:  # a guard keeps the group to its letter, so the order among fragments is kept
            out.append(f"(?=[{c}{c.upper()}])(?:{'|'.join(members)})")
    return "|".join(out)


def _plain_start(fragment: str) -> bool:
    return fragment[:1].isalpha() and fragment[1:2] not in ("?", "*", "+", "{")


def _first_letters(fragment: str) -> set[str] | None:
    """The lower-case letters a match of the fragment can start with (None: unknown)."""
    if _plain_start(fragment):
        return {fragment[0].lower()}
    if not fragment.startswith("(?:"):
        return None
    depth, j = 0, 0
    while True:  # the end of the leading group
        c = fragment[j]
        if c == "\\":
            j += 2
            continue
        depth += {"(": 1, ")": -1}.get(c, 0)
        j += 1
        if depth == 0:
            break
    body, rest = fragment[3 : j - 1], fragment[j:]
    alts = _split_bar(body)
    out: set[str] = set()
    for a in alts:
        f = _first_letters(a) if a else None
        if f is None:
            return None
        out |= f
    if rest[:1] in ("?", "*"):
        after = _first_letters(rest[1:].lstrip("?"))
        if after is None:
            return None
        out |= after
    elif rest[:1] in ("+", "{"):
        return None
    return out


def _split_bar(body: str) -> list[str]:
    """Top-level alternatives of a group body."""
    parts, depth, cur, i = [], 0, "", 0
    while i < len(body):
        c = body[i]
        if c == "\\":
            cur += body[i : i + 2]
            i += 2
            continue
        depth += {"(": 1, ")": -1}.get(c, 0)
        if c == "|" and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    parts.append(cur)
    return parts


def top_level_bar(fragment: str) -> bool:
    """Whether a regex has alternatives at its top level ("a|b", not "(?:a|b)c")."""
    depth, i = 0, 0
    while i < len(fragment):
        c = fragment[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = fragment.index("]", i + 2) + 1
            continue
        depth += {"(": 1, ")": -1}.get(c, 0)
        if c == "|" and depth == 0:
            return True
        i += 1
    return False


def required_words(fragment: str) -> list[frozenset[str]]:
    """Sets of lower-case words such that every match of a lexicon fragment contains a word of
    each set: literal runs outside groups ("killed" in "killed,? (?:and|or) wounded") and groups
    of plain alternatives ("(?:suffered|sustained) ..."). Optional parts never count. Empty when
    the fragment has top-level alternatives or no literal part.

    Used to skip costly patterns on text that cannot match (see `gate_of`).
    """
    pieces: list[frozenset[str]] = []
    run, i, n = "", 0, len(fragment)

    def flush() -> None:
        nonlocal run
        if run:
            pieces.append(frozenset([run]))
        run = ""

    while i < n:
        c = fragment[i]
        if c.isalnum() or c in "'’-":
            run += c.lower()
            i += 1
        elif c in "?*{":
            run = run[:-1]  # the last character is optional
            flush()
            i = fragment.index("}", i) + 1 if c == "{" else i + 1
        elif c == "(":
            flush()
            depth, j = 1, i + 1
            while depth:
                depth += {"(": 1, ")": -1}.get(fragment[j], 0)
                j += 1 + (fragment[j] == "\\")
            body = fragment[i + 1 : j - 1]
            optional = j < n and fragment[j] in "?*{"
            body = body[2:] if body.startswith("?:") else body
            alts = body.split("|")
            if not optional and all(a and re.fullmatch(r"[\w'’-]+", a) for a in alts):
                pieces.append(frozenset(a.lower() for a in alts))
            i = j
        elif c == "|":
            return []  # top-level alternatives: no single requirement
        else:
            flush()
            i += 2 if c == "\\" else 1
            if c == "[":
                i = fragment.index("]", i) + 1
    flush()
    return pieces


def minimal_words(words: set[str] | frozenset[str]) -> frozenset[str]:
    """The same "contains one of" test with fewer words: a word containing another is redundant."""
    return frozenset(w for w in words if not any(v != w and v in w for v in words))


def gate_of(fragments: list[str]) -> frozenset[str] | None:
    """Words of which every match of any of the fragments contains one (None: no such words).

    Each fragment adds one of its required word sets, preferring one the words already chosen
    cover ("dead" for "found dead" when "dead" is in), else the one with the longest words.
    """
    needs = [required_words(f) for f in fragments]
    if any(not n for n in needs):
        return None
    chosen: set[str] = set()
    for pieces in sorted(needs, key=len):  # single-requirement fragments first
        if any(all(any(c in w for c in chosen) for w in p) for p in pieces):
            continue
        chosen |= max(pieces, key=lambda p: (min(len(w) for w in p), -len(p)))
    return minimal_words(chosen)


def folds(text: str, low: str) -> bool:
    """Whether a lower-cased pattern matched on `low` (text.lower()) finds what the pattern finds
    on `text` with IGNORECASE: not when lower-casing changes the length (offsets would shift), nor
    with "ı" or "ſ" (which IGNORECASE equates with "i" and "s")."""
    return len(low) == len(text) and "ı" not in text and "ſ" not in text


def search_folded(regex: re.Pattern, low_regex: re.Pattern | None, text: str) -> re.Match | None:
    """`regex.search(text)` (an IGNORECASE pattern) as a yes/no answer, through its lower-cased
    twin (`lowered`) on text.lower() where that gives the same answer (faster)."""
    if low_regex is not None:
        low = text.lower()
        if folds(text, low):
            return low_regex.search(low)
    return regex.search(text)


class LowerText:
    """An article and its lower-cased letters, for the shortcuts of the extract stage: testing
    whether a sentence holds one of a set of words, and matching lower-cased patterns (see
    `lowered`), both much cheaper than the same with IGNORECASE."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.low = text.lower()
        # Whether a lower-cased pattern matched on `low` finds what the pattern finds on `text`
        # with IGNORECASE: not when lower-casing changes the length (offsets would shift), nor
        # with "ı" or "ſ" (which IGNORECASE equates with "i" and "s").
        self.folded = folds(text, self.low)

        self._tokens: dict[tuple[int, int], list[str]] = {}

    def has_any(self, words: frozenset[str], start: int, end: int) -> bool:
        """Whether text[start:end] contains one of `words` (lower case) case-insensitively; True
        when that cannot be told from the lower-cased text."""
        return not self.folded or _words_regex(words).search(self.low, start, end) is not None

    def tokens(self, start: int, end: int) -> list[str]:
        """The tokens (`TOKEN`) of the lower-cased text[start:end], cut at its ends; kept, as the
        stages read the same sentences."""
        key = (start, end)
        found = self._tokens.get(key)
        if found is None:
            found = self._tokens[key] = TOKEN.findall(self.low, start, end)
        return found


# Runs of word characters, apostrophes and hyphens: the tokens `WordSets` reads.
TOKEN = re.compile(r"[\w'’-]+")


class WordSets:
    """`LowerText.has_any` for several word sets at once: `mask(words, start, end)` has bit k set
    when text[start:end] contains a word of `sets[k]`, the same answer as `has_any` gives.

    Why it is cheaper: a word made of token characters (`TOKEN`) lies inside one token of the
    span, so the span holds a word of a set exactly when one of its tokens does. Which sets each
    token holds a word of is worked out once per process (tokens repeat from sentence to
    sentence), so a sentence costs one dictionary look-up per token instead of a regex search per
    set. Sets with other characters are searched as `has_any` does.
    """

    _LIMIT = 200_000  # distinct tokens remembered; past that the memory starts afresh

    def __init__(self, sets: list[frozenset[str]]) -> None:
        self.sets = list(dict.fromkeys(sets))
        self.bit = {s: 1 << k for k, s in enumerate(self.sets)}
        self.all = (1 << len(self.sets)) - 1
        odd = [s for s in self.sets if not all(TOKEN.fullmatch(w) for w in s)]
        self._odd = [(self.bit[s], s) for s in odd]
        plain = [s for s in self.sets if s not in odd]
        self._bits = _TokenBits([(self.bit[s], _words_regex(s)) for s in plain], self._LIMIT)

    def bits(self, sets: tuple[frozenset[str], ...]) -> int:
        """The mask of these sets (each one of `sets`)."""
        out = 0
        for s in sets:
            out |= self.bit[s]
        return out

    def mask(self, words: LowerText, start: int, end: int) -> int:
        if not words.folded:
            return self.all  # has_any says True when it cannot tell
        out = reduce(or_, map(self._bits.__getitem__, words.tokens(start, end)), 0)
        for bit, s in self._odd:
            if words.has_any(s, start, end):
                out |= bit
        return out

    def mask_of(self, low: str) -> int:
        """The sets of which the string `low` contains a word (`w in low`, no case folding)."""
        out = reduce(or_, map(self._bits.__getitem__, TOKEN.findall(low)), 0)
        for bit, s in self._odd:
            if _words_regex(s).search(low) is not None:
                out |= bit
        return out


class JointSets:
    """Several `WordSets` asked about the same spans: `masks(words, start, end)` gives each one's
    `mask`, from one look-up per token.

    Why: the extract stage asks three of them (page furniture, event triggers, casualty rules)
    about every sentence. The bits a token holds in all of them are remembered side by side in one
    number (each set of groups shifted past the ones before it), so a sentence costs one pass over
    its tokens instead of three."""

    def __init__(self, groups: list[WordSets]) -> None:
        self.groups = groups
        self.shifts: list[int] = []
        shift = 0
        for g in groups:
            self.shifts.append(shift)
            shift += len(g.sets)
        self._bits = _JointBits(list(zip(groups, self.shifts)), WordSets._LIMIT)
        # Each group's place in the joint number; None when a group has sets searched apart (`_odd`).
        self._plan = None if any(g._odd for g in groups) else [(shift, g.all) for g, shift in zip(groups, self.shifts)]

    def masks(self, words: LowerText, start: int, end: int) -> list[int]:
        if not words.folded:
            return [g.all for g in self.groups]  # as `WordSets.mask`
        if self._plan is not None:
            # Every sentence is asked about once: its tokens are not kept (`LowerText.tokens`).
            joint = reduce(or_, map(self._bits.__getitem__, TOKEN.findall(words.low, start, end)), 0)
            return [(joint >> shift) & bits for shift, bits in self._plan]
        joint = reduce(or_, map(self._bits.__getitem__, words.tokens(start, end)), 0)
        out = []
        for g, shift in zip(self.groups, self.shifts):
            m = (joint >> shift) & g.all
            for bit, s in g._odd:
                if words.has_any(s, start, end):
                    m |= bit
            out.append(m)
        return out


class _JointBits(dict):
    """token -> its bits in each of several `WordSets`, shifted side by side (see `JointSets`)."""

    def __init__(self, groups: list[tuple[WordSets, int]], limit: int) -> None:
        super().__init__()
        self.groups = groups
        self.limit = limit

    def __missing__(self, token: str) -> int:
        if len(self) >= self.limit:
            self.clear()
        bits = 0
        for g, shift in self.groups:
            bits |= g._bits[token] << shift
        self[token] = bits
        return bits


class _TokenBits(dict):
    """token -> the bits of the sets it holds a word of, filled in as tokens come."""

    def __init__(self, tests: list[tuple[int, re.Pattern]], limit: int) -> None:
        super().__init__()
        self.tests = tests
        self.limit = limit

    def __missing__(self, token: str) -> int:
        if len(self) >= self.limit:
            self.clear()
        bits = 0
        for bit, rx in self.tests:
            if rx.search(token) is not None:
                bits |= bit
        self[token] = bits
        return bits


@lru_cache(maxsize=None)
def _words_regex(words: frozenset[str]) -> re.Pattern:
    """One pattern finding the words (lower case), grouped by first letter, shortest first."""
    groups: dict[str, list[str]] = {}
    for w in sorted(words, key=lambda w: (len(w), w)):
        groups.setdefault(w[0], []).append(re.escape(w[1:]))
    return re.compile("|".join(f"{re.escape(c)}(?:{'|'.join(rest)})" for c, rest in sorted(groups.items())))


def lowered(pattern: str, flags: int = 0) -> re.Pattern | None:
    """`pattern` with its letters lower-cased, compiled without IGNORECASE, for use on
    `LowerText.low` when `folded` (the engine then skips alternatives by their first letter,
    which makes it much faster). Group names and escapes (\\W, \\b...: lower-casing keeps every
    character in its class) are kept; None for character codes (\\x41) and inline flags
    ("(?-i:"), whose meaning lower-casing would change.
    """
    if re.search(r"\\(?:[xuUN]|0|[1-7][0-7]{2})|\(\?[a-zA-Z-]+[:)]", pattern):
        return None
    pieces = _LOWER_TOKENS.findall(pattern)
    return re.compile("".join(p if len(p) > 1 else p.lower() for p in pieces), flags)


# Named groups and references, escapes, then single characters.
_LOWER_TOKENS = re.compile(r"\(\?P<[^>]*>|\(\?P=[^)]*\)|\\.|.", re.DOTALL)
