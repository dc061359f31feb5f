"""Evaluate many recorded sessions: one answers object per JSON line in, one outcome per line out.

Streams: each line is read, evaluated and written before the next, so memory stays flat. A bad line
gives an error object on its own output line (nothing is dropped) and makes the run fail at the end; so
does a line on which the engine and the reference evaluator disagree (checks/second_opinion.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from triage.answers import check_answers
from triage.checks.second_opinion import confirmed
from triage.errors import TriageError, YamlSyntaxError
from triage.knowledge.yamlfile import parse_text
from triage.render.json_format import outcome_data
from triage.rete.engine import CompiledRules


@dataclass(frozen=True)
class BatchLine:
    number: int
    output: str  # one line of JSON, without the newline
    error: str | None = None


def evaluate_lines(engine: CompiledRules, lines: Iterable[str], file: str) -> Iterator[BatchLine]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{file}:{number}"
        try:
            try:
                raw = json.loads(line)
            except json.JSONDecodeError:
                raw = parse_text(line, where)  # gives the same clear message as an answers file would
            answers = check_answers(engine.kb, raw, where)
            # Confirmed by the reference evaluator; a disagreement is this line's error object, like a bad line.
            data = outcome_data(confirmed(engine.kb, engine.evaluate(answers), answers, where))
            data["line"] = number
            yield BatchLine(number, json.dumps(data, ensure_ascii=False, separators=(",", ":")))
        except YamlSyntaxError as exc:  # named by the batch file's line, not the line within the line
            yield _error(number, [f"{where}: {p.message}" for p in exc.problems])
        except TriageError as exc:
            yield _error(number, [str(p) for p in exc.problems])


def _error(number: int, messages: list[str]) -> BatchLine:
    return BatchLine(number, json.dumps({"line": number, "errors": messages}, ensure_ascii=False), messages[0])
