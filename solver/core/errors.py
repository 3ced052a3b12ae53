"""Exceptions and problem reports of the solver package."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Problem:
    """One problem found in a scenario, located as precisely as possible.

    ``row`` is the line number in the file as a spreadsheet shows it (the header is
    row 1, the first data row is row 2); 0 when the problem is not tied to a row.
    """

    file: str
    row: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        shown = f" (value {self.value!r})" if self.value != "" else ""
        return f"{where}: {self.message}{shown}"

    def to_dict(self) -> dict[str, object]:
        """Plain dict for JSON."""
        return asdict(self)


class ScenarioError(ValueError):
    """A scenario could not be read: carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        head = f"{len(self.problems)} problem(s) in scenario"
        body = "\n".join(f"  - {p}" for p in self.problems[:50])
        more = "" if len(self.problems) <= 50 else f"\n  ... and {len(self.problems) - 50} more"
        super().__init__(f"{head}:\n{body}{more}")
