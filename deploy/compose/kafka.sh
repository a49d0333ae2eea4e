#!/bin/bash
# Entrypoint of the kafka container of docker-compose.yml (apache/kafka image).
# Writes the broker configuration with the administrator's password, formats the storage once with
# a SCRAM-SHA-512 user for every principal whose secret is mounted (/run/secrets/kafka-<name>), and
# starts the broker. Later password changes go through kafka-configs (README, Security).
set -euo pipefail
umask 077
secret() { tr -d '\r\n' < "/run/secrets/kafka-$1"; }
admin_password="$(secret admin)"
sed "s|@ADMIN_PASSWORD@|${admin_password}|g" /opt/kinerja/kafka-server.properties > /tmp/server.properties
cat > /tmp/admin.properties <<PROPS
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${admin_password}";
PROPS
scram=()
for file in /run/secrets/kafka-*; do
  name="${file##*/kafka-}"
  scram+=(--add-scram "SCRAM-SHA-512=[name=${name},password=$(secret "${name}")]")
done
/opt/kafka/bin/kafka-storage.sh format --ignore-formatted -t "${KAFKA_CLUSTER_ID}" -c /tmp/server.properties "${scram[@]}"
exec /opt/kafka/bin/kafka-server-start.sh /tmp/server.properties
