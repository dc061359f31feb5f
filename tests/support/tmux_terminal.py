"""A program in a private tmux server of a chosen size: keys in, the screen as a person sees it out.

pexpect (support.terminals) gives everything the program wrote; tmux gives what is on the screen at one
moment, after wrapping, scrolling and redrawing: the only way to check that a result fits 24 rows, or that
a question re-flows when the window is resized. `TmuxTerminal` runs `triage ARGS`; the kiosk's terminal
(support.kiosk_terminal) starts its own command and shares the rest.
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
    timeout = 10.0  # seconds a wait gives the screen by default
    settle = 0.1  # after a change is seen, time for the redraw to finish before the screen is read again

    def __init__(self, tmp_path: Path, *args: str, columns: int = 80, rows: int = 24):
        self.socket = str(tmp_path / "tmux.sock")
        command = shlex.join(["env", "PROMPT_TOOLKIT_NO_CPR=1", "TERM=xterm", *TRIAGE, *args])
        self.start(f"{command}; echo TRIAGE-EXIT=$?; sleep 600", tmp_path, columns, rows)

    def start(self, shell_command: str, cwd: Path, columns: int, rows: int, conf: str = "/dev/null") -> None:
        self.tmux("-f", conf, "new-session", "-d", "-x", str(columns), "-y", str(rows), "-c", str(cwd),
                  shell_command)

    def tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-S", self.socket, *args], capture_output=True, text=True, timeout=10)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def keys(self, *keys: str, pause: float = 0.0) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", "0", key)
            time.sleep(pause)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "0", "-l", text)

    def send(self, data: bytes, chunk: int = 1000) -> None:
        """Bytes exactly as given, as if typed very fast (a chunk at a time)."""
        for start in range(0, len(data), chunk):
            self.tmux("send-keys", "-t", "0", "-H", *(f"{b:02x}" for b in data[start:start + chunk]))

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "0")

    def history(self) -> str:
        """Everything the terminal still holds: the scrollback and the screen."""
        return self.tmux("capture-pane", "-p", "-S", "-", "-E", "-", "-t", "0")

    def resize(self, columns: int, rows: int) -> None:
        self.tmux("resize-window", "-t", "0", "-x", str(columns), "-y", str(rows))

    def wait_for(self, pattern: str, timeout: float | None = None) -> str:
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if re.search(pattern, screen):
                return screen
            if time.monotonic() > deadline:
                pytest.fail(f"not on the screen after {timeout} s: {pattern!r}\n---\n{screen}---")
            time.sleep(0.05)

    def wait_gone(self, pattern: str, timeout: float | None = None) -> str:
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while re.search(pattern, screen := self.screen()):
            if time.monotonic() > deadline:
                pytest.fail(f"still on the screen after {timeout} s: {pattern!r}\n---\n{screen}---")
            time.sleep(0.05)
        return screen

    def wait_change(self, screen: str, timeout: float | None = None) -> str:
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while (now := self.screen()) == screen:
            if time.monotonic() > deadline:
                pytest.fail(f"the screen did not change in {timeout} s\n---\n{screen}---")
            time.sleep(0.05)
        if not self.settle:
            return now
        time.sleep(self.settle)
        return self.screen()

    def at_question(self, number: int) -> str:
        """The screen once question `number` is up and takes keys (its list is drawn under it)."""
        return self.wait_for(rf"Question {number}( of|,)[\s\S]*»")

    def close(self) -> None:
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], capture_output=True, timeout=10)
