#!/bin/sh
# Entry point of the mosquitto container (docker-compose.yml), run as root by
# the eclipse-mosquitto image: hands the password file, ACL and TLS key to the
# user mosquitto drops to (copy-run-files.sh), then starts the broker with
# this directory's config.
set -eu
src=/gaitwatch/mosquitto
run=/mosquitto/run
. "$src/copy-run-files.sh"
mkdir -p /mosquitto/data
chown -R mosquitto:mosquitto /mosquitto/data
exec /usr/sbin/mosquitto -c "$src/mosquitto.conf"
