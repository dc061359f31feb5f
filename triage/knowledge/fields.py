"""A small helper that reads fields of one item of a data file and collects problems, never raising."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from triage.errors import Place, Problem, shown
from triage.knowledge.yamlfile import line_of


class Reader:
    """Reads the fields of one item (a question, a rule, ...) of `file`, noting every problem."""

    def __init__(self, file: str, item: str | None, raw: Any, problems: list[Problem]):
        self.file = file
        self.item = item
        self.raw = raw if isinstance(raw, Mapping) else {}
        self.line = line_of(raw)
        self.problems = problems

    def problem(self, field: str | None, message: str, code: str = "bad-value") -> None:
        """Note a problem with `field` of this item (None: the item as a whole); `code` is from errors.CODES."""
        self.problems.append(Problem(code, Place(self.file, self.line, self.item, field), message))

    def text(self, field: str, required: bool = True) -> str | None:
        value = self.raw.get(field)
        if value is None:
            if required:
                self.problem(field, "is missing; write a short text here", "missing-field")
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(field, f"must be a non-empty text, not {shown(value)}")
            return None
        return value.strip()

    def ident(self, field: str) -> str | None:
        value = self.raw.get(field)
        if value is None:
            self.problem(field, "is missing", "missing-field")
            return None
        if not isinstance(value, str) or not value or not value.replace("_", "a").replace(".", "a").isalnum():
            self.problem(field, f"must be an id of letters, digits, '_' and '.', not {shown(value)}", "bad-id")
            return None
        return value

    def flag(self, field: str, default: bool = False) -> bool:
        value = self.raw.get(field, default)
        if not isinstance(value, bool):
            self.problem(field, f"must be true or false, not {shown(value)}")
            return default
        return value

    def unknown_fields(self, allowed: set[str]) -> None:
        for key in self.raw:
            if key not in allowed:
                self.problem(str(key), f"is not a known field here; known fields: {', '.join(sorted(allowed))}",
                             "unknown-field")
