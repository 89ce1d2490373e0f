"""Long reads (statistics, exports, reports) on a connection of their own.

In WAL mode such a reader sees one consistent snapshot and neither waits for the desk's writer
nor holds it up, so a yearly export never pauses the bot. Each connection lives in the one
thread that opened it: open it inside the worker thread that reads.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from typing import Any

from bot.domain.figures import MEDIAN, P90, Spread, percentile

BUSY_TIMEOUT_SECONDS = 5.0


@contextmanager
def reading(path: str) -> Iterator[sqlite3.Connection]:
    """A read-only connection to the database at `path` (which must exist), its reads in one
    transaction: every figure comes from the same snapshot."""
    uri = Path(path).absolute().as_uri() + "?mode=rw"
    db = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    try:
        db.execute("PRAGMA query_only=ON")
        db.execute("BEGIN")
        yield db
    finally:
        db.close()


def spreads(
    db: sqlite3.Connection,
    ctes: str,
    source: str,
    params: Sequence[Any],
    values: Sequence[str],
) -> list[dict[str, Spread]]:
    """Median and 90th percentile of each of `values` per `key` over the rows of `source` (a
    table or query with the column `key`; `ctes` is a WITH clause it may use, or empty).

    One query for all of them: each value is ranked within its key by a window of its own, and
    only the rows at the ranks the percentiles need come back, never the whole set."""
    columns: list[str] = []
    wanted: list[str] = []
    for n, value in enumerate(values):
        columns.append(
            f"{value} AS v{n},"
            f" ROW_NUMBER() OVER (PARTITION BY key ORDER BY {value} NULLS LAST) - 1 AS i{n},"
            f" COUNT({value}) OVER (PARTITION BY key) AS n{n}"
        )
        ranks = " OR ".join(
            f"i{n} = {lower} OR i{n} = {lower} + 1"
            for lower in (_lower_rank(MEDIAN, n), _lower_rank(P90, n))
        )
        wanted.append(f"(i{n} < n{n} AND ({ranks}))")
    join = f"{ctes}," if ctes else "WITH"
    rows = db.execute(
        f"{join} ranked AS (SELECT key, {', '.join(columns)} FROM ({source}))"
        f" SELECT * FROM ranked WHERE {' OR '.join(wanted)}",
        params,
    ).fetchall()
    found: list[dict[str, tuple[int, dict[int, float]]]] = [{} for _ in values]
    for row in rows:
        key = str(row[0])
        for n in range(len(values)):
            measured, index, count = row[1 + 3 * n : 4 + 3 * n]
            if index < count:
                found[n].setdefault(key, (int(count), {}))[1][int(index)] = float(measured)
    return [
        {
            key: Spread(count, percentile(at, count, MEDIAN), percentile(at, count, P90))
            for key, (count, at) in by_key.items()
        }
        for by_key in found
    ]


def _lower_rank(share: Fraction, n: int) -> str:
    """SQL for the lower rank of a percentile among the `n`th value's count: floor((count - 1)
    * share) in integer arithmetic, exactly as `bot.domain.figures.rank` computes it."""
    return f"((n{n} - 1) * {share.numerator} / {share.denominator})"
