#!/usr/bin/env bash
# Lighthouse (mobile) on the public home and a story of the demo, served by `lianjian serve`.
#
#   bench/lighthouse.sh [PORT]
#
# Needs Node.js, Debian's chromium and Lighthouse in a scratch directory (not a project
# dependency): `mkdir -p /tmp/lh && cd /tmp/lh && npm i -E lighthouse@12.2.3` (or set LIGHTHOUSE).
# Uses its own SQLite database (migrated, demo loaded) so it never touches yours.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${1:-8613}"
PYTHON="${PYTHON:-/work/main/.venv/bin/python}"
LIGHTHOUSE="${LIGHTHOUSE:-/tmp/lh/node_modules/.bin/lighthouse}"
CHROME="${CHROME:-/usr/bin/chromium}"
DB="${LIGHTHOUSE_DB:-/tmp/lighthouse-demo.sqlite3}"
OUT="${LIGHTHOUSE_OUT:-/tmp/lighthouse}"
export DATABASE_URL="sqlite:///$DB"
mkdir -p "$OUT"
if [ ! -f "$DB" ]; then
  "$PYTHON" -m lianjian migrate -v0
  "$PYTHON" -m lianjian demo > /dev/null
fi
"$PYTHON" -m lianjian serve --port "$PORT" --no-worker > "$OUT/serve.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$PORT/healthz" > /dev/null && break; sleep 0.5; done
STORY=$("$PYTHON" - <<'PY'
import os
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianjian.settings")
django.setup()
from lianjian.stories.models import Story
print(Story.objects.published().order_by("-happened_on", "id").values_list("pk", flat=True).first())
PY
)
declare -A PAGES=([home]="/" [story]="/stories/$STORY/")
# Warm the workers (imports, template loading, the figures cache) as a running site is.
for _ in 1 2 3; do for path in "${PAGES[@]}"; do curl -fs "http://127.0.0.1:$PORT$path" > /dev/null; done; done
for name in home story; do
  url="http://127.0.0.1:$PORT${PAGES[$name]}"
  "$LIGHTHOUSE" "$url" --quiet --chrome-path="$CHROME" --chrome-flags="--headless=new --no-sandbox" \
    --form-factor=mobile --only-categories=performance,accessibility,best-practices,seo \
    --output=json --output-path="$OUT/$name.json" > /dev/null
  "$PYTHON" - "$OUT/$name.json" "$name" "$url" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
scores = {k: round(v["score"] * 100) for k, v in report["categories"].items()}
print(f"{sys.argv[2]:6} {sys.argv[3]}  " + "  ".join(f"{k}={v}" for k, v in scores.items()))
PY
done
