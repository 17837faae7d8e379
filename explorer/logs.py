"""Structured logs: one JSON object per line on stdout, from Django and from gunicorn alike."""

import logging

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
