"""Where every export's figures come from: synthetic data, estimated drive times.

Every CSV export carries a ``provenance`` column saying it (the same text on every row,
so a file keeps it when copied alone or filtered in a spreadsheet). The ma-cantine
purchase import (``macantine_achats.csv``) takes exactly its 12 columns and a header on
the first line, so it gets no column and no comment line: its provenance is the
companion file ``macantine_achats.provenance.txt`` beside it, and, over HTTP, the
``X-Racines-Provenance`` header every export is served with.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

#: Name of the column added to every CSV export.
COLUMN = "provenance"
#: HTTP header of every export.
HEADER = "X-Racines-Provenance"
#: The ma-cantine import file, which keeps its exact format.
MACANTINE_CSV = "macantine_achats.csv"
#: Its companion file.
MACANTINE_COMPANION = "macantine_achats.provenance.txt"


def provenance_text(*, synthetic: bool | None, estimated: bool | None, travel_source: str) -> str:
    """One line: are the data synthetic, are the drive times estimated (ASCII, header-safe).

    ``synthetic=None``: data given by the caller (a rounds problem), not a scenario;
    ``estimated=None`` and no ``travel_source``: figures that use no drive time.
    """
    parts = []
    if synthetic:
        parts.append("SYNTHETIC scenario data (generated, not observed)")
    elif synthetic is False:
        parts.append("scenario data as given (not marked synthetic)")
    else:
        parts.append("data as sent by the caller")
    source = travel_source or "unknown source"
    if estimated is None and not travel_source:
        pass  # no drive time behind these figures (e.g. weekly demand)
    elif estimated is None:
        parts.append(f"drive times from {source}")
    elif estimated:
        parts.append(f"ESTIMATED drive times (straight-line estimate: {source})")
    else:
        parts.append(f"road-network drive times ({source})")
    text = "; ".join(parts)
    return text.encode("ascii", "replace").decode("ascii")


def provenance_of_result(result: Mapping[str, Any] | None) -> str:
    """The provenance line of a job result (plan, proposal, rounds or pooling answer)."""
    result = result or {}
    synthetic = result.get("synthetic_scenario")
    estimated = result.get("travel_estimated", result.get("estimated"))
    return provenance_text(
        synthetic=None if synthetic is None else bool(synthetic),
        estimated=None if estimated is None else bool(estimated),
        travel_source=str(result.get("travel_source") or ""),
    )


def with_column(data: bytes, text: str) -> bytes:
    """A CSV (UTF-8, comma) with a last column ``provenance`` holding ``text`` on every row."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    if not rows or COLUMN in rows[0]:
        return data
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*rows[0], COLUMN])
    writer.writerows([*row, text] if any(row) else row for row in rows[1:])
    return out.getvalue().encode("utf-8")


def companion(text: str) -> bytes:
    """Content of ``macantine_achats.provenance.txt``."""
    return (
        f"{MACANTINE_CSV}: {text}\n"
        "The file itself keeps ma-cantine's exact import format (12 columns, header on the "
        "first line), so its provenance is stated here.\n"
    ).encode()


def stamp_files(paths: Iterable[Path], text: str) -> list[Path]:
    """Add the provenance column to each CSV of ``paths``; write the ma-cantine companion.

    Returns the companion files written.
    """
    written = []
    for path in paths:
        if path.suffix != ".csv" or not path.is_file():
            continue
        if path.name == MACANTINE_CSV:
            note = path.with_name(MACANTINE_COMPANION)
            note.write_bytes(companion(text))
            written.append(note)
            continue
        path.write_bytes(with_column(path.read_bytes(), text))
    return written
