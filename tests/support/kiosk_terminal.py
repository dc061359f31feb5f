"""`triage kiosk` in a private tmux server (80 x 24 unless told, with scrollback), driven key by key.

The kiosk starts with HOME and the working folder in an empty temporary folder; `assert_nothing_written`
checks at the end that nothing there was created or changed. A shell runs the kiosk and, once it ends,
prints `KIOSK-EXIT=<status>` and stays, so that the terminal it left behind can be looked at.
"""

from __future__ import annotations

import shlex
import subprocess
import time
from pathlib import Path

from support.tmux_terminal import TRIAGE, TmuxTerminal
from triage.frontends.kiosk.config import hash_code

CODE = "8413-2097"
QUESTION_1 = r"Question 1 of at most[\s\S]*»"  # the progress line, and the question drawn below it
WELCOME = "What would you like to do?"


class KioskTerminal(TmuxTerminal):
    """One `triage kiosk` in a private tmux server; keys in, screen and scrollback out.

    `program` replaces the `triage` command (say, python -m triage from a copy of the source tree);
    `before` is shell text run first in the same shell (say, `ulimit -c unlimited`).
    """

    timeout = 8.0
    settle = 0.0

    def __init__(self, tmp_path: Path, settings: str = "", env: dict[str, str] | None = None,
                 columns: int = 80, rows: int = 24, program: list[str] | None = None, before: str = "",
                 stderr: Path | None = None):
        self.home = tmp_path / "home"
        self.home.mkdir()
        self.socket = str(tmp_path / "tmux.sock")
        config = tmp_path / "kiosk.toml"
        config.write_text(
            'clinic_name = "Test Clinic"\nemergency_number = "112"\nshort_times_for_testing = true\n'
            f'staff_code_hash = "{hash_code(CODE)}"\n' + settings, encoding="utf-8")
        config.chmod(0o640)  # as docs/kiosk.md installs it: the kiosk refuses a file others can read
        tmux_conf = tmp_path / "tmux.conf"
        tmux_conf.write_text("set -g history-limit 5000\n", encoding="utf-8")
        variables = {"HOME": str(self.home), "PROMPT_TOOLKIT_NO_CPR": "1", **(env or {})}
        command = shlex.join(["env", *(f"{k}={v}" for k, v in variables.items()), *(program or TRIAGE), "kiosk",
                              "--config", str(config)])
        if stderr is not None:  # apart from the screen, to be read after the run
            command += f" 2>{shlex.quote(str(stderr))}"
        self.before = self.listing()
        self.start(f"{before}{command}; echo KIOSK-EXIT=$?; sleep 600", self.home, columns, rows, str(tmux_conf))

    def shell_pid(self) -> int:
        return int(self.tmux("display-message", "-p", "-t", "0", "#{pane_pid}").strip())

    def kiosk_pid(self, timeout: float = 0.0) -> int:
        deadline = time.monotonic() + timeout
        while True:
            done = subprocess.run(["pgrep", "-P", str(self.shell_pid())], capture_output=True, text=True)
            children = [c for c in done.stdout.split() if _command(c) != "sleep"]
            if len(children) == 1 or time.monotonic() > deadline:
                assert len(children) == 1, children
                return int(children[0])
            time.sleep(0.005)

    def listing(self) -> dict[str, tuple[int, int]]:
        return {str(p.relative_to(self.home)): (p.stat().st_mtime_ns, p.stat().st_size)
                for p in [self.home, *self.home.rglob("*")]}

    def assert_nothing_written(self) -> None:
        assert self.listing() == self.before

    def close(self) -> None:
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], capture_output=True, timeout=10)


def _command(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def begin_questions(k: KioskTerminal) -> None:
    k.keys("Enter")  # Answer the questions
    k.wait_for("Do you want to start")
    k.keys("Enter")  # Start the questions
    k.wait_for(QUESTION_1)


def at_question_2(k: KioskTerminal) -> None:
    """A new person at question 2, having said 'no' to question 1."""
    begin_questions(k)
    k.keys("Down", "Enter")  # chest pain: no
    k.wait_for(r"Question 2( of|,)[\s\S]*»")


def staff_exit(k: KioskTerminal) -> None:
    k.keys("C-x", "C-e")
    k.wait_for("Staff code")
    k.type(CODE)
    k.keys("Enter")
    k.wait_for("stopped by staff")
    k.keys("Space")
    k.wait_for("KIOSK-EXIT=0")
