"""Settings shared by every service. A service subclasses `ServiceSettings` with its own env prefix
(`PARTNERS_DATABASE_URL`…); infrastructure-wide values keep one unprefixed name for all services."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    database_url: str
    kafka_bootstrap_servers: str = Field("127.0.0.1:9092", validation_alias="KAFKA_BOOTSTRAP_SERVERS")
    # Tests give every run fresh topics and consumer groups through this prefix.
    kafka_topic_prefix: str = Field("", validation_alias="KAFKA_TOPIC_PREFIX")
    kafka_topic_partitions: int = Field(3, validation_alias="KAFKA_TOPIC_PARTITIONS")

    auth_jwks_file: Path | None = Field(None, validation_alias="AUTH_JWKS_FILE")
    auth_jwks_url: str | None = Field(None, validation_alias="AUTH_JWKS_URL")
    auth_issuer: str = Field("passerelle-dev", validation_alias="AUTH_ISSUER")
    auth_audience: str = Field("passerelle", validation_alias="AUTH_AUDIENCE")

    max_body_bytes: int = Field(64 * 1024, validation_alias="MAX_BODY_BYTES")
    log_level: str = Field("INFO", validation_alias="LOG_LEVEL")
    # Off only in tests that drive the relay or consumers themselves.
    run_relay: bool = True
    run_consumers: bool = True
    run_background: bool = True

    def topic(self, name: str) -> str:
        return f"{self.kafka_topic_prefix}{name}"
