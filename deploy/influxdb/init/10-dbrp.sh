#!/bin/bash
# Run once by the influxdb:2.7 image, right after its initial setup
# (DOCKER_INFLUXDB_INIT_MODE=setup), with the influx CLI already logged in as
# the admin. The API reads with InfluxQL over /query (DESIGN.md "Storage
# contract"), which finds a 2.x bucket through a DBRP mapping: map the
# database name gaitwatch uses (the bucket's name) to the bucket.
set -euo pipefail
influx v1 dbrp create \
  --org "${DOCKER_INFLUXDB_INIT_ORG}" \
  --bucket-id "${DOCKER_INFLUXDB_INIT_BUCKET_ID}" \
  --db "${DOCKER_INFLUXDB_INIT_BUCKET}" \
  --rp autogen \
  --default
