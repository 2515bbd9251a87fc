"""JSON log lines carrying the correlation id from HTTP to events, Kafka headers and consumers."""

from __future__ import annotations

import logging
import sys

import structlog

bind_correlation_id = structlog.contextvars.bind_contextvars
clear_context = structlog.contextvars.clear_contextvars


def configure(level: str = "INFO", service: str | None = None) -> None:
    logging.basicConfig(format="%(message)s", stream=sys.stdout, level=level.upper(), force=True)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(),
        cache_logger_on_first_use=True,
    )
    if service:
        structlog.contextvars.bind_contextvars(service=service)


def get_logger(name: str):
    return structlog.get_logger(name)
