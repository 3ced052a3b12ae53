"""reporting."""

from solver.reporting.compare import ScenarioFigures as ScenarioFigures
from solver.reporting.compare import compare_tables as compare_tables
from solver.reporting.compare import write_comparison as write_comparison
from solver.reporting.contracts import CONTRACT_COLUMNS as CONTRACT_COLUMNS
from solver.reporting.contracts import Contracts as Contracts
from solver.reporting.contracts import market_gardeners as market_gardeners
from solver.reporting.contracts import propose_contracts as propose_contracts
from solver.reporting.contracts import write_contracts as write_contracts
from solver.reporting.cycle import kitchen_orders as kitchen_orders
from solver.reporting.cycle import notify_tables as notify_tables
from solver.reporting.cycle import producer_preparation as producer_preparation
from solver.reporting.explain import COLUMNS as COLUMNS
from solver.reporting.explain import Reason as Reason
from solver.reporting.explain import explain as explain
from solver.reporting.exports import MACANTINE_HEADER as MACANTINE_HEADER
from solver.reporting.exports import macantine_table as macantine_table
from solver.reporting.exports import purchase_plan_table as purchase_plan_table
from solver.reporting.exports import validate_macantine_csv as validate_macantine_csv
from solver.reporting.exports import write_macantine_csv as write_macantine_csv
from solver.reporting.exports import write_plan_outputs as write_plan_outputs
from solver.reporting.exports import write_xlsx as write_xlsx
from solver.reporting.routing_export import to_geojson as to_geojson
from solver.reporting.routing_export import to_json as to_json
from solver.reporting.routing_export import to_map_html as to_map_html
from solver.reporting.routing_export import write_round_sheets as write_round_sheets

__all__ = [
    "COLUMNS",
    "CONTRACT_COLUMNS",
    "Contracts",
    "MACANTINE_HEADER",
    "Reason",
    "ScenarioFigures",
    "compare_tables",
    "explain",
    "kitchen_orders",
    "macantine_table",
    "notify_tables",
    "producer_preparation",
    "market_gardeners",
    "propose_contracts",
    "purchase_plan_table",
    "to_geojson",
    "to_json",
    "to_map_html",
    "validate_macantine_csv",
    "write_comparison",
    "write_contracts",
    "write_macantine_csv",
    "write_plan_outputs",
    "write_round_sheets",
    "write_xlsx",
]
