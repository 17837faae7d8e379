"""
Load benchmark: the public pages against a static file of similar size, served by the same gunicorn.

    make bench                      # SQLite; BENCH_DATABASE_URL=postgres://... for PostgreSQL
    .venv/bin/python -m bench.load --rounds 3 --duration 5 --connections 64

Starts gunicorn (gunicorn.conf.py, production mode behind a pretend TLS-ending load balancer) on a free
loopback port, twice: once with the render cache, once rendering every request. In each round wrk
measures each page as a plain GET and as a 304 (If-None-Match), each right after the static file; medians
over the rounds are quoted, and each ratio pairs a measurement with the static file measured just before
it. Last, every page in turn at 256 connections for 30 s gives the error count. Results are printed as
Markdown and kept in bench/results/.
"""

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from bench.production import production_env

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
RESULTS = ROOT / "bench" / "results"

# The pages measured; add the API list here once it exists.
PAGES = {
    "home": "/",
    "category": "/categories/email/",
    "list + search": "/activities/?q=email",
    "detail": "/activities/opened-email/",
    "API list": "/api/activities/",
}
# What Django itself costs before a page draws anything, measured when every request renders: how much of
# the 0.3x budget is left for a page's own content. The 404 page is base.html and one sentence (plus the
# warning that Django logs for every 404, so wrk counts its answers as non-2xx).
FLOORS = {
    "floor: /healthz (middleware, one query, no template)": "/healthz",
    "floor: not found (base.html, no query)": "/no-such-page/",
}
# Live search as people type: htmx asks for the results fragment, and every query differs, so the render
# cache never helps. The honest figure for search traffic.
SEARCHES = "live search, a different query each time"
# What a TLS-ending load balancer adds: production mode redirects plain HTTP otherwise.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def django_env(database_url, page_cache):
    return {**os.environ, **production_env(database_url), "EXPLORER_PAGE_CACHE": "1" if page_cache else "0"}


