"""tools/report: a self-contained page with its charts, the recent papers and their semantic
history, text from scans escaped; opened in a real headless browser when one is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import canonical, fixture_doc, git, put, run_tool
from knownhistory import F, build, paper, path, rate

CHARTS = (
    "chart-yes-rate",
    "chart-stability",
    "chart-red-flags",
    "chart-claims",
    "chart-engagement",
)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    repo = tmp_path_factory.mktemp("report") / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    commits = build(repo)
    done = run_tool("report", "-o", "out.html", cwd=repo)
    assert done.returncode == 1, done.stderr  # P5 is not JSON: left out, and said so
    assert "left out: scans/v4/2601/2601.00005.json" in done.stderr
    return repo / "out.html", commits


def test_page_has_its_charts_and_needs_no_network(page: tuple[Path, list[str]]) -> None:
    html = page[0].read_text(encoding="utf-8")
    for chart in CHARTS:
        assert f'<svg id="{chart}"' in html
    assert html.count('class="value"') >= 16  # a dot per item in the yes-rate chart
    for outside in ("http:", "https:", "<script", "src=", "<link", "@import", "url("):
        assert outside not in html
    cards = re.findall(r"<b>([^<]*)</b>([^<]*)</div>", html)
    for card in (("3", "papers"), ("5", "commits changing scans"), ("7", "rescans")):
        assert card in cards


def test_recent_papers_link_to_their_history(page: tuple[Path, list[str]]) -> None:
    path, commits = page
    html = path.read_text(encoding="utf-8")
    # last revisions, latest first: C5 changed P1, P3 (removed) and P5; C4 changed P2 and P4
    order = re.findall(r'<a href="#paper-([^"]+)">', html)
    assert order == ["2601.00001", "2601.00003", "2601.00005", "2601.00002", "2601.00004"]
    history = html.split('<section id="paper-2601.00001">', 1)[1].split("</section>", 1)[0]
    listed = re.findall(r"<li><code>([0-9a-f]{12})</code>", history)
    assert listed == [commits[4][:12], commits[2][:12], commits[1][:12], commits[0][:12]]
    assert "funding_disclosed" in history
    assert "<del>yes</del> → <ins>no</ins>" in history  # C2's flip, as the semantic diff says it


def test_text_from_scans_is_escaped(repo: Path) -> None:
    doc = fixture_doc()
    doc["paper"]["title"] = "<script>alert(1)</script> & co"
    doc["red_flags"] = [{"flag": '<img src=x onerror="alert(2)">', "detail": "d"}]
    put(repo, "scans/v4/2602/2602.07852.json", canonical(doc))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "<b>subject</b>")
    done = run_tool("report", "-o", "r.html", cwd=repo)
    assert done.returncode == 0, done.stderr
    html = (repo / "r.html").read_text(encoding="utf-8")
    assert "<script" not in html
    assert "<img" not in html
    assert "<b>subject" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in html


def _row(html: str, first_cell: str) -> list[str]:
    row = html.split(f"<tr><td>{first_cell}</td>", 1)[1].split("</tr>", 1)[0]
    return re.findall(r"<td[^>]*>([^<]*)</td>", row)


def test_repeatability_reproducibility_and_references(page: tuple[Path, list[str]]) -> None:
    html = page[0].read_text(encoding="utf-8")
    cards = re.findall(r"<b>([^<]*)</b>([^<]*)</div>", html)
    # knownhistory: 105 rescans of an item by the same model with 2 answer flips, 7 by
    # different models with 3 (test_stability works them out)
    assert ("1.9%", "answer flip rate, same model") in cards
    assert ("42.9%", "answer flip rate, different models") in cards
    # rescans, flip rate, raw agreement, yes, kappa, AC1, PABAK, note
    assert _row(html, "same model (repeatability)") == [
        "105",
        "1.9%",
        "98.1%",
        "97.1%",
        "0.66 [0.19, 1.00]",
        "0.98 [0.95, 1.00]",
        "0.97 [0.90, 0.99]",
        "skewed",
    ]
    assert _row(html, "different models (reproducibility)")[:7] == [
        "7",
        "42.9%",
        "57.1%",
        "64.3%",
        "0.09",  # 2/23, under 10 pairs: no interval
        "0.21",  # 22/106
        "0.14 [-0.50, 0.68]",
    ]
    assert _row(html, "opus vs opus")[0] == "103"
    per_item = html.split("<details>", 1)[1].split("</details>", 1)[0]
    assert f'<tr><td><code>{F}</code></td><td>same</td><td class="n nowrap">2</td>' in per_item
    assert f'<tr><td><code>{F}</code></td><td>different</td><td class="n nowrap">5</td>' in (
        per_item
    )
    references = html.split('<section id="references">', 1)[1].split("</section>", 1)[0]
    assert "Context, not thresholds" in references
    assert "<b>Cohen&#x27;s kappa 0.280 and 0.282</b>" in references
    assert "<b>Cohen&#x27;s kappa 0.22 (95% CI 0.06 to 0.38)</b>" in references
    assert "<code>arXiv:2511.13107</code>" in references
    assert "<code>doi:10.1101/2024.07.16.24310483</code>" in references


def test_model_names_are_escaped(repo: Path) -> None:
    hostile = '<img src=x onerror="alert(3)">'
    doc = paper(1, "ICLR", [])
    for section in doc["checklist"].values():
        for item in section.values():
            item["source"] = hostile
    put(repo, path(1), canonical(doc))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "scan")
    put(repo, path(1), canonical(rate(doc, F, "no", "opus")))
    git(repo, "commit", "-qam", "rescan")
    done = run_tool("report", "-o", "r.html", cwd=repo)
    assert done.returncode == 0, done.stderr
    html = (repo / "r.html").read_text(encoding="utf-8")
    assert "<img" not in html
    assert "&lt;img src=x onerror=&quot;alert(3)&quot;&gt; vs opus" in html


def test_a_repository_without_commits(repo: Path) -> None:
    put(repo, "scans/v4/2602/2602.07852.json", canonical(fixture_doc()))
    done = run_tool("report", "-o", "r.html", cwd=repo)
    assert done.returncode == 0, done.stderr
    html = (repo / "r.html").read_text(encoding="utf-8")
    assert '<svg id="chart-yes-rate"' in html
    assert "chart-stability" not in html
    assert "a work tree without commits" in html


def test_the_default_page_leaves_the_clone_clean(repo: Path) -> None:
    """Run as the README shows it, from the top and from a subdirectory: the page goes where
    git never tracks it, and git status stays empty."""
    put(repo, "scans/v4/2602/2602.07852.json", canonical(fixture_doc()))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "a scan")
    page = repo / ".git" / "scanrepo-report.html"
    for where in (repo, repo / "scans" / "v4"):
        page.unlink(missing_ok=True)
        done = run_tool("report", cwd=where)
        assert done.returncode == 0, done.stderr
        assert done.stderr == f"wrote {page}\n"
        assert '<svg id="chart-yes-rate"' in page.read_text(encoding="utf-8")
        assert git(repo, "status", "--porcelain", "--untracked-files=all").stdout == ""


def test_page_opens_in_a_headless_browser(page: tuple[Path, list[str]]) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("no chromium installed (apt-get install chromium) to open the page in")
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                f"--user-data-dir={profile}",
                "--dump-dom",
                page[0].as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert "<title>Scan survey report</title>" in dom
    for chart in CHARTS:
        assert re.search(rf'<svg id="{chart}"[^>]*>', dom), chart
    assert dom.count("<circle") >= 16
    assert dom.count("<rect") > 16
    assert "error" not in dom.lower().replace("class=", "")
