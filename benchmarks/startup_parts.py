"""One start-up of the interview, timed part by part in this process (run by bench_startup.py).

The parts are those of `triage` (cli.cmd_interview) up to the opening screen, in the same order; the
last line printed is a JSON object of milliseconds per part.
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
from triage.frontends.interview import Interview  # noqa: E402,F401
from triage.frontends.prompts import QuestionaryAsker  # noqa: E402
from triage.reviews import UNREVIEWED_NOTICE, all_reviewed  # noqa: E402,F401
from triage.selftest import failures  # noqa: E402

mark("import calcitriage (with experta, PyYAML)")
from triage.load import load_knowledge  # noqa: E402

kb = load_knowledge()
mark("load and validate the knowledge base")
from triage.engine import TriageEngine  # noqa: E402

engine = TriageEngine(kb)
mark("build the engine")
assert failures(engine) == []
mark("self-test (golden cases)")
all_reviewed(kb)
mark("check sign-offs")
QuestionaryAsker()
mark("import questionary (prompt_toolkit)")
print(json.dumps(parts))
