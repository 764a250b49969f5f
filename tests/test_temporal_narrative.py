"""Narrative time: year-less dates take their year from the time the text is talking about (DESIGN.md, "Normalising
dates"). The articles are invented; each table row is (span, occurrence, TIMEX3 value, anchor)."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.temporal import normalise


def found(text: str, ref: date, span: str, occurrence: int = 0):
    ms = [m for m in normalise(text, ref) if m.text == span]
    assert len(ms) > occurrence, f"{span!r} #{occurrence} not in {[(m.text, m.value) for m in normalise(text, ref)]}"
    return ms[occurrence]


def check(text: str, ref: date, rows: list[tuple]) -> None:
    got = [(span, occ, (m := found(text, ref, span, occ)).value, m.anchor) for span, occ, _, _ in rows]
    assert got == rows


# A history of an invented war, published decades later: every year-less date belongs to the years it tells.
HISTORY = """The Kestrian War was fought between Valdoria and the Kestrian Union from 1939 to 1945.

Background
Tensions rose through the 1930s. In March 1938 Valdorian troops crossed the Ober river, and in September the two \
governments signed a truce at Lenz. The truce collapsed the following year.

Invasion
The invasion began on 1 September 1939, when three Valdorian armies crossed the border. On September 17, a second \
front opened in the east. By the end of the month the capital had fallen. In October, the Kestrian government fled \
to Marrow.

The winter was quiet. In April, Valdorian forces attacked the northern ports, and on May 10 they turned west. The \
campaign ended in late June.

In 1941 the war spread south. On June 22 the army crossed the Sava; in December, the offensive stalled before the \
capital. The next year brought new offensives: in early July the southern front collapsed.

The tide turned in February 1943. Later that year the Kestrian army reached the Ober. On 6 June 1944, allied troops \
landed at Port Vell, and in August they entered the capital. The war ended on May 8, 1945. That same month, the \
last garrisons surrendered.

Legacy
Today the battlefield at Lenz is a national park. Tourists visit it in August.
"""

HISTORY_ROWS = [
    ("March 1938", 0, "1938-03", "absolute"),
    ("September", 0, "1938-09", "previous_mention"),
    ("the following year", 0, "1939", "previous_mention"),
    ("1 September 1939", 0, "1939-09-01", "absolute"),
    ("September 17", 0, "1939-09-17", "previous_mention"),
    ("the end of the month", 0, "1939-09", "previous_mention"),
    ("October", 0, "1939-10", "previous_mention"),
    ("The winter", 0, "1939-WI", "previous_mention"),
    ("April", 0, "1940-04", "previous_mention"),  # after the autumn of 1939: the next April
    ("May 10", 0, "1940-05-10", "previous_mention"),
    ("late June", 0, "1940-06", "previous_mention"),
    ("June 22", 0, "1941-06-22", "previous_mention"),
    ("December", 0, "1941-12", "previous_mention"),
    ("The next year", 0, "1942", "previous_mention"),
    ("early July", 0, "1942-07", "previous_mention"),
    ("Later that year", 0, "1943", "previous_mention"),
    ("August", 0, "1944-08", "previous_mention"),
    ("That same month", 0, "1945-05", "previous_mention"),
    ("Today", 0, "2009-06-15", "reference"),
    ("August", 1, "2008-08", "reference"),  # back in the present tense after "Today"
]


def test_history_follows_the_years_it_tells() -> None:
    check(HISTORY, date(2009, 6, 15), HISTORY_ROWS)


def test_without_narrative_time_the_history_would_be_dated_by_its_publication() -> None:
    """The same year-less sentences alone are read against the reference date."""
    text = "In April, forces attacked the northern ports, and on May 10 they turned west."
    check(text, date(2009, 6, 15), [("April", 0, "2009-04", "reference"), ("May 10", 0, "2009-05-10", "reference")])


# A news story: the lead and the last paragraph are about the reporting time, one paragraph is background.
BACKGROUND = """ALDERTON, Oct. 27 (Agency) - Rebels shelled the northern town of Kessa on Monday, killing four \
civilians, officials said.

The army retook Kessa in 2014 after a two-year siege. In April, rebels shelled it again, and in June they briefly \
entered the market district.

Since 2016 the town has been quiet. In March, the government reopened its school.

