"""Fuzzing the two loaders (issue 6): whatever the input, a valid result or the documented clear error.

The answers loader gets random structures, wrong types, huge and odd strings, unicode and raw bytes; the
knowledge-base loader gets real rules files with random mutations. The only outcomes allowed are a
result or a TriageError (which the CLI prints as `error: ...` lines with exit code 2): never another
exception, never a hang. Sizes are bounded, and every example runs under a watchdog that fails it after
WATCHDOG seconds (a hang shows up as a failure, not as a stuck CI job).
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import shutil
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triage.answers import check_answers, read_answers_file
from triage.errors import TriageError
from triage.flow import is_asked, offered_values
from triage.knowledge.load import builtin_rules_dir, load_knowledge
from triage.model import KnowledgeBase, QuestionType
from triage.outcome import Outcome
from triage.rete.engine import CompiledRules

KB = load_knowledge()
_LONG = os.environ.get("CALCITRIAGE_LONG", "").strip()
# As in test_invariants.py: CALCITRIAGE_LONG=N runs N times the examples; another non-empty value 20 times.
LONG = 1 if _LONG in ("", "0") else int(_LONG) if _LONG.isdigit() and int(_LONG) > 1 else 20
QUESTION_IDS = [q.id for q in KB.questions]
WATCHDOG = 20  # seconds for one example; real ones take milliseconds
SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
            "print_blob": True}


class Hang(Exception):
    pass


@contextmanager
def watchdog(seconds: int = WATCHDOG) -> Iterator[None]:
    """Fail (with Hang) instead of hanging: SIGALRM interrupts the example after `seconds`."""
    def alarm(_signum, _frame):  # type: ignore[no-untyped-def]
        raise Hang(f"no result after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def result_or_clear_error(call, *args):  # type: ignore[no-untyped-def]
    """Run `call`; a TriageError is an allowed outcome (returned), any other exception fails the test."""
    with watchdog():
        try:
            return call(*args)
        except TriageError as exc:
            assert exc.problems, "a TriageError must name at least one problem"
            assert all(str(p) and "\n" not in p.message for p in exc.problems)
            return exc


# --- strategies ------------------------------------------------------------------------------------------

ODD_TEXT = st.sampled_from([
    "", " ", "yes", "no", "not sure", "Not-Sure", "YES", "true", "~", "null", "None", "0", "-1", "1e400",
    "nan", "\u202eeyes", "ye\u0301s", "\u00a0no", "no\u200b", "\U0001f600", "\x00", "\t", "\r\n", "%", "&a",
    "*a", "!!binary",
    "ＹＥＳ", "是", "🫁", "'", '"', "\\", "{", "[", "- ", ": ", "#", "?", "|", ">",
])
TEXT = st.one_of(st.text(max_size=40), ODD_TEXT, st.sampled_from(QUESTION_IDS),
                 st.sampled_from([o.id for q in KB.questions for o in q.options]))
HUGE = st.builds(lambda piece, n: piece * n, st.one_of(ODD_TEXT, st.text(min_size=1, max_size=3)),
                 st.integers(1, 20_000))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXT, HUGE)
KEYS = st.one_of(st.sampled_from(QUESTION_IDS), st.sampled_from(["answers", "outcome"]), TEXT, st.integers(),
                 st.none(), st.booleans())
STRUCTURES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=8),
                                                           st.dictionaries(KEYS, inner, max_size=8)),
                          max_leaves=40)


@st.composite
def nearly_valid(draw) -> dict:  # type: ignore[no-untyped-def]
    """Answers that follow the flow, with a few of them replaced by something else: reach the deep checks."""
    answers: dict = {}
    for question in KB.questions:
        if not is_asked(question, answers) or draw(st.booleans()):
            continue
        offered = offered_values(question, answers)
        if question.type is QuestionType.MULTIPLE_CHOICE:
            answers[question.id] = [o for o in offered if draw(st.booleans())]
        else:
            answers[question.id] = draw(st.sampled_from(offered))
    for _ in range(draw(st.integers(0, 3))):
        answers[draw(KEYS)] = draw(STRUCTURES)
    if draw(st.booleans()):
        answers = {"answers": answers, "outcome": draw(STRUCTURES)}
    return answers


YAML_PIECES = st.one_of(ODD_TEXT, st.sampled_from(QUESTION_IDS), st.text(max_size=12),
                        st.sampled_from(["\n", "\n  ", ": ", "- ", "[", "]", "{", "}", ", ", "&x ", "*x",
                                         "<<: *x\n", "---\n", "...\n", "!!str ", "!!python/object:os.system ",
                                         "? ",
                                         '"\\u00e9"', "'it''s'", "|\n  ", ">-\n  "]))


def dumped(value) -> str:  # type: ignore[no-untyped-def]
    try:
        return yaml.safe_dump(value, allow_unicode=True)
    except (yaml.YAMLError, ValueError, RecursionError):
        return json.dumps(value, default=str)


TEXTS = st.one_of(
    st.text(max_size=300),
    st.lists(YAML_PIECES, max_size=80).map("".join),
    HUGE,
    nearly_valid().map(dumped),
    nearly_valid().map(lambda a: json.dumps(a, default=str, ensure_ascii=False)),
    STRUCTURES.map(dumped),
    st.integers(1, 3000).map(lambda n: "chest_pain: " + "[" * n + "]" * n),
    st.integers(1, 12).map(lambda n: "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9) if i else 'x'}]\n"
                                             for i in range(n)) + f"chest_pain: *l{n - 1}\n"),
)


# --- the answers loader -------------------------------------------------------------------------------------


def check_result(result) -> None:  # type: ignore[no-untyped-def]
    if isinstance(result, TriageError):
        return
    assert isinstance(result, dict)
    for question, value in result.items():
        assert question in KB.question
        assert isinstance(value, str) or (isinstance(value, tuple) and all(isinstance(v, str) for v in value))


@settings(max_examples=400 * LONG, **SETTINGS)
@given(STRUCTURES)
def test_any_structure_is_answers_or_a_clear_error(raw):
    check_result(result_or_clear_error(check_answers, KB, raw, "fuzz.yaml"))


@settings(max_examples=400 * LONG, **SETTINGS)
@given(nearly_valid())
def test_nearly_valid_answers_are_answers_or_a_clear_error(raw):
    check_result(result_or_clear_error(check_answers, KB, raw, "fuzz.yaml"))


def read_and_check(text: str):  # type: ignore[no-untyped-def]
    _, raw = read_answers_file("-", stdin=io.StringIO(text))
    return check_answers(KB, raw, "<stdin>")


@settings(max_examples=500 * LONG, **SETTINGS)
@given(TEXTS)
def test_any_text_is_answers_or_a_clear_error(text):
    check_result(result_or_clear_error(read_and_check, text))


@settings(max_examples=150 * LONG, **SETTINGS)
@given(st.one_of(st.binary(max_size=2000), TEXTS.map(lambda t: t.encode("utf-8", "surrogatepass")),
                 TEXTS.map(lambda t: t.encode("utf-16")),
                 TEXTS.map(lambda t: t.encode("latin-1", "replace"))))
def test_any_file_is_answers_or_a_clear_error(content):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "answers.yaml"
        path.write_bytes(content)

        def read_file():  # type: ignore[no-untyped-def]
            name, raw = read_answers_file(str(path))
            return check_answers(KB, raw, name)

        check_result(result_or_clear_error(read_file))


def test_an_alias_bomb_is_refused_quickly():
    bomb = "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10) if i else 'x'}]\n" for i in range(9))
    result = result_or_clear_error(read_and_check, bomb + "chest_pain: *l8\n")
    assert [str(p) for p in result.problems] == [
        "<stdin>: its aliases (*name) stand for more than 100,000 values; write the values out instead"]


# --- the knowledge-base loader ------------------------------------------------------------------------------

PRISTINE = builtin_rules_dir()
KB_FILES = sorted(str(p.relative_to(PRISTINE)) for p in PRISTINE.rglob("*.yaml"))
WORDS = sorted(set(re.findall(r"[A-Za-z_][A-Za-z_.]*", "\n".join(
    (PRISTINE / f).read_text(encoding="utf-8") for f in KB_FILES))))


@st.composite
def mutation(draw):  # type: ignore[no-untyped-def]
    """One change to one file of a copy of the rules: lines deleted, doubled, swapped, re-indented; text
    inserted; a word replaced by another; the file cut short; bytes overwritten."""
    kind = draw(st.sampled_from(["delete", "double", "swap", "indent", "insert", "word", "cut", "bytes"]))
    return (draw(st.sampled_from(KB_FILES)), kind, draw(st.randoms(use_true_random=False)),
            draw(st.one_of(YAML_PIECES, st.sampled_from(WORDS), st.text(max_size=30))))


def mutate(data: bytes, kind: str, rng: random.Random, piece: str) -> bytes:
    lines = data.split(b"\n")
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    if kind == "delete":
        del lines[i:i + rng.randint(1, 4)]
    elif kind == "double":
        lines.insert(i, lines[i])
    elif kind == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "indent":
        lines[i] = b"  " + lines[i] if rng.random() < 0.5 else lines[i][2:]
    elif kind == "insert":
        at = rng.randrange(len(data) + 1)
        return data[:at] + piece.encode("utf-8", "surrogatepass") + data[at:]
    elif kind == "word":
        words = list(re.finditer(rb"[A-Za-z_][A-Za-z_.]*", data))
        if words:
            word = rng.choice(words)
            replacement = rng.choice(WORDS) if rng.random() < 0.7 else piece
            return data[:word.start()] + replacement.encode("utf-8", "surrogatepass") + data[word.end():]
    elif kind == "cut":
        return data[:rng.randrange(len(data) + 1)]
    elif kind == "bytes":
        at = rng.randrange(len(data) + 1)
        return data[:at] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 8))) + data[at + 4:]
    return b"\n".join(lines)


def evaluate_some(kb: KnowledgeBase) -> list[Outcome]:
    """A knowledge base that loads must also run: no answers, and every question answered 'first offered'."""
    engine = CompiledRules(kb)
    answers: dict = {}
    for question in kb.questions:
        if is_asked(question, answers):
            offered = offered_values(question, answers)
            multiple = question.type is QuestionType.MULTIPLE_CHOICE
            answers[question.id] = offered[:1] if multiple else offered[0]
    return [engine.evaluate({}), engine.evaluate({q: tuple(v) if isinstance(v, list) else v
                                                 for q, v in answers.items()})]


def load_and_run(folder: Path):  # type: ignore[no-untyped-def]
    kb = load_knowledge(folder)
    return kb, evaluate_some(kb)


@settings(max_examples=200 * LONG, **SETTINGS)
@given(st.lists(mutation(), min_size=1, max_size=3))
def test_a_mutated_knowledge_base_loads_and_runs_or_gives_a_clear_error(mutations):
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "rules"
        shutil.copytree(PRISTINE, copy)
        for file, kind, rng, piece in mutations:
            path = copy / file
            path.write_bytes(mutate(path.read_bytes(), kind, rng, piece))
        result = result_or_clear_error(load_and_run, copy)
        if not isinstance(result, TriageError):
            kb, outcomes = result
            assert isinstance(kb, KnowledgeBase) and all(isinstance(o, Outcome) for o in outcomes)
