#!/usr/bin/env bash
# Creates or updates the Mosquitto password file for gaitwatch: one device
# credential per athlete id given, plus the service users ingest, api and sim.
#
#   deploy/mosquitto/create-credentials.sh [options] [ATHLETE_ID ...]
#
#   --passwd FILE      password file (default: deploy/mosquitto/passwd)
#   --env FILE         env file for docker compose --env-file (default: deploy/.env)
#                      receives MQTT_INGEST_PASSWORD, MQTT_API_PASSWORD, MQTT_SIM_PASSWORD,
#                      and a random secret for every other value still "change-me…";
#                      a missing file starts as a copy of FILE.example (deploy/.env.example)
#   --rotate           new passwords for the athletes named (default: keep existing ones)
#   --rotate-services  new passwords for ingest, api and sim
#
# Device passwords are printed ONCE on stdout, one "athleteId<TAB>password" line
# per new or rotated device: hand each to its phone, they are not stored in
# clear anywhere. Service passwords go to the env file (created 0600), never to
# stdout. Both files are written atomically and stay 0600.
#
# Idempotent: run it again with the same ids and nothing changes (existing
# users keep their passwords); new ids are added. An athlete id must match
# [A-Za-z0-9][A-Za-z0-9_.-]{0,63} (the topic contract's ids: no MQTT wildcard
# + or #, no /), and must not be a service name (ingest, api, sim) or start
# with "sim-" (the simulator's athletes): the ACL's %u pattern rules rely on it.
# One invalid id and nothing is written (exit 2).
set -euo pipefail
umask 077

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
passwd_file="$here/passwd"
env_file="$here/../.env"
rotate=false
rotate_services=false
athletes=()

usage() {
  sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --passwd) passwd_file="${2:?--passwd needs a file}"; shift 2 ;;
    --env) env_file="${2:?--env needs a file}"; shift 2 ;;
    --rotate) rotate=true; shift ;;
    --rotate-services) rotate_services=true; shift ;;
    -h | --help) usage ;;
    --) shift; athletes+=("$@"); break ;;
    -*) echo "create-credentials: unknown option $1" >&2; usage ;;
    *) athletes+=("$1"); shift ;;
  esac
done

command -v mosquitto_passwd >/dev/null || { echo "create-credentials: mosquitto_passwd not found (Debian: apt-get install mosquitto)" >&2; exit 1; }

readonly SERVICES=(ingest api sim)
readonly ID_RE='^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'

# Validate every id before touching anything.
bad=0
for id in "${athletes[@]}"; do
  if [[ ! "$id" =~ $ID_RE ]]; then
    echo "create-credentials: invalid athlete id '$id': use 1-64 of A-Z a-z 0-9 _ . - starting with a letter or digit (no + # /)" >&2
    bad=1
  elif [[ " ${SERVICES[*]} " == *" $id "* || "$id" == sim-* ]]; then
    echo "create-credentials: athlete id '$id' is reserved (service users ingest, api, sim; simulator athletes sim-*)" >&2
    bad=1
  fi
done
[[ $bad -eq 0 ]] || exit 2

