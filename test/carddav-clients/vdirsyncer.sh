#!/usr/bin/env bash
# vdirsyncer (the Debian package) against the CardDAV server: discovery, two-way sync of creates,
# edits and deletes, a conflict settled by conflict_resolution, and a last sync that moves nothing.
#
#   bash test/carddav-clients/vdirsyncer.sh            # starts a server of its own (PGlite, scratch folder)
#   VDIRSYNCER_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test VDIRSYNCER_REDIS_URL=redis://127.0.0.1:6379 \
#     bash test/carddav-clients/vdirsyncer.sh          # the same server on PostgreSQL (a scratch database made
#                                                      # beside the one named, dropped at the end) and Redis
#   bash test/carddav-clients/vdirsyncer.sh URL        # uses a running server (it must deliver emails to
#                                                      # OUTBOX_DIR, its .eml folder, for the signup link)
# Exits non-zero at the first mismatch, naming it.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root/test/carddav-clients"
work="$(mktemp -d /tmp/vdirsyncer-check.XXXXXX)"
server_pid=""
scratch_db=""
admin_url="${VDIRSYNCER_DATABASE_URL:-}"
redis_url="${VDIRSYNCER_REDIS_URL:-}"
psql_admin() { psql "$admin_url" -v ON_ERROR_STOP=1 -qtAc "$1" >/dev/null; }
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$scratch_db" ]; then psql_admin "DROP DATABASE IF EXISTS $scratch_db WITH (FORCE)" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "vdirsyncer check FAILED: $*" >&2
  [ -f "$work/server.log" ] && tail -20 "$work/server.log" >&2
  exit 1
}
command -v vdirsyncer >/dev/null || fail "vdirsyncer is not installed (apt-get install vdirsyncer)"

url="${1:-}"
outbox="${OUTBOX_DIR:-}"
if [ -z "$url" ]; then
  mkdir -p "$work/server"
  outbox="$work/server/data/outbox"
  # The server's own folder, so its PGlite data and .eml outbox are scratch; limits out of the way.
  # On PostgreSQL, a database of its own (the server migrates it at start); Redis keys are per user
  # and per address, and the user is new, so a shared Redis is fine.
  services=()
  if [ -n "$admin_url" ]; then
    command -v psql >/dev/null || fail "VDIRSYNCER_DATABASE_URL needs psql (apt-get install postgresql-client)"
    scratch_db="vdirsyncer_$(date +%s)_$$"
    psql_admin "CREATE DATABASE $scratch_db" || fail "could not create a scratch database through $admin_url"
    services+=("DATABASE_URL=$(python3 -c 'import sys,urllib.parse as u;p=u.urlsplit(sys.argv[1]);print(u.urlunsplit(p._replace(path="/"+sys.argv[2])))' "$admin_url" "$scratch_db")")
  fi
  [ -n "$redis_url" ] && services+=("REDIS_URL=$redis_url")
  (cd "$work/server" && env -i PATH="$PATH" HOME="$work" PORT=0 NODE_ENV=development LOG_LEVEL=info BCRYPT_ROUNDS=4 "${services[@]}" \
    RATE_LIMIT_AUTH_MAX=1000 RATE_LIMIT_ACCOUNT_MAX=1000 RATE_LIMIT_CONTACTS_MAX=10000 RATE_LIMIT_CONTACT_CREATE_MAX=10000 \
    node --import "file://$root/node_modules/tsx/dist/loader.mjs" "$root/src/infrastructure/main.ts" >"$work/server.log" 2>&1) &
  server_pid=$!
  for _ in $(seq 1 300); do
    port=$(grep -m1 '"listening"' "$work/server.log" 2>/dev/null | jq -r .port || true)
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || fail "the server exited"
    sleep 0.1
  done
  [ -n "${port:-}" ] || fail "the server did not start within 30 s"
  url="http://127.0.0.1:$port"
  # What it runs on, as the server itself says (a /ready check per backing service).
  checks=$(curl -sS "$url/ready" | jq -c .checks)
  [ -z "$admin_url" ] || grep -q '"database":"ok"' <<<"$checks" || fail "/ready names no database: $checks"
  [ -z "$redis_url" ] || grep -q '"redis":"ok"' <<<"$checks" || fail "/ready names no Redis: $checks"
  echo "server on $([ -n "$scratch_db" ] && echo "PostgreSQL ($scratch_db)" || echo PGlite)${redis_url:+ + Redis}: /ready checks $checks"
