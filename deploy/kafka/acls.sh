#!/usr/bin/env bash
# Kafka ACLs of a production cluster (authorizer on, SASL or mTLS principals User:<service>).
# `<service>.restricted` topics hold restricted events (assessment factor evidence, interview notes, ESPACE
# records...): only the service that writes them and the audit consumer may touch them. Shareable
# `<service>.events` topics are readable by every service. Run once per cluster, as a cluster admin:
#   BOOTSTRAP=kafka:9093 CONFIG=admin.properties deploy/kafka/acls.sh
set -euo pipefail
acls() { kafka-acls.sh --bootstrap-server "${BOOTSTRAP:?}" --command-config "${CONFIG:?}" "$@"; }
services=(assessment programmes ipro partners projections)

for service in "${services[@]}"; do
  # Each service writes its own topics (idempotent producer).
  acls --add --allow-principal "User:$service" --operation Write --operation Describe --operation Create \
       --topic "$service." --resource-pattern-type prefixed
  acls --add --allow-principal "User:$service" --operation IdempotentWrite --cluster
  # Every service may read every shareable topic, and park what it cannot process in its dead-letter topic.
  for other in "${services[@]}"; do
    acls --add --allow-principal "User:$service" --operation Read --operation Describe --topic "$other.events"
    acls --add --allow-principal "User:$service" --operation Write --operation Create --topic "$other.events.dlq"
  done
  acls --add --allow-principal "User:$service" --operation Read --group "$service." --resource-pattern-type prefixed
done

# Restricted topics: the audit consumer only (read), besides their writer above.
for service in "${services[@]}"; do
  acls --add --allow-principal "User:audit" --operation Read --operation Describe --topic "$service.restricted"
done
acls --add --allow-principal "User:audit" --operation Read --group "audit." --resource-pattern-type prefixed
# No other principal is granted anything: with `allow.everyone.if.no.acl.found=false` that denies the rest.
