"""The bare prompt of bare_questionary.py, after importing what `triage` imports before its opening screen.

Shows how much of the start-up the imports alone take: nothing read, nothing built. (The engine, experta
and the knowledge model are imported behind the opening screen, by the preparation thread.)
"""

import questionary

import triage.cli  # noqa: F401
import triage.frontends.asker  # noqa: F401
import triage.frontends.choice_prompt  # noqa: F401
import triage.frontends.opening_screen  # noqa: F401
import triage.frontends.startup  # noqa: F401
import triage.knowledge.opening  # noqa: F401
import triage.knowledge.paths  # noqa: F401

questionary.select("Do you want to start?", choices=["Start the questions", "Quit"]).unsafe_ask()
