"""`make bench`, issue 19 §5: end to end (`201` → the partner in the projections' directory) under an open loop
of `POST /partners`, the offered rate raised step by step from 100/s until the system no longer keeps up
(achieved < 95 % of offered) past the target rate: latency against offered load, as rows and a chart (PNG,
beside the JSON).

The load is wrk's (`wrk/paced.lua`: request k is due at start + k / rate, whatever the answers before it did),
so the generator costs the cores next to nothing. End to end is read from the two databases, not the client:
from the event's `recorded_at` in the partners store (set as its transaction commits, just before the `201`) to
the directory row's `projected_at` (the clock of the projection's write); one machine, one clock."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from loadgen import PACED_SCRIPT, measured_wrk, percentile, quantiles_ms, wait_until
from table import Row, at_most_row

if TYPE_CHECKING:
    from run import Run

RATES = (100, 200, 300, 400, 500, 600, 800, 1000)
POINT_SECONDS = 8
# In flight at most: the loop stays open while answers take less than CONNECTIONS / rate (128 ms at 500/s).
CONNECTIONS = 64
TARGET_RATE, TARGET_P99_MS = 500, 100  # issue 19 §5
KEPT_UP = 0.95
QUANTILES = (0, 50, 90, 99, 100)
REGISTERED = "partners.partner.registered"


async def point(run: Run, bodies: Iterator[dict], rate: int, token: str) -> dict:
    """`rate` registrations a second for POINT_SECONDS, open loop: HTTP latency (wrk's) and end to end."""
    file = run.workdir / f"paced-{rate}.bodies"
    file.write_text("".join(json.dumps(next(bodies)) + "\n" for _ in range(int(rate * POINT_SECONDS * 1.5))))
    since = await run.partners.fetchval("SELECT coalesce(max(position), 0) FROM events")
    url, arguments = run.system.url("partners"), ["/partners", file, token, rate]
    result, cpu = await measured_wrk(run.groups, url, PACED_SCRIPT, arguments, CONNECTIONS, POINT_SECONDS)
    registered = await run.partners.fetch(
        """SELECT stream_id, extract(epoch FROM recorded_at)::float8 AS at FROM events
           WHERE position > $1 AND event_type = $2""",
        since,
        REGISTERED,
    )
    recorded = {r["stream_id"]: r["at"] for r in registered}

    async def all_projected():
        rows = await run.projections.fetch(
            "SELECT partner_id, extract(epoch FROM projected_at)::float8 AS at FROM directory_partners "
            "WHERE partner_id = ANY($1::text[])",
            list(recorded),
        )
        return rows if len(rows) == len(recorded) else None

    projected = await wait_until(all_projected, timeout=180, what="every measured partner in the projection")
    e2e_ms = [(r["at"] - recorded[r["partner_id"]]) * 1000 for r in projected]
    created = result["done"] - result["failed"]
    point = {
        "offered_per_second": rate,
        "created": created,
        "failed": result["failed"],
        "per_second": result["per_second"] * created / max(1, result["done"]),
        "http_ms": quantiles_ms(result),
        "e2e_ms": {q: percentile(e2e_ms, q) for q in QUANTILES},
    }
    run.record(f"e2e@{rate}", point, cpu, max(1, result["done"]))
    return point


def enough(points: list[dict]) -> bool:
    """The sweep goes on to TARGET_RATE at least, then until a rate is not sustained."""
    last = points[-1]
    return (
        last["offered_per_second"] >= TARGET_RATE
        and last["per_second"] / last["offered_per_second"] < KEPT_UP
    )


def rows(points: list[dict]) -> list[Row]:
    """One row per offered rate, the target row at TARGET_RATE, and the highest rate sustained."""
    table = []
    for p in points:
        kept_up = p["per_second"] / p["offered_per_second"]
        table.append(
            Row(
                f"E2E @{p['offered_per_second']}/s offered: 201 -> projection p99",
                p["e2e_ms"][99],
                "ms",
                f"achieved {p['per_second']:.0f}/s",
                kept_up,
                note=f"p50 {p['e2e_ms'][50]:.0f} ms; HTTP p50 {p['http_ms'][50]:.0f} ms, "
                f"p99 {p['http_ms'][99]:.0f} ms" + ("" if kept_up >= KEPT_UP else "; did not keep up"),
            )
        )
    # The sweep always reaches TARGET_RATE (run.e2e_sweep), so the target's point is there.
    at_target = next(p for p in points if p["offered_per_second"] == TARGET_RATE)
    target = at_most_row(f"E2E p99 @{TARGET_RATE}/s", at_target["e2e_ms"][99], "ms", TARGET_P99_MS)
    if at_target["per_second"] / TARGET_RATE < KEPT_UP:
        target.met, target.note = False, f"only {at_target['per_second']:.0f}/s sustained"
    sustained = [
        p["offered_per_second"] for p in points if p["per_second"] / p["offered_per_second"] >= KEPT_UP
    ]
    return [
        *table,
        target,
        Row("  highest offered rate sustained (>= 95 %)", max(sustained, default=0), "req/s"),
    ]


def chart(points: list[dict], path: Path) -> Path:
    """Latency (log scale) against offered load, HTTP and end to end, p50 and p99, the target marked; below it,
    the rate achieved against the rate offered (a point under the diagonal did not keep up)."""
    import matplotlib

    matplotlib.use("Agg")  # no display: a file
    import matplotlib.pyplot as plt

    offered = [p["offered_per_second"] for p in points]
    figure, (latency, achieved) = plt.subplots(
        2, 1, figsize=(8, 7), dpi=120, sharex=True, gridspec_kw={"height_ratios": [3, 1]}
    )
    for key, label, style in (("e2e_ms", "201 → projection", "-"), ("http_ms", "HTTP (wrk)", "--")):
        for q, marker in ((50, "o"), (99, "s")):
            latency.plot(offered, [p[key][q] for p in points], style, marker=marker, label=f"{label} p{q}")
    latency.plot(
        [TARGET_RATE], [TARGET_P99_MS], "r*", markersize=14, label=f"target: p99 ≤ {TARGET_P99_MS} ms"
    )
    latency.set_yscale("log")
    latency.set_ylabel("latency (ms)")
    latency.set_title("Passerelle: POST /partners, latency against offered load (open loop)")
    latency.grid(True, which="both", alpha=0.3)
    latency.legend(fontsize="small")
    achieved.plot(offered, [p["per_second"] for p in points], "k-", marker="o", label="achieved")
    achieved.plot(offered, [KEPT_UP * rate for rate in offered], "g:", label=f"{KEPT_UP:.0%} of offered")
    achieved.set_xlabel("offered load (requests per second)")
    achieved.set_ylabel("achieved (/s)")
    achieved.grid(True, alpha=0.3)
    achieved.legend(fontsize="small")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path
