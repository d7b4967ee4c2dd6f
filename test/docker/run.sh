#!/usr/bin/env bash
# The stack as Docker runs it, on this machine:
#   npm run test:docker    → run.sh walk      docker-compose.yml + docker-compose.override.yml, one app
#   npm run test:replicas  → run.sh replicas  docker-compose.yml + docker-compose.scale.yml, 3 replicas behind nginx
#   npm run bench:replicas → run.sh throughput  requests per second through nginx with 1, then 3 replicas
# Builds the image, starts everything on free ports bound to 127.0.0.1, waits for health, runs
# test/docker/<mode>.ts against the published ports, and always ends with `down -v`.
# Where no image registry is reachable, ../shared/docker-standins/build.sh (beside the repository, as
# CI lays it out; DOCKER_STANDINS overrides the path) builds local stand-ins for the base images.
# Only commands both docker-compose v1 (1.29) and `docker compose` v2 accept are used.
set -euo pipefail
cd "$(dirname "$0")/../.."
mode=${1:?usage: run.sh walk|replicas|throughput}
started=$(date +%s)
elapsed() { echo "$(($(date +%s) - started)) s"; }

standins=${DOCKER_STANDINS:-../shared/docker-standins/build.sh}
if [ -f "$standins" ]; then
  echo "== stand-in base images ($standins)"
  bash "$standins" | tail -1
else
  echo "== no $standins: the base images come from their registries"
fi
docker info >/dev/null 2>&1 || { echo "no Docker engine answers (start dockerd)" >&2; exit 1; }
if docker compose version >/dev/null 2>&1; then compose_cmd=(docker compose); else compose_cmd=(docker-compose); fi

free_port() { node -e "const s=require('node:net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
APP_PORT=$(free_port)
MAILPIT_UI_PORT=$(free_port)
MAILPIT_SMTP_PORT=$(free_port)
export APP_PORT MAILPIT_UI_PORT MAILPIT_SMTP_PORT
project="contacts-api-${mode}-$$"
files=(-f docker-compose.yml)
up_args=()
case "$mode" in
  walk)
    files+=(-f docker-compose.override.yml) ;;
  replicas | throughput)
    files+=(-f docker-compose.scale.yml -f test/docker/compose.replicas.yml)
    # One secret shared by every replica, as the scale file demands.
    JWT_SECRET=$(node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))")
    export JWT_SECRET
    replicas=3
    [ "$mode" = throughput ] && replicas=1
    up_args=(--scale "app=$replicas") ;;
  *) echo "unknown mode $mode" >&2; exit 2 ;;
esac
compose() { "${compose_cmd[@]}" -p "$project" "${files[@]}" "$@"; }

cleanup() {
  status=$?
  trap - EXIT INT TERM
  if [ "$status" -ne 0 ]; then
    echo "== failed ($status): the last log lines of each service" >&2
    compose logs --tail=40 >&2 2>/dev/null || true
  fi
  compose down -v --remove-orphans >/dev/null 2>&1 || true
  echo "== $mode: $( [ "$status" -eq 0 ] && echo passed || echo FAILED ) in $(elapsed) (torn down with down -v)"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== build and start ($project: API on 127.0.0.1:$APP_PORT, Mailpit on 127.0.0.1:$MAILPIT_UI_PORT)"
compose up --build -d "${up_args[@]}" >"/tmp/$project.up.log" 2>&1 || { cat "/tmp/$project.up.log" >&2; exit 1; }
rm -f "/tmp/$project.up.log"
echo "   up after $(elapsed)"

# Every app container healthy (its Docker healthcheck), then /ready answering through the published port.
wait_healthy() {
  local deadline=$(($(date +%s) + 180)) ids total healthy
  while :; do
    ids=$(compose ps -q app)
    total=$(wc -w <<<"$ids")
    healthy=$(for id in $ids; do docker inspect --format '{{.State.Health.Status}}' "$id"; done | grep -c '^healthy$' || true)
    [ "$total" -gt 0 ] && [ "$healthy" -eq "$total" ] && break
    [ "$(date +%s)" -lt "$deadline" ] || { echo "$healthy of $total app containers healthy after 180 s" >&2; return 1; }
    sleep 2
  done
  for _ in $(seq 1 60); do
    [ "$(node -e "fetch('http://127.0.0.1:$APP_PORT/ready').then(r=>console.log(r.status),()=>console.log(0))")" = 200 ] && return 0
    sleep 1
  done
  echo "/ready did not answer 200 through 127.0.0.1:$APP_PORT" >&2
  return 1
}
wait_healthy
echo "   healthy after $(elapsed)"

# What the scripts need to find the containers.
export COMPOSE_PROJECT="$project"
compose_files=$(printf '%s ' "${files[@]}")
export COMPOSE_FILES="$compose_files"
export COMPOSE_COMMAND="${compose_cmd[*]}"

api="http://127.0.0.1:$APP_PORT"
mailpit="http://127.0.0.1:$MAILPIT_UI_PORT"
echo "== $mode"
npx tsx "test/docker/$mode.ts" "$api" "$mailpit"
