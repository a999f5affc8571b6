#!/usr/bin/env bash
# Batch throughput and peak memory, end to end: `mlstack recommend --batch FILE` on LINES
# (default 1,000,000) random answer sets of the default rules, full reports and lean records
# (`--fields recommendation,margin,confidence`), both cores. Prints the medians, answer sets
# a second, and each mode's peak resident memory.
# Needs hyperfine and GNU time (Debian: apt-get install hyperfine time).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "bench/batch.sh needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench/batch.sh needs GNU time (apt-get install time)" >&2; exit 2; }
lines=${LINES:-1000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet
bin=./target/release/mlstack
"$bin" questions --format json | python3 bench/answer_lines.py "$lines" > "$work/lines.jsonl"
# Some random answer sets have no possible outcome: their error records count as results,
# and the batch exits 2, hence --ignore-failure.
failed=$("$bin" recommend --batch "$work/lines.jsonl" --fields margin 2>/dev/null | grep -c '"error"' || true)
echo "$lines lines ($(du -h "$work/lines.jsonl" | cut -f1)), $failed of them with no possible outcome"
hyperfine -N -i --warmup 1 --runs "${RUNS:-3}" --export-json "$work/batch.json" \
  "$bin recommend --batch $work/lines.jsonl" \
  "$bin recommend --batch $work/lines.jsonl --fields recommendation,margin,confidence" >&2
for mode in full lean; do
  fields=()
  [ "$mode" = lean ] && fields=(--fields recommendation,margin,confidence)
  /usr/bin/time -f "%M" -o "$work/$mode.rss" "$bin" recommend --batch "$work/lines.jsonl" "${fields[@]}" >/dev/null 2>&1 || true
done
python3 - "$work" "$lines" <<'PY'
import json, sys
work, lines = sys.argv[1], int(sys.argv[2])
results = json.load(open(f"{work}/batch.json"))["results"]
targets = {"full": (500_000, 32), "lean": (2_000_000, 32)}
for mode, r in zip(("full", "lean"), results):
    rate = lines / r["median"]
    rss = int(open(f"{work}/{mode}.rss").read().split()[-1]) / 1024
    want_rate, want_rss = targets[mode]
    print(f"{mode}: median {r['median']:.2f} s, {rate:,.0f} answer sets/s (target >= {want_rate:,}), "
          f"peak {rss:.1f} MiB (target <= {want_rss} MiB)")
PY
