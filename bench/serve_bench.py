#!/usr/bin/env python3
"""Save-to-reload latency of `briefing serve` on the generated 10,000-brief briefing.

    python3 bench/serve_bench.py                 # 20 edits of each kind
    python3 bench/serve_bench.py --edits 8 --briefs 2000
    python3 bench/serve_bench.py --binary OLD    # another binary, for before/after figures
    python3 bench/serve_bench.py --log serve.log # the server's --timings lines of each rebuild

Starts `briefing serve` (release build) on the native corpus of bench/gen_corpus.py, listens
on its event stream (`__briefing/events`, what the pages' live-reload script listens to),
then edits files the way an editor does and times each save until the `reload` event:

- body: a sentence appended to a brief's body;
- front matter: a brief moved to another company and another tag; after the reload, both
  companies' pages, both tags' pages and the home page are fetched and must show the move;
- new file: a new brief written.

Prints the median and the 90th percentile of each kind. Not a test: the machines are shared
and noisy, so run it a few times and read the figures together. Only the standard library.
"""

import argparse
import http.client
import os
import queue
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    r = conn.getresponse()
    body = r.read().decode("utf-8", "replace")
    conn.close()
    return r.status, body


def listen(port, events):
    """Puts (time, event name) on `events` for every event of the stream."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.request("GET", "/__briefing/events", headers={"Accept": "text/event-stream"})
    r = conn.getresponse()
    while True:
        line = r.fp.readline()
        if not line:
            return
        line = line.decode("utf-8", "replace").strip()
        if line.startswith("event:"):
            events.put((time.perf_counter(), line.split(":", 1)[1].strip()))


def wait_event(events, since, timeout=30.0):
    """The first event after `since`: (seconds after `since`, name)."""
    end = time.perf_counter() + timeout
    while True:
        left = end - time.perf_counter()
        if left <= 0:
            raise SystemExit("no reload event within 30 s")
        at, name = events.get(timeout=left)
        if at >= since:
            return at - since, name


def briefs_of(site):
    out = []
    for dirpath, dirs, files in os.walk(os.path.join(site, "content", "briefs")):
        dirs.sort()
        out.extend(os.path.join(dirpath, f) for f in sorted(files) if f.endswith(".md"))
    return out


def companies_of(site):
    return sorted(f[:-3] for f in os.listdir(os.path.join(site, "content", "companies")) if f.endswith(".md"))


def brief_slug(path):
    """The slug of a brief file: its name (its folder's, for a bundle) without the date."""
    name = os.path.basename(os.path.dirname(path)) if path.endswith("/index.md") else os.path.basename(path)[:-3]
    return re.sub(r"^\d{4}-\d{2}-\d{2}-", "", name)


def listed(port, first, link):
    """Whether a paginated list starting at `first` links to `link`."""
    page = first
    for n in range(2, 500):
        status, body = get(port, page)
        if status != 200:
            return False
        if link in body:
            return True
        page = f"{first}page/{n}/"
    return False


def save(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--briefs", type=int, default=10000)
    ap.add_argument("--edits", type=int, default=20, help="edits of each kind")
    ap.add_argument("--work", default="/tmp/briefing-serve-bench")
    ap.add_argument("--binary", help="another briefing binary to measure (e.g. main's, for before/after figures)")
    ap.add_argument("--log", help="write the server's output here, with BRIEFING_TIMINGS=1 (what each rebuild did)")
    args = ap.parse_args()

    if args.binary:
        briefing = args.binary
    else:
        subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "briefing"], cwd=ROOT, check=True)
        briefing = os.path.join(ROOT, "target", "release", "briefing")
    site = os.path.join(args.work, f"native-{args.briefs}")
    shutil.rmtree(site, ignore_errors=True)
    subprocess.run([sys.executable, os.path.join(HERE, "gen_corpus.py"), "--out", site, "--briefs", str(args.briefs),
                    "--seed", "1", "--format", "native"], check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    log = open(args.log, "w") if args.log else subprocess.DEVNULL
    env = dict(os.environ, BRIEFING_TIMINGS="1") if args.log else None
    server = subprocess.Popen([briefing, "serve", "--root", site, "--port", str(port)], stderr=log, stdout=log, env=env)
    try:
        for _ in range(600):
            try:
                if get(port, "/")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        events = queue.Queue()
        threading.Thread(target=listen, args=(port, events), daemon=True).start()
        time.sleep(1.0)
        results = run_edits(site, port, events, args.edits)
    finally:
        server.terminate()
        server.wait()
    print()
    print(f"{'edit':<14} {'median':>9} {'p90':>9}   (save to reload event, {args.briefs} briefs, {args.edits} edits each)")
    for kind, times in results.items():
        times = sorted(times)
        p90 = times[min(len(times) - 1, int(round(0.9 * (len(times) - 1))))]
        print(f"{kind:<14} {statistics.median(times) * 1000:7.0f} ms {p90 * 1000:7.0f} ms   (target: median <= 100 ms, p90 <= 150 ms)")


def run_edits(site, port, events, n):
    briefs = briefs_of(site)
    companies = companies_of(site)
    results = {"body": [], "front matter": [], "new file": []}
    for i in range(n):
        # Body: a sentence appended.
        path = briefs[(i * 37) % len(briefs)]
        with open(path, encoding="utf-8") as f:
            text = f.read()
        t0 = time.perf_counter()
        save(path, text + f"\nA sentence added by edit {i}.\n")
        dt, name = wait_event(events, t0)
        assert name == "reload", name
        results["body"].append(dt)
        time.sleep(0.3)

        # Front matter: to another company and tag; the pages must show the move.
        path = briefs[(i * 53 + 11) % len(briefs)]
        with open(path, encoding="utf-8") as f:
            text = f.read()
        company = companies[(i * 7 + 3) % len(companies)]
        tag = f"Moved Tag {i}"
        moved = re.sub(r"^companies: .*$", f"companies: [{company}]", text, count=1, flags=re.M)
        moved = re.sub(r"^tags: .*$", f"tags: [{tag}]", moved, count=1, flags=re.M)
        t0 = time.perf_counter()
        save(path, moved)
        dt, name = wait_event(events, t0)
        assert name == "reload", name
        results["front matter"].append(dt)
        tag_slug = re.sub(r"[^a-z0-9]+", "-", tag.lower()).strip("-")
        link = f"/briefs/{brief_slug(path)}/"
        assert link in get(port, f"/tags/{tag_slug}/")[1], f"the new tag's page does not list {link}"
        assert listed(port, f"/companies/{company}/", link), f"{company}'s pages do not list {link}"
        time.sleep(0.3)

        # A new brief file.
        path = os.path.join(site, "content", "briefs", f"2026-01-01-serve-bench-{i}.md")
        t0 = time.perf_counter()
        save(path, f"---\ntitle: A new brief, number {i}\ndate: 2026-01-01\ncompanies: [{companies[i % len(companies)]}]\n"
                   f"sources: []\nstatus: analysis\n---\nWritten while serve runs.\n")
        dt, name = wait_event(events, t0)
        assert name == "reload", name
        results["new file"].append(dt)
        time.sleep(0.3)
    return results


if __name__ == "__main__":
    main()
