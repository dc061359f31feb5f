"""Read an answers file (YAML or JSON: question id -> answer) and check it against the knowledge base."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from triage.errors import AnswersError, Place, Problem, YamlSyntaxError
from triage.flow import is_asked, offered_values
from triage.knowledge.yamlfile import parse_text
from triage.model import NOT_SURE, KnowledgeBase, Question
from triage.outcome import AnswerValue

_SPELLINGS = {True: "yes", False: "no", "not sure": NOT_SURE, "not-sure": NOT_SURE, "unsure": NOT_SURE}


def read_answers_file(path: str, stdin: TextIO | None = None) -> tuple[str, Any]:
    """The parsed content of an answers file and the name to use in messages; '-' reads stdin."""
    if path == "-":
        name, text = "<stdin>", (stdin or sys.stdin).read()
    else:
        name = path
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise AnswersError([Problem("no-such-file", Place(name), "no such file")]) from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise AnswersError([Problem("unreadable", Place(name), f"cannot be read: {exc}")]) from exc
    try:
        return name, parse_text(text, name)
    except YamlSyntaxError as exc:
        raise AnswersError(exc.problems) from exc


def check_answers(kb: KnowledgeBase, raw: Any, file: str) -> dict[str, AnswerValue]:
    """Answers in the engine's form; AnswersError lists every answer that does not fit, at once."""
    if isinstance(raw, Mapping) and isinstance(raw.get("answers"), Mapping) and "answers" not in kb.question:
        raw = raw["answers"]  # a file saved by the interview holds the answers beside the outcome
    if not isinstance(raw, Mapping):
        raise AnswersError([Problem("wrong-shape", Place(file),
                                    "must be a mapping of question ids to answers, e.g. {chest_pain: no}")])
    problems: list[Problem] = []
    answers: dict[str, AnswerValue] = {}
    for key in raw:
        if not isinstance(key, str) or key not in kb.question:
            problems.append(Problem("unknown-id", Place(file, item=f"question '{key}'"),
                                    "is not a question of this knowledge base (see 'triage questions')"))
    # In question order, so that 'would not have been asked' is judged on the earlier answers.
    for question in kb.questions:
        if question.id in raw:
            value = _checked(question, raw[question.id], answers, file, problems)
            if value is not None:
                answers[question.id] = value
    if problems:
        raise AnswersError(problems)
    return answers


def _checked(question: Question, raw: Any, earlier: dict[str, AnswerValue], file: str,
             problems: list[Problem]) -> AnswerValue | None:
    """One answer in the engine's form, if it fits the question and the earlier answers."""
    place = Place(file, item=f"question '{question.id}'")
    value = _normalise(question, raw, place, problems)
    if value is None:
        return None
    if not is_asked(question, earlier):
        problems.append(Problem("not-asked", place, "would not have been asked, given the other answers; remove it"))
        return None
    offered = offered_values(question, earlier)
    wrong = [v for v in (value if isinstance(value, tuple) else (value,)) if v not in offered]
    if wrong:
        problems.append(Problem("not-an-answer", place, f"{', '.join(map(repr, wrong))} is not an answer here; "
                                                        f"it takes {_choices(question, offered)}"))
        return None
    return value


def _choices(question: Question, offered: tuple[str, ...]) -> str:
    listed = ", ".join(offered)
    return f"a list of: {listed} (or [] for none)" if question.kind.is_list else listed


def _normalise(question: Question, value: Any, place: Place, problems: list[Problem]) -> AnswerValue | None:
    if question.kind.is_list:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(Problem("bad-value", place,
                                    f"must be a list of option ids (multiple choice), not {value!r:.60}"))
            return None
        if len(set(value)) != len(value):
            problems.append(Problem("duplicate-id", place, "lists an option more than once"))
            return None
        return tuple(value)
    if isinstance(value, bool) or (isinstance(value, str) and value.lower() in _SPELLINGS):
        value = _SPELLINGS.get(value if isinstance(value, bool) else value.lower(), value)
    if not isinstance(value, str):
        problems.append(Problem("bad-value", place, f"must be one of {', '.join(question.values)}, not {value!r:.60}"))
        return None
    return value
