"""The benchmark's result: one row per figure, printed as a table and written as JSON under var/bench/."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class Row:
    measure: str
    value: float | None  # None: the phase failed, `note` says why
    unit: str
    reference: str = ""  # e.g. "pg raw 5000 tx/s"
    ratio: float | None = None
    target: str = ""  # human text, e.g. ">= 70 %"
    met: bool | None = None  # None: no target, or no value
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.value is None:
            return "ERROR"
        return {True: "ok", False: "MISS", None: ""}[self.met]


def ratio_row(
    measure: str,
    value: float,
    unit: str,
    reference_name: str,
    reference: float | None,
    at_least: float | None,
) -> Row:
    """A throughput compared with a physical reference; the target, if any, is a minimum ratio."""
    ratio = value / reference if reference else None
    reference_text = f"{reference_name} {_number(reference)}" if reference else "n/a"
    if at_least is None:
        return Row(measure, value, unit, reference_text, ratio)
    return Row(
        measure,
        value,
        unit,
        reference_text,
        ratio,
        f">= {at_least:.0%}",
        None if ratio is None else ratio >= at_least,
    )


def at_most_row(measure: str, value: float, unit: str, limit: float) -> Row:
    return Row(measure, value, unit, target=f"<= {_number(limit)} {unit}", met=value <= limit)


def failed_row(measure: str, unit: str, error: BaseException) -> Row:
    return Row(measure, None, unit, note=f"{type(error).__name__}: {error}"[:200])


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.1f}"


def render(rows: list[Row]) -> str:
    header = ("measure", "value", "unit", "reference", "ratio", "target", "met?")
    cells = [header] + [
        (
            r.measure,
            "-" if r.value is None else _number(r.value),
            r.unit,
            r.reference,
            "" if r.ratio is None else f"{r.ratio:.0%}",
            r.target,
            r.verdict,
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    right_aligned = {1, 4}
    lines = [
        " | ".join(
            c.rjust(w) if i in right_aligned else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in cells
    ]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    notes = [f"  ! {r.measure}: {r.note}" for r in rows if r.note]
    return "\n".join(lines + notes)


def write_json(directory: Path, stamp: str, document: dict) -> Path:
    """var/bench/<stamp>.json, and the same as latest.json for tools that want the last run."""
    directory.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, indent=2, default=str)
    path = directory / f"{stamp}.json"
    path.write_text(text)
    (directory / "latest.json").write_text(text)
    return path


def as_json(rows: list[Row]) -> list[dict]:
    return [{**asdict(r), "met": r.verdict} for r in rows]
