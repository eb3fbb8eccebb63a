#!/usr/bin/env bash
# A private CA and a server certificate for Mosquitto's TLS listener
# (mosquitto-tls.conf), with openssl.
#
#   deploy/mosquitto/create-certs.sh OUT_DIR NAME [NAME ...]
#
# NAME: every host name or IP address clients use to reach the broker (each
# becomes a subjectAltName: IP for addresses, DNS otherwise), e.g.
#   deploy/mosquitto/create-certs.sh deploy/mosquitto/certs mqtt.club.example 203.0.113.7
#
# Writes OUT_DIR/ca.crt (give it to the clients: MQTT_CA_FILE, the phone app),
# ca.key (keep it offline; 0600), server.crt and server.key (0600). An existing
# CA is kept, so clients that trust it keep working; the server certificate is
# issued anew on every run (825 days, the most Apple clients accept).
# With a public CA (e.g. Let's Encrypt) you need none of this: put its
# fullchain as server.crt and the key as server.key.
set -euo pipefail
umask 077

[[ $# -ge 2 ]] || { sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
out="$1"
shift
command -v openssl >/dev/null || { echo "create-certs: openssl not found" >&2; exit 1; }
mkdir -p "$out"

san=()
for name in "$@"; do
  if [[ "$name" =~ ^[0-9.]+$ || "$name" == *:* ]]; then san+=("IP:$name"); else san+=("DNS:$name"); fi
done
san_list="$(IFS=,; echo "${san[*]}")"

if [[ ! -f "$out/ca.key" || ! -f "$out/ca.crt" ]]; then
  openssl req -x509 -new -newkey rsa:3072 -nodes -sha256 -days 3650 \
    -subj "/CN=gaitwatch broker CA" -keyout "$out/ca.key" -out "$out/ca.crt" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  echo "create-certs: new CA $out/ca.crt" >&2
fi

openssl req -new -newkey rsa:2048 -nodes -sha256 -subj "/CN=$1" -keyout "$out/server.key" -out "$out/server.csr" 2>/dev/null
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "$san_list" >"$out/server.ext"
openssl x509 -req -in "$out/server.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial \
  -days 825 -sha256 -extfile "$out/server.ext" -out "$out/server.crt" 2>/dev/null
rm -f "$out/server.csr" "$out/server.ext" "$out/ca.srl"
chmod 600 "$out/ca.key" "$out/server.key"
chmod 644 "$out/ca.crt" "$out/server.crt"
echo "create-certs: $out/server.crt for $san_list" >&2
