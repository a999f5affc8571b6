#!/usr/bin/env bash
# Run every fuzz target for SECONDS each (default 60), seeded from fuzz/seeds/<target>/ and
# the rule and answers files of the repository, and print each target's executions. Needs
# cargo-fuzz (`cargo install cargo-fuzz`); runs on stable through RUSTC_BOOTSTRAP.
#
#   fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(rules_parse rules_loader answers_loader batch_lines safetensors_header gguf_header coreml_spec)
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
  esac
  log=$(mktemp)
  if RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" "$corpus" -- -max_total_time="$seconds" -max_len=8192 -rss_limit_mb=2048 >"$log" 2>&1; then
    runs=$(grep -aoE 'Done [0-9]+ runs' "$log" | tail -1 || true)
    echo "$target: ${runs:-no summary} in ${seconds} s, no findings"
  else
    echo "$target: FINDING (see fuzz/artifacts/$target/)"
    tail -20 "$log"
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
done
