"""The extraction shortcuts (gates, count starts, grouped alternations, lower-cased matching,
furniture fast path, tests read backwards from a word) give exactly what the plain patterns give."""

from __future__ import annotations

import dataclasses
import re

import pytest

from pipeline.bench.corpus import articles
from pipeline.extract import casualties as ca
from pipeline.extract import events as ev
from pipeline.extract.numbers import COUNT_RE
from pipeline.extract.rules import JointSets, LowerText, WordSets, alternation, gate_of, load, lowered, phrase, required_words
from pipeline.sentences import RULES_FILE, is_furniture, split_sentences

# Our own sentences, dense in the phrasings the casualty rules read, plus near misses.
SENTENCES = [
    "At least 12 civilians were killed and 30 others wounded when a car bomb exploded on Tuesday.",
    "Two men and a woman were shot, one fatally, outside a bar on Main Street late Friday.",
    "The death toll from the blast rose to 45, bringing the total this year to 112.",
    "Police said a 23-year-old courier was hit in the foot and driven to hospital; nobody else was hurt.",
    "Gunmen opened fire on a wedding party, killing six people including two children.",
    "Lindqvist, 34, was shot in the ribs and later died at a local hospital.",
    "The attack claimed the lives of more than 40 soldiers, officials said.",
    "Between 5 and 7 people were injured in the stampede, and dozens were detained.",
    "A double shooting in the 2300 block left one man dead and another wounded.",
    "He shot his wife and her sister before turning the gun on himself.",
    "Nearly fifty protesters were arrested; some 300 were displaced by the fighting.",
    "No injuries were reported, but three officers were treated for smoke inhalation.",
    "The suspect fired 30 rounds from a .40-caliber pistol at 7:30 p.m., police said.",
    "Ann Hall and Maria Lopez were shot dead in their car on Route 66.",
    "Teen killed in crash",
    "Kılled in the blast were twenty-three villagers, and ſeveral were missing.",  # IGNORECASE look-alikes
    "İSTANBUL — At least eleven people were wounded in a shooting near the İstiklal avenue.",
    "The fatal stabbing of a student was the third homicide this month.",
    "Fighting between the army and rebels has displaced hundreds of thousands of people since 2019.",
    "A reward of $5,000 was offered after 2 men were hurt and a 15-year-old girl was grazed by a bullet.",
]


def _rule_examples() -> list[str]:
    out = []
    for name in ("casualties", "guards", "victims", "events", "numbers"):
        data = load(name)
        out += [ex["text"] for r in data.get("rules", []) for ex in r.get("examples", [])]
        out += [ex["text"] for ex in data.get("examples", [])]
    return out


def _corpus_sentences(n: int = 12) -> list[str]:
    return [r["text"][a:b] for r in articles(n) for a, b in split_sentences(r["text"])]


TEXTS = SENTENCES + _rule_examples()
ARTICLES = [r["text"] for r in articles(12)] + [" ".join(SENTENCES), "\n\n".join(SENTENCES)]


def _plain_rules(monkeypatch) -> None:
    """The casualty rules without gates or count starts: every pattern searched everywhere."""
    plain = [dataclasses.replace(r, gates=(), starts=None, low=None) for r in ca.RULES]
    monkeypatch.setattr(ca, "RULES", plain)
    monkeypatch.setattr(ca, "_ANY_GATE", None)


def test_figures_equal_those_of_the_plain_rules(monkeypatch):
    spans = [(t, a, b) for t in ARTICLES for a, b in split_sentences(t)] + [(t, 0, len(t)) for t in TEXTS]
    fast = [ca.find_figures(t, a, b, LowerText(t)) for t, a, b in spans]
    _plain_rules(monkeypatch)
    plain = [ca.find_figures(t, a, b) for t, a, b in spans]
    assert fast == plain
    assert sum(map(len, plain)) > 100  # the texts do exercise the rules


@pytest.mark.parametrize("rule", ca.RULES, ids=lambda r: r.id)
def test_every_match_contains_a_word_of_each_gate(rule):
    assert rule.gates, "a rule without a gate runs on every sentence"
    for text in TEXTS + _corpus_sentences():
        if not LowerText(text).folded:
            continue  # gates are not applied to text with look-alike letters ("ſ", "ı", "İ")
        for m in rule.regex.finditer(text):
            low = m.group().lower()
            for gate in rule.gates:
                assert any(w in low for w in gate), (rule.id, m.group(), sorted(gate))


