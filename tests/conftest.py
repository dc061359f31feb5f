"""Fixtures only: a tiny knowledge base written inline, the real one, the `triage` command in-process, and
the real program in a pseudo-terminal. What they build lives in the `support` package (tests/support/).

A test that is about one kind of mistake starts from `tiny` (support.kb_copies.TinyKB), changes one file
with `tiny.replace`, `tiny.append` or `tiny.write`, and loads it. Golden cases and whole-knowledge-base
properties use the real rules/ folder (`real_kb`, `real_engine`).
"""

from __future__ import annotations

import io
import signal
import sys
import warnings
from pathlib import Path

import pytest

from support.cli import CliResult
from support.kb_copies import TinyKB
from support.terminals import Terminal
from triage.cli import main
from triage.knowledge.load import load_knowledge
from triage.model import KnowledgeBase
from triage.rete.engine import CompiledRules


@pytest.fixture(autouse=True)
def _ctrl_c_handler_put_back(request):
    """Ctrl-C handling set by a program run in-process is put back after each test, and the test named: the
    Ctrl-C tests (tests/test_input_messages.py) need Python's own handler, whatever ran before them."""
    before = signal.getsignal(signal.SIGINT)
    yield
    after = signal.getsignal(signal.SIGINT)
    if after is not before:
        signal.signal(signal.SIGINT, before)
        warnings.warn(f"{request.node.nodeid} left the Ctrl-C (SIGINT) handler changed to {after!r}", stacklevel=1)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright, one per test module (the browser tests, tests/test_web_*.py)."""
    from playwright.sync_api import sync_playwright

    from support.web import launch_chromium

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def tiny(tmp_path: Path, monkeypatch) -> TinyKB:
    monkeypatch.chdir(tmp_path)
    return TinyKB(tmp_path)


# --- the real knowledge base -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def real_kb() -> KnowledgeBase:
    return load_knowledge()


@pytest.fixture(scope="session")
def real_engine(real_kb: KnowledgeBase) -> CompiledRules:
    """One engine for the whole session, as a program would keep it; every evaluate() resets it."""
    return CompiledRules(real_kb)


# --- the command line, in-process ------------------------------------------------------------------------


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run `triage ARGS...` in this process; `stdin` is what the command reads from standard input."""

    def run(*args: str, stdin: str = "") -> CliResult:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        capsys.readouterr()
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse usage errors
            code = exc.code if isinstance(exc.code, int) else 1
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


def pytest_configure(config):
    # A shell starting pytest in the background (`pytest &` without job control), and pytest-xdist's workers,
    # leave Ctrl-C (SIGINT) ignored, and programs started from here inherit that: the Ctrl-C tests would then
    # test nothing. Python's own handler is what a person's terminal gives.
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    # Registered here rather than in pyproject.toml (owned by the core); runs in CI like any test.
    config.addinivalue_line("markers", "enumerate: exhaustive enumeration of the answer space "
                                       "(a few minutes; docs/safety.md)")


@pytest.fixture
def spawn(tmp_path: Path):
    """Start the real `triage ARGS...` in an 80x24 pseudo-terminal (support.terminals.Terminal);
    every child still running at the end of the test is stopped."""
    started: list[Terminal] = []

    def start(*args: str, no_color: bool = False) -> Terminal:
        terminal = Terminal(tmp_path, *args, no_color=no_color)
        started.append(terminal)
        return terminal

    yield start
    for terminal in started:
        if terminal.child.isalive():
            terminal.child.terminate(force=True)