On Sunday, a convoy of aid trucks reached the town. The governor said on October 20 that repairs would begin in \
December.
"""

BACKGROUND_ROWS = [
    ("Oct. 27", 0, "2020-10-27", "reference"),
    ("Monday", 0, "2020-10-26", "reference"),
    ("April", 0, "2014-04", "previous_mention"),
    ("June", 0, "2014-06", "previous_mention"),
    ("March", 0, "2020-03", "reference"),  # "since 2016" speaks of the present
    ("Sunday", 0, "2020-10-25", "reference"),
    ("October 20", 0, "2020-10-20", "reference"),
    ("December", 0, "2020-12", "reference"),  # future tense
]


def test_background_paragraph_in_a_news_story() -> None:
    check(BACKGROUND, date(2020, 10, 27), BACKGROUND_ROWS)


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        # a lead about this week, then a weekday: the reporting time, whatever year came before
        ("Fighting went on this week near Selva, where troops have tried to break a blockade since 2019.\n\n"
         "On Monday, rebels shelled the harbour.\n\nIn 2018, a blockade lasted four months.\n\n"
         "On Thursday the navy said it would send ships.",
         [("this week", 0, "2020-W44", "reference"), ("Monday", 0, "2020-10-26", "reference"),
          ("Thursday", 0, "2020-10-22", "reference")]),
        # "yesterday" returns to the reporting time; a later year starts a new background
        ("In 2017, floods destroyed the bridge at Orvin. In May, engineers began rebuilding it, and the work was done "
         "by the end of the year.\n\nYesterday, the new bridge opened. The minister visited the site in September.\n\n"
         "In 2019 the river flooded again.\nIn August, the dam was closed.",
         [("May", 0, "2017-05", "previous_mention"), ("the end of the year", 0, "2017", "previous_mention"),
          ("Yesterday", 0, "2020-10-26", "reference"), ("September", 0, "2020-09", "reference"),
          ("August", 0, "2019-08", "previous_mention")]),
        # a new paragraph carries the background only for an expression that opens it
        ("Police said on Monday that two officers were hurt.\n\nThe port was closed in 2015.\n\n"
         "In July, the harbour master resigned.",
         [("July", 0, "2015-07", "previous_mention")]),
        ("Police said on Monday that two officers were hurt.\n\nThe port was closed in 2015.\n\n"
         "The harbour master resigned in July, his office said.",
         [("July", 0, "2020-07", "reference")]),
        # a clause in the future tense is about the reporting time's future
        ("The dam burst in 2016. Engineers will inspect it in March.", [("March", 0, "2021-03", "reference")]),
        # "the next year" and "the end of the month" without a time in focus keep their news meaning
        ("The plant will reopen by the end of the month.", [("the end of the month", 0, "2020-10", "reference")]),
    ],
)
def test_news_returns_to_the_reporting_time(text: str, rows: list[tuple]) -> None:
    check(text, date(2020, 10, 27), rows)


@pytest.mark.parametrize(
    ("text", "span", "value", "anchor"),
    [
        # years that frame what follows
        ("In 2014 the army retook the city. In April, rebels shelled it again.", "April", "2014-04", "previous_mention"),
        ("The army retook the city in 2014; on June 10 rebels shelled it.", "June 10", "2014-06-10", "previous_mention"),
        ("The siege began in October 2013. In February, the city fell.", "February", "2014-02", "previous_mention"),
        ("The siege began on Oct. 3, 2013. On Sept. 20 the first shells had fallen.", "Sept. 20", "2013-09-20",
         "previous_mention"),  # a look back of a few weeks stays in that year
        ("Talks failed in 2011. In the summer, both sides rearmed.", "the summer", "2011-SU", "previous_mention"),
        ("Talks failed in 2011. Early in the year, both sides rearmed.", "the year", "2011", "previous_mention"),
        ("Talks failed in 2011. Two years later the war resumed.", "Two years later", "2013", "previous_mention"),
        ("Talks failed in 2011. The following spring the war resumed.", "following spring", "2012-SP",
         "previous_mention"),
        ("Talks failed in May 2011. The same month, both sides rearmed.", "The same month", "2011-05",
         "previous_mention"),
        # years that do not: a modifier, a period reaching the present, an aside, the start of a range
        ("The 2014 election was violent. In April, rebels shelled the city.", "April", "2020-04", "reference"),
        ("Rebels have held the city since 2011. In April, they shelled the airport.", "April", "2020-04", "reference"),
        ("The mayor, elected in 2014, fled. In April, rebels shelled the city.", "April", "2020-04", "reference"),
        ("Under a plan approved by the council in 2012, the city had sold 40 buses through Sept. 29.", "Sept. 29",
         "2020-09-29", "reference"),
        ("The war lasted from 2011 to 2016. In March, the last troops left.", "March", "2016-03", "previous_mention"),
    ],
)
def test_which_years_set_the_narrative_time(text: str, span: str, value: str, anchor: str) -> None:
    m = found(text, date(2020, 10, 27), span)
    assert (m.value, m.anchor) == (value, anchor)


@pytest.mark.parametrize(
    "text",
    [
        "The assault began on October 7.",
        # a page header's date is the reporting time itself, not a time in focus
        "Jul 9, 2024, 10:05 AM\n\nThe assault began on October 7.",
        "Posted on July 9, 2024.\nThe assault began on October 7.",
    ],
)
def test_month_day_without_year_keeps_the_one_week_rule(text: str) -> None:
    """With nothing in focus, a past month-day more than a week after the reference date is last year's."""
    m = found(text, date(2024, 7, 9), "October 7")
    assert (m.value, m.anchor) == ("2023-10-07", "reference")
