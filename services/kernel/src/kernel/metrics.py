"""Prometheus metrics every service exposes on /metrics."""

from prometheus_client import Counter, Gauge, Histogram

EVENTS_APPENDED = Counter("passerelle_events_appended_total", "Events appended to the event store")
EVENTS_PUBLISHED = Counter("passerelle_events_published_total", "Events the relay published", ["topic"])
RELAY_LAG = Gauge("passerelle_relay_lag_events", "Committed events not yet published to Kafka")
CONSUMER_LAG = Gauge(
    "passerelle_consumer_lag_messages",
    "Messages behind the partition's end",
    ["consumer", "topic", "partition"],
)
EVENTS_CONSUMED = Counter(
    "passerelle_events_consumed_total", "Events applied by a consumer (duplicates excluded)", ["consumer"]
)
DUPLICATES_SKIPPED = Counter(
    "passerelle_duplicate_events_skipped_total", "Events a consumer had already applied", ["consumer"]
)
DLQ_MESSAGES = Counter(
    "passerelle_dlq_messages_total", "Messages sent to a dead-letter topic", ["consumer", "topic"]
)
HTTP_REQUESTS = Histogram(
    "passerelle_http_request_seconds", "HTTP request latency", ["method", "route", "status"]
)
CONSUMER_HALTED = Gauge(
    "passerelle_consumer_halted",
    "1 while a partition is halted on a message it cannot apply",
    ["consumer", "topic", "partition"],
)
RELAY_STALLED = Gauge(
    "passerelle_relay_stalled_seconds",
    "How long the first unpublished event has waited without the relay moving",
)
# The consultation journal (kernel.journal): per user, for alerts on bulk reads and repeated refusals
# (docs/audit.md). A user is a staff account: their number bounds the series.
JOURNAL_SUBJECTS_READ = Counter(
    "passerelle_journal_subjects_read_total",
    "Persons whose data a user was shown (a page of 50 cases counts 50)",
    ["user"],
)
JOURNAL_REFUSALS = Counter(
    "passerelle_journal_refusals_total",
    "Refused accesses (401, 403, and 404 on a route reading personal data), by user",
    ["user", "status"],
)
BREAK_GLASS_READS = Counter(
    "passerelle_break_glass_reads_total",
    "Reads in clear by a pseudonymised role that broke the glass (Purpose: bris-de-glace: ...), by user",
    ["user"],
)
JOURNAL_FAILURES = Counter(
    "passerelle_journal_failures_total", "Journal entries that could not be written (see the error log)"
)
