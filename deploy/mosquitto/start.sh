#!/bin/sh
# Entry point of the mosquitto container (docker-compose.yml), run as root by
# the eclipse-mosquitto image. Mosquitto 2 drops to the user `mosquitto`
# before it reads the password file, the ACL and the TLS key, so bind-mounted
# files owned by the host's user (0600) would be unreadable: copy them to a
# tmpfs owned by mosquitto, then start the broker with this directory's config.
set -eu
src=/gaitwatch/mosquitto
run=/mosquitto/run
if [ ! -f "$src/passwd" ]; then
  echo "mosquitto: $src/passwd is missing: run deploy/mosquitto/create-credentials.sh first (deploy/README.md)" >&2
  exit 1
fi
mkdir -p "$run" /mosquitto/data
cp "$src/passwd" "$src/acl" "$run/"
for f in ca.crt server.crt server.key; do
  if [ -f "$src/certs/$f" ]; then cp "$src/certs/$f" "$run/"; fi
done
chown -R mosquitto:mosquitto "$run" /mosquitto/data
chmod 0700 "$run"
chmod 0600 "$run"/*
exec /usr/sbin/mosquitto -c "$src/mosquitto.conf"
