#!/bin/bash
# Entrypoint of the mongo container of docker-compose.yml (mongo image): the replica set's key file
# must belong to mongod and be readable by it alone, which a mounted secret is not; so it is copied.
# Then the image's own entrypoint runs: on the first start it creates the root user
# (MONGO_INITDB_ROOT_*) and runs /docker-entrypoint-initdb.d/ (the service users), then mongod --auth.
set -euo pipefail
install -m 0400 -o mongodb -g mongodb /run/secrets/mongo-keyfile /tmp/mongo-keyfile
exec docker-entrypoint.sh "$@"
