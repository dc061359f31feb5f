"""One start-up of the interview, timed part by part in this process (run by bench_startup.py).

The parts are those of `triage` (cli.cmd_interview), in the same order: first what comes before the
opening screen is drawn, then what the preparation thread does behind it. The last line printed is a
JSON object of milliseconds per part.
"""

import json
import time

started = time.perf_counter()
parts = {}


def mark(name: str) -> None:
    global started
    now = time.perf_counter()
    parts[name] = round((now - started) * 1000, 3)
    started = now


import triage.cli  # noqa: E402,F401 - the command's own imports
from triage.frontends.opening_screen import interview_while_preparing  # noqa: E402,F401
from triage.frontends.startup import settle_memory  # noqa: E402
from triage.knowledge.opening import read_opening  # noqa: E402
from triage.knowledge.paths import builtin_rules_dir  # noqa: E402

mark("before the screen: import the command and the opening screen")
opening = read_opening(builtin_rules_dir())
assert opening is not None
mark("before the screen: read the opening texts (knowledge.yaml, reviews.yaml)")
from triage.frontends.asker import QuestionaryAsker  # noqa: E402

QuestionaryAsker()
mark("before the screen: import questionary, make the prompt application")
import triage.frontends.interview  # noqa: E402,F401
from triage.checks.selftest import failures  # noqa: E402
from triage.knowledge.load import load_knowledge  # noqa: E402

mark("behind the screen: import the interview, engine, experta, knowledge model")
kb = load_knowledge()
mark("behind the screen: load and validate the knowledge base")
from triage.rete.engine import CompiledRules  # noqa: E402

# checked_rules(kb), in its parts: the rules compiled, then the golden cases run on them. The first case
# would build the first network; it is built here first (prepare), so that its cost shows on its own.
rules = CompiledRules(kb)
mark("behind the screen: compile the rules (CompiledRules)")
rules.prepare()
mark("behind the screen: build the first network (the self-test's first case would)")
assert failures(rules) == []
mark("behind the screen: self-test (golden cases)")
settle_memory()
mark("behind the screen: collect and freeze the long-lived objects")
print(json.dumps(parts))
