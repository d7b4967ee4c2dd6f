#!/usr/bin/env bash
# `npm run test:pgbouncer`: the PostgreSQL-backed tests again, through PgBouncer in transaction pool
# mode (test/pgbouncer/pgbouncer.ini) on a free local port, with the app's DATABASE_POOLER=transaction
# behaviour. Needs Debian's pgbouncer (`apt-get install pgbouncer`) and the local test PostgreSQL.
# Extra arguments go to ava (e.g. a single test file).
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v pgbouncer >/dev/null || { echo "pgbouncer is not installed: apt-get install pgbouncer" >&2; exit 1; }
upstream=${PGBOUNCER_UPSTREAM:-postgres://postgres@127.0.0.1:5432/test}

dir=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT

port=$(node -e "const s=require('node:net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
sed -e "s/^listen_port = .*/listen_port = $port/" -e "s#^auth_file = .*#auth_file = $dir/userlist.txt#" \
  test/pgbouncer/pgbouncer.ini >"$dir/pgbouncer.ini"
cp test/pgbouncer/userlist.txt "$dir/userlist.txt"
# PgBouncer refuses to run as root: as root, it drops to the postgres user.
as_user=()
if [ "$(id -u)" = 0 ]; then as_user=(-u postgres); chown -R postgres "$dir"; fi
pgbouncer "${as_user[@]}" "$dir/pgbouncer.ini" >"$dir/pgbouncer.log" 2>&1 &
pid=$!
for _ in $(seq 1 50); do pg_isready -q -h 127.0.0.1 -p "$port" && break; sleep 0.2; done
pg_isready -q -h 127.0.0.1 -p "$port" || { cat "$dir/pgbouncer.log" >&2; echo "pgbouncer did not start" >&2; exit 1; }
pgbouncer_version=$(pgbouncer --version | head -1)
echo "$pgbouncer_version in transaction pool mode on 127.0.0.1:$port"

url=$(node -e "const u=new URL(process.argv[1]);u.port=process.argv[2];console.log(u.href)" "$upstream" "$port")
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  # Every test file that runs its app or repositories on PostgreSQL (the outage, bench and main
  # tests start their own servers or proxies and stay on the direct connection).
  files=(test/http/accounts.test.ts test/http/account-self-service.test.ts test/http/auth-hardening.test.ts
    test/http/contacts.test.ts test/http/contacts-conditional.test.ts test/http/contacts-trash.test.ts test/http/contacts-changes.test.ts test/http/password-reset.test.ts test/http/account-pages.test.ts
    test/http/user-cache.test.ts
    test/adapters/outbox-dispatch.test.ts test/adapters/outbox-repository.test.ts
    test/adapters/contact-repository.test.ts test/adapters/persistence/account-repositories.test.ts
    test/adapters/persistence/prepared-statement.test.ts test/infrastructure/migrate-on-start.test.ts)
  for f in "${files[@]}"; do [ -f "$f" ] || { echo "missing test file $f" >&2; exit 1; }; done
fi
start=$(date +%s)
status=0
TEST_DATABASE_URL=$url TEST_DATABASE_POOLER=transaction TEST_BACKENDS=postgres REQUIRE_SERVICES=1 npx ava "${files[@]}" || status=$?
echo "pgbouncer pass: $(($(date +%s) - start)) s"
if [ $status -ne 0 ]; then echo "--- pgbouncer log (tail)" >&2; tail -20 "$dir/pgbouncer.log" >&2; fi
exit $status
