"""JSON log lines carrying the correlation id from HTTP to events, Kafka headers and consumers.

structlog renders every line, including those of uvicorn, aiokafka and yoyo (through the stdlib bridge), so
the context bound for a request or a consumed event (correlation id, event id) is on all of them.
"""

from __future__ import annotations

import logging
import sys

import structlog

bind_correlation_id = structlog.contextvars.bind_contextvars
clear_context = structlog.contextvars.clear_contextvars


def configure(level: str = "INFO", service: str | None = None) -> None:
    def add_service(_logger, _method, event_dict):
        if service:
            event_dict.setdefault("service", service)
        return event_dict

    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_service,
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                structlog.processors.JSONRenderer(),
            ],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    # uvicorn installs its own plain-text handlers; route its lines through ours.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
        logging.getLogger(name).setLevel(level.upper())


def get_logger(name: str):
    return structlog.get_logger(name)