def test_counts_begin_where_count_starts_says():
    count = re.compile(COUNT_RE, re.IGNORECASE)
    for text in TEXTS + _corpus_sentences(4):
        if not LowerText(text).folded:
            continue  # count starts are not used on text with look-alike letters
        starts = set(ca._count_starts(LowerText(text).low, 0, len(text)))
        for p in range(len(text)):
            if count.match(text, p):
                assert p in starts, (text, text[p:])


def test_actions_begin_where_action_starts_says():
    action = re.compile(r"\b" + ca._SLOTS["ACTION"], re.IGNORECASE)
    for text in TEXTS + _corpus_sentences(4):
        lower = LowerText(text)
        if not lower.folded:
            continue
        starts: dict[str, list[int]] = {}
        ca._find_starts("action", text, lower.low, 0, len(text), starts)
        expected = [p for p in range(len(text)) if action.match(text, p)]
        assert starts["action"] == expected, text


@pytest.mark.parametrize(
    "fragment, words",
    [
        ("killed", [{"killed"}]),
        ("killed,? (?:and|or) (?:wounded|injured)", [{"killed"}, {"and", "or"}, {"wounded", "injured"}]),
        ("(?:later |subsequently )?pronounced dead", [{"pronounced"}, {"dead"}]),
        ("hospitali[sz]ed", [{"hospitali"}, {"ed"}]),
        ("claim(?:ed|ing|s)? the lives of", [{"claim"}, {"the"}, {"lives"}, {"of"}]),
        ("deaths?", [{"death"}]),
        ("a|b", []),
        ("(?:\\w+ )?attack", [{"attack"}]),
    ],
)
def test_required_words(fragment, words):
    assert required_words(phrase(fragment)) == [frozenset(w) for w in words]


def test_gate_prefers_words_already_chosen():
    assert gate_of(["dead", "found dead", "shot"]) == {"dead", "shot"}
    assert gate_of(["killed", "a|b"]) is None


def _flat(fragments: list[str]) -> str:
    return "|".join(phrase(f) for f in sorted(set(fragments), key=lambda f: (-len(f), f)))


LEXICONS = {
    "triggers": [f for spec in load("events")["types"].values() for f in spec["triggers"]],
    **{k: [f for fs in load("casualties")["lexicon"][k].values() for f in fs] for k in ("outcome", "action", "noun")},
    "aux": load("casualties")["aux"],
    "victims": [w for g in load("victims")["groups"].values() for k in ("plural", "singular") for w in g.get(k, [])],
    "mixed": ["IED", "improvised", "(?:the|in the) deaths? of", "(?:the )?shooting of", "shot", "a", "ab", "b?c"],
}


@pytest.mark.parametrize("name", LEXICONS)
def test_grouped_alternation_matches_as_the_flat_one(name):
    fragments = LEXICONS[name]
    for flags in (re.IGNORECASE, 0):
        grouped = re.compile(rf"\b(?:{alternation(fragments)})\b", flags)
        flat = re.compile(rf"\b(?:{_flat(fragments)})\b", flags)
        for text in TEXTS + ARTICLES:
            assert [m.span() for m in grouped.finditer(text)] == [m.span() for m in flat.finditer(text)], text


def test_alternation_groups_by_first_letter():
    assert alternation(["attack", "ambush", "blast"]) == "a(?:mbush|ttack)|blast"
    assert alternation(["IED", "improvised"]).startswith("(?=[iI])")
    assert alternation(["\\w+ attack", "raid"]) == "\\w+\\s+attack|raid"  # unknown first letter: flat
    # unknown first letter in the middle: kept in its place, the others grouped around it
    assert alternation(["attack", "\\w+ raid", "ambush", "blast"]) == "\\w+\\s+raid|a(?:mbush|ttack)|blast"
    assert alternation(["assassination", "\\w+ raid", "ambush"]) == "assassination|\\w+\\s+raid|ambush"


