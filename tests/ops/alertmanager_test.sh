#!/usr/bin/env bash
# deploy/alertmanager/alertmanager.yml passes `amtool check-config`, and every
# alert of deploy/prometheus/rules/alerts.yml routes by its severity: page to
# the pager, ticket to the ticket queue (`amtool config routes test
# --verify.receivers` exits 1 on another receiver).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
config=$root/deploy/alertmanager/alertmanager.yml
amtool check-config "$config"

checked=0
while read -r alert severity; do
  case $severity in
    page) expected=pager ;;
    ticket) expected=tickets ;;
    *) echo "alertmanager_test: FAIL: $alert has severity '$severity' (page or ticket)" >&2; exit 1 ;;
  esac
  if ! amtool config routes test --config.file="$config" --verify.receivers="$expected" \
      alertname="$alert" severity="$severity" service=orders >/dev/null 2>&1; then
    echo "alertmanager_test: FAIL: $alert (severity $severity) does not route to $expected" >&2
    exit 1
  fi
  checked=$((checked + 1))
done < <(python3 - "$root/deploy/prometheus/rules/alerts.yml" <<'PY'
import sys, yaml
for group in yaml.safe_load(open(sys.argv[1]))['groups']:
    for rule in group['rules']:
        if 'alert' in rule:
            print(rule['alert'], rule.get('labels', {}).get('severity', '-'))
PY
)
[[ $checked -gt 0 ]] || { echo "alertmanager_test: FAIL: no alerts read" >&2; exit 1; }
echo "alertmanager_test: $checked alerts route by severity: PASS"
