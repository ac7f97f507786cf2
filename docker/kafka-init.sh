#!/bin/sh
# One-shot topic creation for the compose deployment (runs in the apache/kafka image). kafkajs
# producers must not rely on broker auto-creation (disabled in compose.yaml), so every topic in
# libs/contracts/src/topics.ts (TOPIC_SCHEMAS) is created here with TOPIC_PARTITIONS partitions.
# Idempotent: --if-not-exists, safe on every `compose up`. Keep TOPICS in step with topics.ts
# (`node docker/check-topics.js` compares them).
set -eu

BOOTSTRAP="${KAFKA_BOOTSTRAP:-kafka:9092}"
PARTITIONS="${TOPIC_PARTITIONS:-6}"
REPLICATION="${TOPIC_REPLICATION_FACTOR:-1}"
KT=/opt/kafka/bin/kafka-topics.sh
TOPICS="
task.queued.v1
task.started.v1
task.completed.v1
task.attempt.lost.v1
task.lifecycle.v1
metrics.sampled.v1
prediction.duration.estimated.v1
node.heartbeat.v1
repair.requested.v1
model.drift.detected.v1
task.cancel.requested.v1
workflow.cancel.requested.v1
queue.policy.requested.v1
kairos.deadletter.v1
"

tries=0
until "$KT" --bootstrap-server "$BOOTSTRAP" --list >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge 30 ]; then
    echo "kafka-init: broker $BOOTSTRAP not reachable after $tries attempts" >&2
    exit 1
  fi
  sleep 2
done

for topic in $TOPICS; do
  "$KT" --bootstrap-server "$BOOTSTRAP" --create --if-not-exists \
    --topic "$topic" --partitions "$PARTITIONS" --replication-factor "$REPLICATION"
done

# --if-not-exists leaves an existing topic as it is; report the partition counts so a topic created
# earlier with fewer partitions is visible in `docker compose logs kafka-init`.
"$KT" --bootstrap-server "$BOOTSTRAP" --describe --topic "$(echo $TOPICS | tr ' ' '|')" | grep -E '^Topic:' || true
echo "kafka-init: topics ready on $BOOTSTRAP"