# 32 characters of [A-Za-z0-9]: ~190 bits. (head closes the pipe: tr's SIGPIPE is expected.)
new_password() {
  local pw
  pw="$(LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 32 || true)"
  [[ ${#pw} -eq 32 ]] || { echo "create-credentials: could not read /dev/urandom" >&2; exit 1; }
  printf '%s' "$pw"
}

# Exact user-name match (ids may hold '.', a regex metacharacter).
user_in() { [[ -f "$2" ]] && cut -d: -f1 "$2" | grep -q -F -x -- "$1"; }
has_user() { user_in "$1" "$passwd_file"; }

# The value of KEY in the env file, '' when unset or still the example's placeholder.
env_value() {
  local v=''
  [[ -f "$env_file" ]] && v="$(sed -n "s/^$1=//p" "$env_file" | tail -n 1)"
  [[ "$v" == change-me* ]] && v=''
  printf '%s' "$v"
}

work="$(mktemp -d "${TMPDIR:-/tmp}/gw-credentials.XXXXXX")"
trap 'rm -rf "$work"' EXIT
: >"$work/plain"
declare -A env_updates=()
printed=()

for user in "${SERVICES[@]}"; do
  var="MQTT_$(tr '[:lower:]' '[:upper:]' <<<"$user")_PASSWORD"
  current="$(env_value "$var")"
  if ! $rotate_services && [[ -n "$current" ]] && has_user "$user"; then continue; fi
  pw="$(new_password)"
  printf '%s:%s\n' "$user" "$pw" >>"$work/plain"
  env_updates[$var]="$pw"
done

for id in "${athletes[@]}"; do
  if ! $rotate && has_user "$id"; then
    echo "create-credentials: device '$id' exists, password kept (--rotate for a new one)" >&2
    continue
  fi
  user_in "$id" "$work/plain" && continue # named twice
  pw="$(new_password)"
  printf '%s:%s\n' "$id" "$pw" >>"$work/plain"
  printed+=("$id	$pw")
done

# Hash the new entries in a private temp file (-U: plain text to hashes; never
# a password on a command line), then merge: replaced users' old lines out.
if [[ -s "$work/plain" ]]; then
  mosquitto_passwd -U "$work/plain"
  cut -d: -f1 "$work/plain" >"$work/names"
  {
    if [[ -f "$passwd_file" ]]; then awk -F: 'NR == FNR { drop[$1] = 1; next } $0 != "" && !($1 in drop)' "$work/names" "$passwd_file"; fi
    cat "$work/plain"
  } >"$work/passwd"
  mkdir -p "$(dirname "$passwd_file")"
  tmp_passwd="$(mktemp "$(dirname "$passwd_file")/.passwd.XXXXXX")"
  cat "$work/passwd" >"$tmp_passwd"
  chmod 600 "$tmp_passwd"
  mv -f "$tmp_passwd" "$passwd_file"
  echo "create-credentials: $passwd_file updated; have the broker reread it: docker compose --env-file deploy/.env exec mosquitto /bin/sh /gaitwatch/mosquitto/reload.sh (deploy/README.md)" >&2
else
  echo "create-credentials: $passwd_file is up to date" >&2
fi

# The env file: the service passwords, and a random secret for every value
# still holding a change-me placeholder (a missing file starts from the example
# beside it, e.g. deploy/.env.example). Values are [A-Za-z0-9]: safe in sed.
example="${env_file%.env}.env.example"
if [[ ${#env_updates[@]} -gt 0 ]] || grep -q '=change-me' "$env_file" 2>/dev/null || [[ ! -f "$env_file" && -f "$example" ]]; then
  mkdir -p "$(dirname "$env_file")"
  tmp_env="$(mktemp "$(dirname "$env_file")/.env.XXXXXX")"
  if [[ -f "$env_file" ]]; then cat "$env_file" >"$tmp_env"; elif [[ -f "$example" ]]; then cat "$example" >"$tmp_env"; fi
  for var in "${!env_updates[@]}"; do
    if grep -q "^$var=" "$tmp_env"; then
      sed -i "s|^$var=.*|$var=${env_updates[$var]}|" "$tmp_env"
    else
      printf '%s=%s\n' "$var" "${env_updates[$var]}" >>"$tmp_env"
    fi
  done
  while IFS= read -r var; do
    sed -i "s|^$var=change-me.*|$var=$(new_password)|" "$tmp_env"
  done < <(sed -n 's/^\([A-Z0-9_]*\)=change-me.*/\1/p' "$tmp_env")
  chmod 600 "$tmp_env"
  mv -f "$tmp_env" "$env_file"
  echo "create-credentials: $env_file written (service passwords, secrets for change-me placeholders)" >&2
fi

for line in "${printed[@]}"; do printf '%s\n' "$line"; done
