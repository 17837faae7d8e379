"""
Servers and clients for the operations benchmarks, on loopback only: gunicorn as `make run` starts it, nginx
from deploy/nginx.conf, ordinary requests timed one after another, and slow clients.
"""

import http.client
import os
import re
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
NGINX = "/usr/sbin/nginx"
LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def prepared_env(database_url, **extra):
    """`make run`'s environment over this database: migrated, the catalog loaded, static files collected."""
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_LOG_LEVEL": "WARNING", **extra}
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_catalog")
    manage(env, "collectstatic", "--noinput", "-v0")
    return env


def free_port():
    # nginx cannot report a port it chose itself; this one is free a moment before nginx binds it.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn with gunicorn.conf.py, as `make run` starts it, on 127.0.0.1:0; the port is read from its log."""

    def __init__(self, env, log_path, *args):
        self.log_path = Path(log_path)
        self.log = open(self.log_path, "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [GUNICORN, "--config", "gunicorn.conf.py", "--bind", "127.0.0.1:0", *args],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        for _ in range(600):
            if match := LISTENING.search(self.log_path.read_text()):
                self.port = int(match.group(1))
                break
            if self.process.poll() is not None:
                raise RuntimeError(self.log_path.read_text())
            time.sleep(0.1)
        else:
            raise RuntimeError(f"gunicorn never said where it listens; see {self.log_path}")
        wait_until_answering(self.port)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=60)
        self.log.close()


class Nginx:
    """nginx running deploy/nginx.conf (its listen port and upstream replaced) from a temporary prefix."""

    def __init__(self, upstream_port, worker_connections=2048):
        self.prefix = Path(tempfile.mkdtemp(prefix="explorer-nginx-"))
        self.port = free_port()
        site = (ROOT / "deploy" / "nginx.conf").read_text()
        site = site.replace("listen 80;", f"listen 127.0.0.1:{self.port};")
        site = site.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};")
        (self.prefix / "site.conf").write_text(site)
        user = "user root;\n" if os.geteuid() == 0 else ""
        (self.prefix / "nginx.conf").write_text(
            f"{user}worker_processes 1;\ndaemon off;\npid {self.prefix / 'nginx.pid'};\n"
            f"error_log {self.prefix / 'error.log'} warn;\n"
            f"events {{ worker_connections {worker_connections}; }}\n"
            f"http {{ access_log off; include {self.prefix / 'site.conf'}; }}\n"
        )
        self.process = subprocess.Popen(
            [NGINX, "-p", self.prefix, "-c", self.prefix / "nginx.conf", "-e", self.prefix / "error.log"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        wait_until_answering(self.port)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def get(port, path, timeout=5):
    """One ordinary request on its own connection: (status, seconds), or (None, seconds) when it failed."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": "127.0.0.1"})
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    except OSError:
        return None, time.perf_counter() - started
    finally:
        connection.close()


def wait_until_answering(port):
    for _ in range(300):
        if get(port, "/healthz", timeout=2)[0] == 200:
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing answers /healthz on port {port}")


def ordinary_requests(port, paths, seconds, pause=0.1, timeout=5):
    """
    Requests one after another for `seconds` (and at least one), cycling through `paths`, `pause` apart:
    how many were made, how many failed, and the answered ones' times.
    """
    failures, times, made = 0, [], 0
    deadline = time.monotonic() + seconds
    while made == 0 or time.monotonic() < deadline:
        status, elapsed = get(port, paths[made % len(paths)], timeout)
        made += 1
        if status == 200:
            times.append(elapsed)
        else:
            failures += 1
        time.sleep(pause)
    return made, failures, times


class SlowClients:
    """
    `count` connections that send a request's headers one byte every `interval` seconds and never finish
    (slowloris). A connection the server closes is opened again at once, as an attacker would. Stops on exit.
    """

    REQUEST = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow" + b"w" * 100_000

    def __init__(self, port, count, interval=0.5):
        self.port, self.count, self.interval = port, count, interval
        self.stop_event = threading.Event()
        self.sockets = [None] * count
        self.sent = [0] * count
        self.reconnects = 0

    def connect(self, index):
        try:
            self.sockets[index] = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            self.sent[index] = 0
        except OSError:
            self.sockets[index] = None

    def trickle(self):
        while not self.stop_event.is_set():
            for index, sock in enumerate(self.sockets):
                try:
                    if sock is None:
                        raise OSError
                    sock.sendall(self.REQUEST[self.sent[index] : self.sent[index] + 1])
                    self.sent[index] += 1
                except OSError:
                    if sock is not None:
                        sock.close()
                    self.reconnects += 1
                    self.connect(index)
            self.stop_event.wait(self.interval)

    def held(self):
        """How many connections the server keeps open right now (neither closed nor answered)."""
        open_now = 0
        for sock in self.sockets:
            if sock is None:
                continue
            sock.setblocking(False)
            try:
                sock.recv(1, socket.MSG_PEEK)
            except BlockingIOError:
                open_now += 1
            except OSError:
                pass
            finally:
                sock.setblocking(True)
        return open_now

    def __enter__(self):
        for index in range(self.count):
            self.connect(index)
        self.thread = threading.Thread(target=self.trickle, daemon=True)
        self.thread.start()
        # Each has sent a few bytes, so the server is reading their headers.
        time.sleep(self.interval * 4)
        return self

    def __exit__(self, *exc):
        self.stop_event.set()
        self.thread.join(timeout=30)
        for sock in self.sockets:
            if sock is not None:
                sock.close()


def median_ms(times):
    return statistics.median(times) * 1000 if times else None
