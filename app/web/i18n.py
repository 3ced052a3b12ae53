"""Words of the pages: French first, English through a switch or ``Accept-Language``.

Templates are written in French and call ``_("...")``; :data:`EN` maps each French
string to its English text (a missing entry falls back to the French). Numbers, money,
percentages and dates are formatted the way each language writes them, and every reason
code of the solvers has a sentence a cook, a driver or a farmer understands.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal


def _catalog(path: Path) -> dict[str, str]:
    """``French<TAB>English`` lines of ``path`` (``#`` lines are comments)."""
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            fr, _, en = line.partition("\t")
            out[fr] = en
    return out


#: English text of each French string of the pages (``strings_en.tsv``).
EN = _catalog(Path(__file__).with_name("strings_en.tsv"))
Lang = Literal["fr", "en"]
LANGS: tuple[Lang, ...] = ("fr", "en")
COOKIE = "racines_lang"

_MONTHS = {
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
_WEEKDAYS = {
    "fr": {
        "mon": "lundi",
        "tue": "mardi",
        "wed": "mercredi",
        "thu": "jeudi",
        "fri": "vendredi",
        "sat": "samedi",
        "sun": "dimanche",
    },
    "en": {
        "mon": "Monday",
        "tue": "Tuesday",
        "wed": "Wednesday",
        "thu": "Thursday",
        "fri": "Friday",
        "sat": "Saturday",
        "sun": "Sunday",
    },
}
_WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: Why a kg was not bought locally (solver.reporting.explain.Reason), in plain words.
SOURCING_REASONS: dict[str, str] = {
    "NO_PRODUCER_IN_RADIUS": "Aucun producteur à portée de livraison ne le propose",
    "OUT_OF_SEASON": "Hors saison chez les producteurs proches",
    "STORAGE": "Pas assez de place de stockage pour l'acheter d'avance en saison",
    "CAPACITY": "Les producteurs n'en ont pas assez cette semaine",
    "MIN_ORDER_NOT_REACHED": "Commande trop petite pour le minimum du producteur",
    "FREQUENCY": "Le producteur ne livre pas cette semaine-là (jours ou fréquence de livraison)",
    "DELIVERY_LIMIT": "La cantine reçoit déjà son nombre maximal de livraisons cette semaine",
    "BUDGET": "Plus cher que le grossiste, et le budget par repas est atteint",
    "PRICE": "Plus cher que le grossiste",
    "LOGISTICS": "Le coût de la livraison dépasse l'économie faite",
    "TARGET_MISSED": "Objectif non atteint",
}
#: Why an order is in no round (solver.rounds ReasonCode).
ROUNDS_REASONS: dict[str, str] = {
    "NO_ROUND_ON_DAY": "Pas de tournée ce jour-là",
    "NO_VEHICLE": "Aucune camionnette disponible",
    "UNREACHABLE": "Lieu inaccessible par la route",
    "OUT_OF_CATCHMENT": "Hors de la zone desservie par la plateforme",
    "NO_REFRIGERATED_VAN": "Produit frais, mais aucune camionnette réfrigérée",
    "DEMAND_EXCEEDS_VEHICLE_CAPACITY": "Commande plus lourde que la camionnette",
    "TIME_WINDOW": "Impossible d'arriver pendant les horaires d'ouverture",
    "SHIFT_DURATION": "La tournée dépasserait la journée du chauffeur",
    "MAX_DRIVE": "Trajet plus long que le temps de conduite autorisé",
    "FLEET_FULL": "Camionnettes déjà pleines ce jour-là",
}
#: Why a producer group falls short (solver.pooling REASONS).
POOLING_REASONS: dict[str, str] = {
    "CAPACITY": "Le groupe n'a pas assez de volume",
    "OUT_OF_SEASON": "Hors saison",
    "QUALITY": "Les membres n'ont pas le label demandé",
    "TIME_WINDOW": "Impossible de livrer dans l'horaire de réception",
    "VAN_CAPACITY": "La camionnette est trop petite",
    "DRIVE_TIME": "Trajet trop long pour les membres",
    "PRICE": "Prix au-dessus du plafond demandé",
    "DELIVERY_DAY": "Les membres ne livrent pas ce jour-là",
}
#: The smallest change that would make a pooled order feasible, by kind.
RELAXATIONS: dict[str, str] = {
    "EXTRA_CAPACITY": "Trouver {value} {unit} de plus en tout sur les semaines en manque",
    "NEARBY_PRODUCER": "Faire entrer un producteur voisin (couvre {value} {unit})",
    "LARGER_VAN": "Prendre une camionnette de {value} kg",
    "RECEIVING_WINDOW": "Élargir l'horaire de réception ({value} min)",
    "QUALITY": "Accepter des produits sans le label demandé ({value} semaine(s) réglée(s))",
    "DELIVERY_WEEKDAYS": "Livrer {value} fois par semaine",
    "PRICE_CEILING": "Relever le prix plafond à {value} € par unité",
    "MAX_DRIVE": "Accepter un trajet de {value} min",
}
#: Units the solvers write, in words.
UNITS: dict[str, str] = {
    "units": "unités",
    "kg": "kg",
    "min": "min",
    "EUR/unit": "€ par unité",
    "weeks fixed": "semaines",
    "deliveries/week": "livraisons par semaine",
    "%": "%",
}
#: Progress messages of the services (by prefix) in words.
PROGRESS: tuple[tuple[str, str], ...] = (
    ("travel times", "Temps de trajet et besoins de la semaine"),
    ("sourcing model (logistics estimated)", "Plan d'achats (logistique estimée)"),
    ("plan with estimated logistics", "Premier plan trouvé, logistique en cours de calcul"),
    ("platform rounds of the final plan", "Tournées de la plateforme du plan final"),
    ("platform rounds", "Tournées de la plateforme"),
    ("sourcing model (logistics priced by the rounds)", "Plan d'achats (logistique chiffrée)"),
    ("sourcing model", "Plan d'achats"),
    ("independent check", "Vérification indépendante, indicateurs, explications"),
    ("lower bound", "Borne inférieure du coût"),
    ("done", "Terminé"),
    ("running", "En cours"),
    ("queued", "En attente d'un calculateur libre"),
    ("synchronous", "Terminé"),
    ("cancellation requested", "Annulation demandée"),
    ("cancelled on request", "Annulé à votre demande"),
)
#: Channels of a purchase line.
CHANNELS: dict[str, str] = {
    "direct": "livré par le producteur",
    "platform": "par la plateforme",
    "farm_pickup": "retrait à la ferme",
    "reference": "grossiste",
}
#: Actions of a round's steps.
ACTIONS: dict[str, str] = {
    "start": "départ du dépôt",
    "pickup": "chargement",
    "delivery": "livraison",
    "end": "retour au dépôt",
}
#: Job statuses.
STATUSES: dict[str, str] = {
    "queued": "en attente",
    "running": "en cours",
    "succeeded": "terminé",
    "failed": "échec",
    "cancelled": "annulé",
}
#: Frequent problem messages of the scenario reader and the uploads, in French.
PROBLEMS: dict[str, str] = {
    "required column is missing": "colonne obligatoire absente",
    "unknown column": "colonne inconnue",
    "column appears twice": "colonne en double",
    "required file is missing": "fichier obligatoire absent",
    "unknown canteen": "cantine inconnue",
    "unknown product": "produit inconnu",
    "unknown producer": "producteur inconnu",
    "must be a number > 0": "doit être un nombre > 0",
    "not a date YYYY-MM-DD": "n'est pas une date AAAA-MM-JJ",
    "not a number": "ce n'est pas un nombre",
    "not a whole number": "ce n'est pas un nombre entier",
    "not a date (write YYYY-MM-DD, e.g. 2025-09-01)": (
        "ce n'est pas une date (écrivez AAAA-MM-JJ, par exemple 2025-09-01)"
    ),
    "required value is missing": "valeur obligatoire manquante",
    "must not be empty": "ne doit pas être vide",
    "the file is empty": "le fichier est vide",
    "tick at least one member of the group": "cochez au moins un membre du groupe",
    "must be ambient, chilled or frozen": "doit valoir ambient, chilled ou frozen",
}
_NOUNS = {
    "product": "produit",
    "canteen": "cantine",
    "producer": "producteur",
    "kitchen": "cuisine",
    "weekday": "jour",
    "label": "label",
    "menu cycle": "cycle de menus",
}
#: Problem messages with values, as (pattern, French with ``{1}``, ``{2}``... groups).
PROBLEM_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"^\w+ (\S+) is not a Monday$"),
        "le {1} n'est pas un lundi (le lundi de la semaine)",
    ),
    (
        re.compile(r"^unknown ([a-z ]+) '(.*)', not in (\S+?)(?: \(did you mean '(.*)'\?\))?$"),
        "{1} inconnu : « {2} » n'est pas dans {3}{4}",
    ),
    (
        re.compile(r"^unknown ([a-z ]+) '(.*)' \(allowed: (.*)\)$"),
        "{1} inconnu : « {2} » (permis : {3})",
    ),
    (re.compile(r"^must be at least (.+)$"), "doit valoir au moins {1}"),
    (re.compile(r"^must be greater than (.+)$"), "doit être supérieur à {1}"),
    (re.compile(r"^must be at most (.+)$"), "doit valoir au plus {1}"),
    (re.compile(r"^must be less than (.+)$"), "doit être inférieur à {1}"),
    (
        re.compile(r"^not UTF-8 text"),
        "ce n'est pas du texte UTF-8 : enregistrez le fichier en « CSV UTF-8 » (Excel) "
        "ou en UTF-8 (LibreOffice)",
    ),
    (
        re.compile(r"^not a readable XLSX workbook"),
        "classeur XLSX illisible : enregistrez-le à nouveau en .xlsx ou en .csv",
    ),
    (
        re.compile(r"^the file has (\d+) bytes, over the limit of (\d+)$"),
        "le fichier fait {1} octets, plus que la limite de {2}",
    ),
    (re.compile(r"^more than (\d+) rows$"), "plus de {1} lignes"),
    (
        re.compile(r"^the first row must name the columns"),
        "la première ligne doit nommer les colonnes d'un cycle de menus ou de besoins par "
        "semaine (voir les modèles)",
    ),
)


