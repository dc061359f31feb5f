"""Evaluate many recorded sessions: one JSON object of answers per input line, one JSON line out per input line.

Every input line gives exactly one output line, in input order, whatever its bytes: the outcome (with
"line": N) or {"line": N, "errors": [...]}. So output line N always answers input line N (`paste` works) and
nothing is dropped or hidden. A blank line is an error line too: in an export it means a lost record.
Lines are read as bytes and decoded one by one, so a line that is not UTF-8 spoils only itself. Lines must
be JSON objects: YAML is for answers files (`triage run --answers`), and a batch line that happened to read
as YAML would be evaluated as something nobody meant.

Memory stays flat: lines are read as they are evaluated, at most MAX_LINE_BYTES of one line is held, and
with several jobs at most a few chunks per worker are in flight (`evaluate_blocks`).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import chain, islice
from typing import BinaryIO

from triage.answers import check_answers, example_answers
from triage.checks.second_opinion import confirmed
from triage.endings import Ending
from triage.errors import AnswersError, Place, Problem, TriageError, shown
from triage.model import KnowledgeBase
from triage.outcome import Outcome
from triage.render.json_format import outcome_data
from triage.rete.engine import CompiledRules
from triage.standards import cds, fhir
from triage.standards.fhir_answers import answers_from_fhir, is_fhir

MAX_LINE_BYTES = 1_000_000  # an answers object is a few kilobytes; a longer line is refused, not held
CHUNK_LINES = 64  # lines sent to a worker at once: big enough that passing them costs little
CHUNKS_PER_JOB = 4  # chunks in flight per worker: keeps every worker busy, and memory bounded


@dataclass(frozen=True)
class RawLine:
    number: int
    data: bytes | None  # without its line ending; None when longer than MAX_LINE_BYTES
    size: int  # bytes read for this line, line ending included (progress through a file)


@dataclass(frozen=True)
class BatchLine:
    number: int
    output: str  # one line of JSON, without the newline
    error: str | None = None  # the first error message, for stderr
    size: int = 0


class BatchWorkerError(TriageError):
    """A worker process ended without finishing its lines (killed, out of memory): the run cannot go on."""

    ending = Ending.WENT_WRONG


def default_jobs() -> int:
    """The cores this process may run on (taskset and cgroups included), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def read_lines(stream: BinaryIO, limit: int = MAX_LINE_BYTES) -> Iterator[RawLine]:
    """The stream's lines as bytes, numbered from 1, read as they are asked for (a pipe is never drained ahead).
    A line longer than `limit` is skipped up to its end and comes as data None."""
    number = 0
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        number += 1
        size = len(line)
        if len(line) > limit and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = stream.readline(limit)
                size += len(line)
            yield RawLine(number, None, size)
            continue
        if line.endswith(b"\n"):
            line = line[:-2] if line.endswith(b"\r\n") else line[:-1]
        yield RawLine(number, line, size)


def evaluate_line(engine: CompiledRules, raw: RawLine, file: str, fmt: str = "json") -> BatchLine:
    """One input line's output line: its outcome (in `fmt`: json, fhir or cds-card), or its errors. Never raises
    for what the line holds. A line may also be a FHIR QuestionnaireResponse (NDJSON, as FHIR bulk data is)."""
    where = f"{file}:{raw.number}"
    try:
        kb = engine.kb
        parsed = _parsed(raw, file, kb)
        if is_fhir(parsed):
            assert isinstance(parsed, dict)  # for mypy: is_fhir holds only for a mapping
            answers = answers_from_fhir(kb, parsed, where)
        else:
            answers = check_answers(kb, parsed, where)
        # Confirmed by the reference evaluator; a disagreement is this line's error object, like a bad line.
        outcome = confirmed(kb, engine.evaluate(answers), answers, where)
    except TriageError as exc:
        return _error(raw, [str(p) for p in exc.problems])
    except RecursionError:  # answers nested deeper than the checks can follow
        return _error(raw, [str(Problem("too-large", Place(file, raw.number), "is nested too deeply to be answers"))])
    return BatchLine(raw.number, _output(kb, outcome, raw.number, fmt), size=raw.size)


def example_line(kb: KnowledgeBase) -> str:
    """A line of answers these rules read (`example_answers`), as JSON, for the messages about a line holding none."""
    return json.dumps(example_answers(kb), ensure_ascii=False)


