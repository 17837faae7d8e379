"""gunicorn settings for `make run` and deployments; every value can be overridden on the command line."""

import multiprocessing
import os

from explorer.logs import gunicorn_config

wsgi_app = "explorer.wsgi"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# The usual rule of thumb for sync workers: two per core, plus one.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = 30
# Load the app before forking: workers share its memory and start at once.
preload_app = True
# Access and error logs as JSON lines on stdout (explorer/logs.py); the access line's message stays readable.
logconfig_dict = gunicorn_config()
access_log_format = "%(m)s %(U)s %(s)s"
