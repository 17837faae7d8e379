"""gunicorn settings for `make run` and deployments; every value can be overridden on the command line."""

import multiprocessing
import os

wsgi_app = "explorer.wsgi"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# The usual rule of thumb for sync workers: two per core, plus one.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
accesslog = "-"
errorlog = "-"
timeout = 30
