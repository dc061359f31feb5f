"""The kiosk as a process (issue 15, items 5, 7 and 8): what signals, a resize, a small window, the end of
input and a crash leave behind, in a real terminal (tmux).

Every test here failed before the kiosk held its signals and terminal from its first line
(triage/frontends/kiosk/process.py).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support.kiosk_terminal import TRIAGE, WELCOME, KioskTerminal, at_question_2, staff_exit
from support.paths import REPO

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")]

QUESTION_2 = r"Question 2( of|,)[\s\S]*»"
EMERGENCY_LINE = "Emergency number: 112"
# Python itself takes this long to start and reach the first line of `triage kiosk` (0.2 s measured on a busy
# 2-core machine); the kiosk then holds its keys and signals. It used to take 0.7-2.5 s more, for the imports
# and the rules' self-test.
STARTING = 0.4


@pytest.fixture
def kiosk(tmp_path):
    started: list[KioskTerminal] = []

    def run(wait: str | None = WELCOME, **options) -> KioskTerminal:  # type: ignore[no-untyped-def]
        k = KioskTerminal(tmp_path, **options)
        started.append(k)
        if wait:
            k.wait_for(wait, timeout=15)
        return k

    yield run
    for k in started:
        k.close()


def terminal_modes(k: KioskTerminal) -> str:
    tty = k.tmux("display-message", "-p", "-t", "0", "#{pane_tty}").strip()
    return subprocess.run(["stty", "-F", tty, "-a"], capture_output=True, text=True, check=True).stdout


def pane_flags(k: KioskTerminal) -> dict[str, str]:
    names = ("cursor_flag", "alternate_on", "mouse_any_flag", "mouse_button_flag", "mouse_standard_flag")
    values = k.tmux("display-message", "-p", "-t", "0", " ".join(f"#{{{n}}}" for n in names)).split()
    return dict(zip(names, values, strict=True))


def exit_status(k: KioskTerminal) -> int:
    return int(re.search(r"KIOSK-EXIT=(\d+)", k.wait_for(r"KIOSK-EXIT=\d+", timeout=10)).group(1))


# --- item 5: stopping signals -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["TERM", "HUP", "USR1", "USR2", "ALRM"])
def test_a_stopping_signal_at_a_question_clears_everything_and_gives_the_terminal_back(kiosk, name):
    """`systemctl stop` (SIGTERM) or any other signal that ends the kiosk, sent while a person answers:
    the next person at the screen sees nothing of them, and the terminal echoes and shows its cursor again."""
    k = kiosk()
    at_question_2(k)
    os.kill(k.kiosk_pid(), getattr(signal, f"SIG{name}"))
    assert exit_status(k) == 128 + getattr(signal, f"SIG{name}")  # killed by that signal, as a shell says
    left = k.history()
    assert "Question" not in left and "chest" not in left and WELCOME not in left and "Traceback" not in left
    modes = terminal_modes(k)
    assert re.search(r"(?<!-)\becho\b", modes) and re.search(r"(?<!-)\bicanon\b", modes)
    assert re.search(r"(?<!-)\bisig\b", modes) and re.search(r"(?<!-)\bixon\b", modes)
    assert pane_flags(k) == {"cursor_flag": "1", "alternate_on": "0", "mouse_any_flag": "0",
                             "mouse_button_flag": "0", "mouse_standard_flag": "0"}
    k.assert_nothing_written()


def test_a_storm_of_stopping_signals_ends_once_without_a_traceback(kiosk):
    k = kiosk()
    at_question_2(k)
    pid = k.kiosk_pid()
    for _ in range(200):
        send(pid, signal.SIGTERM)
    assert exit_status(k) == 128 + signal.SIGTERM
    left = k.history()
    assert "Traceback" not in left and "Exception" not in left and "Question" not in left
    assert re.search(r"(?<!-)\becho\b", terminal_modes(k))


def send(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # a stopping signal may already have ended it
        os.kill(pid, sig)


# --- item 7: the start, storms, resizing, the window size, --hash-code, bytecode ----------------------------


def test_ctrl_c_and_ctrl_z_from_the_first_moment_do_nothing(kiosk):
    """Keys pressed while the kiosk is still starting (a terminal window where a shell would take over)."""
    k = kiosk(wait=None)
    k.kiosk_pid(timeout=5)  # keys sent before it exists would go to the shell that starts it
    time.sleep(STARTING)
    deadline = time.monotonic() + 20
    while WELCOME not in (shown := k.screen()) and "KIOSK-EXIT" not in shown and time.monotonic() < deadline:
        k.keys("C-c", "C-z", "C-\\")
    time.sleep(0.5)
    k.keys("C-c", "C-z")
    shown = k.wait_for(WELCOME)
    assert "KIOSK-EXIT" not in shown and "Stopped" not in shown and "Traceback" not in k.history()
    staff_exit(k)
    k.assert_nothing_written()


def test_signals_from_the_first_moment_do_nothing(kiosk):
    """SIGINT, SIGTSTP and SIGQUIT sent from the start on, in a storm of 200, including while the kiosk
    imports and checks its rules: it starts, prints no traceback and works."""
    k = kiosk(wait=None)
    pid = k.kiosk_pid(timeout=5)
    time.sleep(STARTING)
    storm = [signal.SIGINT, signal.SIGTSTP, signal.SIGQUIT, signal.SIGWINCH, signal.SIGCONT]
    for n in range(200):
        send(pid, storm[n % len(storm)])
        time.sleep(0.004)
    shown = k.wait_for(f"{WELCOME}|KIOSK-EXIT", timeout=15)
    assert "KIOSK-EXIT" not in shown
    at_question_2(k)
    for n in range(200):
        send(pid, storm[n % len(storm)])
    time.sleep(0.5)
    k.keys("Down")
    k.wait_for("» No")
    assert "Traceback" not in k.history() and "Exception" not in k.history()
    staff_exit(k)
    k.assert_nothing_written()


def test_after_a_resize_the_welcome_screen_is_drawn_again(kiosk):
    """A console may lose what it showed when its size changes (here: the terminal is reset first)."""
    k = kiosk()
    for columns, rows in ((100, 40), (80, 24), (120, 30)):
        k.tmux("send-keys", "-R", "-t", "0")
        k.tmux("clear-history", "-t", "0")
        k.wait_gone(EMERGENCY_LINE)
        k.resize(columns, rows)
        time.sleep(0.3)
        shown = k.wait_for(EMERGENCY_LINE)
        assert "Welcome to Test Clinic" in shown and WELCOME in shown
    assert k.history().count(EMERGENCY_LINE) == 1  # drawn anew, not stacked up in the scrollback
    staff_exit(k)


def test_a_window_too_small_asks_for_a_larger_one_and_keeps_the_emergency_number(kiosk):
    k = kiosk(wait="larger", columns=60, rows=18)
    shown = k.screen()
    assert "80 x 24" in shown and "112" in shown and WELCOME not in shown
    k.resize(80, 24)
    k.wait_for(WELCOME)
    k.wait_for(EMERGENCY_LINE)
    at_question_2(k)
    k.resize(70, 20)  # made smaller while answering
    shown = k.wait_for("larger")
    assert "112" in shown
    k.resize(90, 30)
    k.wait_for(QUESTION_2)  # the person's question comes back
    staff_exit(k)
    k.assert_nothing_written()


def test_hash_code_with_end_of_input_ends_with_one_line():
    import pexpect

    for answers in ([], ["s3cret-code-1"]):
        child = pexpect.spawn(TRIAGE[0], [*TRIAGE[1:], "kiosk", "--hash-code"], encoding="utf-8", timeout=15)
        child.expect("New staff code")
        for answer in answers:
            child.sendline(answer)
            child.expect("again")
        child.sendcontrol("d")
        child.expect(pexpect.EOF)
        child.close()
        out = child.before.strip().splitlines()
        assert "Traceback" not in child.before and "EOFError" not in child.before
        assert out[-1] == "error: no staff code was given (end of input); nothing was printed"
        assert child.exitstatus == 2


def test_run_from_a_source_tree_it_writes_no_bytecode_beyond_its_launcher(kiosk, tmp_path):
    """Only the modules Python loads before the program can tell that it is a kiosk are cached; with the
    documented PYTHONDONTWRITEBYTECODE=1 of docs/kiosk.md, nothing at all."""
    source = tmp_path / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "triage", source / "triage", ignore=ignore)
    shutil.copytree(REPO / "rules", source / "rules", ignore=ignore)
    k = kiosk(program=[sys.executable, "-m", "triage"], env={"PYTHONPATH": str(source)},
              before="unset PYTHONDONTWRITEBYTECODE; ")
    staff_exit(k)
    cached = sorted(str(p.relative_to(source)) for p in source.rglob("*.pyc"))
    launcher = {"__init__", "__main__", "cli", "endings", "errors"}
    assert {Path(p).name.split(".")[0] for p in cached} <= launcher, cached
    assert all(p.startswith("triage/__pycache__/") for p in cached), cached


# --- item 8: memory ---------------------------------------------------------------------------------------


def test_no_core_dump_and_no_core_size(kiosk):
    """A crash (SIGABRT, as a failed C assertion raises) leaves no core file with a person's answers, even
    where the shell allows core files."""
    k = kiosk(before="ulimit -c unlimited; ")
    at_question_2(k)
    pid = k.kiosk_pid()
    limits = Path(f"/proc/{pid}/limits").read_text(encoding="utf-8")
    assert re.search(r"Max core file size\s+0\s+0\s", limits), limits
    os.kill(pid, signal.SIGABRT)
    assert exit_status(k) == 128 + signal.SIGABRT
    assert "core dumped" not in k.history()
    k.assert_nothing_written()


def heap_holds(pid: int, text: bytes) -> bool:
    """Whether `text` is anywhere in the writable memory of process `pid` (read as root, through /proc)."""
    found = False
    with open(f"/proc/{pid}/maps", encoding="utf-8") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
        for line in maps:
            fields = line.split()
            if "w" not in fields[1] or (len(fields) > 5 and fields[5].startswith("/dev/")):
                continue
            start, end = (int(x, 16) for x in fields[0].split("-"))
            try:
                mem.seek(start)
                found = found or text in mem.read(end - start)
            except (OSError, ValueError, OverflowError):
                continue
    return found


@pytest.mark.skipif(not os.access("/proc/self/mem", os.R_OK) or os.geteuid() != 0, reason="reads another "
                    "process's memory: needs root")
def test_the_previous_persons_result_is_overwritten_in_memory(kiosk):
    k = kiosk()
    k.keys("Enter")
    k.wait_for("Do you want to start")
    k.keys("Enter")
    k.wait_for(r"Question 1 of at most[\s\S]*»")
    k.keys("Enter")  # chest pain: yes
    k.wait_for("Press any key when you have read this")
    pid = k.kiosk_pid()
    result = re.search(r"WHAT TO DO: EMERGENCY \([^)]*\)", k.history()).group(0).encode()
    assert heap_holds(pid, result)  # the check sees the text while it is shown
    k.keys("Space")
    k.wait_for(WELCOME)
    time.sleep(0.5)
    assert not heap_holds(pid, result)
    staff_exit(k)
