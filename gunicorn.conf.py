"""gunicorn settings for `make run` and deployments; every value can be overridden on the command line."""

import multiprocessing
import os

from explorer.logs import gunicorn_config

wsgi_app = "explorer.wsgi"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Threaded workers: a client that sends its request slowly holds one thread, not a whole process. gunicorn
# has no time limit on reading a request's headers, so a slow client keeps its thread for as long as it
# trickles bytes.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# One connection per thread: a worker whose threads are all taken stops accepting, so the next connection
# goes to a worker with a thread free instead of queueing behind slow clients. A handful of them can take
# a worker or two, never all; hundreds are the job of the buffering proxy in front (deploy/nginx.conf).
worker_connections = threads
# No idle kept-alive connections to hold those places: each connection serves one request (the proxy in
# front keeps its own connections to browsers), and one that sends nothing is closed.
keepalive = 0
# A worker whose main loop stops answering (never because of a slow client, under gthread) is replaced.
timeout = 30
# Load the app before forking: workers share its memory and start at once.
preload_app = True
# Access and error logs as JSON lines on stdout (explorer/logs.py); the access line's message stays readable.
logconfig_dict = gunicorn_config()
access_log_format = "%(m)s %(U)s %(s)s"
