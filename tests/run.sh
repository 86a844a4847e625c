#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the tests need that cargo does
# not (moto, an S3-compatible server for the publish tests, and feedparser, into
# .venv-test), runs every Rust test, then the web checks of the default theme
# (tests/web.sh: nginx, the Nu HTML Checker, Chromium). Extra arguments go to `cargo test`
# (e.g. a test name filter).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-test/bin/moto_server ]; then
  python3 -m venv .venv-test
  .venv-test/bin/pip install --quiet "moto[server]>=5,<6" "feedparser>=6,<7"
fi
export MOTO_SERVER="$PWD/.venv-test/bin/moto_server"
cargo test --locked "$@"
bash tests/web.sh
