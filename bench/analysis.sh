#!/usr/bin/env bash
# Whole-process `rules check` and `rules diff` (against itself) on the default rules and on
# them grown to 4x and 100x their space of class combinations (bench/grow_rules.py), with
# hyperfine; prints each mean and the peak memory (GNU time) of each run.
# Needs hyperfine (Debian: apt-get install hyperfine).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "bench/analysis.sh needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet
cp rules/default.yaml "$work/1x.yaml"
python3 bench/grow_rules.py 1 4 > "$work/4x.yaml"
python3 bench/grow_rules.py 2 10 > "$work/100x.yaml"
bin=./target/release/mlstack
for size in 1x 4x 100x; do
  rules="$work/$size.yaml"
  # Exit 1 is a finding (the grown rules have ties), not a failure of the benchmark.
  hyperfine -N -i --warmup 2 --runs "${RUNS:-10}" --style none --export-json "$work/$size.json" \
    "$bin rules check $rules" "$bin rules diff $rules $rules" >/dev/null
  python3 - "$work/$size.json" "$size" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    what = "check" if " check " in r["command"] else "diff "
    print(f"{sys.argv[2]:>4} rules {what}: mean {r['mean'] * 1000:7.1f} ms, median {r['median'] * 1000:7.1f} ms")
PY
  for cmd in "rules check $rules" "rules diff $rules $rules"; do
    /usr/bin/time -f "$size ${cmd%% /*}: peak %M KB" $bin $cmd >/dev/null 2>"$work/time" || true
    tail -n 1 "$work/time"
  done
done
