"""Outputs of the rounds: VROOM-like JSON, GeoJSON, an HTML map (folium) and drivers' round sheets.

Indicators (in ``summary``): km, hours, cost (``cost_eur_per_km * km + cost_eur_per_hour * h``
per van), CO2 and kg delivered per km. CO2 uses each van's ``co2_kg_per_km``; its default
0.25 kg CO2 per km is an **assumption** for a light diesel utility van (order of magnitude of the
ADEME Base Carbone factors for light commercial vehicles, roughly 0.2-0.3 kg CO2e/km; not
measured for the platform's vans) — the output says so in ``indicators_note``.

Maps: ``to_map_html`` writes a Leaflet map through folium. The browser loads Leaflet and the
basemap tiles from the internet; offline (or with ``tiles=None``), the page falls back to an
inline SVG drawing of the same routes and stops, so the geometry is always visible.
"""

from __future__ import annotations

import csv
import html
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from solver.rounds import rounds_to_json

if TYPE_CHECKING:
    from solver.rounds import RoundsProblem, RoundsResult, Site

LegGeometry = Callable[["Site", "Site"], Sequence[tuple[float, float]]]
"""Callback ``(from_site, to_site) -> [(lon, lat), ...]`` (e.g. a road path); None: straight."""

PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#17becf",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
)
KIND_COLOUR = {"depot": "black", "farm": "green", "kitchen": "blue"}


def hhmm(seconds: int) -> str:
    """Seconds since midnight -> ``HH:MM`` (``+1d`` suffix past midnight)."""
    days, rem = divmod(int(seconds), 86_400)
    text = f"{rem // 3600:02d}:{(rem % 3600) // 60:02d}"
    return text + (f" +{days}d" if days else "")


def _action(step_type: str) -> str:
    return {"start": "leave depot", "pickup": "load", "delivery": "unload", "end": "back"}.get(
        step_type, step_type
    )


def to_json(result: RoundsResult) -> dict[str, Any]:
    """VROOM-like output of the rounds (:func:`solver.rounds.rounds_to_json`)."""
    return rounds_to_json(result)


def _leg(a: Site, b: Site, leg_geometry: LegGeometry | None) -> list[list[float]]:
    if a.id == b.id:
        return [[a.lon, a.lat]]
    if leg_geometry is not None:
        pts = [[float(x), float(y)] for x, y in leg_geometry(a, b)]
        if pts:
            return pts
    return [[a.lon, a.lat], [b.lon, b.lat]]


def _route_coords(
    route: Any, problem: RoundsProblem, leg_geometry: LegGeometry | None
) -> list[list[float]]:
    coords: list[list[float]] = []
    steps = route.steps
    for k in range(len(steps) - 1):
        a, b = problem.site(steps[k].site_id), problem.site(steps[k + 1].site_id)
        pts = _leg(a, b, leg_geometry)
        if coords and pts and coords[-1] == pts[0]:
            pts = pts[1:]
        coords += pts
    if len(coords) == 1:
        coords.append(coords[0])
    return coords


def to_geojson(
    result: RoundsResult, problem: RoundsProblem, leg_geometry: LegGeometry | None = None
) -> dict[str, Any]:
    """GeoJSON FeatureCollection: a LineString per route, a Point per stop (``[lon, lat]``).

    With ``leg_geometry`` (e.g. shortest paths on a road graph) each leg follows the returned
    points; otherwise legs are straight segments (``properties.geometry = "straight"``).
    """
    features: list[dict[str, Any]] = []
    for n, r in enumerate(result.routes):
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": _route_coords(r, problem, leg_geometry),
                },
                "properties": {
                    "kind": "route",
                    "vehicle": r.vehicle_id,
                    "day": r.day,
                    "phase": r.phase,
                    "distance_m": r.distance_m,
                    "duration_s": r.duration_s,
                    "kg_delivered": r.kg_delivered,
                    "colour": PALETTE[n % len(PALETTE)],
                    "geometry": "road" if leg_geometry is not None else "straight",
                    "estimated": result.estimated,
                },
            }
        )
        for k, st in enumerate(r.steps):
            site = problem.site(st.site_id)
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [site.lon, site.lat]},
                    "properties": {
                        "kind": "stop",
                        "site": site.id,
                        "site_kind": site.kind,
                        "vehicle": r.vehicle_id,
                        "day": r.day,
                        "phase": r.phase,
                        "sequence": k,
                        "step": st.type,
                        "orders": list(st.order_ids),
                        "arrival": hhmm(st.arrival_s),
                        "arrival_s": st.arrival_s,
                        "departure_s": st.departure_s,
                        "load_kg": st.load_kg,
                    },
                }
            )
    return {
        "type": "FeatureCollection",
        "features": features,
        "properties": {"travel_source": result.travel_source, "estimated": result.estimated},
    }


