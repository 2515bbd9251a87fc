"""The programming coverage (issue 15 item 6): given people's needs and the offer in a window, then by theme
the people in need, those waiting, the places offered and free, and the gap, gaps first; and its CSV file."""

import csv
import io

from projections.coverage.compute import Need, Offer, coverage, gaps
from projections.coverage.export import BOM, HEADERS, render_csv
from projections.coverage.themes import NeedSource, OfferSource, Theme


def a_need(subject_id="person-1", source=NeedSource.PRIORITY_AXIS, values=("alcohol_drugs",), waiting=False):
    return Need(subject_id, source, tuple(values), waiting)


def a_group(item_id="group-1", labels=("addictions",), seats=10, taken=0):
    return Offer(item_id, OfferSource.GROUP, tuple(labels), seats, taken)


def a_session(item_id="action-1/s-1", action_type="job_search_workshop", seats=8, taken=0):
    return Offer(item_id, OfferSource.ACTION_SESSION, (action_type,), seats, taken)


def by_theme(rows):
    return {row.theme: row for row in rows}


def test_a_person_counts_once_per_theme_however_many_of_their_needs_land_there():
    rows = by_theme(
        coverage(
            [
                a_need(values=("attitudes", "peers", "criminal_history")),
                a_need(source=NeedSource.PROGRAMME_WAITING, values=("passage à l'acte",), waiting=True),
                a_need("person-2", values=("attitudes",)),
            ],
            [],
        )
    )
    offending = rows[Theme.OFFENDING]
    assert (offending.people_in_need, offending.people_waiting) == (2, 1)
    assert (offending.places_offered, offending.gap) == (0, 2)


def test_places_offered_and_free_sum_the_seats_of_the_offer_in_the_window():
    rows = by_theme(
        coverage(
            [a_need(f"person-{n}") for n in range(1, 4)],
            [a_group(seats=2, taken=1), a_session("a/s", "addictions", seats=5, taken=7)],
        )
    )
    addictions = rows[Theme.ADDICTIONS]
    # An overbooked session has no free place, never a negative number of them.
    assert (addictions.places_offered, addictions.places_free, addictions.gap) == (7, 1, -4)


def test_gaps_come_first_the_largest_first_then_every_other_theme_in_its_order():
    needs = [a_need(f"p{n}", values=("housing",)) for n in range(3)] + [
        a_need(f"q{n}", NeedSource.READINESS, ("support_needed",)) for n in range(5)
    ]
    rows = coverage(needs, [a_session(seats=4)])  # 5 in need of job search, 4 places
    assert [(row.theme, row.gap) for row in rows[:2]] == [(Theme.HOUSING, 3), (Theme.JOB_SEARCH, 1)]
    assert [row.theme for row in rows[2:]] == [t for t in Theme if t not in (Theme.HOUSING, Theme.JOB_SEARCH)]
    assert gaps(reversed(rows)) == [Theme.HOUSING, Theme.JOB_SEARCH]


def test_an_offer_without_need_is_a_negative_gap_and_no_need_is_not_a_gap():
    rows = by_theme(
        coverage([a_need(source=NeedSource.READINESS, values=("no_right_to_work",))], [a_group()])
    )
    assert rows[Theme.ADDICTIONS].gap == -10
    assert all(row.people_in_need == 0 for row in rows.values())
    assert gaps(rows.values()) == []


def test_a_group_whose_labels_name_two_themes_offers_its_places_under_both():
    rows = by_theme(coverage([], [a_group(labels=("entretien motivationnel", "accès aux droits"), seats=12)]))
    assert rows[Theme.OFFENDING].places_offered == rows[Theme.SOCIAL_RIGHTS].places_offered == 12


def test_the_csv_is_french_semicolon_separated_and_starts_with_a_byte_order_mark():
    rows = coverage([a_need(values=("housing",))], [a_session(seats=3, taken=1)])
    text = render_csv(rows)
    assert text.startswith(BOM) and "\r\n" in text
    parsed = list(csv.reader(io.StringIO(text.encode("utf-8").decode("utf-8-sig")), delimiter=";"))
    assert parsed[0] == list(HEADERS) and parsed[0][0] == "Thème"
    assert len(parsed) == 1 + len(Theme)
    assert parsed[1] == ["Logement", "housing", "1", "0", "0", "0", "1"]
    job_search = next(line for line in parsed if line[1] == "job_search")
    assert job_search == [
        "Projet professionnel et recherche d'emploi",
        "job_search",
        "0",
        "0",
        "3",
        "2",
        "-3",
    ]
