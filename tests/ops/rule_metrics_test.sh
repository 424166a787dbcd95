#!/usr/bin/env bash
# Every metric a rule of deploy/prometheus/rules names is exported by the real
# binary (promtool's unit tests pass on synthetic series even for a metric
# that does not exist), every scrape passes `promtool check metrics`, and a
# real Prometheus scraping `orderly serve` evaluates the recording rules on
# its live series.
#
# Scraped: `orderly serve` (embedded), `orderly serve` on the servers
# fixture's PostgreSQL primary and replica (the replica-lag gauge), and
# `orderly gateway` with one upstream (the breaker gauges). Prometheus's own
# `up` is the one name no process exports.
#   tests/ops/rule_metrics_test.sh ORDERLY_BINARY   (ORDERLY_TEST_SERVERS_ENV names the fixture's env file)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
binary=${1:?usage: $0 ORDERLY_BINARY}
work=$(mktemp -d /tmp/orderly-rule-metrics.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [[ -n ${schema:-} ]] && dropped_schema
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "rule_metrics_test: FAIL: $*" >&2; exit 1; }

# Starts an orderly command in the background; sets STARTED_OPS to its ops listener.
start_orderly() {
  local name=$1; shift
  "$binary" "$@" >"$work/$name.log" 2>"$work/$name.err" &
  pids+=($!)
  local deadline=$((SECONDS + 30))
  until grep -q '"event":"server.started"' "$work/$name.log"; do
    kill -0 "${pids[-1]}" 2>/dev/null || fail "$name exited at start: $(cat "$work/$name.err")"
    ((SECONDS < deadline)) || fail "$name did not start in 30 s"
    sleep 0.1
  done
  STARTED_OPS=$(grep -m1 '"event":"server.started"' "$work/$name.log" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ops_listen"])')
}

scrape() {
  local name=$1 ops=$2
  curl -fsS "http://$ops/metrics" >"$work/$name.metrics" || fail "no /metrics from $name"
  promtool check metrics <"$work/$name.metrics" >"$work/$name.check" 2>&1 || fail "promtool check metrics on $name: $(cat "$work/$name.check")"
}

# The fixture's PostgreSQL (primary + replica), as the store suites use it.
# Read, not sourced: exported, the variables would reach orderly, which warns about unknown ORDERLY_ names.
env_file=${ORDERLY_TEST_SERVERS_ENV:?the servers fixture writes this file}
ORDERLY_TEST_PG_PRIMARY=$(sed -n 's/^export ORDERLY_TEST_PG_PRIMARY=//p' "$env_file")
ORDERLY_TEST_PG_REPLICA=$(sed -n 's/^export ORDERLY_TEST_PG_REPLICA=//p' "$env_file")
[[ -n ${ORDERLY_TEST_PG_PRIMARY:-} && -n ${ORDERLY_TEST_PG_REPLICA:-} ]] || fail "no PostgreSQL in $env_file"

# A schema of this run's own (dropped at the end): the platform's tables and
# its sealed signing key never meet another suite's.
schema=rule_metrics_$$
psql -q "$ORDERLY_TEST_PG_PRIMARY" -c "create schema $schema" || fail "cannot create schema $schema"
dropped_schema() { psql -q "$ORDERLY_TEST_PG_PRIMARY" -c "drop schema if exists $schema cascade" >/dev/null 2>&1 || true; }
in_schema() { echo "$1?options=-csearch_path%3D$schema"; }

start_orderly embedded serve --listen 127.0.0.1:0 --ops-listen 127.0.0.1:0 --data-dir "$work/embedded" --threads 1
embedded_ops=$STARTED_OPS
start_orderly postgres serve --listen 127.0.0.1:0 --ops-listen 127.0.0.1:0 --data-dir "$work/postgres" --threads 1 \
  --set store.driver=postgres --set store.postgres_primary="$(in_schema "$ORDERLY_TEST_PG_PRIMARY")" \
  --set store.postgres_replicas="$(in_schema "$ORDERLY_TEST_PG_REPLICA")" --set catalog.seed_sample_products=false \
  --set auth.seed_admin=false
cat >"$work/gateway.yaml" <<YAML
listeners: [{name: public, address: "127.0.0.1:0"}]
ops_listen: 127.0.0.1:0
threads: 1
upstreams:
  catalog: {instances: ["127.0.0.1:9"], health: {enabled: false}}
routes:
  - {name: catalog, match: {prefix: /api/v1/products}, upstream: catalog}
YAML
start_orderly gateway gateway --config "$work/gateway.yaml"
gateway_ops=$STARTED_OPS

# A little traffic, so the RED families have series too.
curl -fsS -o /dev/null "http://$(grep -m1 '"event":"server.started"' "$work/embedded.log" | python3 -c 'import json,sys; print(json.load(sys.stdin)["listen"])')/api/v1/products"
scrape embedded "$embedded_ops"
scrape postgres "$(grep -m1 '"event":"server.started"' "$work/postgres.log" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ops_listen"])')"
scrape gateway "$gateway_ops"

