"""scenario."""

from solver.scenario.scenario_io import TABLES as TABLES
from solver.scenario.scenario_io import SourceMap as SourceMap
from solver.scenario.scenario_io import collect_scenario_folder as collect_scenario_folder
from solver.scenario.scenario_io import collect_scenario_json as collect_scenario_json
from solver.scenario.scenario_io import load_scenario as load_scenario
from solver.scenario.scenario_io import load_scenario_json as load_scenario_json
from solver.scenario.scenario_io import parse_months as parse_months
from solver.scenario.scenario_io import read_scenario_folder as read_scenario_folder
from solver.scenario.scenario_io import scenario_from_json as scenario_from_json
from solver.scenario.scenario_io import scenario_to_json as scenario_to_json
from solver.scenario.scenario_io import sniff_delimiter as sniff_delimiter
from solver.scenario.scenario_io import write_scenario_folder as write_scenario_folder
from solver.scenario.validation import RULES as RULES
from solver.scenario.validation import WARNING_RULES as WARNING_RULES
from solver.scenario.validation import scenario_warnings as scenario_warnings
from solver.scenario.validation import validate_scenario as validate_scenario

__all__ = [
    "RULES",
    "SourceMap",
    "TABLES",
    "WARNING_RULES",
    "collect_scenario_folder",
    "collect_scenario_json",
    "load_scenario",
    "load_scenario_json",
    "parse_months",
    "read_scenario_folder",
    "scenario_from_json",
    "scenario_to_json",
    "scenario_warnings",
    "sniff_delimiter",
    "validate_scenario",
    "write_scenario_folder",
]
