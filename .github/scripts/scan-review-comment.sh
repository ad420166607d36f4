#!/usr/bin/env bash
# Post, or update, the one scan-review comment of a pull request through the forge's REST API
# (GitHub, Gitea and Forgejo share these endpoints).
#
#   scan-review-comment.sh BODY_FILE CHANGED
#
# BODY_FILE is what `tools/diff --format markdown` printed; CHANGED is its exit code (1: the
# pull request changes scans or breaks one, 0: no semantic change). The comment is found by the
# hidden marker it starts with, among comments by a bot account. With no change and no earlier
# comment, nothing is posted. Environment: API_URL, REPOSITORY (owner/name), PR_NUMBER, TOKEN.
set -euo pipefail

MARKER='<!-- scanrepo:scan-review -->'
body_file=$1
changed=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

api() {
  curl --fail --silent --show-error --max-time 60 \
    -H "Authorization: token $TOKEN" -H "Accept: application/json" "$@"
}

# The id of our earlier comment, page by page; a forge that ignores paging repeats a page,
# which ends the search too.
existing=""
for page in $(seq 1 100); do
  api "$API_URL/repos/$REPOSITORY/issues/$PR_NUMBER/comments?per_page=100&limit=50&page=$page" \
    -o "$work/page.json"
  existing=$(python3 - "$MARKER" "$work/page.json" "$work/seen" <<'PY'
import json, sys
marker, page, seen_file = sys.argv[1:]
comments = json.load(open(page, encoding="utf-8"))
try:
    seen = set(open(seen_file).read().split())
except FileNotFoundError:
    seen = set()
ids = [str(c["id"]) for c in comments]
for c in comments:
    user = c.get("user") or {}
    login = str(user.get("login", ""))
    bot = user.get("type") == "Bot" or login.endswith(("[bot]", "-actions"))
    if bot and str(c.get("body", "")).startswith(marker):
        print(c["id"])
        sys.exit(0)
if not ids or set(ids) <= seen:
    print("none")
open(seen_file, "a").write(" ".join(ids) + "\n")
PY
)
  [ -z "$existing" ] || break
done
[ "$existing" != "none" ] || existing=""

if [ -z "$existing" ] && [ "$changed" = 0 ]; then
  echo "no semantic change to the scans and no earlier comment: nothing to post"
  exit 0
fi

python3 - "$MARKER" "$body_file" > "$work/payload.json" <<'PY'
import json, sys
marker, body_file = sys.argv[1:]
print(json.dumps({"body": marker + "\n" + open(body_file, encoding="utf-8").read()}))
PY

if [ -n "$existing" ]; then
  api -X PATCH -H "Content-Type: application/json" --data-binary "@$work/payload.json" \
    "$API_URL/repos/$REPOSITORY/issues/comments/$existing" -o /dev/null
  echo "updated comment $existing"
else
  api -X POST -H "Content-Type: application/json" --data-binary "@$work/payload.json" \
    "$API_URL/repos/$REPOSITORY/issues/$PR_NUMBER/comments" -o /dev/null
  echo "posted a new comment"
fi
