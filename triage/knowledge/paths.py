"""Where the knowledge base shipped with the program lives (kept apart so that finding it imports nothing)."""

from __future__ import annotations

from pathlib import Path


def builtin_rules_dir() -> Path:
    """The knowledge base shipped with the program: inside the package when installed, else the repo's."""
    package = Path(__file__).resolve().parent.parent  # triage/
    packaged = package / "rules"
    return packaged if (packaged / "knowledge.yaml").is_file() else package.parent / "rules"
