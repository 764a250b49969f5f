"""Temporal normalisation: find the temporal expressions of an article and resolve them against its reference date.

Recognition is rule-driven (patterns in `pipeline/rules/en/temporal/*.yaml`, words in `lexicon.yaml`); resolution is a
separate pass in text order, so anaphoric expressions ("two days later") see the dates mentioned before them and a date
without a year takes it from the time the text is talking about (`narrative`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from pipeline.records import Mention, as_date
from pipeline.temporal.narrative import move_focus
from pipeline.temporal.resolvers import RESOLVERS, Context, Resolved
from pipeline.temporal.rules import _BEFORE_CHAR, FIRST_LENGTH, Rule, first_strings, rules, rules_version

__all__ = ["normalise", "RULES_VERSION"]

RULES_VERSION: str = rules_version()


# A match extends at most this far before its first trigger word and after its last one.
_LEFT, _RIGHT = 48, 64


def _lower(text: str) -> str:
    """Lowercased text of the same length (a few characters lowercase to two; those are kept as they are)."""
    low = text.lower()
    if len(low) != len(text):
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return low


@cache
def _trigger_scan() -> tuple[re.Pattern[str], dict[str, tuple[int, ...]], tuple[int, ...], int]:
    """One scan for every rule's trigger words: (regex, hit -> trigger indices, digit triggers, number of triggers).

    The regex runs on the text with a blank in front and consumes the character before a word (group 1 is the word),
    any but a-z (a superset of the non-letters that is quick to test): starting with a character set lets the regex
    engine skip through words. Digit runs are found apart.

    A trigger word counts only where no letter precedes it, and a lexicon word ("mar", "week") only where no letter
    but a plural "s" follows it: every pattern starts after a non-word character and puts separators around the
    lexicon words it holds, so "market" and "decided" open no window for "mar(ch)" and "dec(ember)". Literal stems
    ("futur", "centur") are prefixes. Stems are tried longest first; the triggers a hit fires are those with a stem
    that could match where it matched (a prefix of it, followed in it by a non-letter if it is a lexicon word).
    """
    specs: list[tuple[frozenset[str], frozenset[str], bool]] = []
    for rule, k in _trigger_keys_by_rule():
        if k == len(specs):
            specs.append((rule.trigger_stems, rule.trigger_words, rule.trigger_digits))
    stems = set().union(*(s for s, _, _ in specs))
    words = set().union(*(w for _, w, _ in specs)) - stems
    digit_specs = tuple(i for i, (_, _, digits) in enumerate(specs) if digits)

    def word_fires(w: str, hit: str) -> bool:
        rest = hit[len(w):] if hit.startswith(w) else None
        if rest is None:
            return False
        if rest[:1] == "s":
            rest = rest[1:]
        return not rest[:1].isalpha()

    def fired(hit: str) -> tuple[int, ...]:
        return tuple(
            i for i, (ss, ws, digits) in enumerate(specs)
            if any(hit.startswith(t) for t in ss) or any(word_fires(w, hit) for w in ws)
            or (digits and any(c.isdigit() for c in hit))
        )

    hits = stems | words | {w + "s" for w in words}
    regex = re.compile(r"[^a-z](" + _trie(stems, words) + ")")
    return regex, {h: fired(h) for h in hits}, digit_specs, len(specs)


def _trie(stems: set[str], words: set[str]) -> str:
    """An alternation of `stems` (prefixes) and `words` (whole, or with a plural "s") that matches the longest one.

    Written as a trie (one branch per next character, longer continuations first) so the engine tests one character
    per level instead of every alternative in turn.
    """
    root: dict[str, dict] = {}
    for w in stems | words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {"word": w in words}

    def body(node: dict[str, dict]) -> str:
        alts = [re.escape(ch) + body(child) for ch, child in sorted(node.items()) if ch]
        if "" in node:
            alts.append(r"s?(?![^\W\d_])" if node[""]["word"] else "")
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return body(root)


def _windows(low: str) -> list[list[list[int]]]:
    """Per trigger, the stretches of text around its words (merged); rules scan only these, which is most of the speed.

    A stretch runs from _LEFT before a trigger word to _RIGHT after it, extended to the next blank; it comes as
    (start, end, start of its last trigger word): a match starts at or before one of its stretch's trigger words (see
    `_candidates`).
    """
    scan, fires, digit_specs, n_specs = _trigger_scan()
    raw: list[list[list[int]]] = [[] for _ in range(n_specs)]
    # (window start, window end) of each hit; a word's start in `low` is where its scan match starts in " " + low
    hits = [(m.start() - _LEFT, m.end() - 1 + _RIGHT, fires[m.group(1)]) for m in scan.finditer(" " + low)]
    if digit_specs:
        hits += [(m.start() - _LEFT, m.end() + _RIGHT, digit_specs) for m in _DIGITS.finditer(low)]
        hits.sort()  # no two hits start at one place (a word starts with a letter), so only starts are compared
    for lo, hi, fired in hits:
        for k in fired:
            spans = raw[k]
            if spans and lo <= spans[-1][1]:
                span = spans[-1]
                span[1], span[2] = hi, lo
            else:
                spans.append([lo, hi, lo])
    n = len(low)
    ends: dict[int, int] = {}  # the triggers a word fires share its window end
    for spans in raw:  # most triggers have no window: no list is built for them
        for span in spans:
            lo, hi, last = span
            end = ends.get(hi)
            if end is None:
                end = ends[hi] = _to_space(low, hi, n)
            span[:] = lo if lo > 0 else 0, end, last + _LEFT
    return raw


def _to_space(text: str, hi: int, n: int) -> int:
    """Extend a window end to the next blank: lookaheads treat the window end as the end of the text."""
    if hi >= n:
        return n
    if text[hi].isspace():  # what `\s` matches
        return hi
    m = _BLANK.search(text, hi)
    return m.start() if m else n


_BLANK = re.compile(r"\s")
_DIGITS = re.compile(r"\d\d*")  # not "\d+": a pattern that starts with a character set is searched faster


def _candidates(text: str, windowed: bool = True) -> list[tuple[int, int, int, dict[str, str | None]]]:
    """Every rule match as (start, end, rule index, groups); `windowed=False` scans the whole text (for tests).

    Rules run as `Rule.scan` on the text with a blank in front: a match there starts with the character before the
    expression, so its start is the expression's start in the text, and its end one past the expression's end.
    Rules that share a trigger (and case) are found by one pass of their `_Group.detect` over a window, then each is
    matched where the pass saw it; this gives what each rule's own scan of the window gives (see `_Group`).

    A match starts at or before a trigger word of its own (one it holds, or one its lookahead requires, as in "three
    days after"; a pattern never finds its trigger only behind its start), so the places a window's scan may start at
    end with its last trigger word, although a match may run to the window's end. `_Group.locate` finds the places
    up to there where a member's first characters can begin (what a scan's own first test passes); each is tried
    there with `detect` or the rule's `scan`, skipping those inside a member's previous match, as its `finditer` does.
    """
    out: list[tuple[int, int, int, dict[str, str | None]]] = []
    low = _lower(text)
    padded, padded_low = " " + text, " " + low
    full = [(0, len(text), len(text))]
    windows_by_trigger = _windows(low) if windowed else None
    all_rules = rules()
    for group in _groups():
        windows = full if windows_by_trigger is None else windows_by_trigger[group.trigger]
        if not windows:
            continue
        subject = padded if group.case_sensitive else padded_low
        locate = group.locate.finditer
        if group.detect is None:
            i = group.members[0][0]
            match = all_rules[i].scan.match  # type: ignore[union-attr]
            for lo, hi, last in windows:
                resume = 0  # a rule's matches never overlap one another
                for place in locate(subject, lo, min(last + _REACH, hi + 1)):
                    at = place.start()
                    if at >= resume:
                        m = match(subject, at, hi + 1)
                        if m is not None:
                            resume = m.end()
                            _add(out, m, i, padded)
            continue
        detect = group.detect.match
        members = group.members
        for lo, hi, last in windows:
            # where each rule's own scan of this window would resume: its matches never overlap one another
            resumes = [0] * len(members)
            for place in locate(subject, lo, min(last + _REACH, hi + 1)):
                at = place.start()
                d = detect(subject, at, hi + 1)
                if d is None:
                    continue
                spans = d.regs  # every group's span at once: cheaper than a call per member
                for k, (i, g) in enumerate(members):
                    if at >= resumes[k] and spans[g][0] != -1:
                        m = all_rules[i].scan.match(subject, at, hi + 1)  # type: ignore[union-attr]
                        if m is not None:
                            resumes[k] = m.end()
                            _add(out, m, i, padded)
    return out


# `_Group.locate` reads the character before an expression and at most FIRST_LENGTH of it (`Rule.first`); it runs up
# to here past a window's last trigger word, so it sees every place a match may start (at or before that word) whole
_REACH = FIRST_LENGTH + 3


def _add(out: list[tuple[int, int, int, dict[str, str | None]]], m: re.Match[str], i: int, padded: str) -> None:
    """Record rule `i`'s match `m` (on the padded text) unless it holds no more than the character before it."""
    start, end = m.span()
    if end - 1 > start:
        # group values come from the original text, so resolvers can check capitalisation (spans read all at once)
        spans = m.regs
        groups = {
            k: None if spans[g][0] == -1 else padded[spans[g][0] : spans[g][1]] for k, g in m.re.groupindex.items()
        }
        out.append((start, end - 1, i, groups))


