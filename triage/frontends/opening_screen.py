"""The interview's opening screen, and how an interview that ends early says goodbye.

Kept apart from the interview itself, and light on imports: `triage` draws this screen before the
knowledge model, the engine and experta are imported (triage/frontends/startup.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from triage.endings import Ending
from triage.frontends.asker import Asker
from triage.frontends.startup import Preparation, PreparationFailed
from triage.knowledge.opening import Opening
from triage.render.layout import use_columns, wrap
from triage.texts import ui

if TYPE_CHECKING:
    from triage.rete.engine import CompiledRules


class Quit(Exception):
    """The person chose to quit (after Ctrl-C)."""


def guarded(asker: Asker, call):  # type: ignore[no-untyped-def]
    """Run one prompt; Ctrl-C asks whether to quit, and a 'no' puts the same prompt up again."""
    while True:
        try:
            return call()
        except KeyboardInterrupt:
            if asker.confirm_quit():
                raise Quit from None


def opening_screen(asker: Asker, opening: Opening) -> bool:
    """What the tool is and is not, and the emergency notice; True if the person wants to start."""
    size = asker.screen_size()
    use_columns(size[0] if size else None)
    text = [wrap(opening.about), "", wrap(opening.emergency_notice)]
    text += ["", *(wrap(n) for n in opening.notices)] if opening.notices else []
    asker.say("\n".join(text))
    choice = guarded(asker, lambda: asker.choose(
        ui("opening.start_question"), [("start", ui("opening.start")), ("quit", ui("opening.quit"))]))
    return choice == "start"


def ended_early(asker: Asker, reason: Exception, saved: bool = False) -> Ending:
    if isinstance(reason, Quit):
        asker.say(ui("ending.quit") if saved else ui("ending.quit_unsaved"))
        return Ending.QUIT
    asker.say(ui("ending.input_ended"))
    return Ending.INPUT_ENDED


def interview_while_preparing(asker: Asker, opening: Opening, preparation: Preparation[CompiledRules],
                              save: Path | None = None) -> Ending:
    """The interview, its opening screen up while `preparation` loads, compiles and self-tests the rules.

    No question is asked before the preparation has succeeded; if it fails, its error is raised (the
    opening prompt is taken down at once if it is still up).
    """
    try:
        started = opening_screen(asker, opening)
    except PreparationFailed:
        started = True  # result() below raises the reason
    except (Quit, EOFError) as exc:
        return ended_early(asker, exc)
    if not started:
        return Ending.FINISHED
    engine = preparation.result()
    from triage.frontends.interview import Interview  # imported already, by the preparation

    return Interview(engine, asker, save=save, notices=opening.notices).run(opened=True)
