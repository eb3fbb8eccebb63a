# Sourced by start.sh and reload.sh (with $src, $run set): the broker's own
# copies of the password file, the ACL and the TLS files in $run, owned by
# the user Mosquitto 2 drops to before it reads them — bind-mounted files
# owned by the host's user (0600) would be unreadable to it.
if [ ! -f "$src/passwd" ]; then
  echo "mosquitto: $src/passwd is missing: run deploy/mosquitto/create-credentials.sh first (deploy/README.md)" >&2
  exit 1
fi
mkdir -p "$run"
cp "$src/passwd" "$src/acl" "$run/"
for f in ca.crt server.crt server.key; do
  if [ -f "$src/certs/$f" ]; then cp "$src/certs/$f" "$run/"; fi
done
chown -R "${GW_MOSQUITTO_OWNER:-mosquitto:mosquitto}" "$run"
chmod 0700 "$run"
chmod 0600 "$run"/*
