#!/usr/bin/env bash
# Web checks of the default theme on the sample site: built under a sub-path and served by
# nginx on 127.0.0.1, every page validated by the Nu HTML Checker, every feed parsed by
# Python's feedparser, every link crawled, Chromium driven through search, the dark
# scheme, images and screenshots (saved in tests/web/screenshots/), and Lighthouse on briefs
# with images. Run by tests/run.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null || ! command -v nginx >/dev/null || ! command -v java >/dev/null || ! command -v xmllint >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium nginx-light default-jre-headless libxml2-utils >/dev/null
  else
    echo "tests/web.sh needs chromium, nginx, java and xmllint: sudo apt-get install chromium nginx-light default-jre-headless libxml2-utils" >&2
    exit 1
  fi
fi
[ -d tests/web/node_modules/playwright-core ] && [ -d tests/web/node_modules/lighthouse ] || (cd tests/web && npm ci --silent --ignore-scripts)
.venv-test/bin/python -c "import feedparser" 2>/dev/null || .venv-test/bin/pip install --quiet "feedparser>=6,<7"

work=$(mktemp -d)
chmod 755 "$work"  # nginx workers read it as another user
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() { [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# "Now" is the morning after the seed story, so that the news sitemap lists its briefs.
SOURCE_DATE_EPOCH=1761944400 cargo run --quiet -- build --base-url "http://127.0.0.1:$port/briefing/" --output "$work/www/briefing"
# The same briefing in French (the built-in theme's French table), served beside it.
mkdir -p "$work/fr" && cp -r content static "$work/fr/" && sed 's/^language = "en"/language = "fr"/' site.toml > "$work/fr/site.toml"
# A brief with every writing helper (a chart, a quote, a post card, a footnote, a table,
# code), in the French build only: the sample briefing quotes no one it cannot source.
cp tests/web/writing-helpers.md "$work/fr/content/briefs/"
SOURCE_DATE_EPOCH=1761944400 cargo run --quiet -- build --root "$work/fr" --strict --base-url "http://127.0.0.1:$port/fr/" --output "$work/www/fr"
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 64; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path $work/tmp; proxy_temp_path $work/tmp; fastcgi_temp_path $work/tmp;
  uwsgi_temp_path $work/tmp; scgi_temp_path $work/tmp;
  server {
    listen 127.0.0.1:$port;
    root $work/www;
    error_page 404 /briefing/404.html;
  }
}
CONF
mkdir -p "$work/tmp"
nginx -c "$work/nginx.conf" -p "$work"

passed=0; failed=0
step() { if "$@"; then passed=$((passed+1)); else failed=$((failed+1)); echo "FAIL: $*"; fi; }
vnu() {
  local out
  out=$(java -jar tests/web/node_modules/vnu-jar/build/dist/vnu.jar --errors-only --skip-non-html "$work/www" 2>&1) || true
  if [ -n "$out" ]; then echo "$out" | head -20; return 1; fi
  echo "vnu: $(find "$work/www" -name '*.html' | wc -l) pages (English and French), no errors"
}
step vnu
sitemaps() {
  local site="$work/www/briefing" news
  xmllint --noout --schema tests/web/sitemap.xsd "$site/sitemap.xml" "$site/news-sitemap.xml" || return 1
  news=$(grep -c '<news:news>' "$site/news-sitemap.xml")
  [ "$news" -ge 3 ] || { echo "news-sitemap.xml lists $news briefs of the last 48 hours, expected the seed story's"; return 1; }
  grep -q "^Sitemap: .*news-sitemap.xml$" "$site/robots.txt" || { echo "robots.txt does not name the news sitemap"; return 1; }
  echo "sitemaps: valid against the sitemap and news schemas, $news news entries"
}
step sitemaps
step .venv-test/bin/python tests/web/feeds.py "$work/www/briefing"
step node tests/web/check.mjs "http://127.0.0.1:$port/briefing/" tests/web/screenshots
# Lighthouse, as a phone: a brief with a lead image, one with a figure, and the home page.
step node tests/web/lighthouse.mjs "http://127.0.0.1:$port/briefing/briefs/deepseek-nvidia-selloff/" \
  "http://127.0.0.1:$port/briefing/briefs/nvidia-data-center-revenue/" "http://127.0.0.1:$port/briefing/" \
  "http://127.0.0.1:$port/briefing/search/?q=meta" "http://127.0.0.1:$port/fr/briefs/writing-helpers/"
echo "web: $passed passed, $failed failed"
[ "$failed" = 0 ]
