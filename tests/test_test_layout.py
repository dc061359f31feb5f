"""Tests share helpers through tests/support/ and fixtures, never by importing another test file (STYLE.md 16).

Every import in every test module and in the support package, at module level or inside a function, is
read with `ast`; none may name a test module (`test_*`) or conftest.
"""

from __future__ import annotations

import ast

from support.paths import REPO

TESTS = REPO / "tests"


def imported_modules(source: str) -> list[tuple[int, str]]:
    """(line, module) for every import statement in a module's source, wherever it stands."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # a relative import: `from . import x` inside support names x itself
                found += [(node.lineno, f"{'.' * node.level}{node.module or alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, node.module or ""))
    return found


def is_test_module(name: str) -> bool:
    parts = name.lstrip(".").split(".")
    return any(part == "conftest" or part.startswith("test_") for part in parts)


def test_no_test_file_imports_another_test_file_or_conftest():
    files = sorted(TESTS.rglob("*.py"))
    assert TESTS / "conftest.py" in files and TESTS / "support" / "paths.py" in files
    wrong = [f"{path.relative_to(REPO)}:{line}: imports {name}"
             for path in files for line, name in imported_modules(path.read_text(encoding="utf-8"))
             if is_test_module(name)]
    assert wrong == []


def test_the_scan_sees_imports_inside_functions():
    source = "def f():\n    from test_prompts import Terminal\n    import conftest\n    import os\n"
    assert [(line, is_test_module(name)) for line, name in imported_modules(source)] == [
        (2, True), (3, True), (4, False)]


def test_conftest_defines_fixtures_and_hooks_only():
    tree = ast.parse((TESTS / "conftest.py").read_text(encoding="utf-8"))
    other = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            fixture = any("fixture" in ast.unparse(d) for d in node.decorator_list)
            if not fixture and not node.name.startswith("pytest_"):
                other.append(node.name)
        elif isinstance(node, ast.ClassDef | ast.Assign | ast.AnnAssign):
            other.append(ast.unparse(node).splitlines()[0])
    assert other == []