def _output(kb: KnowledgeBase, outcome: Outcome, number: int, fmt: str) -> str:
    """One line of JSON. The JSON outcome carries "line": N; a FHIR Bundle or a CDS card stays exactly the
    standard's shape (no extra key), and is matched to its input by position: output line N is input line N."""
    if fmt == "fhir":
        return fhir.to_json(fhir.outcome_bundle(kb, outcome), compact=True)
    if fmt == "cds-card":
        return fhir.to_json(cds.card(kb, outcome), compact=True)
    data = outcome_data(outcome)
    data["line"] = number
    return _ONE_LINE.encode(data)


# What json.dumps(data, ensure_ascii=False, separators=(",", ":")) makes, without a new encoder per line.
_ONE_LINE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _parsed(raw: RawLine, file: str, kb: KnowledgeBase) -> object:
    """The JSON object on one line; AnswersError saying what is wrong with the line, and how to write it."""
    place = Place(file, raw.number)
    if raw.data is None:
        raise AnswersError([Problem("too-large", place, f"is longer than {MAX_LINE_BYTES:,} bytes, far more than "
                                    "any answers object needs; is it the right file?")])
    try:
        text = raw.data.decode("utf-8")
    except UnicodeDecodeError as exc:
        looks = "it looks like UTF-16" if raw.data[:2] in (b"\xff\xfe", b"\xfe\xff") else f"byte {exc.start + 1}"
        raise AnswersError([Problem("not-utf8", place,
                                    f"is not UTF-8 text ({looks}); save the file as UTF-8")]) from exc
    if raw.number == 1:
        text = text.removeprefix("\ufeff")
    if not text.strip():
        raise AnswersError([Problem("not-json", place, f"is empty; {_one_object(kb)}")])
    try:
        value = json.loads(text, object_pairs_hook=_each_key_once)
    except _KeyTwice as exc:
        raise AnswersError([Problem("not-json", place, f"writes {shown(exc.key)} twice in one object; keep one "
                                    "(which of the two was meant cannot be told)")]) from exc
    except RecursionError as exc:
        raise AnswersError([Problem("too-large", place,
                                    f"is nested too deeply to be answers; {_one_object(kb)}")]) from exc
    except json.JSONDecodeError as exc:
        raise AnswersError([Problem("not-json", place, f"is not JSON ({exc.msg} at column {exc.colno}); "
                                    f"{_one_object(kb)} (YAML is read only by 'triage run --answers')")]) from exc
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise AnswersError([Problem("not-json", place, f"cannot be read as JSON ({exc})")]) from exc
    if not isinstance(value, dict):
        raise AnswersError([Problem("wrong-shape", place,
                                    f"must be one JSON object of answers, e.g. {example_line(kb)}")])
    return value


