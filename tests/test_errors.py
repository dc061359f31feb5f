"""One error style (issue 11): one Problem type, YAML errors in the same tree, exit codes only in cli.py."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from support.paths import REPO
from triage.cli import EXIT_CODES
from triage.endings import Ending
from triage.errors import CODES, KnowledgeBaseError, Place, Problem, Severity, TriageError, YamlSyntaxError
from triage.knowledge.yamlfile import parse_text

PACKAGE = REPO / "triage"


def _modules() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(encoding="utf-8"))) for path in sorted(PACKAGE.rglob("*.py"))]


def _name(func: ast.expr) -> str | None:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _written_codes(node: ast.AST) -> list[ast.expr]:
    """Where `node` writes a code: Problem(CODE, ...), a helper's `problem(field, message, CODE)` or
    `code=CODE`, and a `code` parameter's default."""
    found: list[ast.expr] = []
    if isinstance(node, ast.Call):
        name = _name(node.func)
        if name == "Problem" and node.args:
            found.append(node.args[0])
        if name == "problem" and len(node.args) > 2:
            found.append(node.args[2])
        found += [keyword.value for keyword in node.keywords if keyword.arg == "code"]
    if isinstance(node, ast.FunctionDef):
        positional = node.args.args[len(node.args.args) - len(node.args.defaults):]
        found += [default for arg, default in zip(positional, node.args.defaults, strict=True) if arg.arg == "code"]
    return found


def _codes_used() -> dict[str, list[str]]:
    """Every code written in triage/, with the places it is written."""
    used: dict[str, list[str]] = {}
    for path, tree in _modules():
        for node in ast.walk(tree):
            for value in _written_codes(node):
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    used.setdefault(value.value, []).append(f"{path.relative_to(REPO)}:{value.lineno}")
    return used


# --- (a) every code is in the catalogue ---------------------------------------------------------------------


def test_every_problem_code_used_in_the_package_is_documented_in_the_catalogue():
    used = _codes_used()
    assert {"yaml-syntax", "unknown-id", "never-fires", "bad-value"} <= set(used)  # the scan finds them
    undocumented = {code: where for code, where in used.items() if code not in CODES}
    assert undocumented == {}, "add these codes to CODES in triage/errors.py, with a one-line meaning"


def test_the_catalogue_lists_no_code_that_nothing_uses():
    assert sorted(set(CODES) - set(_codes_used())) == []


def test_every_problem_is_built_with_a_code_written_out_or_passed_on():
    """No Problem(...) whose code is computed: the scan above could not check it."""
    for path, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) == "Problem":
                first = node.args[0] if node.args else None
                assert isinstance(first, ast.Constant) or (isinstance(first, ast.Name) and first.id == "code"), (
                    f"{path.relative_to(REPO)}:{node.lineno}")


# --- one type, two listings ---------------------------------------------------------------------------------


def test_a_problem_prints_file_line_item_and_field_as_load_errors_always_did():
    place = Place("kb/rules/x.yaml", 3, "rule 'x.y'", "when")
    assert str(Problem("unknown-id", place, "unknown question 'z'")) == (
        "kb/rules/x.yaml:3, rule 'x.y', field 'when': unknown question 'z'")
    assert str(Problem("empty-file", Place("kb/advice.yaml"), "is empty")) == "kb/advice.yaml: is empty"


def test_a_check_finding_is_listed_item_first_with_its_severity_and_code():
    rule = Problem("never-fires", Place("kb/rules/x.yaml", 3, "rule 'x.y'"), "can never fire")
    question = Problem("unused-question", Place(None, item="question 'q'"), "no rule uses it", Severity.WARNING)
    assert rule.as_finding() == "error: [never-fires] rule 'x.y' (kb/rules/x.yaml): can never fire"
    assert question.as_finding() == "warning: [unused-question] question 'q': no rule uses it"


# --- (b) a YAML syntax error is one more problem of the knowledge base --------------------------------------


def test_yaml_syntax_errors_are_triage_errors_with_a_coded_problem():
    with pytest.raises(TriageError) as info:
        parse_text("a: [1, 2\n", "answers.yaml")
    assert isinstance(info.value, YamlSyntaxError) and info.value.ending is Ending.BAD_INPUT
    [problem] = info.value.problems
    assert (problem.code, problem.severity, problem.place) == ("yaml-syntax", Severity.ERROR,
                                                                Place("answers.yaml", 2))


def test_a_yaml_syntax_error_in_a_rules_file_is_listed_with_the_other_load_problems(tiny, cli):
    tiny.replace("rules/x.yaml", "  source: leaflet\n  when: {question: cough, is: yes}",
                 "  source: leaflet\n   when: {question: cough, is: yes}")
    tiny.replace("questions.yaml", "text: Do you cough often?\n", "text: Do you cough often?\n  colour: blue\n")
    with pytest.raises(KnowledgeBaseError) as info:
        tiny.load()
    assert [(p.code, p.place.file, p.place.line) for p in info.value.problems] == [
        ("yaml-syntax", "kb/rules/x.yaml", 22), ("unknown-field", "kb/questions.yaml", 16)]
    result = cli("questions", "--rules", tiny.save())
    assert result.code == 2 and result.out == ""
    assert result.err.splitlines() == [f"error: {p}" for p in info.value.problems]
    assert "error: kb/rules/x.yaml:22: not valid YAML or JSON: mapping values are not allowed here" in result.err


# --- (c) endings, and exit numbers in cli.py only ------------------------------------------------------------


def test_every_ending_has_exactly_one_exit_code_and_the_numbers_are_unchanged():
    assert set(EXIT_CODES) == set(Ending)
    assert {EXIT_CODES[e] for e in (Ending.FINISHED,)} == {0}
    assert {EXIT_CODES[e] for e in (Ending.CHECK_FAILED, Ending.INPUT_ENDED, Ending.WENT_WRONG)} == {1}
    assert (EXIT_CODES[Ending.BAD_INPUT], EXIT_CODES[Ending.QUIT]) == (2, 130)


def test_no_module_but_cli_returns_or_exits_with_an_exit_number():
    found = []
    for path, tree in _modules():
        if path.name == "cli.py" or path.name == "__main__.py":
            continue
        for node in ast.walk(tree):
            value = node.value if isinstance(node, ast.Return) else (
                node.args[0] if isinstance(node, ast.Call) and _name(node.func) == "exit" and node.args else None)
            if isinstance(value, ast.Constant) and value.value in (1, 2, 130) and not isinstance(value.value, bool):
                found.append(f"{path.relative_to(REPO)}:{node.lineno}")
            if isinstance(node, ast.Name) and node.id.startswith("EXIT"):
                found.append(f"{path.relative_to(REPO)}:{node.lineno} ({node.id})")
    assert found == [], "return an Ending; cli.py's EXIT_CODES turns it into a number"


def test_front_ends_return_an_ending():
    from triage.frontends.interview import Interview
    from triage.frontends.kiosk.kiosk import Kiosk, kiosk_main, print_code_hash
    from triage.frontends.opening_screen import ended_early, interview_while_preparing

    for run in (Interview.run, Kiosk.run, kiosk_main, print_code_hash, ended_early, interview_while_preparing):
        assert inspect.signature(run).return_annotation == "Ending", run.__qualname__