# The metric names in the rules' expressions, recorded names (with a colon) taken out.
python3 - "$root/deploy/prometheus/rules" "$work"/*.metrics <<'PY' || exit 1
import glob, re, sys, yaml
rules_dir, scrapes = sys.argv[1], sys.argv[2:]
exported, histograms = set(), set()
for path in scrapes:
    for line in open(path):
        m = re.match(r'# TYPE (\S+) (\S+)', line)
        if m:
            exported.add(m.group(1))
            if m.group(2) == 'histogram': histograms.add(m.group(1))
named = {}
for path in sorted(glob.glob(rules_dir + '/*.yml')):
    for group in yaml.safe_load(open(path))['groups']:
        for rule in group['rules']:
            expr = re.sub(r'[A-Za-z_][A-Za-z0-9_]*:[A-Za-z0-9_:]+', ' ', rule['expr'])
            expr = re.sub(r'\{[^}]*\}', ' ', expr)                 # label matchers
            expr = re.sub(r'"[^"]*"', ' ', expr)
            for name in re.findall(r'\b(orderly_[a-z0-9_]+|process_[a-z0-9_]+|up)\b', expr):
                named.setdefault(name, rule.get('alert') or rule.get('record'))
missing = []
for name, rule in sorted(named.items()):
    if name == 'up': continue  # Prometheus records it per target
    base = re.sub(r'_(bucket|count|sum)$', '', name)
    if name in exported or (base in histograms and base != name): continue
    missing.append(f'{name} (in {rule})')
print(f'rule_metrics_test: {len(named)} metric names in the rules, {len(exported)} families exported')
if missing:
    print('rule_metrics_test: FAIL: named in a rule but in no scrape: ' + ', '.join(missing), file=sys.stderr)
    sys.exit(1)
PY

# A real Prometheus scrapes the embedded process every second and evaluates
# the recording rules: the RED rate of /api/v1/products shows up.
mkdir -p "$work/prometheus/rules"
cp "$root"/deploy/prometheus/rules/*.yml "$work/prometheus/rules/"
cat >"$work/prometheus/prometheus.yml" <<YAML
global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: [rules/recording.yml, rules/alerts.yml]
scrape_configs:
  - job_name: orderly
    static_configs:
      - targets: ['$embedded_ops']
        labels: {service: platform, instance_name: serve-1}
YAML
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
prometheus --config.file="$work/prometheus/prometheus.yml" --storage.tsdb.path="$work/prometheus/data" \
  --web.listen-address="127.0.0.1:$port" >"$work/prometheus.log" 2>&1 &
pids+=($!)
query='service_route:orderly_http_requests:rate5m{route="/api/v1/products"}'
deadline=$((SECONDS + 60))
while true; do
  curl -fsS -o /dev/null "http://$(grep -m1 '"event":"server.started"' "$work/embedded.log" | python3 -c 'import json,sys; print(json.load(sys.stdin)["listen"])')/api/v1/products"
  answer=$(curl -fsS --get "http://127.0.0.1:$port/api/v1/query" --data-urlencode "query=$query" 2>/dev/null || true)
  if [[ $answer == *'"service":"platform"'* ]]; then break; fi
  ((SECONDS < deadline)) || fail "Prometheus never evaluated $query: $answer ($(tail -3 "$work/prometheus.log"))"
  sleep 0.5
done
echo "rule_metrics_test: Prometheus evaluated $query on live data: $answer"
echo "rule_metrics_test: PASS"