class _KeyTwice(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _each_key_once(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """A JSON object as a dict, refusing a key written twice: plain json.loads would keep the last value and drop
    the other without a word, and `{"chest_pain": "yes", "chest_pain": "no"}` would be read as a calm "no"."""
    value = dict(pairs)
    if len(value) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _KeyTwice(key)
            seen.add(key)
    return value


def _one_object(kb: KnowledgeBase) -> str:
    return f"each line must hold one JSON object of answers, e.g. {example_line(kb)}"


def _error(raw: RawLine, messages: list[str]) -> BatchLine:
    output = json.dumps({"line": raw.number, "errors": messages}, ensure_ascii=False)
    return BatchLine(raw.number, output, messages[0], raw.size)


def evaluate_lines(engine: CompiledRules, lines: Iterable[RawLine], file: str,
                   fmt: str = "json") -> Iterator[BatchLine]:
    """One BatchLine per input line, in input order, evaluated in this process as each line is read."""
    for raw in lines:
        yield evaluate_line(engine, raw, file, fmt)


@dataclass(frozen=True)
class Block:
    """Consecutive output lines, ready to write: one line in this process, a chunk's lines from a worker. A
    worker sends its chunk back as one piece of bytes, so that the parent, which writes every line and shares
    the cores with the workers, does little more than copy it out."""

    text: bytes  # the output lines, each ended by a newline, UTF-8
    lines: int  # how many lines `text` holds
    size: int  # the input bytes they answer (progress through a file)
    errors: tuple[str, ...]  # the first error message of each line that failed, in order


def evaluate_blocks(engine: CompiledRules, lines: Iterable[RawLine], file: str, jobs: int = 1,
                    fmt: str = "json") -> Iterator[Block]:
    """Every input line's output line, in input order, in Blocks. With jobs > 1 the lines are evaluated by that
    many worker processes, each with its own copy of `engine`; at most CHUNKS_PER_JOB chunks per worker are in
    flight. A batch of one chunk or less, or jobs 1, is evaluated in this process, one line per Block."""
    lines = iter(lines)
    first = list(islice(lines, CHUNK_LINES))
    if jobs <= 1 or len(first) < CHUNK_LINES:  # one chunk or less: not worth starting workers
        for line in evaluate_lines(engine, chain(first, lines), file, fmt):
            yield _block([line])
        return
    yield from _in_workers(engine, chain(first, lines), file, jobs, fmt)


def _block(done: list[BatchLine]) -> Block:
    text = "".join([line.output + "\n" for line in done]).encode("utf-8")
    return Block(text, len(done), sum(line.size for line in done),
                 tuple(line.error for line in done if line.error is not None))


def _in_workers(engine: CompiledRules, lines: Iterable[RawLine], file: str, jobs: int,
                fmt: str) -> Iterator[Block]:
    # 'fork': each worker starts as a copy of this process, holding the very rules that passed the golden cases
    # and checks here (nothing re-read from disk, which may have changed since), with no pickling and no
    # re-import. The workers are forked at the first chunk, before the executor starts its own thread.
    sys.stdout.flush()
    sys.stderr.flush()
    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                               initializer=_start_worker, initargs=(engine, file, fmt))
    pending: deque[Future[Block]] = deque()
    done = 0
    try:
        for chunk in _chunks(lines, CHUNK_LINES):
            pending.append(pool.submit(_evaluate_chunk, chunk))
            while len(pending) >= jobs * CHUNKS_PER_JOB:
                block = pending.popleft().result()
                done += block.lines
                yield block
        while pending:
            block = pending.popleft().result()
            done += block.lines
            yield block
    except BrokenProcessPool as exc:
        raise BatchWorkerError([Problem("worker-died", Place(file, done + 1),
                                        "a worker process ended unexpectedly (out of memory? killed?); the lines "
                                        f"from {done + 1} on were not evaluated; run again with --jobs 1 to see "
                                        "which line")]) from exc
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _chunks(lines: Iterable[RawLine], size: int) -> Iterator[list[RawLine]]:
    chunk: list[RawLine] = []
    for raw in lines:
        chunk.append(raw)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_worker: tuple[CompiledRules, str, str] | None = None


def _start_worker(engine: CompiledRules, file: str, fmt: str = "json") -> None:
    """In each worker, once: keep the rules; leave Ctrl-C to the parent; never write to the parent's stdout."""
    global _worker
    _worker = (engine, file, fmt)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the worker's lifetime


def _evaluate_chunk(chunk: list[RawLine]) -> Block:
    assert _worker is not None, "a batch worker evaluates only after _start_worker"
    engine, file, fmt = _worker
    return _block(list(evaluate_lines(engine, chunk, file, fmt)))


class Progress:
    """The progress line on a terminal's stderr: sessions so far and their rate, with a bar only when the size of
    the input is known (a regular file). Counted as lines come out: the input is never read ahead for it."""

    def __init__(self, stream, total_bytes: int | None, now: float):  # type: ignore[no-untyped-def]
        self.stream, self.total, self.started, self.shown_at = stream, total_bytes, now, 0.0
        self.done = self.bytes = 0
        self.visible = False

    def count(self, block: Block, now: float) -> None:
        self.done += block.lines
        self.bytes += block.size
        if now - self.shown_at > 0.1:
            self.show(now)

    def show(self, now: float) -> None:
        self.shown_at = now
        rate = self.done / max(now - self.started, 1e-9)
        text = f"{self.done:,} sessions ({rate:.0f}/s)"
        if self.total:
            share = min(1.0, self.bytes / self.total)
            filled = int(30 * share)
            text = f"[{'#' * filled}{'.' * (30 - filled)}] {share:4.0%} {text}"
        self.stream.write("\r\x1b[K" + text)
        self.stream.flush()
        self.visible = True

    def clear(self) -> None:
        """Take the progress line away, so that a message starts on a line of its own."""
        if self.visible:
            self.stream.write("\r\x1b[K")
            self.visible = False

    def end(self, now: float) -> None:
        self.show(now)
        self.stream.write("\n")
        self.visible = False