def _svg(result: RoundsResult, problem: RoundsProblem, coords: list[list[list[float]]]) -> str:
    """Plain SVG drawing (equirectangular) used when Leaflet cannot load (offline)."""
    pts = [p for line in coords for p in line] + [[s.lon, s.lat] for s in problem.sites]
    if not pts:
        return "<svg></svg>"
    lon0, lon1 = min(p[0] for p in pts), max(p[0] for p in pts)
    lat0, lat1 = min(p[1] for p in pts), max(p[1] for p in pts)
    w, h, pad = 900.0, 600.0, 20.0
    sx = (w - 2 * pad) / max(lon1 - lon0, 1e-9)
    sy = (h - 2 * pad) / max(lat1 - lat0, 1e-9)
    sc = min(sx, sy)

    def xy(p: list[float]) -> str:
        return f"{pad + (p[0] - lon0) * sc:.1f},{h - pad - (p[1] - lat0) * sc:.1f}"

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0f}" height="{h:.0f}">']
    for n, line in enumerate(coords):
        colour = PALETTE[n % len(PALETTE)]
        r = result.routes[n]
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="3" '
            f'points="{" ".join(xy(p) for p in line)}"><title>'
            f"{html.escape(r.vehicle_id)} {html.escape(r.day)} {r.phase}</title></polyline>"
        )
    used = {st.site_id for r in result.routes for st in r.steps}
    for s in problem.sites:
        if s.id not in used and s.kind != "depot":
            continue
        cx, cy = xy([s.lon, s.lat]).split(",")
        fill = KIND_COLOUR.get(s.kind, "gray")
        parts.append(
            f'<circle cx="{cx}" cy="{cy}" r="5" fill="{fill}">'
            f"<title>{html.escape(s.id)} ({s.kind})</title></circle>"
        )
    parts.append("</svg>")
    return "".join(parts)


