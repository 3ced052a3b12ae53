"""core."""

from solver.core.calendar import CalendarError as CalendarError
from solver.core.calendar import easter_sunday as easter_sunday
from solver.core.calendar import open_days as open_days
from solver.core.calendar import public_holidays as public_holidays
from solver.core.calendar import school_days as school_days
from solver.core.calendar import school_weeks as school_weeks
from solver.core.calendar import school_year as school_year
from solver.core.calendar import school_year_service_days as school_year_service_days
from solver.core.calendar import school_year_weeks as school_year_weeks
from solver.core.calendar import service_days as service_days
from solver.core.calendar import week_month as week_month
from solver.core.calendar import week_starts as week_starts
from solver.core.cycle import ALL_PRODUCTS as ALL_PRODUCTS
from solver.core.cycle import Availability as Availability
from solver.core.cycle import FixedOrder as FixedOrder
from solver.core.cycle import Shortfall as Shortfall
from solver.core.cycle import order_deadline as order_deadline
from solver.core.domain import COLD as COLD
from solver.core.domain import FRANCE_LAT_RANGE as FRANCE_LAT_RANGE
from solver.core.domain import FRANCE_LON_RANGE as FRANCE_LON_RANGE
from solver.core.domain import AgeGroup as AgeGroup
from solver.core.domain import BuyerKind as BuyerKind
from solver.core.domain import Canteen as Canteen
from solver.core.domain import ColdChain as ColdChain
from solver.core.domain import DeliveryMode as DeliveryMode
from solver.core.domain import DirectDemand as DirectDemand
from solver.core.domain import EgalimGroup as EgalimGroup
from solver.core.domain import Family as Family
from solver.core.domain import Label as Label
from solver.core.domain import Management as Management
from solver.core.domain import MenuItem as MenuItem
from solver.core.domain import ObjectiveMode as ObjectiveMode
from solver.core.domain import Offer as Offer
from solver.core.domain import Platform as Platform
from solver.core.domain import Producer as Producer
from solver.core.domain import Product as Product
from solver.core.domain import ReferenceOffer as ReferenceOffer
from solver.core.domain import RegularityScope as RegularityScope
from solver.core.domain import Scenario as Scenario
from solver.core.domain import SchoolZone as SchoolZone
from solver.core.domain import Settings as Settings
from solver.core.domain import TargetMode as TargetMode
from solver.core.domain import TravelSettings as TravelSettings
from solver.core.domain import Unit as Unit
from solver.core.domain import Van as Van
from solver.core.domain import Weekday as Weekday
from solver.core.domain import egalim_group as egalim_group
from solver.core.errors import Problem as Problem
from solver.core.errors import ScenarioError as ScenarioError
from solver.core.params import SolveParams as SolveParams
from solver.core.plan import Channel as Channel
from solver.core.plan import PurchaseLine as PurchaseLine
from solver.core.plan import PurchasePlan as PurchasePlan
from solver.core.reasons import POOLING_FILTERS as POOLING_FILTERS
from solver.core.reasons import POOLING_REASONS as POOLING_REASONS

__all__ = [
    "ALL_PRODUCTS",
    "AgeGroup",
    "Availability",
    "BuyerKind",
    "COLD",
    "CalendarError",
    "Canteen",
    "Channel",
    "ColdChain",
    "DeliveryMode",
    "DirectDemand",
    "EgalimGroup",
    "FRANCE_LAT_RANGE",
    "FRANCE_LON_RANGE",
    "FixedOrder",
    "Family",
    "Label",
    "Management",
    "MenuItem",
    "ObjectiveMode",
    "Offer",
    "POOLING_FILTERS",
    "POOLING_REASONS",
    "Platform",
    "Problem",
    "Producer",
    "Product",
    "PurchaseLine",
    "PurchasePlan",
    "ReferenceOffer",
    "RegularityScope",
    "Scenario",
    "ScenarioError",
    "SchoolZone",
    "Shortfall",
    "Settings",
    "SolveParams",
    "TargetMode",
    "TravelSettings",
    "Unit",
    "Van",
    "Weekday",
    "easter_sunday",
    "order_deadline",
    "egalim_group",
    "open_days",
    "public_holidays",
    "school_days",
    "school_weeks",
    "school_year",
    "school_year_service_days",
    "school_year_weeks",
    "service_days",
    "week_month",
    "week_starts",
]