@dataclass(frozen=True)
class _Group:
    """Rules with the same trigger and case, found in one pass over each of their windows.

    `detect` consumes the character before an expression (as every `Rule.scan` does) and then, for each member rule,
    tries that rule's scan in a lookahead holding one capture group; it matches where at least one member matches.
    The regex engine thus steps through a window once for the whole group instead of once per rule, which is most of
    the cost of a scan. A member's own named groups become plain groups here: its match is taken again with its own
    `scan`, anchored where `detect` saw it, which gives exactly the match its own `finditer` would have found there.
    `detect` is None for a group of one rule (or a rule whose pattern could not be folded in), scanned on its own.
    """

    trigger: int  # index into `_windows`
    case_sensitive: bool
    members: tuple[tuple[int, int], ...]  # (rule index, number of its group in `detect`)
    detect: re.Pattern[str] | None
    # where some member can start: the character before and the members' first characters (`_any_first`)
    locate: re.Pattern[str]


_NAMED_GROUP = re.compile(r"(?<!\\)\(\?P<\w+>")


@cache
def _groups() -> tuple[_Group, ...]:
    by_key: dict[tuple[int, bool], list[int]] = {}
    index = _trigger_keys()
    for i, rule in enumerate(rules()):
        by_key.setdefault((index[rule.trigger], rule.case_sensitive), []).append(i)
    out = []
    for (trigger, case), members in by_key.items():
        bodies = [_foldable(rules()[i]) for i in members]
        folded = [(i, b) for i, b in zip(members, bodies) if b is not None]
        for i, b in zip(members, bodies):
            if b is None or len(folded) < 2:
                locate = re.compile(_BEFORE_CHAR + _any_first([rules()[i]]))
                out.append(_Group(trigger, case, ((i, 0),), None, locate))
        if len(folded) >= 2:
            parts = [f"(?:(?=({b}))|)" for _, b in folded]
            # succeed only where some member matched: (?(1)|(?(2)|...(?!)))
            needs = "(?!)"
            for k in reversed(range(1, len(folded) + 1)):
                needs = f"(?({k})|{needs})"
            # run only where `locate` found a place, so the members' first test is not made twice
            detect = re.compile(_BEFORE_CHAR + "".join(parts) + needs)
            locate = re.compile(_BEFORE_CHAR + _any_first([rules()[i] for i, _ in folded]))
            out.append(_Group(trigger, case, tuple((i, k) for k, (i, _) in enumerate(folded, 1)), detect, locate))
    return tuple(out)