fi
[ -n "$outbox" ] || fail "given a URL, set OUTBOX_DIR to the folder where that server writes its .eml files"

# --- A user with an app password, over REST -------------------------------------------------------
email="vdirsyncer.$(date +%s%N)@example.com"
account_password='a perfectly fine passphrase'
api() { # method path [json] → body on stdout; status in $work/status
  local method=$1 path=$2 body=${3:-}
  curl -sS -o "$work/body" -w '%{http_code}' -X "$method" -H "Authorization: Bearer ${token:-}" \
    ${body:+-H 'Content-Type: application/json' --data "$body"} "$url$path" >"$work/status"
  cat "$work/body"
}
expect_status() { [ "$(cat "$work/status")" = "$1" ] || fail "$2: expected $1, got $(cat "$work/status"): $(cat "$work/body")"; }

api POST /api/auth/signup "{\"username\":\"Sync\",\"email\":\"$email\",\"password\":\"$account_password\"}" >/dev/null
expect_status 201 signup
verify_token=""
for _ in $(seq 1 100); do
  eml=$(grep -l -s "$email" "$outbox"/*verify*.eml 2>/dev/null | head -1 || true)
  if [ -n "$eml" ]; then
    verify_token=$(python3 -c 'import email,re,sys
m=email.message_from_binary_file(open(sys.argv[1],"rb"))
parts=[p for p in m.walk() if not p.is_multipart()]
text="".join(p.get_payload(decode=True).decode("utf-8","replace") for p in parts)
print(re.search(r"token=([A-Za-z0-9_.~-]+)",text).group(1))' "$eml")
    break
  fi
  sleep 0.1
done
[ -n "$verify_token" ] || fail "no verification email for $email in $outbox"
api GET "/api/auth/verify-email?token=$verify_token" >/dev/null
expect_status 200 verify-email
token=$(api POST /api/auth/login "{\"email\":\"$email\",\"password\":\"$account_password\"}" | jq -r .accessToken)
expect_status 200 login
app_password=$(api POST /api/users/me/app-passwords "{\"name\":\"vdirsyncer\",\"currentPassword\":\"$account_password\"}" | jq -r .password)
expect_status 201 "POST /api/users/me/app-passwords"

# --- vdirsyncer's config -------------------------------------------------------------------------
local_root="$work/local"
mkdir -p "$local_root" "$work/status-db"
sed -e "s#@STATUS@#$work/status-db/#" -e "s#@LOCAL@#$local_root/#" -e "s#@URL@#$url/dav/#" \
  -e "s#@USER@#$email#" -e "s#@PASSWORD@#$app_password#" "$here/vdirsyncer.config.template" >"$work/config"
vds() { vdirsyncer -c "$work/config" "$@"; }
sync() { vds sync >"$work/sync.out" 2>&1 || fail "vdirsyncer sync: $(cat "$work/sync.out")"; }

{ yes || true; } | vds discover >"$work/discover.out" 2>&1 || fail "vdirsyncer discover: $(cat "$work/discover.out")"
book=$(find "$local_root" -mindepth 1 -maxdepth 1 -type d | head -1)
[ -n "$book" ] || fail "discover made no local collection: $(cat "$work/discover.out")"

rest_field() { # firstName field → that contact's field over REST ("" if absent)
  api GET '/api/contacts?limit=100' | jq -r --arg n "$1" --arg f "$2" '[.items[] | select(.firstName == $n)][0][$f] // ""'
}
rest_id() { rest_field "$1" id; }
local_file() { grep -l -s "^FN:$1 " "$book"/*.vcf 2>/dev/null | head -1 || true; }
card() { printf 'BEGIN:VCARD\r\nVERSION:3.0\r\nUID:%s\r\nFN:%s %s\r\nN:%s;%s;;;\r\n%bEND:VCARD\r\n' "$1" "$2" "$3" "$3" "$2" "${4:-}"; }

# --- Create on each side ---------------------------------------------------------------------------
api POST /api/contacts '{"firstName":"Alice","lastName":"Remote","emails":[{"value":"alice@example.com","label":"home"}]}' >/dev/null
expect_status 201 "REST create"
card bob-uid-1 Bob Local 'X-SOCIALPROFILE;TYPE=mastodon:https://example.social/@bob\r\n' >"$book/bob-uid-1.vcf"
sync
[ -n "$(local_file Alice)" ] || fail "the contact created over REST was not downloaded: $(cat "$work/sync.out")"
grep -q 'alice@example.com' "$(local_file Alice)" || fail "Alice's card has no email"
[ "$(rest_field Bob lastName)" = Local ] || fail "the card created locally is not on the server"

# --- Edit on each side ---------------------------------------------------------------------------
card bob-uid-1 Bob Edited 'NOTE:changed on the laptop\r\n' >"$book/bob-uid-1.vcf"
api PATCH "/api/contacts/$(rest_id Alice)" '{"lastName":"Changed"}' >/dev/null
expect_status 200 "REST edit"
sync
[ "$(rest_field Bob lastName)" = Edited ] || fail "the local edit did not reach the server"
[ "$(rest_field Bob notes)" = 'changed on the laptop' ] || fail "the local note did not reach the server"
grep -q '^N:Changed;Alice' "$(local_file Alice)" || fail "the REST edit did not reach the local card: $(cat "$(local_file Alice)")"

# --- Delete on each side -------------------------------------------------------------------------
alice_id=$(rest_id Alice)
rm "$(local_file Alice)"
api DELETE "/api/contacts/$(rest_id Bob)" >/dev/null
expect_status 204 "REST delete"
sync
[ -z "$(rest_id Alice)" ] || fail "the local delete did not reach the server"
api GET '/api/contacts/trash' | jq -e --arg id "$alice_id" '[.items[].id] | index($id) != null' >/dev/null || fail "the card deleted locally is not in the trash"
[ -z "$(local_file Bob)" ] || fail "the REST delete did not reach the local folder"

# --- A conflict: both sides change one card; the config says "a wins" (the local side) -------------
api POST /api/contacts '{"firstName":"Carol","lastName":"Before"}' >/dev/null
expect_status 201 "REST create"
sync
carol=$(local_file Carol)
[ -n "$carol" ] || fail "Carol was not downloaded"
sed -i 's/^N:Before;Carol/N:Laptop;Carol/; s/^FN:Carol Before/FN:Carol Laptop/' "$carol"
api PATCH "/api/contacts/$(rest_id Carol)" '{"lastName":"Phone"}' >/dev/null
expect_status 200 "REST edit"
sync
[ "$(rest_field Carol lastName)" = Laptop ] || fail "conflict: the server holds '$(rest_field Carol lastName)', 'a wins' wants Laptop: $(cat "$work/sync.out")"
grep -q '^N:Laptop;Carol' "$(local_file Carol)" || fail "conflict: the local card lost its own change"

# --- Settled: one more sync may still write back what the last one decided; the next moves nothing --
sync
feed_token() {
  local since="" more=true next
  while [ "$more" = true ]; do
    api GET "/api/contacts/changes?limit=1000${since:+&since=$since}" >"$work/feed"
    expect_status 200 "GET /api/contacts/changes"
    next=$(jq -r .next "$work/feed")
    more=$(jq -r .more "$work/feed")
    since=$next
  done
  echo "$since"
}
before=$(feed_token)
mtimes_before=$(stat -c '%n %Y %s' "$book"/*.vcf)
sleep 1.1 # a rewritten file would show a later mtime
sync
if grep -Eq 'Copying|Deleting|Updating|conflict' "$work/sync.out"; then fail "the last sync still moved something: $(cat "$work/sync.out")"; fi
[ "$(stat -c '%n %Y %s' "$book"/*.vcf)" = "$mtimes_before" ] || fail "the last sync rewrote local files"
changes=$(api GET "/api/contacts/changes?since=$before" | jq '.changes | length')
expect_status 200 "GET /api/contacts/changes?since"
[ "$changes" = 0 ] || fail "the last sync changed $changes contacts on the server: $(cat "$work/body")"

echo "vdirsyncer check passed ($url)"
