"""
Real servers for the operations tests: gunicorn as `make run` starts it, on a port the OS picks, and
clients that send their requests as slowly as an attacker would.
"""

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from urllib.parse import urlencode, urljoin

from django.conf import settings

from activities.tests.forms import forms_in

LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")


def manage(env, *args):
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env, check=True, stdout=subprocess.DEVNULL
    )


def prepared_env(tmp_path, **extra):
    """`make run`'s environment on a fresh SQLite file under tmp_path: migrated, catalog loaded, static collected."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", **extra}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_catalog")
    # As `make run` does first: whitenoise serves the collected files.
    manage(env, "collectstatic", "--noinput", "-v0")
    return env


def fetch(connection, path, headers):
    """(status, body) of one GET on this connection, which is closed afterwards."""
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


class Gunicorn:
    """gunicorn with the project's gunicorn.conf.py on 127.0.0.1:0; `port` is read from its own log."""

    def __init__(self, env, log_path, *args):
        self.log_path = log_path
        self.log = open(log_path, "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--bind", "127.0.0.1:0", *args],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.port = self.read_port()

    def read_port(self):
        # Bounded: a gunicorn that never says where it listens fails the test instead of hanging it.
        for _ in range(600):
            if match := LISTENING.search(self.log_path.read_text()):
                return int(match.group(1))
            assert self.process.poll() is None, self.log_path.read_text()
            time.sleep(0.1)
        raise AssertionError(f"gunicorn never said where it listens:\n{self.log_path.read_text()}")

    def get(self, path, timeout=10, **headers):
        return fetch(http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout), path, headers)

    def wait_until_ready(self):
        for _ in range(300):
            try:
                if self.get("/healthz", timeout=2)[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"gunicorn did not answer:\n{self.log_path.read_text()}")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=60)
        self.log.close()
        return self.log_path.read_text()

    def json_lines(self):
        return [json.loads(line) for line in self.log_path.read_text().splitlines() if line.startswith("{")]


def tcp(port):
    """A connector to 127.0.0.1:port, for slow_clients."""
    return lambda: socket.create_connection(("127.0.0.1", port), timeout=5)


@contextmanager
def slow_clients(connect, count, interval=0.2):
    """
    `count` connections (each made by `connect()`) that send a request's headers one byte every `interval`
    seconds and never finish them, as a slowloris attack does. Yields the sockets and how many bytes each
    has sent, once each has sent a few; stops them all on exit.
    """
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow" + b"w" * 10_000
    sockets = [connect() for _ in range(count)]
    stop = threading.Event()
    sent = [0] * count

    def trickle():
        while not stop.is_set():
            for index, sock in enumerate(sockets):
                try:
                    sock.sendall(request[sent[index] : sent[index] + 1])
                    sent[index] += 1
                except OSError:
                    pass
            stop.wait(interval)

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        for _ in range(100):
            if min(sent) >= 5:
                break
            time.sleep(interval)
        yield sockets, sent
    finally:
        stop.set()
        thread.join(timeout=10)
        for sock in sockets:
            sock.close()


def still_open(sock):
    """Whether the server has left this connection open, neither closing nor answering it."""
    sock.setblocking(False)
    try:
        sock.recv(1, socket.MSG_PEEK)
        return False
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        sock.setblocking(True)


class AdminEditor:
    """
    One editor in a browser of their own: signs in and saves activities through the admin's rendered change
    form over HTTP, with their own cookies, as a person at another desk would.
    """

    def __init__(self, port, username, password, timeout=60):
        self.port, self.timeout, self.cookies = port, timeout, {}
        response = self.submit("/admin/login/?next=/admin/", {"username": username, "password": password})
        assert response[0] == 302, f"{username} could not sign in: {response}"

    def request(self, method, path, body=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";", 1)[0]
            return response.status, response.read().decode(), response.getheader("Location")
        finally:
            connection.close()

    def form(self, path, form_id=None):
        status, html, _ = self.request("GET", path)
        assert status == 200, f"GET {path} answered {status}"
        found = [form for form in forms_in(html) if form.attrs.get("id") != "logout-form"]
        return next(form for form in found if form_id is None or form.attrs.get("id") == form_id)

    def submit(self, path, changes, form_id=None):
        """Open `path`, type `changes` into its form, and press Save: (status, html, Location)."""
        form = self.form(path, form_id)
        for name, value in changes.items():
            form.set(name, value)
        return self.post(path, form)

    def post(self, path, form):
        """Press the form's Save button (or its only, unnamed one)."""
        target = urljoin(path, form.action) if form.action else path
        button = "_save" if any(name == "_save" for name, _ in form.buttons) else None
        return self.request("POST", target, urlencode(form.data(button), doseq=True))


class UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP over a Unix socket: nginx listens on one in the tests, so no port is ever guessed."""

    def __init__(self, path, timeout=10):
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(self.timeout)
        self.sock.connect(str(self.socket_path))


class Nginx:
    """
    nginx running deploy/nginx.conf from a temporary prefix, with only its listen address (a Unix socket)
    and its upstream (a running gunicorn's port) replaced.
    """

    def __init__(self, workdir, upstream_port):
        self.workdir = workdir
        self.socket_path = workdir / "nginx.sock"
        site = (settings.BASE_DIR / "deploy" / "nginx.conf").read_text()
        site = site.replace("listen 80;", f"listen unix:{self.socket_path};")
        site = site.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};")
        assert str(self.socket_path) in site and f":{upstream_port};" in site
        (workdir / "site.conf").write_text(site)
        user = "user root;\n" if os.geteuid() == 0 else ""
        (workdir / "nginx.conf").write_text(
            f"{user}worker_processes 1;\ndaemon off;\npid {workdir / 'nginx.pid'};\n"
            f"error_log {workdir / 'error.log'} warn;\n"
            "events { worker_connections 1024; }\n"
            f"http {{ access_log off; include {workdir / 'site.conf'}; }}\n"
        )
        self.process = subprocess.Popen(
            ["/usr/sbin/nginx", "-p", workdir, "-c", workdir / "nginx.conf", "-e", workdir / "error.log"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        for _ in range(300):
            if self.socket_path.exists():
                break
            assert self.process.poll() is None, (workdir / "error.log").read_text()
            time.sleep(0.1)

    def connect(self):
        sock = socket.socket(socket.AF_UNIX)
        sock.settimeout(5)
        sock.connect(str(self.socket_path))
        return sock

    def get(self, path, timeout=10, **headers):
        return fetch(UnixHTTPConnection(self.socket_path, timeout), path, headers)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