def _any_first(members: list[Rule]) -> str:
    """A lookahead that passes where some member's `Rule.first` test passes ("" if a member makes no such test).

    Most word starts in a window begin no member: one test of their first characters turns them away before the
    engine tries each member's lookahead in turn (`_Group.locate`). It is implied by the members' own tests, so it
    loses no match.
    """
    firsts = [rule.first for rule in members]
    if any(f is None for f in firsts):
        return ""
    union = "|".join(f"(?:{f})" for f in firsts)
    return f"(?={first_strings(union, FIRST_LENGTH) or union})"


def _foldable(rule: Rule) -> str | None:
    """The part of `rule.scan` after the consumed character, with its named groups made plain, or None if that
    cannot be done safely (a pattern that refers back to its groups)."""
    pattern = rule.scan.pattern  # type: ignore[union-attr]
    if not pattern.startswith(_BEFORE_CHAR) or "(?P=" in pattern or "(?(" in pattern:
        return None
    body = _NAMED_GROUP.sub("(?:", pattern[len(_BEFORE_CHAR):])
    try:
        if re.compile(body).groups:
            return None
    except re.error:
        return None
    return body


@cache
def _trigger_keys() -> dict[re.Pattern[str], int]:
    """Trigger regex -> its index in `_trigger_scan`'s numbering (first use in rule order)."""
    keys: dict[re.Pattern[str], int] = {}
    for rule in rules():
        keys.setdefault(rule.trigger, len(keys))
    return keys


