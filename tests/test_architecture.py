"""The import rules of docs/architecture.md, read from the source with `ast`.

Every import statement of triage/ counts, at module level or inside a function (a lazy import is still a
dependency). The module-level imports that run at import time must form no cycle. Only triage/rete/ may
import experta, only triage/frontends/ questionary or prompt_toolkit, and only
triage/frontends/web/ starlette, uvicorn or jinja2.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from support.paths import REPO

PACKAGE = REPO / "triage"

# Each module belongs to the first area whose prefix it matches (longest prefixes first).
AREAS: dict[str, tuple[str, ...]] = {
    "foundation": ("triage.errors", "triage.endings", "triage.vocabulary", "triage.texts"),
    "model": ("triage.model",),
    "core": ("triage.logic", "triage.outcome", "triage.flow", "triage.answers"),
    "yaml": ("triage.knowledge.yamlfile", "triage.knowledge.fields"),
    "knowledge": ("triage.knowledge",),
    "rete": ("triage.rete",),
    "checks": ("triage.checks",),
    "render": ("triage.render",),
    "standards": ("triage.standards",),
    "session": ("triage.session",),
    "frontends": ("triage.frontends",),
    "cli": ("triage.cli", "triage.__main__"),
    "api": ("triage",),
}

BASE = {"foundation", "model", "core"}
# Which areas each area may import (its own area always included).
MAY_IMPORT: dict[str, set[str]] = {
    "foundation": {"foundation"},
    "model": {"foundation"},
    "core": {"foundation", "model", "yaml"},
    "yaml": {"foundation"},
    "knowledge": BASE | {"yaml"},
    "rete": BASE,
    "checks": BASE | {"yaml", "knowledge", "rete"},
    "render": BASE | {"yaml", "knowledge", "checks"},
    # standards -> knowledge: the Questionnaire's status and approval date come from the sign-off records.
    "standards": BASE | {"yaml", "knowledge"},
    # session -> checks: every outcome a person is shown is confirmed by the reference evaluator
    # (checks/second_opinion.py), and the Session is where every front end gets its outcome.
    "session": BASE | {"rete", "checks"},
    "frontends": set(AREAS) - {"cli", "api"},
    "cli": set(AREAS),
    "api": set(AREAS),
}

# Foreign libraries that only one folder may import.
ONLY_IN: dict[str, str] = {
    "experta": "triage.rete",
    "questionary": "triage.frontends",
    "prompt_toolkit": "triage.frontends",
    # The browser front end's libraries stay in its folder, so the rest never needs them installed to run.
    "starlette": "triage.frontends.web",
    "uvicorn": "triage.frontends.web",
    "jinja2": "triage.frontends.web",
}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the module imported (a submodule where `from package import name` names one)
    line: int
    at_import_time: bool  # module level, outside `if TYPE_CHECKING:` and outside functions


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def area(module: str) -> str:
    matches = [(len(prefix), name) for name, prefixes in AREAS.items() for prefix in prefixes
               if module == prefix or module.startswith(prefix + ".")]
    assert matches, f"{module} belongs to no area: add it to AREAS here and to docs/architecture.md"
    return max(matches)[1]


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        package = package[: len(package) - node.level + 1]
        base = ".".join([*package, *([node.module] if node.module else [])])
    # `from triage.knowledge import validate` imports the module triage.knowledge.validate
    return [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules() else base for alias in node.names]


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")


def _walk(node: ast.AST, at_import_time: bool) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child, at_import_time
        elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            yield from _walk(child, False)
        elif _is_type_checking(child):
            assert isinstance(child, ast.If)
            for statement in child.body:
                yield from _walk(ast.Module(body=[statement], type_ignores=[]), False)
            for statement in child.orelse:
                yield from _walk(ast.Module(body=[statement], type_ignores=[]), at_import_time)
        else:
            yield from _walk(child, at_import_time)


def imports_in(module: str, source: str, is_package: bool = False) -> list[Import]:
    found = []
    for node, at_import_time in _walk(ast.parse(source), True):
        for target in _targets(node, module, is_package):
            found.append(Import(module, target, node.lineno, at_import_time))
    return found


@cache
def all_imports() -> tuple[Import, ...]:
    return tuple(i for module, path in modules().items()
                 for i in imports_in(module, path.read_text(encoding="utf-8"), path.name == "__init__.py"))


def where(i: Import) -> str:
    return f"{modules()[i.module].relative_to(REPO)}:{i.line}: {i.module} imports {i.target}"


# --- the rules -------------------------------------------------------------------------------------------


def test_every_module_belongs_to_an_area():
    assert {module: area(module) for module in modules()}  # area() fails with the module's name


def breaches(imports: tuple[Import, ...]) -> list[str]:
    return [f"{where(i)} ({area(i.module)} may not import {area(i.target)})"
            for i in imports if i.target.split(".")[0] == "triage"
            and area(i.target) not in MAY_IMPORT[area(i.module)] | {area(i.module)}]


def test_each_area_imports_only_what_it_may():
    assert breaches(all_imports()) == []


@pytest.mark.parametrize("library", sorted(ONLY_IN))
def test_a_foreign_library_is_imported_in_one_folder_only(library: str):
    home = ONLY_IN[library]
    wrong = [where(i) for i in all_imports() if i.target.split(".")[0] == library
             and not (i.module == home or i.module.startswith(home + "."))]
    assert wrong == []
    assert any(i.target.split(".")[0] == library for i in all_imports()), f"nothing imports {library} any more"


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(graph.get(start, ()))
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(graph.get(node, ()))
    return seen


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The cycles of a directed graph, each as the sorted modules that reach one another."""
    reach = {node: reachable(graph, node) for node in graph}
    on_a_cycle = [node for node in sorted(graph) if node in reach[node]]
    found: list[list[str]] = []
    for node in on_a_cycle:
        group = [other for other in on_a_cycle if other in reach[node] and node in reach[other]]
        if group not in found:
            found.append(group)
    return found


