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
    db: sqlite3.Connection, source: str, params: Sequence[Any], value: str
) -> dict[str, Spread]:
    """Median and 90th percentile of `value` per `key` over the rows of `source` (SQL with the
    columns `key` and those `value` uses). SQL sorts each group and returns only the rows at
    the ranks the percentiles need, never the whole set."""
    wanted = " OR ".join(
        f"i = {lower} OR i = {lower} + 1" for lower in (_lower_rank(MEDIAN), _lower_rank(P90))
    )
    rows = db.execute(
        f"WITH measured AS (SELECT key, {value} AS v FROM ({source}) WHERE {value} IS NOT NULL),"
        " ranked AS (SELECT key, v, ROW_NUMBER() OVER (PARTITION BY key ORDER BY v) - 1 AS i,"
        " COUNT(*) OVER (PARTITION BY key) AS n FROM measured)"
        f" SELECT key, n, i, v FROM ranked WHERE {wanted}",
        params,
    ).fetchall()
    found: dict[str, tuple[int, dict[int, float]]] = {}
    for key, count, index, measured in rows:
        found.setdefault(str(key), (int(count), {}))[1][int(index)] = float(measured)
    return {
        key: Spread(
            count,
            percentile(values, count, MEDIAN),
            percentile(values, count, P90),
        )
        for key, (count, values) in found.items()
    }


def _lower_rank(share: Fraction) -> str:
    """SQL for the lower rank of a percentile among `n` values: floor((n - 1) * share) in
    integer arithmetic, exactly as `bot.domain.figures.rank` computes it."""
    return f"((n - 1) * {share.numerator} / {share.denominator})"