def to_map_html(
    result: RoundsResult,
    problem: RoundsProblem,
    path: str | Path,
    leg_geometry: LegGeometry | None = None,
    *,
    tiles: str | None = "OpenStreetMap",
) -> Path:
    """Write an HTML map: farms (green), kitchens (blue), depot (black), routes coloured by van.

    Popups give the times and loads of each stop. Leaflet and the tiles are loaded by the browser;
    offline the page shows an inline SVG of the same geometry instead (and always a note saying
    so). ``tiles=None`` draws no basemap.
    """
    import folium  # local import: folium is only needed for maps

    path = Path(path)
    lats = [s.lat for s in problem.sites] or [0.0]
    lons = [s.lon for s in problem.sites] or [0.0]
    fmap = folium.Map(
        location=[(min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2],
        tiles=tiles,
        zoom_start=10,
        control_scale=True,
    )
    fmap.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]])
    all_coords = [_route_coords(r, problem, leg_geometry) for r in result.routes]
    for n, (r, coords) in enumerate(zip(result.routes, all_coords, strict=True)):
        group = folium.FeatureGroup(name=f"{r.vehicle_id} {r.day} {r.phase}")
        folium.PolyLine(
            [[lat, lon] for lon, lat in coords],
            color=PALETTE[n % len(PALETTE)],
            weight=4,
            opacity=0.8,
            tooltip=f"{r.vehicle_id} {r.day} {r.phase}: {r.distance_m / 1000:.1f} km, "
            f"{r.duration_s / 3600:.2f} h, {r.kg_delivered:.0f} kg",
        ).add_to(group)
        group.add_to(fmap)
    _add_site_markers(fmap, result, problem)
    folium.LayerControl().add_to(fmap)
    root: Any = fmap.get_root()
    root.html.add_child(
        folium.Element(_offline_fallback(result, problem, all_coords, leg_geometry))
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fmap.save(str(path))
    return path


def _add_site_markers(fmap: Any, result: RoundsResult, problem: RoundsProblem) -> None:
    """A marker per visited site and depot, its popup listing each stop made there."""
    import folium

    popups: dict[str, list[str]] = {}
    for r in result.routes:
        for k, st in enumerate(r.steps):
            popups.setdefault(st.site_id, []).append(
                f"<b>{html.escape(r.vehicle_id)}</b> {html.escape(r.day)} #{k} "
                f"{_action(st.type)} {hhmm(st.arrival_s)}-{hhmm(st.departure_s)} "
                f"{html.escape(', '.join(st.order_ids))} load {st.load_kg:.0f} kg"
            )
    for s in problem.sites:
        lines = popups.get(s.id)
        if lines is None and s.kind != "depot":
            continue
        body = f"<b>{html.escape(s.id)}</b> ({s.kind}) window {hhmm(s.tw_start_s)}-"
        body += f"{hhmm(s.tw_end_s)}<br>" + "<br>".join(lines or [])
        folium.CircleMarker(
            [s.lat, s.lon],
            radius=8 if s.kind == "depot" else 6,
            color=KIND_COLOUR.get(s.kind, "gray"),
            fill=True,
            fill_opacity=0.9,
            popup=folium.Popup(body, max_width=400),
            tooltip=s.id,
        ).add_to(fmap)


def _offline_fallback(
    result: RoundsResult,
    problem: RoundsProblem,
    coords: list[list[list[float]]],
    leg_geometry: LegGeometry | None,
) -> str:
    """HTML shown when Leaflet cannot load (an SVG of the routes) and the map's note."""
    note = (
        "Routes drawn on "
        + ("roads" if leg_geometry is not None else "straight lines between stops")
        + ("; travel times ESTIMATED" if result.estimated else "")
        + ". Basemap tiles and the Leaflet library are loaded by your browser from the internet;"
        " offline, a plain drawing of the same routes is shown instead."
    )
    return (
        f'<div id="racines-offline" style="display:none;padding:8px;font-family:sans-serif">'
        f"<p>Offline view (Leaflet could not load).</p>{_svg(result, problem, coords)}</div>"
        f'<div style="position:fixed;bottom:4px;left:50px;z-index:9999;background:white;'
        f'font:12px sans-serif;padding:2px 6px">{html.escape(note)}</div>'
        "<script>window.addEventListener('load',function(){if(typeof L==='undefined'){"
        "document.getElementById('racines-offline').style.display='block';}});</script>"
    )


def write_round_sheets(
    result: RoundsResult, problem: RoundsProblem, folder: str | Path
) -> list[Path]:
    """One CSV per van and day (and phase): the driver's stop list.

    Columns: ``stop, arrival, departure, site, site_kind, action, orders, kg, load_after_kg``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    orders = {o.id: o for o in problem.orders}
    written = []
    for r in result.routes:
        suffix = "" if r.phase == "direct" else f"_{r.phase}"
        safe_day = "".join(c if c.isalnum() or c in "-_" else "_" for c in (r.day or "day"))
        safe_van = "".join(c if c.isalnum() or c in "-_" else "_" for c in r.vehicle_id)
        path = folder / f"{safe_van}_{safe_day}{suffix}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(
                [
                    "stop",
                    "arrival",
                    "departure",
                    "site",
                    "site_kind",
                    "action",
                    "orders",
                    "kg",
                    "load_after_kg",
                ]
            )
            for k, st in enumerate(r.steps):
                kg = sum(orders[o].kg for o in st.order_ids if o in orders)
                w.writerow(
                    [
                        k,
                        hhmm(st.arrival_s),
                        hhmm(st.departure_s),
                        st.site_id,
                        problem.site(st.site_id).kind,
                        _action(st.type),
                        " ".join(st.order_ids),
                        f"{kg:.1f}",
                        f"{st.load_kg:.1f}",
                    ]
                )
        written.append(path)
    return written
