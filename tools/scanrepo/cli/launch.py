"""Start a tool from tools/<name> in a fresh clone: find the dependencies or say how to get them.

Only the standard library is imported here, so this runs before anything is installed.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

REQUIRED = ("jsonschema", "jsonschema_rs", "git", "deepdiff")
SETUP = "python3 -m venv .venv && .venv/bin/pip install -e ."


def _missing(required: tuple[str, ...]) -> list[str]:
    return [name for name in required if importlib.util.find_spec(name) is None]


def launch(command: str, required: tuple[str, ...] = REQUIRED) -> None:
    """Run a command; ``required`` names the packages it imports (a command git starts, such as
    the textconv driver, needs none, so it runs under any Python 3.11)."""
    missing = _missing(required)
    if missing:
        venv = Path(__file__).resolve().parents[3] / ".venv"
        venv_python = venv / "bin" / "python"
        # a venv's python is a symlink to the interpreter it was made from, so compare prefixes
        if venv_python.exists() and Path(sys.prefix).resolve() != venv.resolve():
            os.execv(venv_python, [str(venv_python), sys.argv[0], *sys.argv[1:]])
        print(
            f"{sys.argv[0]}: missing Python packages: {', '.join(missing)}.\n"
            f"Set up once from the repository root with:\n  {SETUP}",
            file=sys.stderr,
        )
        raise SystemExit(2)
    from scanrepo.cli.main import main

    raise SystemExit(main([command, *sys.argv[1:]]))
