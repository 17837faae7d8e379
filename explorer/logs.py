"""Structured logs: one JSON object per line on stdout, from Django and from gunicorn alike."""

import logging
import threading
from collections import OrderedDict

JSON_FORMATTER = {
    "()": "pythonjsonlogger.json.JsonFormatter",
    "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
    "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
}


class AccessLogFields(logging.Filter):
    """Lift gunicorn's access-log atoms into named fields, so each request is one JSON object."""

    ATOMS = {
        "h": "remote",
        "m": "method",
        "U": "path",
        "q": "query",
        "s": "status",
        "B": "bytes",
        "M": "duration_ms",
        "a": "user_agent",
    }

    def filter(self, record):
        if isinstance(record.args, dict):
            for atom, field in self.ATOMS.items():
                setattr(record, field, record.args[atom])
        return True


def gunicorn_config():
    """gunicorn's logconfig_dict: its error and access logs in the same JSON lines as Django's."""
    stdout = {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": JSON_FORMATTER},
        "filters": {"access_fields": {"()": AccessLogFields}},
        "handlers": {"stdout": stdout, "access": {**stdout, "filters": ["access_fields"]}},
        "loggers": {
            "gunicorn.error": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        },
        "root": {"handlers": ["stdout"], "level": "INFO"},
    }


class OncePerBadHost(logging.Filter):
    """
    Let through the first refusal of each unknown Host header, as a WARNING without a traceback.

    A refused Host is the client's mistake or a scan, not a fault in the app. Hosts are remembered per
    process, up to MAX_HOSTS; past that, the oldest is forgotten and may be logged again.
    """

    MAX_HOSTS = 1024

    def __init__(self, name=""):
        super().__init__(name)
        self.seen = OrderedDict()
        # gthread workers log from several threads at once.
        self.lock = threading.Lock()

    def filter(self, record):
        request = getattr(record, "request", None)
        host = request.META.get("HTTP_HOST", "") if request is not None else record.getMessage()
        with self.lock:
            if host in self.seen:
                self.seen.move_to_end(host)
                return False
            self.seen[host] = True
            if len(self.seen) > self.MAX_HOSTS:
                self.seen.popitem(last=False)
        record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
        record.exc_info = record.exc_text = None
        return True
