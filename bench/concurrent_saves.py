"""
Editors saving at once through the admin's rendered change form, against gunicorn as `make run` serves it.

    .venv/bin/python -m bench.concurrent_saves                     # SQLite file in a temporary directory
    DATABASE_URL=postgres://… .venv/bin/python -m bench.concurrent_saves
    .venv/bin/python -m bench.concurrent_saves --editors 2 4 --seconds 20

Each editor signs in with an account of their own and, for `--seconds`, opens the change page of an
activity of their own, types a new definition and presses Save, over and over. A save is "saved" when
the admin redirects, "refused" when the form comes back asking to save again (never lost: the text is
still in it), and "failed" on anything else (a 500 "database is locked", a time-out). One editor alone is
the baseline, measured in the same run; loopback only, and every loop stops by itself.
"""

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from activities.tests.servers import AdminEditor
from bench.servers import Gunicorn, manage, prepared_env

PASSWORD = "a-long-bench-password"


def create_editors(env, count):
    names = [f"bench-editor-{number}" for number in range(count)]
    manage(
        env,
        "shell",
        "-c",
        "from django.contrib.auth.models import User\n"
        f"for name in {names!r}:\n"
        "    user, _ = User.objects.get_or_create(username=name, defaults={'is_staff': True, 'is_superuser': True})\n"
        f"    user.set_password({PASSWORD!r}); user.save()\n",
    )
    return names


def run(port, names, seconds):
    """Every editor saves their own activity until `seconds` have passed: counts and the saves' times."""
    results = {"saved": 0, "refused": 0, "failed": 0, "times": [], "errors": []}
    lock = threading.Lock()
    editors = [AdminEditor(port, name, PASSWORD) for name in names]
    deadline = time.monotonic() + seconds

    def edit(editor, pk):
        save = 0
        url = f"/admin/activities/activity/{pk}/change/"
        while time.monotonic() < deadline:
            save += 1
            started = time.perf_counter()
            try:
                form = editor.form(url)
                form.set("definition", f"Saved by editor {pk}, save {save}.")
                status, _, _ = editor.post(url, form)
                outcome = "saved" if status == 302 else "refused" if status == 200 else "failed"
                error = None if outcome != "failed" else f"{status}"
            except (OSError, AssertionError) as exc:
                outcome, error = "failed", repr(exc)
            with lock:
                results[outcome] += 1
                results["times"].append(time.perf_counter() - started)
                if error:
                    results["errors"].append(error)

    threads = [threading.Thread(target=edit, args=(editor, pk)) for pk, editor in enumerate(editors, start=1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--editors", type=int, nargs="+", default=[2, 4], help="editors at once (default 2 4)")
    parser.add_argument("--seconds", type=float, default=20, help="how long each group saves (default 20)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="explorer-concurrent-saves-"))
    database_url = os.environ.get("DATABASE_URL", f"sqlite:///{workdir / 'db.sqlite3'}")
    env = prepared_env(database_url)
    names = create_editors(env, max(args.editors))
    engine = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    print(f"{engine}; {os.cpu_count()} cores; gunicorn.conf.py as `make run` uses it; {args.seconds:g} s per group")
    print()
    print("| editors | saves | saved | refused | failed | failed % | median ms | p95 ms | median vs one editor |")
    print("|---|---|---|---|---|---|---|---|---|")
    gunicorn = Gunicorn(env, workdir / "gunicorn.log")
    baseline = None
    try:
        for count in [1, *args.editors]:
            results = run(gunicorn.port, names[:count], args.seconds)
            times = results["times"]
            total = len(times)
            median = statistics.median(times) * 1000
            baseline = baseline or median
            p95 = statistics.quantiles(times, n=20)[-1] * 1000 if total >= 20 else median
            print(
                f"| {count} | {total} | {results['saved']} | {results['refused']} | {results['failed']} | "
                f"{100 * results['failed'] / total:.0f}% | {median:.0f} | {p95:.0f} | {median / baseline:.2f}x |",
                flush=True,
            )
            if results["errors"]:
                print(f"  failures: {sorted(set(results['errors']))}", flush=True)
    finally:
        gunicorn.stop()
    print(f"\nLogs in {workdir}")


if __name__ == "__main__":
    sys.exit(main())
