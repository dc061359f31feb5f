"""What the in-process `triage` command (the `cli` fixture) gives back."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class CliResult:
    code: int
    out: str
    err: str
