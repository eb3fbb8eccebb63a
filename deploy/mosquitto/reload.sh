#!/bin/sh
# Has the running broker reread its password file and ACL (devices added or
# removed, passwords rotated) without a restart:
#   docker compose --env-file deploy/.env exec mosquitto /bin/sh /gaitwatch/mosquitto/reload.sh
# Copies the files as start.sh does, then sends Mosquitto (PID 1 in the
# container) SIGHUP; connected clients stay. A restart would reread them too,
# but on a clean shutdown Mosquitto publishes the last will of every
# connected phone (deploy/README.md). Outside the container the paths and the
# PID are given: GW_MOSQUITTO_SRC, GW_MOSQUITTO_RUN, GW_MOSQUITTO_PID
# (and GW_MOSQUITTO_OWNER, default mosquitto:mosquitto).
set -eu
src=${GW_MOSQUITTO_SRC:-/gaitwatch/mosquitto}
run=${GW_MOSQUITTO_RUN:-/mosquitto/run}
. "$(dirname "$0")/copy-run-files.sh"
kill -HUP "${GW_MOSQUITTO_PID:-1}"
echo "mosquitto: password file and ACL reread"