def prepare(database_url):
    env = django_env(database_url, page_cache=True)
    for command in (["migrate", "--noinput", "-v0"], ["load_catalog"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


class Server:
    def __init__(self, database_url, page_cache, log_path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(log_path, "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [GUNICORN, "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{self.port}"],
            cwd=ROOT,
            env=django_env(database_url, page_cache),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.get("/healthz")
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer on {self.base}; see {log_path}")

    def get(self, path):
        request = urllib.request.Request(self.base + path, headers=PROXY_HEADERS)
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.headers, response.read()

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


def closest_static_file(server, size):
    """The collected static file whose size is nearest `size`, by its hashed URL."""
    manifest = json.loads((ROOT / "staticfiles" / "staticfiles.json").read_text())["paths"]
    best = min(manifest.values(), key=lambda name: abs((ROOT / "staticfiles" / name).stat().st_size - size))
    return f"/static/{best}", (ROOT / "staticfiles" / best).stat().st_size


def seconds(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def wrk(url, duration, connections, headers=(), script=None):
    command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s"]
    for name, value in [*PROXY_HEADERS.items(), *headers]:
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", script]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    bad_status = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": seconds(re.search(r"\s50%\s+(\S+)", output).group(1)),
        "p99": seconds(re.search(r"\s99%\s+(\S+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "errors": (sum(map(int, errors.groups())) if errors else 0) + (int(bad_status.group(1)) if bad_status else 0),
    }


def settle(server, quiet=0.02, limit=15):
    """Wait until the server has worked off what the last wrk run left queued, so it doesn't count in the next."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        started = time.monotonic()
        server.get("/healthz")
        if time.monotonic() - started < quiet:
            return
        time.sleep(0.2)


def distinct_searches():
    """What live search sends as people type the catalog's words, each query once: a render cache never helps."""
    records = json.loads((ROOT / "fixtures" / "catalog.json").read_text())
    texts = [
        (record["fields"]["name"], record["fields"]["definition"])
        for record in records
        if record["model"] == "activities.activity"
    ]
    typed = set()
    for name, definition in texts:
        words = re.findall(r"[a-z]+", name.lower())
        # The name typed letter by letter, then each later word of the definition, the same way.
        for phrase in [" ".join(words), *re.findall(r"[a-z]{4,}", definition.lower())]:
            typed.update(phrase[:end] for end in range(3, len(phrase) + 1))
    return [f"/activities/?q={urllib.parse.quote(query)}" for query in sorted(typed)]


def rotating_script(paths):
    lines = ["local paths = {" + ", ".join(json.dumps(path) for path in paths) + "}", "local i = 0"]
    lines += ["request = function()", "  i = i + 1", "  return wrk.format(nil, paths[(i % #paths) + 1])", "end"]
    handle = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115
    handle.write("\n".join(lines) + "\n")
    handle.close()
    return handle.name


def median_result(rounds, ceilings):
    """Medians over the rounds; each ratio pairs a measurement with the static file measured just before it."""
    return {
        "rps": statistics.median(result["rps"] for result in rounds),
        "p50": statistics.median(result["p50"] for result in rounds),
        "p99": statistics.median(result["p99"] for result in rounds),
        "ratio": statistics.median(result["rps"] / ceiling for result, ceiling in zip(rounds, ceilings, strict=True)),
        "errors": sum(result["errors"] for result in rounds),
        "rounds": rounds,
    }


def row(name, result):
    return (
        f"| {name} | {result['rps']:.0f} | {result['p50'] * 1000:.1f} | {result['p99'] * 1000:.1f} "
        f"| {result['ratio']:.2f}x | {result['errors']} |"
    )


def measure(server, label, duration, connections, rounds, static_url, lines, searches=True, floors=False):
    """
    Each round measures every page, plain and as a 304, each right after the static file: this machine's
    speed drifts within a minute (and sags after a run of heavy pages), so each ratio pairs two
    measurements taken seconds apart, and noise hits both sides alike.
    """
    targets = {}
    for name, path in PAGES.items():
        etag = server.get(path)[0]["ETag"]
        targets[name] = (path, (), None)
        targets[f"{name}, 304"] = (path, (("If-None-Match", etag),), None)
    if floors:
        targets.update({name: (path, (), None) for name, path in FLOORS.items()})
    if searches:
        targets[SEARCHES] = ("/", (("HX-Request", "true"),), rotating_script(distinct_searches()))
    static = "static file (ceiling)"
    runs = {name: [] for name in [static, *targets]}
    ceilings = {name: [] for name in targets}
    for _ in range(rounds):
        for name, (path, headers, script) in targets.items():
            ceiling = wrk(server.base + static_url, duration, connections, ())
            runs[static].append(ceiling)
            ceilings[name].append(ceiling["rps"])
            settle(server)
            runs[name].append(wrk(server.base + path, duration, connections, headers, script=script))
            settle(server)
    results = {static: median_result(runs[static], [result["rps"] for result in runs[static]])}
    results.update({name: median_result(runs[name], ceilings[name]) for name in targets})
    lines += [
        f"### {label}",
        "",
        "| Target | Requests/s | p50 ms | p99 ms | Ratio to static | Errors |",
        "|---|---:|---:|---:|---:|---:|",
        *(row(name, result) for name, result in results.items()),
        "",
    ]
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=5, help="seconds per measurement (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every measurement; medians are quoted")
    parser.add_argument("--connections", type=int, default=64, help="connections per measurement (default 64)")
    parser.add_argument("--stress-duration", type=int, default=30)
    parser.add_argument("--stress-connections", type=int, default=256)
    parser.add_argument(
        "--only", action="append", choices=[*PAGES, SEARCHES], help="measure only this page (repeatable)"
    )
    parser.add_argument(
        "--render-cache", choices=["both", "on", "off"], default="both", help="which half to measure (default both)"
    )
    parser.add_argument("--no-floors", action="store_true", help="skip the floor rows (/healthz, the 404 page)")
    args = parser.parse_args()
    for name in set(PAGES) - set(args.only or PAGES):
        del PAGES[name]
    searches = not args.only or SEARCHES in args.only
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: `make bench` installs it from Debian's packages.")

    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    workdir = Path(tempfile.mkdtemp(prefix="explorer-bench-"))
    database_url = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    prepare(database_url)

    lines = [
        f"## Load run {stamp}",
        "",
        f"{os.cpu_count()} cores shared by gunicorn and wrk; load average before: "
        f"{' '.join(f'{load:.2f}' for load in os.getloadavg())}; database: {database_url.split(':')[0]}; "
        f"{args.connections} connections; medians of {args.rounds} rounds of {args.duration} s each.",
        "",
    ]
    summary = {}
    for page_cache in {"both": (True, False), "on": (True,), "off": (False,)}[args.render_cache]:
        label = "render cache on (the default)" if page_cache else "render cache off: every 200 renders"
        server = Server(database_url, page_cache, RESULTS / f"load-{stamp}-server.log")
        try:
            sizes = [len(server.get(path)[1]) for path in PAGES.values()]
            static_url, static_size = closest_static_file(server, statistics.median(sizes))
            if page_cache:
                lines.append(
                    f"Page sizes {', '.join(f'{size / 1024:.1f} KB' for size in sizes)}; static file "
                    f"`{static_url}` {static_size / 1024:.1f} KB.\n"
                )
            summary[label] = measure(
                server,
                label,
                args.duration,
                args.connections,
                args.rounds,
                static_url,
                lines,
                searches,
                floors=not page_cache and not args.no_floors,
            )
            if page_cache:
                stress = wrk(
                    server.base + "/",
                    args.stress_duration,
                    args.stress_connections,
                    script=rotating_script([*PAGES.values(), static_url]),
                )
                summary["stress"] = stress
                lines += [
                    f"### Every page in turn, {args.stress_connections} connections, {args.stress_duration} s",
                    "",
                    f"{stress['requests']} requests, {stress['rps']:.0f}/s, p50 {stress['p50'] * 1000:.1f} ms, "
                    f"p99 {stress['p99'] * 1000:.1f} ms, **{stress['errors']} errors** "
                    "(socket errors, timeouts and non-2xx/3xx answers).",
                    "",
                ]
        finally:
            server.stop()

    report = "\n".join(lines)
    (RESULTS / f"load-{stamp}.md").write_text(report)
    (RESULTS / f"load-{stamp}.json").write_text(json.dumps(summary, indent=2))
    print(report)
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
