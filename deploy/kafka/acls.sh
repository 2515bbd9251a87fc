#!/usr/bin/env bash
# Kafka ACLs of a production cluster (ADR 23): the StandardAuthorizer on, `allow.everyone.if.no.acl.found`
# false, each service authenticated as `User:<service>` (SASL/SCRAM, kernel.kafka.KafkaSecurity). Whatever is
# not granted here is denied. Run once per cluster, and again after a subscription changes, as a super user:
#   BOOTSTRAP=kafka:9093 CONFIG=admin.properties [KAFKA_TOPIC_PREFIX=...] deploy/kafka/acls.sh
# CONFIG is the admin client's properties (security.protocol, sasl.mechanism, sasl.jaas.config, the CA).
# KAFKA_ACLS is the command run for each grant (default: kafka-acls.sh on the PATH).
#
# What each service may do:
# * its own topics (`<prefix><service>.` : its `.events`, its `.restricted`, its signed `.checkpoints` (ADR 27),
#   its subscriptions' `.redrive` topics): write, create, read, describe. Never delete or alter: the log is kept
#   for ever (ADR 14). No other service may write them: a service's checkpoints come from it alone.
# * the topics it consumes, as its subscriptions name them (services/<service>/src/<service>/bootstrap.py):
#   read and describe; their dead-letter topics (`<topic>.dlq`): write what it cannot process, and read it
#   back (`passerelle-dev dlq list|redrive`, run with the service's credentials).
# * consumer groups `<prefix><service>.` (the dead-letter tools commit their progress there).
# * the consultation journal (`<prefix>access.journal`, ADR 22): every service writes its entries; only
#   projections (which keeps it in a table, with a loop of its own and no dead letters) and audit read it.
# * every service's `.checkpoints`: read by audit and by projections (kept in a table the same way, checked for
#   auditors over HTTP); written by their service alone.
# A `.restricted` topic (ADR 25) is read by its writer, the audit principal, and the few services a
# restricted type it carries is meant for: programmes (offence categories, for eligibility) and projections
# (the person file's SPIP content and psychologists' access grants), each of them passing over the other
# types unread. A reader never creates another service's topic: it waits (its loop retries) until the writer
# has made it.
set -euo pipefail

prefix="${KAFKA_TOPIC_PREFIX:-}"
acls() {
  # shellcheck disable=SC2086  # KAFKA_ACLS may be a command with arguments
  ${KAFKA_ACLS:-kafka-acls.sh} --bootstrap-server "${BOOTSTRAP:?}" --command-config "${CONFIG:?}" --add "$@"
}
# --topic options for each of the named topics, with the prefix.
topics() { for topic in "$@"; do printf -- '--topic\n%s%s\n' "$prefix" "$topic"; done; }

services=(assessment programmes ipro partners projections)
declare -A consumes=(
  [assessment]=""
  [programmes]="assessment.events assessment.restricted"
  [ipro]="assessment.events programmes.events partners.events"
  [partners]="ipro.events"
  [projections]="assessment.events assessment.restricted programmes.events ipro.events ipro.restricted partners.events"
)

for service in "${services[@]}"; do
  principal="User:$service"
  acls --allow-principal "$principal" --resource-pattern-type prefixed --topic "$prefix$service." \
       --operation Write --operation Create --operation Read --operation Describe --operation DescribeConfigs
  acls --allow-principal "$principal" --resource-pattern-type prefixed --group "$prefix$service." \
       --operation Read --operation Describe
  read -r -a consumed <<< "${consumes[$service]}"
  if ((${#consumed[@]})); then
    mapfile -t read_topics < <(topics "${consumed[@]}")
    mapfile -t dead_letter_topics < <(topics "${consumed[@]/%/.dlq}")
    acls --allow-principal "$principal" "${read_topics[@]}" \
         --operation Read --operation Describe --operation DescribeConfigs
    acls --allow-principal "$principal" "${dead_letter_topics[@]}" \
         --operation Write --operation Create --operation Read --operation Describe --operation DescribeConfigs
  fi
done

# Every service journals the reads it serves; projections keeps the journal.
mapfile -t writers < <(printf -- '--allow-principal\nUser:%s\n' "${services[@]}")
acls "${writers[@]}" --topic "${prefix}access.journal" \
     --operation Write --operation Create --operation Describe --operation DescribeConfigs
acls --allow-principal User:projections --topic "${prefix}access.journal" --operation Read

# Projections checks each service's signed checkpoints against its view of the log for auditors over HTTP
# (`GET /audit/checkpoints`, ADR 30 addendum): it reads them, with a loop of its own and no dead letters, and
# never writes there. The keys it trusts are its configuration's, not the topics'.
mapfile -t checkpoint_topics < <(topics "${services[@]/%/.checkpoints}")
acls --allow-principal User:projections "${checkpoint_topics[@]}" \
     --operation Read --operation Describe --operation DescribeConfigs

# The audit consumer (`passerelle audit verify`, and `passerelle audit archive`, which keeps the restricted topics
# in the auditors' own database, ADR 28) reads every service's log, restricted topics included, its signed
# checkpoints, and the consultation journal. It reads without a consumer group (the archive keeps its offsets in
# its database), so it needs no group grant: Describe (metadata, offsets) and Read (fetch) are enough.
mapfile -t logs < <(topics "${services[@]/%/.events}" "${services[@]/%/.restricted}" \
                           "${services[@]/%/.checkpoints}" access.journal)
acls --allow-principal User:audit "${logs[@]}" --operation Read --operation Describe --operation DescribeConfigs
