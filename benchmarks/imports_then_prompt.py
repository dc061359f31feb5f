"""The bare prompt of bare_questionary.py, after importing what `triage interview` imports (nothing run).

Shows how much of the start-up the imports alone take: no knowledge base is read, no engine built, no
self-test run.
"""

import questionary

import triage.cli  # noqa: F401
import triage.frontends.interview  # noqa: F401
import triage.frontends.prompts  # noqa: F401
import triage.reviews  # noqa: F401
import triage.selftest  # noqa: F401

questionary.select("Do you want to start?", choices=["Start the questions", "Quit"]).unsafe_ask()
