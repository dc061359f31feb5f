"""Where things are: the repository, its examples, the built-in golden cases."""

from __future__ import annotations

from pathlib import Path

from triage.knowledge.load import builtin_rules_dir

REPO = Path(__file__).resolve().parent.parent.parent
EXAMPLES = REPO / "examples"


def real_case_files() -> list[Path]:
    return sorted((builtin_rules_dir() / "cases").glob("*.yaml"))

# The patient leaflet the rules cite (beside the project; issue 13: the tests run against it).
LEAFLET = REPO.parent / "shared" / "seed" / "calcification-leaflet.txt"
