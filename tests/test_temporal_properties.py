"""Property tests: whatever the text, mentions are exact, sorted, non-overlapping, typed and deterministic."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.temporal import _candidates, normalise

PIECES = [
    "on Monday", "late September", "Oct. 17", "17 October 2020", "last week", "three days ago", "the next day",
    "two-year", "15-year-old", "$27", "may", "March", "the Sun", "1,990", "1990s", "at 7 p.m. Tuesday", "now",
    "every Friday", "the third quarter", "a year earlier", "will", "said", ". ", ", ", " ", "\n", "İ", "ß", "–",
]

texts = st.lists(st.sampled_from(PIECES), max_size=25).map("".join)
refs = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))


@settings(max_examples=150, deadline=None)
@given(texts, refs)
def test_mentions_are_well_formed(text: str, ref: date) -> None:
    ms = normalise(text, ref)
    assert ms == normalise(text, ref)
    for a, b in zip(ms, ms[1:]):
        assert a.char_end <= b.char_start
    for m in ms:
        assert text[m.char_start : m.char_end] == m.text and m.text.strip() == m.text
        assert m.timex_type in {"DATE", "TIME", "DURATION", "SET"}
        assert m.anchor in {"absolute", "reference", "previous_mention", "unresolved"}
        if m.date_start is not None:
            assert m.date_end is not None and m.date_start <= m.date_end
        if m.timex_type in {"DURATION", "SET"}:
            assert m.date_start is None
    # scanning only around trigger words finds exactly what a full scan finds
    strip = lambda cands: sorted((s, e, i) for s, e, i, _ in cands)  # noqa: E731
    assert strip(_candidates(text)) == strip(_candidates(text, windowed=False))