def _trigger_keys_by_rule() -> list[tuple[Rule, int]]:
    keys = _trigger_keys()
    return [(rule, keys[rule.trigger]) for rule in rules()]


def _resolve(rule: Rule, groups: dict[str, str | None], ctx: Context) -> Resolved | None:
    return RESOLVERS[rule.resolve](groups, rule.params, ctx)


def _select(
    text: str, reference: date, directions: dict[tuple[int, int], str] | None = None
) -> list[tuple[int, int, Rule, dict[str, str | None]]]:
    """Longest match first (then higher priority, then earlier rule); matches that do not resolve are dropped.

    `directions` is `normalise`'s memo of tense directions by span (see `Context.directions`)."""
    all_rules = rules()
    cands = _candidates(text)
    cands.sort(key=lambda c: (-(c[1] - c[0]), -all_rules[c[2]].priority, c[2], c[0]))
    taken = bytearray(len(text) + 1)  # 1 where a chosen match lies: the overlap test costs the match's length
    chosen = []
    for start, end, idx, groups in cands:
        if taken.find(1, start, end) != -1:
            continue
        rule = all_rules[idx]
        # anaphoric rules are checked against a stand-in antecedent; the real one is known only in text order
        probe = Context(
            text, (start, end), reference, last_day=reference, last_start=reference, last_precision="day",
            last_quarter=(reference.year, 1), last_quarter_end=start, directions=directions,
        )
        if _resolve(rule, groups, probe) is None:
            continue
        taken[start:end] = b"\x01" * (end - start)
        chosen.append((start, end, rule, groups))
    chosen.sort(key=lambda c: c[0])
    return chosen


def normalise(text: str, reference: date | str) -> list[Mention]:
    """All temporal expressions of `text`, resolved against `reference` (a date, or an ISO string), sorted and
    non-overlapping."""
    reference = as_date(reference, "normalise: reference")
    out: list[Mention] = []
    directions: dict[tuple[int, int], str] = {}
    ctx = Context(text, (0, 0), reference, directions=directions)
    for start, end, rule, groups in _select(text, reference, directions):
        ctx.move_to(start, end)
        res = _resolve(rule, groups, ctx)
        if res is None:
            continue
        out.append(
            Mention(
                char_start=start,
                char_end=end,
                text=text[start:end],
                timex_type=res.type,
                value=res.value,
                mod=res.mod,
                date_start=res.start,
                date_end=res.end,
                precision=res.precision,
                anchor=res.anchor,
                rule_id=rule.id,
            )
        )
        if res.precision == "day" and res.start is not None:
            ctx.last_day, ctx.last_day_end = res.start, end
        if res.start is not None and res.type in {"DATE", "TIME"}:
            ctx.last_precision, ctx.last_start = res.precision, res.start
        if rule.resolve in {"quarter", "current_unit", "latest_quarter"} and res.start is not None:
            ctx.last_quarter = (res.start.year, (res.start.month - 1) // 3 + 1)
            ctx.last_quarter_end = end
        move_focus(ctx, res, text, start, end)
    return out
