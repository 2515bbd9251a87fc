"""An indicator over the months as an SVG line chart: written by hand (no JS, no plotting library), one line
per establishment, French labels, every text escaped. A pure function of its points."""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")
COLOURS = ("#000091", "#c9191e", "#18753c", "#b34000", "#6a6af4", "#3a3a3a")
WIDTH, HEIGHT = 760, 380
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 48, 88


def month_label(key: str) -> str:
    """`2031-01` → `janv. 2031`."""
    year, number = key.split("-")
    return f"{MONTHS[int(number) - 1]} {year}"


def render_svg(
    *,
    title: str,
    unit: str,
    months: list[str],
    series: dict[str, list[float | None]],
    target: float | None = None,
) -> str:
    """`series`: per establishment, one value per month of `months` (None: nothing to measure that month).
    `unit` is appended to the axis' figures ("%" or " j")."""
    values = [v for points in series.values() for v in points if v is not None]
    top = _ceiling(max([*values, *([target] if target is not None else []), 1.0]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(months) - 1, 1)

    def x(i: int) -> float:
        return LEFT + (i * step if len(months) > 1 else plot_w / 2)

    def y(value: float) -> float:
        return TOP + plot_h - value / top * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title, {chr(34): "&quot;"})}" '
        'font-family="Marianne, Arial, sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="{LEFT}" y="24" font-size="16" font-weight="bold">{escape(title)}</text>',
    ]
    for tick in range(5):
        value = top * tick / 4
        parts.append(
            f'<line x1="{LEFT}" y1="{y(value):.1f}" x2="{WIDTH - RIGHT}" y2="{y(value):.1f}" stroke="#dddddd"/>'
            f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{_figure(value)}{escape(unit)}</text>'
        )
    every = max(1, math.ceil(len(months) / 12))
    for i, key in enumerate(months):
        if i % every == 0:
            parts.append(
                f'<text x="{x(i):.1f}" y="{TOP + plot_h + 16}" text-anchor="end" '
                f'transform="rotate(-40 {x(i):.1f} {TOP + plot_h + 16})">{escape(month_label(key))}</text>'
            )
    if target is not None:
        parts.append(
            f'<line x1="{LEFT}" y1="{y(target):.1f}" x2="{WIDTH - RIGHT}" y2="{y(target):.1f}" '
            'stroke="#18753c" stroke-dasharray="6 4"/>'
            f'<text x="{WIDTH - RIGHT}" y="{y(target) - 4:.1f}" text-anchor="end" fill="#18753c">'
            f"cible {_figure(target)}{escape(unit)}</text>"
        )
    for n, (establishment, points) in enumerate(sorted(series.items())):
        colour = COLOURS[n % len(COLOURS)]
        for run in _runs(points):
            path = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in run)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for i, value in enumerate(points):
            if value is not None:
                parts.append(
                    f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="3" fill="{colour}">'
                    f"<title>{escape(establishment)}, {escape(month_label(months[i]))} : "
                    f"{_figure(value)}{escape(unit)}</title></circle>"
                )
        legend_y = HEIGHT - 14 - 16 * (len(series) - 1 - n)
        parts.append(
            f'<rect x="{LEFT}" y="{legend_y - 9}" width="12" height="3" fill="{colour}"/>'
            f'<text x="{LEFT + 18}" y="{legend_y}">{escape(establishment)}</text>'
        )
    if not series:
        parts.append(
            f'<text x="{LEFT + plot_w / 2:.1f}" y="{TOP + plot_h / 2:.1f}" text-anchor="middle">'
            "Aucune donnée sur la période</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _ceiling(value: float) -> float:
    """A round top for the axis: 100 for a share, else the next 1, 2 or 5 times a power of ten."""
    magnitude = 10 ** math.floor(math.log10(value))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= value)


def _figure(value: float) -> str:
    """French figures: a comma for the decimal point, none when whole."""
    text = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return text.replace(".", ",")


def _runs(points: list[float | None]) -> list[list[tuple[int, float]]]:
    """Consecutive months with a value: a month without one breaks the line."""
    runs: list[list[tuple[int, float]]] = [[]]
    for i, value in enumerate(points):
        if value is None:
            runs.append([])
        else:
            runs[-1].append((i, value))
    return [run for run in runs if run]