@pytest.mark.parametrize(
    "patterns, tail",
    [
        (load("guards")["before"], "$"),
        (load("casualties")["cumulative_before"], ""),
        (load("casualties")["cumulative_cues"], ""),
        (["\\bkilled|shot", "\\bso\\s+", "[$#]\\s*", "\\b(?:toll|tally)\\b"], "$"),  # a top-level bar keeps its \\b
    ],
)
def test_any_of_answers_as_the_patterns_joined(patterns, tail):
    joined = re.compile("|".join(f"(?:{p}){tail}" for p in patterns), re.IGNORECASE)
    either = re.compile(ca._any_of(patterns, tail), re.IGNORECASE)
    for text in TEXTS + ARTICLES + ["was shot", "so ", "the toll", "paid $ ", "Xkilled", "overshot"]:
        for a in range(0, len(text), 3):
            for window in (text[a : a + 40], text[a : a + 300]):
                assert bool(joined.search(window)) == bool(either.search(window)), window


def test_lower_text_finds_words_as_substring_tests_do():
    gates = {ca._ANY_GATE, *(g for r in ca.RULES for g in r.gates)}
    for text in ARTICLES + TEXTS:
        lower = LowerText(text)
        spans = split_sentences(text) + [(0, len(text)), (1, max(1, len(text) - 3))]
        for a, b in spans:
            for gate in gates:
                expected = any(w in text[a:b].lower() for w in gate) or not lower.folded
                assert lower.has_any(gate, a, b) == expected, (text[a:b], sorted(gate))


def test_word_sets_find_words_as_has_any_does():
    gates = [*{g for r in ca.RULES for g in r.gates}, frozenset({"a b", "x.y"}), frozenset({"ied", "with"})]
    sets = WordSets(gates)
    for text in ARTICLES + TEXTS + ["Kılled a b\nx.y", "wi-th wi th, without"]:
        lower = LowerText(text)
        for a, b in split_sentences(text) + [(0, len(text)), (1, max(1, len(text) - 3))]:
            mask = sets.mask(lower, a, b)
            for gate in gates:
                assert bool(mask & sets.bits((gate,))) == lower.has_any(gate, a, b), (text[a:b], sorted(gate))
            low = text[a:b].lower()
            mask = sets.mask_of(low)
            for gate in gates:
                assert bool(mask & sets.bits((gate,))) == any(w in low for w in gate), (low, sorted(gate))


def test_joint_sets_give_each_word_sets_own_mask():
    from pipeline.extract import _GATES
    from pipeline.sentences import furniture_words

    extra = WordSets([frozenset({"a b", "x.y"}), frozenset({"ied", "with"})])
    joint = JointSets([furniture_words(), extra, ca.gate_words()])
    for text in ARTICLES + TEXTS + ["Kılled a b\nx.y", "wi-th wi th, without", "Posted: Monday. Share this story"]:
        lower = LowerText(text)
        for a, b in split_sentences(text) + [(0, len(text)), (1, max(1, len(text) - 3))]:
            assert joint.masks(lower, a, b) == [g.mask(lower, a, b) for g in joint.groups], text[a:b]
            assert _GATES.masks(lower, a, b) == [g.mask(lower, a, b) for g in _GATES.groups], text[a:b]
            assert is_furniture(text[a:b], _GATES.masks(lower, a, b)[0]) == is_furniture(text[a:b]), text[a:b]


def test_lowered_patterns():
    assert lowered(r"\bIED\s+(?:blast|Bomb)") is not None
    assert lowered(r"\bIED\s+(?:blast|Bomb)").search("an ied  bomb")
    assert lowered(r"(?P<Count>A[^\W\d]+)(?P=Count)").pattern == r"(?P<Count>a[^\W\d]+)(?P=Count)"
    for unsafe in (r"(?-i:X)", r"(?i)x", r"\x41", r"\101"):
        assert lowered(unsafe) is None


def test_triggers_on_lower_cased_text_equal_the_plain_search():
    for text in ARTICLES + TEXTS:
        index = LowerText(text)
        for a, b in split_sentences(text):
            assert ev.find_triggers(text, a, b, index) == ev.find_triggers(text, a, b)


