"""Check the gazetteer against the checked reference table of commune points.

Usage::

    uv run python benchmarks/gazetteer_reference.py [PATH/to/shared/geodata/communes.csv]

For every row of the reference table (departments 04, 05, 12 and 26), looks the commune up by
INSEE code in :meth:`geodata.gazetteer.Gazetteer.default` and measures the great-circle distance
between the gazetteer point and the reference ``lat``/``lon``. Prints the maximum and median
error, the count of rows off by more than the tolerance (1.5 km), and agreement on
``coord_source``. Exit code 1 when any row fails or is missing, 2 when the table is absent.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from pathlib import Path

from geodata.errors import CommuneNotFoundError
from geodata.gazetteer import Gazetteer
from geodata.points import haversine_m

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "shared" / "geodata" / "communes.csv"
TOLERANCE_KM = 1.5


def main(argv: list[str] | None = None) -> int:
    """Run the check; return the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--cache-dir", type=Path, default=None, help="gazetteer cache folder")
    args = parser.parse_args(argv)
    if not args.path.exists():
        print(f"reference table not found: {args.path}")
        return 2

    t0 = time.perf_counter()
    gaz = Gazetteer.default(cache_dir=args.cache_dir)
    load_s = time.perf_counter() - t0

    errors_km: list[float] = []
    failures: list[str] = []
    source_mismatch = 0
    by_dept: dict[str, list[float]] = {}
    with open(args.path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            try:
                c = gaz.by_insee(row["insee"])
            except CommuneNotFoundError as exc:
                failures.append(f"{row['insee']} {row['nom']}: missing ({exc})")
                continue
            err_km = haversine_m(c.lat, c.lon, float(row["lat"]), float(row["lon"])) / 1000
            errors_km.append(err_km)
            by_dept.setdefault(row["departement"], []).append(err_km)
            source_mismatch += c.coord_source != row["coord_source"]
            if err_km > TOLERANCE_KM:
                failures.append(
                    f"{row['insee']} {row['nom']}: {err_km:.2f} km off "
                    f"(gazetteer {c.coord_source}, reference {row['coord_source']})"
                )

    print(f"gazetteer: {len(gaz)} communes loaded in {load_s:.2f} s")
    print(f"reference: {args.path} ({len(errors_km) + sum('missing' in f for f in failures)} rows)")
    print(f"{'dept':>6} {'rows':>6} {'max km':>8} {'median km':>10}")
    for dept, errs in sorted(by_dept.items()):
        print(f"{dept:>6} {len(errs):>6} {max(errs):>8.3f} {statistics.median(errs):>10.3f}")
    if errors_km:
        print(
            f"{'all':>6} {len(errors_km):>6} {max(errors_km):>8.3f} "
            f"{statistics.median(errors_km):>10.3f}"
        )
    print(f"coord_source disagreements: {source_mismatch}")
    print(f"failures (> {TOLERANCE_KM} km or missing): {len(failures)}")
    for f in failures[:20]:
        print("  " + f)
    return 1 if failures or not errors_km else 0


if __name__ == "__main__":
    sys.exit(main())
