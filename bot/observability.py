"""Logs and metrics: JSON logs in prod (readable text locally) with a correlation id per request,
and Prometheus metrics for turns, invokes, deliveries and the outbox."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Gauge

from bot.settings import Environment, Settings

correlation_id: contextvars.ContextVar[str] = contextvars.ContextVar("correlation_id", default="-")


class _CorrelationFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = correlation_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "correlation_id": getattr(record, "correlation_id", "-"),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(settings: Settings) -> None:
    use_json = settings.log_format == "json" or (
        settings.log_format == "auto" and settings.env is Environment.PROD
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_CorrelationFilter())
    if use_json:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter(
                "%(asctime)s %(levelname)-7s [%(correlation_id)s] %(name)s: %(message)s"
            )
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    # msrest logs every request body at DEBUG/INFO; keep it quiet.
    logging.getLogger("msrest").setLevel(logging.WARNING)
    logging.getLogger("azure").setLevel(logging.WARNING)


class Metrics:
    """One registry per app instance (tests build many apps in one process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.turns = Counter(
            "innkjop_turns_total", "Activities handled", ["type"], registry=self.registry
        )
        self.invokes = Counter(
            "innkjop_invokes_total",
            "Card actions handled",
            ["verb", "status"],
            registry=self.registry,
        )
        self.deliveries = Counter(
            "innkjop_deliveries_total",
            "Outbox deliveries by result",
            ["result"],
            registry=self.registry,
        )
        self.graph_calls = Counter(
            "innkjop_graph_calls_total",
            "Microsoft Graph calls by HTTP method and status (each retry counts)",
            ["method", "status"],
            registry=self.registry,
        )
        self.outbox_depth = Gauge(
            "innkjop_outbox_pending", "Messages waiting in the outbox", registry=self.registry
        )
        self.reminders_queued = Counter(
            "innkjop_reminders_queued_total",
            "Contract reminder cards queued (one per recipient)",
            registry=self.registry,
        )
        self.outbox_age = Gauge(
            "innkjop_outbox_oldest_pending_seconds",
            "Age of the oldest pending outbox message",
            registry=self.registry,
        )
