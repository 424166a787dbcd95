#!/usr/bin/env bash
# A fuzzing campaign outside CI (fuzz/README.md): runs each named target for
# SECONDS of wall time, one after the other, at the lowest priority, and
# appends one line a run to build/fuzz/campaign.log with the CPU time it got
# (user + sys, from /usr/bin/time; -timeout=120 since a starved process at
# nice 19 on a loaded machine can spend 10 s of wall time on one input), runs, exec/s, coverage and whether it
# found something (the input is then in build/fuzz/fuzz-corpus/TARGET-*).
#   fuzz/campaign.sh 600 jwt json_bodies     # after `make fuzz`
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=$1
shift
log=$root/build/fuzz/campaign.log
for target in "$@"; do
  out=$root/build/fuzz/campaign-$target-$(date +%s).out
  read -r -a args <"$root/build/fuzz/fuzz/$target.args"  # one line: options, dictionary, corpus folders
  nice -n 19 /usr/bin/time -f 'cpu %U %S' "$root/build/fuzz/fuzz/${target}_fuzz" -max_total_time="$seconds" \
    "${args[@]}" -timeout=120 >"$out" 2>&1
  status=$?
  cpu=$(awk '/^cpu /{print $2 + $3}' "$out")
  runs=$(awk '/stat::number_of_executed_units/{print $2}' "$out")
  rate=$(awk '/stat::average_exec_per_sec/{print $2}' "$out")
  cov=$(grep -Eo 'cov: [0-9]+' "$out" | tail -1 | cut -d' ' -f2)
  echo "$(date -u +%FT%TZ) $target wall=${seconds}s cpu=${cpu}s runs=$runs exec/s=$rate cov=$cov exit=$status" >>"$log"
done