def pick_lang(query: str | None, cookie: str | None, accept: str | None) -> Lang:
    """The page language: ``?lang=``, then the cookie, then ``Accept-Language``; else French."""
    known: dict[str, Lang] = {lang: lang for lang in LANGS}
    for choice in (query, cookie):
        if choice in known:
            return known[choice]
    best_q, best = 0.0, known["fr"]
    for part in (accept or "").split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        base = tag.strip().lower()[:2]
        if base in known and q > best_q:
            best_q, best = q, known[base]
    return best


@dataclass(frozen=True)
class Words:
    """Translation and formatting for one language (the templates' ``t``)."""

    lang: Lang

    def __call__(self, text: str, **values: Any) -> str:
        """``text`` in this language, with ``{name}`` fields filled from ``values``."""
        out = EN.get(text, text) if self.lang == "en" else text
        return out.format(**values) if values else out

    # ------------------------------------------------------------------ numbers

    def num(self, x: Any, digits: int = 0) -> str:
        """A number with the language's separators ('' for None/NaN)."""
        if x is None or (isinstance(x, float) and not math.isfinite(x)):
            return ""
        text = f"{float(x):,.{digits}f}"
        if self.lang == "fr":
            return text.replace(",", "\u202f").replace(".", ",")
        return text

    def eur(self, x: Any, digits: int = 2) -> str:
        """Money in euros."""
        n = self.num(x, digits)
        if not n:
            return ""
        return f"{n}\u00a0€" if self.lang == "fr" else f"€{n}"

    def pct(self, x: Any, digits: int = 1) -> str:
        """A percentage (``x`` already in percent)."""
        n = self.num(x, digits)
        if not n:
            return ""
        return f"{n}\u00a0%" if self.lang == "fr" else f"{n}%"

    def kg(self, x: Any, digits: int = 1) -> str:
        """A mass in kg."""
        n = self.num(x, digits)
        return f"{n}\u00a0kg" if n else ""

    # ------------------------------------------------------------------ dates

    def date(self, value: str | dt.date | None, *, year: bool = True) -> str:
        """``2025-09-01`` -> ``1 septembre 2025`` / ``1 September 2025``."""
        if value is None or value == "":
            return ""
        d = dt.date.fromisoformat(value) if isinstance(value, str) else value
        month = _MONTHS[self.lang][d.month - 1]
        day = "1er" if self.lang == "fr" and d.day == 1 else str(d.day)
        return f"{day} {month} {d.year}" if year else f"{day} {month}"

    def week(self, value: str | dt.date | None) -> str:
        """The week starting on a Monday, in words."""
        return self("Semaine du {date}", date=self.date(value))

    def weekday(self, key: str) -> str:
        """``tue`` -> ``mardi``; an ISO date -> its weekday and date."""
        if key in _WEEKDAYS[self.lang]:
            return _WEEKDAYS[self.lang][key]
        try:
            d = dt.date.fromisoformat(key)
        except ValueError:
            return key
        return f"{_WEEKDAYS[self.lang][_WEEKDAY_KEYS[d.weekday()]]} {self.date(d, year=False)}"

    def hhmm(self, seconds: Any) -> str:
        """Seconds since midnight -> ``7 h 05`` / ``07:05``."""
        if seconds is None:
            return ""
        s = int(seconds)
        h, m = divmod(s % 86_400 // 60, 60)
        return f"{h} h {m:02d}" if self.lang == "fr" else f"{h:02d}:{m:02d}"

    # ------------------------------------------------------------------ solver words

    def _table(self, table: Mapping[str, str], key: str | None, fallback: str = "") -> str:
        if not key:
            return fallback
        text = table.get(key)
        return self(text) if text is not None else (fallback or key)

    def sourcing_reason(self, code: str | None) -> str:
        """A sourcing reason code in words."""
        return self._table(SOURCING_REASONS, code)

    def rounds_reason(self, code: str | None) -> str:
        """A rounds reason code in words."""
        return self._table(ROUNDS_REASONS, code)

    def pooling_reason(self, code: str | None) -> str:
        """A pooling reason code in words."""
        return self._table(POOLING_REASONS, code)

    def channel(self, code: str | None) -> str:
        """A purchase channel in words."""
        return self._table(CHANNELS, code)

    def action(self, code: str | None) -> str:
        """A round step in words."""
        return self._table(ACTIONS, code)

    def status(self, code: str | None) -> str:
        """A job status in words."""
        return self._table(STATUSES, code)

    def unit(self, code: str | None) -> str:
        """A solver unit in words."""
        return self._table(UNITS, code)

    def relaxation(self, kind: str, value: Any, unit: str, units_of: str = "") -> str:
        """The smallest change that makes a pooled order feasible, in words.

        ``units_of`` names the purchase unit the solver's ``units`` stand for (``kg``).
        """
        template = RELAXATIONS.get(kind)
        digits = 2 if unit == "EUR/unit" else 0
        words = units_of if unit == "units" and units_of else self.unit(unit)
        if template is None:
            return f"{kind}: {self.num(value, digits)} {words}"
        return self(template, value=self.num(value, digits), unit=words)

    def progress(self, message: str | None) -> str:
        """A progress message of the services in words (as written when unknown)."""
        text = (message or "").strip()
        for prefix, words in PROGRESS:
            if text.startswith(prefix):
                return self(words)
        return text

    def problem(self, message: str) -> str:
        """A problem message of the scenario reader, in French when known (else as written)."""
        if self.lang != "fr":
            return message
        text = PROBLEMS.get(message)
        if text is not None:
            return text
        for pattern, words in PROBLEM_PATTERNS:
            m = pattern.match(message)
            if m is None:
                continue
            groups = [_NOUNS.get(g, g) if g else "" for g in m.groups()]
            if pattern.pattern.startswith("^unknown") and len(groups) == 4:
                groups[3] = f" (vouliez-vous dire « {groups[3]} » ?)" if groups[3] else ""
            return words.format("", *groups)
        return message
