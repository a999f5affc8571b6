#!/usr/bin/env bash
# Whole-process start-up: `mlstack recommend --model-type llm --format json` against a minimal
# Rust binary that prints one line, in one hyperfine run. Prints both medians and the ratio,
# then (when valgrind is installed) both programs' instruction counts under callgrind.
# Needs hyperfine (Debian: apt-get install hyperfine); valgrind is optional.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "bench/startup.sh needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/minimal/src"
cat > "$work/minimal/Cargo.toml" <<'TOML'
[package]
name = "minimal"
version = "0.1.0"
edition = "2024"
TOML
echo 'fn main() { println!("{{\"recommendation\": \"mlx\"}}"); }' > "$work/minimal/src/main.rs"
cargo build --release --quiet --manifest-path "$work/minimal/Cargo.toml" --target-dir "$work/target"
cargo build --release --quiet
minimal="$work/target/release/minimal"
hyperfine -N --warmup 50 --runs "${RUNS:-2000}" --export-json "$work/startup.json" \
  "$minimal" "./target/release/mlstack recommend --model-type llm --format json"
python3 - "$work/startup.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
floor, ours = (r["median"] * 1000 for r in results)
print(f"median: minimal {floor:.3f} ms, mlstack {ours:.3f} ms, ratio {ours / floor:.2f}x (target <= 1.2x)")
PY
if command -v valgrind >/dev/null; then
  count() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
      sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
  }
  floor=$(count "$minimal")
  ours=$(count ./target/release/mlstack recommend --model-type llm --format json)
  python3 -c "import sys; f, o = int(sys.argv[1]), int(sys.argv[2]); print(f'instructions: minimal {f:,}, mlstack {o:,}, ratio {o / f:.2f}x (target <= 2x)')" "$floor" "$ours"
fi
