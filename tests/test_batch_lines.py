"""`triage run --batch`: one output line per input line, whatever the bytes; progress that never drains a pipe
nor mixes into stdout; --jobs; the public evaluate() (issue 18, items 1-5)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest

from support.kb_copies import REFUSAL, case_count, rules_copy
from support.paths import REPO
from support.terminals import CSI, environment
from triage.frontends import batch
from triage.frontends.batch import CHUNK_LINES, CHUNKS_PER_JOB, RawLine, evaluate_blocks
from triage.rete.engine import CompiledRules

NO, YES = b'{"chest_pain": "no"}\n', b'{"chest_pain": "yes"}\n'
EXAMPLE = '{"chest_pain": "no", "sex": "male"}'  # built from the shipped rules (batch.example_line)


def triage(*args: str, stdin: bytes = b"", cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The real command with stdin and stdout pipes."""
    done = subprocess.run([sys.executable, "-m", "triage", *args], input=stdin, capture_output=True, timeout=120,
                          cwd=cwd)
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(), done.stderr.decode())


def in_terminal(shell_command: str, cwd: Path, timeout: int = 120) -> tuple[int, str]:
    """`shell_command` (bash) with a pseudo-terminal as stdin and stderr (stdout as the command redirects it):
    its exit code and everything written to the terminal."""
    child = pexpect.spawn("bash", ["-c", shell_command], cwd=str(cwd), env=environment(), dimensions=(24, 80),
                          encoding="utf-8", codec_errors="replace", timeout=timeout)
    child.expect(pexpect.EOF)
    written = child.before or ""
    child.close()
    return child.exitstatus if child.exitstatus is not None else -1, written


def screen_lines(written: str) -> list[str]:
    """What a terminal shows of `written`, line by line: after a carriage return the line is drawn anew."""
    return [CSI.sub("", line.split("\r")[-1]) for line in written.replace("\r\n", "\n").split("\n")]


TRIAGE = f"{sys.executable} -m triage"


