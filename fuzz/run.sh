#!/usr/bin/env bash
# Run the fuzz targets, seeded from fuzz/seeds/<target>/ and the repository's own rule,
# answers and JSON Lines files, and print each target's executions. Needs cargo-fuzz
# (`cargo install cargo-fuzz`); runs on stable through RUSTC_BOOTSTRAP.
#
#   fuzz/run.sh [SECONDS|goal] [TARGET...]
#
# SECONDS runs each target for that long (default 60) on JOBS processes (default 2). `goal` runs each until CONTRIBUTING.md's
# goal: 10,000,000 executions for the fast targets (parsers, no evaluation) and 1,000,000 for
# the full-pipeline ones (rules_loader, answers_loader, batch_lines), shared between the
# processes, which share the corpus too.
#
# No sanitizer: mlstack has no unsafe code that reads input (its one `unsafe` clears an
# environment variable at start-up), so AddressSanitizer would find nothing Rust's own checks
# do not, at about four times the cost of each execution. Debug assertions and overflow
# checks stay on.
set -euo pipefail
cd "$(dirname "$0")"
mode=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(rules_parse batch_line safetensors_header gguf_header coreml_spec rules_loader answers_loader batch_lines)
fi
jobs=${JOBS:-2}
# Build every target first, so that a build failure is not taken for a finding.
if ! build_log=$(RUSTC_BOOTSTRAP=1 cargo fuzz build -s none 2>&1); then
  echo "$build_log" | tail -30 >&2
  echo "fuzz/run.sh: the fuzz targets do not build" >&2
  exit 2
fi
for target in "${targets[@]}"; do
  corpus="corpus/$target"
  mkdir -p "$corpus"
  # Seeds: the target's own, and the repository's real inputs for the loaders.
  [ -d "seeds/$target" ] && cp -n seeds/"$target"/* "$corpus"/ 2>/dev/null || true
  case "$target" in
    # The small rule files: a mutated 100 KB rule set costs every structural-recovery pass.
    rules_parse|rules_loader) cp -n ../tests/fixtures/tiny*.yaml ../tests/fixtures/check-findings.yaml "$corpus"/ 2>/dev/null || true ;;
    answers_loader) cp -n ../examples/*.yaml "$corpus"/ 2>/dev/null || true ;;
    batch_lines) cp -n ../examples/*.jsonl "$corpus"/ 2>/dev/null || true ;;
    # One line per seed: the quick way's plain lines.
    batch_line) n=0; cat ../examples/*.jsonl | while IFS= read -r l; do n=$((n + 1)); printf '%s' "$l" > "$corpus/example-$n"; done ;;
  esac
  case "$target" in
    rules_loader|answers_loader|batch_lines) goal=1000000 ;;
    *) goal=10000000 ;;
  esac
  log=$(mktemp -d)
  flags=(-max_len=8192 -rss_limit_mb=2048 -jobs="$jobs" -workers="$jobs")
  if [ "$mode" = goal ]; then
    # Each of the JOBS processes takes its share of the goal.
    flags+=(-runs=$(( (goal + jobs - 1) / jobs )))
  else
    flags+=(-max_total_time="$mode")
  fi
  start=$SECONDS
  if (cd "$log" && RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir "$OLDPWD" -s none "$target" "$OLDPWD/$corpus" -- "${flags[@]}" >"$log/out" 2>&1); then
    # One "Done N runs" per process, in the fuzz-N.log file each job writes.
    runs=$(cat "$log"/fuzz-*.log | grep -aoE 'Done [0-9]+ runs' | awk '{n += $2} END {print n + 0}')
    echo "$target: $runs executions in $(( SECONDS - start )) s, no findings"
  else
    echo "$target: FINDING (see fuzz/artifacts/$target/)"
    cat "$log"/out "$log"/fuzz-*.log 2>/dev/null | grep -aE "panicked|ERROR|SUMMARY|artifact" | head -20
    rm -rf "$log"
    exit 1
  fi
  rm -rf "$log"
done
