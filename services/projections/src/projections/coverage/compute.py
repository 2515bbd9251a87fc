"""Needs against offer, by theme (issue 15 item 6): pure, so that the rule is read and tested in one place.

* **People in need** of a theme: the people followed now in the establishment with a need counted under it
  (`themes.need_themes`), each once however many of their needs land there.
* **People waiting**: those of them on a waiting list the theme covers (a programme group's, the work list).
* **Places offered** in the window: the seats of the programme groups with a session in it, of each partner
  action session in it, and one per vocational training running in it; **places free**: those not taken.
* **Gap** = people in need − places offered: above 0, the theme lacks places for the people who need it.

A group or action whose labels name two themes offers its places under both: a theme's row is true on its
own, and rows are not to be summed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from projections.coverage.themes import LABELS, NeedSource, OfferSource, Theme, need_themes, offer_themes


@dataclass(frozen=True)
class Need:
    """One need of one person as the view holds it: its source and the values the source carries."""

    subject_id: str
    source: NeedSource
    values: tuple[str, ...] = ()
    waiting: bool = False  # a place on a waiting list


@dataclass(frozen=True)
class Offer:
    """A programme group, a partner action's session or a training, in the window."""

    item_id: str
    source: OfferSource
    values: tuple[str, ...]
    seats: int
    taken: int


@dataclass(frozen=True)
class ThemeCoverage:
    theme: Theme
    people_in_need: int
    people_waiting: int
    places_offered: int
    places_free: int

    @property
    def label(self) -> str:
        return LABELS[self.theme]

    @property
    def gap(self) -> int:
        return self.people_in_need - self.places_offered


def coverage(needs: Iterable[Need], offer: Iterable[Offer]) -> list[ThemeCoverage]:
    """Every theme, those lacking places first (the largest gap first), then the others in theme order."""
    in_need: dict[Theme, set[str]] = {theme: set() for theme in Theme}
    waiting: dict[Theme, set[str]] = {theme: set() for theme in Theme}
    for need in needs:
        for theme in need_themes(need.source, need.values):
            in_need[theme].add(need.subject_id)
            if need.waiting:
                waiting[theme].add(need.subject_id)
    offered = dict.fromkeys(Theme, 0)
    free = dict.fromkeys(Theme, 0)
    for item in offer:
        for theme in offer_themes(item.source, item.values):
            offered[theme] += item.seats
            free[theme] += max(item.seats - item.taken, 0)
    rows = [
        ThemeCoverage(theme, len(in_need[theme]), len(waiting[theme]), offered[theme], free[theme])
        for theme in Theme
    ]
    return sorted(rows, key=_gaps_first)


def gaps(rows: Iterable[ThemeCoverage]) -> list[Theme]:
    """The themes lacking places, the largest gap first."""
    return [row.theme for row in sorted(rows, key=_gaps_first) if row.gap > 0]


_ORDER = {theme: n for n, theme in enumerate(Theme)}


def _gaps_first(row: ThemeCoverage) -> tuple[bool, int, int]:
    return row.gap <= 0, -max(row.gap, 0), _ORDER[row.theme]
