"""How a command or a front end ended. cli.py alone turns an Ending into a process exit code.

Kept apart from errors.py because most endings are not errors (a finished interview, a person who quit),
and light on imports because the interview's opening screen is drawn before anything heavy is imported.
"""

from __future__ import annotations

from enum import Enum


class Ending(Enum):
    """What happened, in words; the numbers people and scripts see are in cli.py's EXIT_CODES."""

    FINISHED = "finished"  # done as asked (also: chose not to start; staff closed the kiosk)
    QUIT = "quit"  # the person quit with Ctrl-C
    INPUT_ENDED = "input ended"  # input ended before the interview did; nothing was saved
    CHECK_FAILED = "check failed"  # a golden case or a rules check failed
    WENT_WRONG = "went wrong"  # an unexpected failure; the person was shown the emergency advice
    BAD_INPUT = "bad input"  # a knowledge base, answers file, configuration or batch line could not be used
