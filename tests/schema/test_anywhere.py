"""The package and the pre-commit hook work in a repository that holds only scans.

A non-editable install (a wheel built offline from a clean copy of this checkout, installed
into a new venv whose dependencies come from the test's own environment) and the real
pre-commit framework (``pre-commit try-repo``, which builds its own venv; it reaches the package
index as pip is configured here) both run ``scanrepo validate`` in such a repository: the
schemas and migrations come from the package, or from the repository when it has its own.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from conftest import ROOT, V4_FIXTURE, git

pytestmark = pytest.mark.slow
SCAN = "scans/v4/2602/2602.07852.json"


def clean_copy(target: Path) -> Path:
    """What a clean clone holds of the package: its sources, schemas and migrations."""
    target.mkdir()
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy(ROOT / name, target / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for name in ("tools", "schema", "migrations"):
        shutil.copytree(ROOT / name, target / name, symlinks=True, ignore=ignore)
    return target


def scans_only(path: Path) -> Path:
    path.mkdir()
    git(path, "init", "-q")
    (path / SCAN).parent.mkdir(parents=True)
    shutil.copy(V4_FIXTURE, path / SCAN)
    git(path, "add", "-A")
    return path


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin/ of a venv holding a wheel of this checkout, not an editable install."""
    work = tmp_path_factory.mktemp("install")
    source = clean_copy(work / "source")
    build = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
    subprocess.run([*build, "-w", str(work / "dist"), str(source)], check=True, cwd=work)
    [wheel] = (work / "dist").glob("scanrepo-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    target = venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    site = target / "site-packages"
    # the dependencies, from this environment (its site-packages is added as a plain path, so
    # its editable scanrepo is not: that finder is set up only by a site directory's .pth)
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    pip = [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python")]
    subprocess.run([*pip, "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True)
    return venv / "bin"


def test_an_installed_package_validates_a_repository_of_scans_only(
    installed: Path, tmp_path: Path
) -> None:
    data = scans_only(tmp_path / "data")
    result = subprocess.run(
        [str(installed / "scanrepo"), "validate"], cwd=data, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 scan" in result.stdout
    (data / SCAN).write_text('{"scan_version": 4}', "utf-8")
    broken = subprocess.run(
        [str(installed / "scanrepo"), "validate"], cwd=data, capture_output=True, text=True
    )
    assert broken.returncode == 1
    assert "'paper_type' is a required property" in broken.stdout


def test_a_repository_with_its_own_schemas_uses_them(installed: Path, tmp_path: Path) -> None:
    data = scans_only(tmp_path / "data")
    for name in ("schema", "migrations"):
        shutil.copytree(ROOT / name, data / name, ignore=shutil.ignore_patterns("__pycache__"))
    schema_file = data / "schema" / "v4.json"
    schema = json.loads(schema_file.read_text("utf-8"))
    schema["properties"]["key_findings"]["maxLength"] = 3  # the fixture's are longer
    schema_file.write_text(json.dumps(schema), "utf-8")
    result = subprocess.run(
        [str(installed / "scanrepo"), "validate"], cwd=data, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "$.key_findings" in result.stdout


def test_nowhere_to_find_schemas_names_every_place_looked(installed: Path, tmp_path: Path) -> None:
    [packaged] = installed.parent.glob("lib/python*/site-packages/scanrepo/_data")
    saved = tmp_path / "saved"
    shutil.move(packaged, saved)
    try:
        data = scans_only(tmp_path / "data")
        result = subprocess.run(
            [str(installed / "scanrepo"), "validate"],
            cwd=data,
            capture_output=True,
            text=True,
            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        )
    finally:
        shutil.move(saved, packaged)
    assert result.returncode == 2
    message = result.stderr
    assert "no schemas and migrations found" in message
    assert "$SCANREPO_HOME (not set)" in message
    assert f"in the repository around {data.resolve()}" in message
    assert f"in the package, {packaged.resolve()}" in message
    assert "Traceback" not in message


def test_the_pre_commit_hook_from_another_repository(tmp_path: Path) -> None:
    """One run (the framework builds the hook's venv each time): the good scan passes, the
    broken one fails with the schema's message, so the hook found its schemas."""
    hooks = clean_copy(tmp_path / "hooks")
    git(hooks, "init", "-q")
    git(hooks, "add", "-A")
    git(hooks, "commit", "-q", "-m", "the hook repository")
    data = scans_only(tmp_path / "data")
    broken = "scans/v4/2603/2603.00001.json"
    (data / broken).parent.mkdir(parents=True)
    (data / broken).write_text('{"scan_version": 4}', "utf-8")
    git(data, "add", "-A")
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hooks), "validate-scans", "-a"],
        cwd=data,
        capture_output=True,
        text=True,
        env={**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")},
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "validate scans" in result.stdout and "Failed" in result.stdout
    assert f"{broken}:1:1: $: 'paper_type' is a required property" in result.stdout
    assert SCAN not in result.stdout
    assert "cannot list schemas" not in result.stdout


def test_scanrepo_home_comes_before_the_repositorys_own(installed: Path, tmp_path: Path) -> None:
    data = scans_only(tmp_path / "data")
    home = tmp_path / "home"
    for place in (data, home):
        for name in ("schema", "migrations"):
            shutil.copytree(ROOT / name, place / name, ignore=shutil.ignore_patterns("__pycache__"))
    schema_file = home / "schema" / "v4.json"
    schema = json.loads(schema_file.read_text("utf-8"))
    schema["properties"]["key_findings"]["maxLength"] = 3
    schema_file.write_text(json.dumps(schema), "utf-8")
    validate = [str(installed / "scanrepo"), "validate"]
    own = subprocess.run(validate, cwd=data, capture_output=True, text=True)
    assert own.returncode == 0, own.stdout + own.stderr
    chosen = subprocess.run(
        validate,
        cwd=data,
        capture_output=True,
        text=True,
        env={**os.environ, "SCANREPO_HOME": str(home)},
    )
    assert chosen.returncode == 1
    assert "$.key_findings" in chosen.stdout
