"""The coverage as a CSV file for a spreadsheet: French headers, `;` between fields and a UTF-8 byte order
mark. French Excel splits a CSV on its list separator, `;` (the comma is the decimal mark in France), and
reads a file without a BOM in the Windows code page, which garbles "Thème" and "Écart": the BOM makes it
read UTF-8. LibreOffice and Python's `csv` (with `utf-8-sig`) read it the same."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from projections.coverage.compute import ThemeCoverage

BOM = "\ufeff"
HEADERS = (
    "Thème",
    "Code",
    "Personnes en besoin",
    "Personnes en liste d'attente",
    "Places offertes",
    "Places libres",
    "Écart (besoins - places)",
)


def render_csv(rows: Iterable[ThemeCoverage]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow(
            (
                row.label,
                row.theme.value,
                row.people_in_need,
                row.people_waiting,
                row.places_offered,
                row.places_free,
                row.gap,
            )
        )
    return BOM + out.getvalue()
