"""What tools/setup-git installs into a clone: the git hooks and drivers for scans."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from scanrepo.errors import ScanRepoError
from scanrepo.vcs.repo import GitRepo

MARKER = "# installed by scanrepo tools/setup-git"
PRE_COMMIT = f"""#!/bin/sh
{MARKER}: validates the staged scans before each commit.
# Re-run tools/setup-git to update it; delete this file to remove it.
exec "$(git rev-parse --show-toplevel)/tools/validate" --staged --quiet
"""

# The diff driver that .gitattributes names for scans. git runs textconv commands from the top
# of the work tree, so the repository-relative path follows the clone wherever it moves. Its
# output is not cached (diff.scanrepo.cachetextconv): git keys that cache by blob and command
# only, so it would keep showing the text of the tools as they were when first asked.
DIFF_DRIVER = "scanrepo"
TEXTCONV = "tools/scan-textconv"

# The merge driver that .gitattributes names for scans; git runs merge drivers from the top of
# the work tree too.
MERGE_DRIVER = "scanrepo"
MERGE_DRIVER_NAME = "semantic merge of scans"
MERGE_COMMAND = "tools/merge-driver %O %A %B %P"


@dataclass(frozen=True)
class Outcome:
    what: str
    status: str  # "installed", "updated", "unchanged", "refused"
    detail: str = ""


def hooks_dir(repo: GitRepo) -> Path:
    configured = repo.run("config", "--default", "", "--get", "core.hooksPath").strip()
    if configured:
        path = Path(configured)
        return path if path.is_absolute() else repo.root / path
    return (repo.root / repo.run("rev-parse", "--git-path", "hooks").strip()).resolve()


def install_hook(repo: GitRepo, name: str, content: str, force: bool = False) -> Outcome:
    """Write a hook we own; a hook someone else wrote is kept unless forced (then backed up)."""
    path = hooks_dir(repo) / name
    what = f"{name} hook ({path})"
    if path.exists() or path.is_symlink():
        current = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
        if current == content:
            return Outcome(what, "unchanged")
        if MARKER not in current and not force:
            return Outcome(
                what,
                "refused",
                "a hook not written by tools/setup-git is there; add "
                "'tools/validate --staged' to it yourself, or rerun with --force "
                f"(the old hook is kept as {path.name}.scanrepo-backup)",
            )
        if MARKER not in current:
            os.replace(path, path.with_name(path.name + ".scanrepo-backup"))
        status = "updated"
    else:
        status = "installed"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        path.write_text(content, encoding="utf-8")
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    except OSError as exc:
        raise ScanRepoError(f"{path}: cannot write hook: {exc.strerror}") from exc
    return Outcome(what, status)


def configure(repo: GitRepo, key: str, value: str, force: bool = False) -> Outcome:
    """Set a key in the clone's own config; a different value already there is kept unless
    forced (then the old value is named in the outcome)."""
    what = f"{key} in .git/config"
    current = repo.run("config", "--local", "--default", "", "--get", key).strip()
    if current == value:
        return Outcome(what, "unchanged")
    if current and not force:
        return Outcome(
            what,
            "refused",
            f"it is {current!r}; rerun with --force to set it to {value!r}",
        )
    repo.run("config", "--local", key, value)
    return Outcome(
        what, "updated" if current else "installed", f"was {current!r}" if current else ""
    )


def setup(repo: GitRepo, force: bool = False) -> list[Outcome]:
    return [
        install_hook(repo, "pre-commit", PRE_COMMIT, force),
        configure(repo, f"diff.{DIFF_DRIVER}.textconv", TEXTCONV, force),
        configure(repo, f"merge.{MERGE_DRIVER}.name", MERGE_DRIVER_NAME, force),
        configure(repo, f"merge.{MERGE_DRIVER}.driver", MERGE_COMMAND, force),
    ]