def outputs(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


# --- item 1: progress never drains the input ----------------------------------------------------------------


def test_item1_a_process_substitution_is_evaluated_not_drained_by_the_progress_count(tmp_path):
    (tmp_path / "sessions.jsonl").write_bytes(NO * 50)
    code, written = in_terminal(f"{TRIAGE} run --batch <(cat sessions.jsonl) > out.jsonl", tmp_path)
    lines = outputs((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    assert code == 0, written
    assert [line["line"] for line in lines] == list(range(1, 51))
    shown = " ".join(screen_lines(written))
    assert "50 sessions" in shown
    assert "[" not in shown and "%" not in shown  # the size of a pipe is unknown: no bar


def test_item1_a_named_pipe_is_evaluated_not_drained(tmp_path):
    fifo = tmp_path / "sessions.fifo"
    os.mkfifo(fifo)

    def feed() -> None:
        with fifo.open("wb") as pipe:
            pipe.write(NO * 40 + YES * 10)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    code, written = in_terminal(f"{TRIAGE} run --batch sessions.fifo > out.jsonl", tmp_path)
    writer.join(timeout=30)
    lines = outputs((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    assert code == 0, written
    assert len(lines) == 50
    assert [line["referral"]["urgency"] for line in lines[-10:]] == ["emergency"] * 10


def test_item1_a_pipe_on_stdin_gives_every_line(tmp_path):
    result = triage("run", "--batch", "-", stdin=NO * 30 + YES)
    assert (result.returncode, result.stderr) == (0, "")
    lines = outputs(result.stdout)
    assert len(lines) == 31 and lines[-1]["referral"]["urgency"] == "emergency"


# --- item 2: every line gives one line, whatever its bytes --------------------------------------------------


def test_item2_a_line_that_is_not_utf8_spoils_only_itself(tmp_path):
    path = tmp_path / "sessions.jsonl"
    path.write_bytes(NO * 4 + b'{"chest_pain": "n\xe4"}\n' + YES * 2)
    result = triage("run", "--batch", str(path))
    assert result.returncode == 2
    lines = outputs(result.stdout)
    assert [line["line"] for line in lines] == [1, 2, 3, 4, 5, 6, 7]
    assert lines[4] == {"line": 5, "errors": [f"{path}:5: is not UTF-8 text (byte 18); save the file as UTF-8"]}
    assert lines[6]["referral"]["urgency"] == "emergency"
    assert result.stderr.splitlines() == [f"error: {path}:5: is not UTF-8 text (byte 18); save the file as UTF-8",
                                          "error: 1 of 7 lines could not be evaluated (see the 'errors' lines)"]


def test_item2_a_line_nested_100000_deep_is_an_error_line_not_a_traceback(tmp_path):
    path = tmp_path / "sessions.jsonl"
    path.write_bytes(NO + b"[" * 100_000 + b"]" * 100_000 + b"\n" + b'{"chest_pain": ' + b"[" * 100_000 + b"\n" + YES)
    result = triage("run", "--batch", str(path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = outputs(result.stdout)
    assert [line["line"] for line in lines] == [1, 2, 3, 4]
    assert lines[1]["errors"] == [f"{path}:2: is nested too deeply to be answers; each line must hold one JSON "
                                  f"object of answers, e.g. {EXAMPLE}"]
    assert lines[2]["errors"] == [lines[1]["errors"][0].replace(":2:", ":3:")]  # unclosed, as deep
    assert lines[3]["referral"]["urgency"] == "emergency"


def test_item2_a_huge_line_is_refused_without_being_held(tmp_path):
    path = tmp_path / "sessions.jsonl"
    path.write_bytes(b'{"chest_pain": "' + b"x" * 5_000_000 + b'"}\n' + YES)
    result = triage("run", "--batch", str(path))
    assert result.returncode == 2
    first, second = outputs(result.stdout)
    assert first == {"line": 1, "errors": [f"{path}:1: is longer than 1,000,000 bytes, far more than any answers "
                                           "object needs; is it the right file?"]}
    assert second["referral"]["urgency"] == "emergency"


def test_item2_a_yaml_line_is_refused_batch_lines_are_json(tmp_path):
    result = triage("run", "--batch", "-", stdin=b"chest_pain: no\n" + NO)
    assert result.returncode == 2
    first, second = outputs(result.stdout)
    assert first == {"line": 1, "errors": [
        "<stdin>:1: is not JSON (Expecting value at column 1); each line must hold one JSON object of answers, "
        f"e.g. {EXAMPLE} (YAML is read only by 'triage run --answers')"]}
    assert second["line"] == 2 and "referral" in second


def test_a_line_answering_a_question_twice_is_an_error_line_not_its_last_answer():
    # Plain JSON reading keeps the last value: "yes" then "no" to chest pain would be read as a calm "no".
    fhir = ('{"resourceType": "QuestionnaireResponse", "status": "completed", '
            '"item": [{"linkId": "chest_pain", "linkId": "sex", "answer": [{"valueCoding": {"code": "no"}}]}]}')
    result = triage("run", "--batch", "-", stdin=b'{"chest_pain": "yes", "chest_pain": "no"}\n'
                    + b'{"chest_pain": "no", "chest_pain": "yes"}\n' + fhir.encode() + b"\n" + NO)
    assert result.returncode == 2
    lines = outputs(result.stdout)
    assert [line.get("errors") for line in lines[:3]] == [
        [f"<stdin>:{n}: writes '{key}' twice in one object; keep one (which of the two was meant cannot be told)"]
        for n, key in ((1, "chest_pain"), (2, "chest_pain"), (3, "linkId"))]
    assert "referral" in lines[3]
    assert "error: 3 of 4 lines could not be evaluated" in result.stderr


def test_the_example_an_error_line_gives_is_a_line_the_batch_evaluates(tmp_path):
    # A data manager copies the example from the message: it must name questions and values these rules take.
    refused = triage("run", "--batch", "-", stdin=b"[1]\n")
    example = outputs(refused.stdout)[0]["errors"][0].split("e.g. ", 1)[1]
    assert example == EXAMPLE
    taken = triage("run", "--batch", "-", stdin=example.encode() + b"\n")
    assert taken.returncode == 0, taken.stderr
    assert "referral" in outputs(taken.stdout)[0]


def test_the_example_follows_the_rules_in_use(tiny):
    # A clinician renamed a question: the message names the question these rules ask, not the old one.
    tiny.replace("questions.yaml", "- id: sex\n", "- id: sex_at_birth\n")
    tiny.replace("questions.yaml", "{question: sex, is: male}", "{question: sex_at_birth, is: male}")
    assert json.loads(batch.example_line(tiny.load())) == {"chest_pain": "no", "sex_at_birth": "male"}


def test_item2_a_blank_line_gives_its_own_error_line_so_output_n_answers_input_n(tmp_path):
    result = triage("run", "--batch", "-", stdin=NO + b"\n" + b"   \r\n" + YES + b"[1]\n" + b'{"chest_pain": "no"}')
    assert result.returncode == 2
    lines = outputs(result.stdout)
    assert [line["line"] for line in lines] == [1, 2, 3, 4, 5, 6]
    assert lines[1]["errors"] == [
        f"<stdin>:2: is empty; each line must hold one JSON object of answers, e.g. {EXAMPLE}"]
    assert "errors" in lines[2] and lines[3]["referral"]["urgency"] == "emergency"
    assert lines[4]["errors"] == [f"<stdin>:5: must be one JSON object of answers, e.g. {EXAMPLE}"]
    assert "referral" in lines[5]  # the last line needs no newline
    assert "error: 3 of 6 lines could not be evaluated" in result.stderr


# --- item 3: progress only on a terminal's stderr, never glued to a message, never among the JSON --------------


def test_item3_an_error_message_starts_a_line_of_its_own_after_the_progress_line(tmp_path):
    (tmp_path / "sessions.jsonl").write_bytes(NO * 30 + b"chest_pain: no\n" + NO * 30)
    code, written = in_terminal(f"{TRIAGE} run --batch sessions.jsonl > out.jsonl", tmp_path)
    assert code == 2
    shown = [line for line in screen_lines(written) if line]
    errors = [line for line in shown if "error:" in line]
    assert errors and all(line.startswith("error: ") for line in errors), shown
    assert any(re.search(r"\[#+\] 100% 61 sessions \(\d+/s\)", line) for line in shown), shown  # a regular file: a bar
    assert len((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()) == 61


def test_item3_with_stdout_on_the_terminal_too_no_progress_lands_among_the_json(spawn, tmp_path):
    (tmp_path / "sessions.jsonl").write_bytes(NO * 20)
    terminal = spawn("run", "--batch", "sessions.jsonl")
    terminal.child.expect(pexpect.EOF, timeout=120)
    shown = [line for line in screen_lines(terminal.raw) if line.strip()]
    assert len(shown) == 20 and all(line.startswith('{"schema"') for line in shown), shown


# --- item 4: the same refusal as every front end -----------------------------------------------------------


def test_item4_batch_refuses_to_start_when_a_golden_case_fails(tmp_path):
    rules = rules_copy(tmp_path, {"cases/lungs_past_tb.yaml": ("urgency: soon", "urgency: routine")})
    result = triage("run", "--rules", str(rules), "--batch", "-", stdin=NO)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines()[-1] == REFUSAL.format(n=1, total=case_count())


# --- --jobs --------------------------------------------------------------------------------------------------


def test_jobs_2_writes_the_same_bytes_in_the_same_order_as_jobs_1(tmp_path):
    path = tmp_path / "sessions.jsonl"
    path.write_bytes((NO * 37 + b"chest_pain: yes\n" + YES * 20 + b"\xff\n") * 3)  # 177 lines: three chunks
    one = triage("run", "--batch", str(path), "--jobs", "1")
    two = triage("run", "--batch", str(path), "--jobs", "2")
    assert (one.returncode, two.returncode) == (2, 2)
    assert two.stdout == one.stdout and two.stderr == one.stderr
    assert [line["line"] for line in outputs(two.stdout)] == list(range(1, 178))


def test_jobs_must_be_one_or_more():
    result = triage("run", "--batch", "-", "--jobs", "0")
    assert result.returncode == 2
    assert "--jobs: must be a whole number, 1 or more, not '0'" in result.stderr


def test_with_workers_only_a_bounded_window_of_lines_is_read_ahead(real_kb):
    engine = CompiledRules(real_kb)
    pulled = 0

    def lines() -> Iterator[RawLine]:
        nonlocal pulled
        for number in range(1, 100_001):
            pulled += 1
            yield RawLine(number, NO.rstrip(), len(NO))

    out = evaluate_blocks(engine, lines(), "sessions", jobs=2)
    first = next(out)
    assert first.lines == CHUNK_LINES and first.text.count(b'"referral"') == CHUNK_LINES
    assert first.text.startswith(b"{") and b'"line":1}' in first.text
    assert pulled <= CHUNK_LINES * (2 * CHUNKS_PER_JOB + 1)
    out.close()  # stops the workers


def test_the_default_is_every_core_this_process_may_use():
    assert batch.default_jobs() == len(os.sched_getaffinity(0))


# --- item 5: the public evaluate(): compile once, evaluate many, answers checked --------------------------


def test_item5_the_readme_example_runs_as_written():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Using it from Python", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert len(code.strip().splitlines()) <= 6
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "soon ('general',)\n"


def test_item5_evaluate_compiles_and_self_tests_once_per_knowledge_base(real_kb, monkeypatch):
    import triage
    from triage import api

    compiled = []
    real = api.checked_rules
    monkeypatch.setattr(api, "checked_rules", lambda kb: compiled.append(kb) or real(kb))
    monkeypatch.setattr(api, "_checked", type(api._checked)())
    for _ in range(5):
        assert triage.evaluate(real_kb, {"chest_pain": "yes"}).referral.urgency.id == "emergency"
    assert compiled == [real_kb]


def test_item5_evaluate_refuses_answers_that_do_not_fit_rather_than_saying_routine(real_kb):
    import triage

    with pytest.raises(triage.AnswersError, match="'nope' is not an answer here"):
        triage.evaluate(real_kb, {"chest_pain": "nope"})
    with pytest.raises(triage.AnswersError, match="question 'bogus': is not a question"):
        triage.evaluate(real_kb, {"bogus": "yes"})