def test_the_module_level_imports_of_triage_form_no_cycle():
    graph: dict[str, set[str]] = {module: set() for module in modules()}
    for i in all_imports():
        if i.at_import_time and i.target in modules() and i.target != i.module:
            graph[i.module].add(i.target)
    assert cycles(graph) == []


# --- the scan itself -------------------------------------------------------------------------------------


def test_the_cycle_finder_finds_a_cycle_and_nothing_else():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert cycles(graph) == [["a", "b", "c"], ["e"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_a_breach_is_reported_with_its_file_and_line():
    imports = (Import("triage.render.text", "triage.rete.engine", 7, False),
               Import("triage.render.text", "triage.outcome", 8, True))
    assert breaches(imports) == [
        "triage/render/text.py:7: triage.render.text imports triage.rete.engine (render may not import rete)"]


def test_the_scan_sees_imports_in_functions_relative_imports_and_type_checking_blocks():
    source = ("from typing import TYPE_CHECKING\n"
              "from triage.knowledge import validate\n"
              "from . import fields\n"
              "if TYPE_CHECKING:\n"
              "    from triage.session import Progress\n"
              "def f():\n"
              "    import experta\n")
    found = [(i.target, i.line, i.at_import_time) for i in imports_in("triage.knowledge.load", source)]
    assert found == [("typing", 1, True), ("triage.knowledge.validate", 2, True), ("triage.knowledge.fields", 3, True),
                     ("triage.session", 5, False), ("experta", 7, False)]


def test_areas_are_what_the_architecture_page_says():
    page = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    for prefixes in AREAS.values():
        for prefix in prefixes:
            if prefix in modules() or any(m.startswith(prefix + ".") for m in modules()):
                assert f"`{prefix.removeprefix('triage.')}" in page or prefix == "triage", prefix


# --- closed sets of kinds -----------------------------------------------------------------------------------

_KIND_NAMES = {"AnswerIs", "AnswerIncludes", "ConcernRaised", "FindingReached", "OrganConcernsAtLeast", "AllOf",
               "AnyOf", "Always", "RaiseConcern", "ReachFinding", "ConsiderWorkup", "Refer", "GiveAdvice",
               "QuestionType"}


def _matches_over_kinds() -> list[tuple[str, ast.Match]]:
    found = []
    for path in sorted((REPO / "triage").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Match) and any(
                    isinstance(n, ast.Name) and n.id in _KIND_NAMES
                    or isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id in _KIND_NAMES
                    for case in node.cases for n in ast.walk(case.pattern)):
                found.append((f"{path.relative_to(REPO)}:{node.lineno}", node))
    return found


def test_every_match_over_condition_conclusion_or_question_kinds_ends_in_assert_never():
    matches = _matches_over_kinds()
    assert len(matches) >= 10  # the compiler, the oracle, logic, reachability, renderers, outcome, vocabulary
    for where, node in matches:
        last = node.cases[-1]
        assert isinstance(last.pattern, ast.MatchAs) and last.pattern.pattern is None, \
            f"{where}: the last case must capture what is left (case unknown:)"
        call = last.body[-1]
        assert isinstance(call, ast.Expr) and isinstance(call.value, ast.Call) and \
            isinstance(call.value.func, ast.Name) and call.value.func.id == "assert_never", \
            f"{where}: the last case must call assert_never, so mypy names a forgotten kind"
