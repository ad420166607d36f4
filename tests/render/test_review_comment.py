"""The pull-request workflow's comment script against a local stand-in of the forge's REST API."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from conftest import ROOT

SCRIPT = ROOT / ".github" / "scripts" / "scan-review-comment.sh"
WORKFLOW = ROOT / ".github" / "workflows" / "scan-review.yml"
MARKER = "<!-- scanrepo:scan-review -->"
BOT = {"login": "github-actions[bot]", "type": "Bot"}
HUMAN = {"login": "someone", "type": "User"}

pytestmark = pytest.mark.skipif(
    not (shutil.which("curl") and shutil.which("bash")), reason="needs bash and curl"
)


@dataclass
class Forge:
    """Comments of pull request 7 of owner/repo; records every request."""

    comments: list[dict[str, Any]] = field(default_factory=list)
    paged: bool = True  # Gitea's comment list ignores paging
    requests: list[tuple[str, str, str, Any]] = field(default_factory=list)


def _handler(forge: Forge) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _reply(self, status: int, payload: Any) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _record(self) -> Any:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            auth = self.headers.get("Authorization", "")
            forge.requests.append((self.command, urlparse(self.path).path, auth, body))
            return body

        def do_GET(self) -> None:
            self._record()
            url = urlparse(self.path)
            if url.path != "/api/repos/owner/repo/issues/7/comments":
                return self._reply(404, {"message": "not found"})
            page = int(parse_qs(url.query).get("page", ["1"])[0])
            size = int(parse_qs(url.query)["per_page"][0])
            shown = (
                forge.comments[(page - 1) * size : page * size] if forge.paged else forge.comments
            )
            self._reply(200, shown)

        def do_POST(self) -> None:
            body = self._record()
            forge.comments.append({"id": 1000 + len(forge.comments), "user": BOT, **body})
            self._reply(201, forge.comments[-1])

        def do_PATCH(self) -> None:
            body = self._record()
            self._reply(200, body)

    return Handler


@pytest.fixture
def forge() -> Iterator[tuple[Forge, str]]:
    state = Forge()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/api"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def post(api: str, tmp_path: Path, changed: int, body: str = "## review\n") -> str:
    review = tmp_path / "review.md"
    review.write_text(body, encoding="utf-8")
    env = {
        "PATH": os.environ["PATH"],
        "API_URL": api,
        "REPOSITORY": "owner/repo",
        "PR_NUMBER": "7",
        "TOKEN": "t0ken",
    }
    done = subprocess.run(
        ["bash", str(SCRIPT), str(review), str(changed)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def writes(forge: Forge) -> list[tuple[str, str, Any]]:
    return [(m, p, b) for m, p, _, b in forge.requests if m != "GET"]


def test_nothing_is_posted_without_changes_or_an_earlier_comment(
    forge: tuple[Forge, str], tmp_path: Path
) -> None:
    state, api = forge
    assert "nothing to post" in post(api, tmp_path, 0)
    assert writes(state) == []


def test_posts_once_then_updates_the_same_comment(forge: tuple[Forge, str], tmp_path: Path) -> None:
    state, api = forge
    state.comments.append({"id": 1, "user": HUMAN, "body": MARKER + "\nforged by a person"})
    assert (
        post(api, tmp_path, 1, "first ```review``` <details>\n").strip() == "posted a new comment"
    )
    assert writes(state) == [
        (
            "POST",
            "/api/repos/owner/repo/issues/7/comments",
            {"body": MARKER + "\nfirst ```review``` <details>\n"},
        )
    ]
    assert all(auth == "token t0ken" for _, _, auth, _ in state.requests)
    assert post(api, tmp_path, 0, "now nothing\n").strip() == "updated comment 1001"
    assert writes(state)[-1] == (
        "PATCH",
        "/api/repos/owner/repo/issues/comments/1001",
        {"body": MARKER + "\nnow nothing\n"},
    )


@pytest.mark.parametrize("paged", [True, False])
def test_finds_the_comment_on_a_later_page_and_ends_where_paging_is_ignored(
    forge: tuple[Forge, str], tmp_path: Path, paged: bool
) -> None:
    state, api = forge
    state.paged = paged
    state.comments.extend({"id": n, "user": HUMAN, "body": "chat"} for n in range(150))
    post(api, tmp_path, 1)
    assert [w[0] for w in writes(state)] == ["POST"]
    pages = [p for m, p, _, _ in state.requests if m == "GET"]
    assert len(pages) == (3 if paged else 2)
    post(api, tmp_path, 1)
    assert [w[0] for w in writes(state)] == ["POST", "PATCH"]


def test_workflow_runs_base_code_only() -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    assert "pull_request_target:" in text
    assert "ref: ${{ github.event.pull_request.base.sha }}" in text
    assert "persist-credentials: false" in text
    assert "refs/pull/${PR_NUMBER}/head:refs/scan-review/head" in text
    assert 'tools/diff --format markdown "$BASE_SHA...$head"' in text
    # no expression of the pull request's own text is ever pasted into a shell script
    for risky in ("head_ref", ".title", ".body", "head.label", "head.ref"):
        assert risky not in text
