"""Where the knowledge base shipped with the program lives (kept apart so that finding it imports nothing)."""

from __future__ import annotations

import sysconfig
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # triage/


def builtin_rules_dir() -> Path:
    """The knowledge base shipped with the program: inside the package when installed, else the repo's."""
    packaged = _PACKAGE / "rules"
    return packaged if (packaged / "knowledge.yaml").is_file() else _PACKAGE.parent / "rules"


def is_installed_copy(folder: Path) -> bool:
    """Whether `folder` was put where it is by an installer (pip, a wheel), rather than being a source tree's.

    A sign-off written into such a copy is lost on the next install and reaches nobody's working copy.
    Only a wheel puts the rules inside the package (pyproject.toml, force-include); other installs are
    told by their place: this interpreter's library folders, or any site-packages or dist-packages.
    """
    folder = folder.resolve()
    libraries = {Path(sysconfig.get_path(name)).resolve() for name in ("purelib", "platlib")}
    return (folder.is_relative_to(_PACKAGE)
            or any(folder.is_relative_to(library) for library in libraries)
            or any(part in ("site-packages", "dist-packages") for part in folder.parts))
