"""What an operator's commands need to act on a running system: each service's settings and subscriptions,
found from the environment and the local infrastructure as the services themselves find them."""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass

from devinfra.infra import SERVICES, Infrastructure, database_url_variable
from kernel.consumer import Subscription
from kernel.eventstore import EventStore
from kernel.settings import ServiceSettings


@dataclass(frozen=True)
class Found:
    service: str
    settings: ServiceSettings
    subscription: Subscription


def settings_of(service: str, infra: Infrastructure) -> ServiceSettings:
    """The service's settings as it would read them, pointed at this infrastructure."""
    if service not in SERVICES:
        raise LookupError(f"no service {service!r}: one of {', '.join(SERVICES)}")
    for name, value in infra.kafka_environment().items():
        os.environ.setdefault(name, value)
    # Operators act as the database's owner (a rebuild empties tables; ADR 20).
    os.environ.setdefault(database_url_variable(service), infra.owner_database_url(service))
    module = importlib.import_module(f"{service}.settings")
    settings_class = next(
        value
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, ServiceSettings) and value is not ServiceSettings
    )
    return settings_class()


def subscription_named(name: str, infra: Infrastructure) -> Found:
    """The subscription called `name` (as in /ready and the logs), whichever service runs it."""
    known = []
    for service in SERVICES:
        settings = settings_of(service, infra)
        definition = importlib.import_module(f"{service}.bootstrap").DEFINITION
        # Only names, topics and tables are read: the store a reaction would append through is not needed.
        for subscription in definition.subscriptions(settings, EventStore(pool=None)):
            if subscription.name == name:
                return Found(service, settings, subscription)
            known.append(subscription.name)
    raise LookupError(f"no subscription {name!r}: one of {', '.join(known)}")
