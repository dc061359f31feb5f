"""Whether the opening screen may show its texts before the rules are loaded and checked behind it.

The interview draws what the tool is and the emergency notice at once (triage/knowledge/opening.py), while the
knowledge base is loaded, compiled and checked in a thread. Those texts come from the rules folder, so they must
pass the same wording and hidden-text checks as every patient text before anyone reads them: a working copy
saying "You have kidney stones." in its `about` text is refused with nothing shown.

Checking needs the checks' phrases compiled, about 80 ms: more than the whole margin the start-up target leaves
(docs/benchmarks.md). So texts known to pass are recognised by their fingerprint (the shipped ones; the test
tests/test_opening.py proves they pass and says what to write here when they change), and only other texts are
checked here. A changed text is never trusted, only checked.
"""

from __future__ import annotations

import hashlib
import json

from triage.knowledge.opening import Opening

CHECKED_OPENINGS = frozenset({"3e51643b8dc1e2c341336ffdf1e76a35bf77aa3bbd1cb77939036fbd61c1d634"})


def opening_fingerprint(opening: Opening) -> str:
    return hashlib.sha256(json.dumps([opening.about, opening.emergency_notice]).encode()).hexdigest()


def may_show_early(opening: Opening) -> bool:
    """Whether `opening`'s texts read as no diagnosis and hide nothing; if not, the interview loads and checks
    everything first, and refuses before anything is shown."""
    if opening_fingerprint(opening) in CHECKED_OPENINGS:
        return True
    from triage.checks.wording import diagnostic_phrases, hidden_characters

    texts = (opening.about, opening.emergency_notice)
    return not any(diagnostic_phrases(text) or hidden_characters(text) for text in texts)
