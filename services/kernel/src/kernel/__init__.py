"""Shared kernel of every Passerelle service: event store, outbox relay, consumer runner, HTTP plumbing,
auth, errors, settings and metrics. It holds no business word: domain code lives in the services."""
