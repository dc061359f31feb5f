"""Driving a program in a pseudo-terminal (pexpect) and timing what appears on its screen."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Sequence

import common
import pexpect

# prompt_toolkit ends every drawing of a prompt by turning line wrapping back on: the prompt is on screen.
DRAWN = re.compile(r"\x1b\[\?7h")
FIRST_PROMPT = re.compile(r"Do you want to start\?.*?Quit.*?\x1b\[\?7h", re.S)


def environment(bytecode: bool = True) -> dict[str, str]:
    """The terminal environment; with `bytecode`, compiled modules are cached as an installed package has
    (common.installed_environment)."""
    env = dict(common.installed_environment() if bytecode else os.environ,
               PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm", COLUMNS="80", LINES="24")
    env.pop("NO_COLOR", None)
    return env


def spawn(command: Sequence[str], env: dict[str, str]) -> pexpect.spawn:
    child = pexpect.spawn(command[0], list(command[1:]), env=env, dimensions=(24, 80), encoding="utf-8",
                          timeout=60)
    child.delaybeforesend = None  # pexpect sleeps 50 ms before every send unless told not to
    return child


def time_to(command: Sequence[str], marker: re.Pattern[str], env: dict[str, str]) -> float:
    """Seconds from starting `command` to `marker` appearing on its terminal."""
    started = time.perf_counter()
    child = spawn(command, env)
    child.expect(marker)
    elapsed = time.perf_counter() - started
    child.terminate(force=True)
    child.close()
    return elapsed


def stop(child: pexpect.spawn) -> None:
    child.terminate(force=True)
    child.close()