def test_furniture_fast_path_equals_searching_every_pattern():
    import yaml

    furniture = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))["furniture"]
    patterns = [re.compile(p, re.IGNORECASE | re.MULTILINE) for p in furniture]
    lines = [
        "Posted: Monday, 3 May 2021", "Story text\nUpdated: 5:04 PM", "Copyright 2020 The Daily", "© 2020 Media",
        "All rights reserved.", "Share this story on Facebook", "By John Smith, Staff Writer", "Photo: AP",
        "(Jane Doe / The Times)", "This material may not be published, broadcast or redistributed.",
        "He posted: nothing", "The rally was posted online.", "Related coverage", "by the river",
    ]
    for text in lines + TEXTS + ARTICLES:
        for s in [text] + [text[a:b] for a, b in split_sentences(text)]:
            assert is_furniture(s) == any(p.search(s) for p in patterns), s


def test_capitalised_runs_as_with_the_look_behind_first():
    from pipeline.extract import places as pl

    before = re.compile(
        r"(?<![\w.])(?:[A-Z][\w'’.-]*(?:\s+(?:(?:of|de|la|el|al|al-|ul|e|upon|on)\s+)?[A-Z][\w'’-]*){0,3})"
    )
    for text in ARTICLES + TEXTS + ["A.B. Smith of New York", "x.Paris and Port of Spain", "São Tomé e Príncipe"]:
        for a in range(0, len(text), 37):
            assert [m.span() for m in pl._RUN.finditer(text, a)] == [m.span() for m in before.finditer(text, a)]


def test_article_places_equal_places_found_sentence_by_sentence():
    from pipeline.extract import places as pl

    for text in ARTICLES + TEXTS + ["Troops left Kabul.Herat was calm.", "In Port of Spain, Trinidad.\nPort of Spain"]:
        article = pl.ArticlePlaces(text)
        assert article.all() == pl.find_places(text)
        spans = split_sentences(text) + [(0, len(text)), (3, len(text) - 2), (5, 9)]
        for a, b in spans:
            assert article.sentence(a, b) == pl.find_places(text, a, b), text[a:b]


# Invented text before an event word: actors, their near misses, and the locative cues and titles places read.
BEFORE = [
    "Rebel fighters, who crossed the river at night, have reportedly ", "Police ", "police on Sunday ", "The ",
    "the Northern Alliance forces then ", "xforces ", "McAllister ", "said the troops had ", "breathe Police ",
    "Colonel Varga's ", "the village of ", "in the town of ", "Towards ", "towardss ", "fired from\n", "INTO THE ",
    "spokesman ", "Spokesman ", "told deputy sheriff ", "chief\n", "he said ", ", ", "\n", "St. Olaf ", "O'Brien ’s ",
]


def _windows(width: int) -> list[str]:
    out = [b[-width:] for b in BEFORE] + [(a + b)[-width:] for a in BEFORE for b in BEFORE]
    for text in ARTICLES + TEXTS:
        out += [text[max(0, k - width) : k] for k in range(0, len(text), 5)]
    return out


def test_actor_tail_turns_away_only_texts_the_actor_search_cannot_match():
    plain = re.compile(ev._ACTOR_BEFORE.pattern.replace(f"(?=the\\s|[A-Z]|{ev._GROUP_NOUNS_GROUPED})", "", 1)
                       .replace(ev._GROUP_NOUNS_GROUPED, ev._GROUP_NOUNS))
    assert plain.pattern != ev._ACTOR_BEFORE.pattern
    for before in _windows(80):
        m = plain.search(before)
        assert (m and (m.span(), m.groups())) == (lambda f: f and (f.span(), f.groups()))(ev._ACTOR_BEFORE.search(before))
        if m:
            assert ev._ACTOR_BEFORE_END.match(before[::-1]), before


@pytest.mark.parametrize("forward, backward", [("_CUE_BEFORE", "_CUE_BEFORE_REVERSED"), ("_TITLE_BEFORE", "_TITLE_BEFORE_REVERSED")])
def test_tests_before_a_place_name_read_backwards_as_forwards(forward, backward):
    from pipeline.extract import places as pl

    for before in _windows(30):
        assert bool(getattr(pl, forward).search(before)) == bool(getattr(pl, backward).match(before[::-1])), before
