"""`triage` in a private tmux server of a chosen size: keys in, the screen as a person sees it out.

pexpect (support.terminals) gives everything the program wrote; tmux gives what is on the screen at one
moment, after wrapping, scrolling and redrawing: the only way to check that a result fits 24 rows, or that
a question re-flows when the window is resized.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

_SCRIPT = Path(sys.executable).with_name("triage")
TRIAGE = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "triage"]


class TmuxTerminal:
    def __init__(self, tmp_path: Path, *args: str, columns: int = 80, rows: int = 24):
        self.socket = str(tmp_path / "tmux.sock")
        command = shlex.join(["env", "PROMPT_TOOLKIT_NO_CPR=1", "TERM=xterm", *TRIAGE, *args])
        self.tmux("-f", "/dev/null", "new-session", "-d", "-x", str(columns), "-y", str(rows), "-c",
                  str(tmp_path), f"{command}; echo TRIAGE-EXIT=$?; sleep 600")

    def tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-S", self.socket, *args], capture_output=True, text=True, timeout=10)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "0", *keys)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "0")

    def history(self) -> str:
        """Everything the terminal still holds: the scrollback and the screen."""
        return self.tmux("capture-pane", "-p", "-S", "-", "-E", "-", "-t", "0")

    def resize(self, columns: int, rows: int) -> None:
        self.tmux("resize-window", "-t", "0", "-x", str(columns), "-y", str(rows))

    def wait_for(self, pattern: str, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if re.search(pattern, screen):
                return screen
            if time.monotonic() > deadline:
                pytest.fail(f"not on the screen after {timeout} s: {pattern!r}\n---\n{screen}---")
            time.sleep(0.05)

    def wait_change(self, screen: str, timeout: float = 5.0) -> str:
        deadline = time.monotonic() + timeout
        while self.screen() == screen:
            if time.monotonic() > deadline:
                pytest.fail(f"the screen did not change in {timeout} s\n---\n{screen}---")
            time.sleep(0.05)
        time.sleep(0.1)  # let the redraw finish
        return self.screen()

    def at_question(self, number: int) -> str:
        """The screen once question `number` is up and takes keys (its list is drawn under it)."""
        return self.wait_for(rf"Question {number}( of|,)[\s\S]*»")

    def close(self) -> None:
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], capture_output=True, timeout=10)
