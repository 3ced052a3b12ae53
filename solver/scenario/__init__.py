"""Scenario input: the tables of a scenario folder, their cells, folder and JSON I/O, rules.

``tables`` (what files and columns a scenario has, :class:`SourceMap`) <- ``cells`` (cell
text <-> value) <- ``records`` (a record into its model, located problems) <- ``folder``
and ``json_io`` (read and write) -> ``validation`` (the cross-file rules); ``weekly`` reads
the files of the weekly cycle and of re-planning (availability, fixed orders, shortfalls)
the same way; ``overrides`` applies a variant's TOML override files to a base folder.
"""

from solver.scenario.cells import cell_format as cell_format
from solver.scenario.cells import is_time_column as is_time_column
from solver.scenario.cells import parse_months as parse_months
from solver.scenario.folder import collect_scenario_folder as collect_scenario_folder
from solver.scenario.folder import load_scenario as load_scenario
from solver.scenario.folder import read_scenario_folder as read_scenario_folder
from solver.scenario.folder import sniff_delimiter as sniff_delimiter
from solver.scenario.folder import write_scenario_folder as write_scenario_folder
from solver.scenario.json_io import collect_scenario_json as collect_scenario_json
from solver.scenario.json_io import load_scenario_json as load_scenario_json
from solver.scenario.json_io import scenario_from_json as scenario_from_json
from solver.scenario.json_io import scenario_to_json as scenario_to_json
from solver.scenario.overrides import OPERATIONS as OPERATIONS
from solver.scenario.overrides import Override as Override
from solver.scenario.overrides import apply_override as apply_override
from solver.scenario.overrides import collect_scenario_variant as collect_scenario_variant
from solver.scenario.overrides import load_scenario_variant as load_scenario_variant
from solver.scenario.overrides import parse_override as parse_override
from solver.scenario.overrides import read_override as read_override
from solver.scenario.tables import TABLES as TABLES
from solver.scenario.tables import SourceMap as SourceMap
from solver.scenario.tables import TableSpec as TableSpec
from solver.scenario.tables import table_columns as table_columns
from solver.scenario.validation import RULES as RULES
from solver.scenario.validation import WARNING_RULES as WARNING_RULES
from solver.scenario.validation import scenario_warnings as scenario_warnings
from solver.scenario.validation import validate_scenario as validate_scenario
from solver.scenario.weekly import apply_availability as apply_availability
from solver.scenario.weekly import check_availability as check_availability
from solver.scenario.weekly import check_fixed_orders as check_fixed_orders
from solver.scenario.weekly import check_shortfalls as check_shortfalls
from solver.scenario.weekly import collect_records as collect_records
from solver.scenario.weekly import load_availability as load_availability
from solver.scenario.weekly import load_fixed_orders as load_fixed_orders
from solver.scenario.weekly import load_shortfalls as load_shortfalls
from solver.scenario.weekly import read_records as read_records
from solver.scenario.weekly import records_from_json as records_from_json

__all__ = [
    "OPERATIONS",
    "Override",
    "RULES",
    "TABLES",
    "WARNING_RULES",
    "SourceMap",
    "TableSpec",
    "apply_availability",
    "cell_format",
    "check_availability",
    "check_fixed_orders",
    "check_shortfalls",
    "collect_records",
    "apply_override",
    "collect_scenario_folder",
    "collect_scenario_json",
    "collect_scenario_variant",
    "is_time_column",
    "load_availability",
    "load_fixed_orders",
    "load_scenario",
    "load_scenario_json",
    "load_shortfalls",
    "parse_months",
    "read_records",
    "load_scenario_variant",
    "parse_months",
    "parse_override",
    "read_override",
    "read_scenario_folder",
    "records_from_json",
    "scenario_from_json",
    "scenario_to_json",
    "scenario_warnings",
    "sniff_delimiter",
    "table_columns",
    "validate_scenario",
    "write_scenario_folder",
]
