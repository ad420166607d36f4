"""tools/<name> started by a Python without the dependencies finds the checkout's .venv."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import TOOLS


@pytest.mark.skipif(sys.prefix == sys.base_prefix, reason="the tests do not run in a venv")
def test_a_tool_started_by_the_base_python_runs_in_the_checkouts_venv(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    shutil.copytree(TOOLS, checkout / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    (checkout / ".venv").symlink_to(sys.prefix)  # a venv's python links to its base python
    base_python = Path(sys.base_prefix) / "bin" / "python3"
    result = subprocess.run(
        [str(base_python), str(checkout / "tools" / "migrate"), "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: tools/migrate")
