"""One error style for everything a person can get wrong: file, line, item, field, and what to do."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file, precise enough to find and fix without reading code."""

    file: str
    message: str
    item: str | None = None
    field: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [where]
        if self.item is not None:
            parts.append(self.item)
        if self.field is not None:
            parts.append(f"field '{self.field}'")
        return ": ".join([", ".join(parts), self.message])


class TriageError(Exception):
    """Base of every error calcitriage reports to a person; the CLI prints it and exits with `exit_code`."""

    exit_code = 2

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class KnowledgeBaseError(TriageError):
    """The rules folder cannot be used; every problem found is listed."""


class AnswersError(TriageError):
    """An answers file does not fit the questions of the knowledge base."""


class EngineError(TriageError):
    """The rule engine did not reach a stable result (for example, it exceeded its firing limit)."""
