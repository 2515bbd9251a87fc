"""Settings shared by every service. A service subclasses `ServiceSettings` with its own env prefix
(`PARTNERS_DATABASE_URL`…); infrastructure-wide values keep one unprefixed name for all services."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from kernel.consumer import RetryPolicy
from kernel.kafka import KafkaSecurity, SaslMechanism, SecurityProtocol, TopicPolicy


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    database_url: str
    # The database owner's DSN for migrations (ADR 20). Unset, the service checks the migrations with its own
    # role, which may not change the schema: fine once a deployment job has migrated, an error otherwise.
    migration_database_url: str | None = None
    kafka_bootstrap_servers: str = Field("127.0.0.1:9092", validation_alias="KAFKA_BOOTSTRAP_SERVERS")
    # Tests give every run fresh topics and consumer groups through this prefix.
    kafka_topic_prefix: str = Field("", validation_alias="KAFKA_TOPIC_PREFIX")
    kafka_topic_partitions: int = Field(3, validation_alias="KAFKA_TOPIC_PARTITIONS")
    # Production values; the local broker of `make up` and the tests is one node (1 and 1). ADR 14.
    kafka_replication_factor: int = Field(3, validation_alias="KAFKA_REPLICATION_FACTOR")
    kafka_min_insync_replicas: int = Field(2, validation_alias="KAFKA_MIN_INSYNC_REPLICAS")
    # PLAINTEXT for the local broker; SASL_SSL and one principal per service in production (KafkaSecurity).
    # The credentials are the pod's own: each service's deployment mounts its secret under these names.
    kafka_security_protocol: SecurityProtocol = Field("PLAINTEXT", validation_alias="KAFKA_SECURITY_PROTOCOL")
    kafka_sasl_mechanism: SaslMechanism = Field("SCRAM-SHA-512", validation_alias="KAFKA_SASL_MECHANISM")
    kafka_sasl_username: str | None = Field(None, validation_alias="KAFKA_SASL_USERNAME")
    kafka_sasl_password: SecretStr | None = Field(None, validation_alias="KAFKA_SASL_PASSWORD")
    kafka_ssl_cafile: Path | None = Field(None, validation_alias="KAFKA_SSL_CAFILE")

    auth_jwks_file: Path | None = Field(None, validation_alias="AUTH_JWKS_FILE")
    auth_jwks_url: str | None = Field(None, validation_alias="AUTH_JWKS_URL")
    auth_issuer: str = Field("passerelle-dev", validation_alias="AUTH_ISSUER")
    auth_audience: str = Field("passerelle", validation_alias="AUTH_AUDIENCE")
    # Tokens (ADR 21): the key set is refetched after this long, or on an unknown `kid` at most once per
    # refetch interval; a token may live at most this long (exp - iat); clocks may differ by the leeway.
    auth_jwks_cache_seconds: float = Field(300.0, gt=0, validation_alias="AUTH_JWKS_CACHE_SECONDS")
    auth_jwks_refetch_seconds: float = Field(30.0, ge=0, validation_alias="AUTH_JWKS_REFETCH_SECONDS")
    auth_max_token_lifetime_seconds: int = Field(12 * 3600, gt=0, validation_alias="AUTH_MAX_TOKEN_LIFETIME")
    auth_leeway_seconds: int = Field(30, ge=0, le=60, validation_alias="AUTH_LEEWAY_SECONDS")
    # A user's requests (0: no limit) and a client address's failed authentications (ADR 21), shared by the
    # service's processes through its database (ADR 34).
    rate_limit_user_per_second: float = Field(50.0, ge=0, validation_alias="RATE_LIMIT_USER_PER_SECOND")
    rate_limit_user_burst: int = Field(300, ge=1, validation_alias="RATE_LIMIT_USER_BURST")
    rate_limit_auth_failures_per_minute: float = Field(
        30.0, ge=0, validation_alias="RATE_LIMIT_AUTH_FAILURES_PER_MINUTE"
    )
    rate_limit_auth_failures_burst: int = Field(60, ge=1, validation_alias="RATE_LIMIT_AUTH_FAILURES_BURST")
    # Who may read /ready, /metrics, /docs, /openapi.json, /asyncapi.json: client networks (CIDR, comma
    # separated). Anyone else gets 404. Loopback by default: `make up`, the bench and the tests run locally.
    operations_networks: str = Field("127.0.0.0/8,::1/128", validation_alias="OPERATIONS_NETWORKS")

    # Production: refuse to start while a database, Kafka or key-set link would carry data in clear (ADR 35).
    require_tls: bool = Field(False, validation_alias="REQUIRE_TLS")

    max_body_bytes: int = Field(64 * 1024, validation_alias="MAX_BODY_BYTES")
    log_level: str = Field("INFO", validation_alias="LOG_LEVEL")
    # /ready answers 503 once the first unpublished event has waited this long without the relay moving.
    relay_stall_seconds: float = Field(30.0, validation_alias="RELAY_STALL_SECONDS")
    # A message failing for its own reasons is tried this many times, then its partition halts and tries
    # again after the cool-down (infrastructure failures are retried as long as they last).
    consumer_attempts: int = Field(5, validation_alias="CONSUMER_ATTEMPTS")
    consumer_halt_seconds: float = Field(60.0, validation_alias="CONSUMER_HALT_SECONDS")
    # Kept only to recognise duplicates: a redelivery comes within minutes, a replay starts from an empty view.
    processed_events_retention_days: float = Field(30.0, validation_alias="PROCESSED_EVENTS_RETENTION_DAYS")
    idempotency_keys_retention_days: float = Field(7.0, validation_alias="IDEMPOTENCY_KEYS_RETENTION_DAYS")
    retention_check_seconds: float = Field(3600.0, validation_alias="RETENTION_CHECK_SECONDS")

    # The consultation journal (kernel.journal, docs/audit.md): kept three years, as GENESIS keeps its own
    # (code pénitentiaire, art. R240-9); never under six months (the table's trigger refuses it).
    journal_retention_days: float = Field(1096.0, ge=183, validation_alias="JOURNAL_RETENTION_DAYS")
    # How long a read waits for the journal's broker before it is refused (503).
    journal_timeout_seconds: float = Field(5.0, gt=0, validation_alias="JOURNAL_TIMEOUT_SECONDS")
    # The key of the pseudonyms auditors read people under (kernel.pseudonyms, ADR 31): one for every service
    # of a deployment, so a person reads alike everywhere; at least 32 bytes, never in a database. Unset,
    # auditors read names masked, without a pseudonym to follow a person by.
    pseudonym_secret: SecretStr | None = Field(None, validation_alias="PSEUDONYM_SECRET")

    @field_validator("pseudonym_secret")
    @classmethod
    def _pseudonym_secret_is_long_enough(cls, secret: SecretStr | None) -> SecretStr | None:
        if secret is not None and len(secret.get_secret_value().encode()) < 32:
            raise ValueError("PSEUDONYM_SECRET must hold at least 32 bytes")
        return secret

    # Signed checkpoints of the log (kernel.checkpoints, ADR 27): the service's Ed25519 private key (PKCS #8
    # PEM), a file no database role can read (`<SERVICE>_CHECKPOINT_KEY_FILE`: a mounted secret in production,
    # var/keys/checkpoints locally); unset, no checkpoint is signed. One is published every so often, and only
    # when the log moved.
    checkpoint_key_file: Path | None = None
    checkpoint_seconds: float = Field(60.0, gt=0, validation_alias="CHECKPOINT_SECONDS")

    # Off only in tests that drive the relay or consumers themselves.
    run_relay: bool = True
    run_consumers: bool = True
    run_background: bool = True

    def topic(self, name: str) -> str:
        return f"{self.kafka_topic_prefix}{name}"

    def kafka_security(self) -> KafkaSecurity:
        password = self.kafka_sasl_password
        return KafkaSecurity(
            protocol=self.kafka_security_protocol,
            mechanism=self.kafka_sasl_mechanism,
            username=self.kafka_sasl_username,
            password=password.get_secret_value() if password is not None else None,
            cafile=self.kafka_ssl_cafile,
        )

    def topic_policy(self) -> TopicPolicy:
        return TopicPolicy(
            self.kafka_topic_partitions, self.kafka_replication_factor, self.kafka_min_insync_replicas
        )

    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(attempts=self.consumer_attempts, halt_seconds=self.consumer_halt_seconds)
