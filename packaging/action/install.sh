#!/usr/bin/env bash
# Install mlstack for the composite action (action.yml): download the release archive for this
# runner, check its SHA-256, unpack it and put the binary on the job's PATH. With
# MLSTACK_VERSION=installed, use the mlstack already on PATH.
#
# Environment: MLSTACK_VERSION (a version such as 0.1.0, or `installed`), RUNNER_OS,
# RUNNER_ARCH, RUNNER_TEMP, GITHUB_PATH (set by GitHub Actions); MLSTACK_RELEASE_BASE (default
# https://github.com/$GITHUB_ACTION_REPOSITORY/releases/download/v$MLSTACK_VERSION).
set -euo pipefail
version=${MLSTACK_VERSION:?MLSTACK_VERSION is not set}
if [ "$version" = installed ]; then
  command -v mlstack >/dev/null || {
    echo "::error::version: installed, but mlstack is not on PATH: build it in an earlier step (cargo install --locked --git <this repository>)"
    exit 1
  }
  exit 0
fi
case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
  macOS/ARM64) target=aarch64-apple-darwin ;;
  macOS/X64) target=x86_64-apple-darwin ;;
  Linux/X64) target=x86_64-unknown-linux-gnu ;;
  *) echo "::error::no mlstack release for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}"; exit 1 ;;
esac
base=${MLSTACK_RELEASE_BASE:-https://github.com/${GITHUB_ACTION_REPOSITORY:?}/releases/download/v$version}
name="mlstack-$version-$target"
dir="${RUNNER_TEMP:?}/mlstack-install"
mkdir -p "$dir"
for file in "$name.tar.gz" "$name.tar.gz.sha256"; do
  if ! curl --fail --silent --show-error --location -o "$dir/$file" "$base/$file"; then
    echo "::error::no mlstack $version release for $target at $base (has v$version been released?). Until a release exists, build mlstack from source in an earlier step (cargo install --locked --git <this repository>) and pass version: installed"
    exit 1
  fi
done
expected=$(cut -d' ' -f1 < "$dir/$name.tar.gz.sha256")
if command -v sha256sum >/dev/null; then
  actual=$(sha256sum "$dir/$name.tar.gz" | cut -d' ' -f1)
else
  actual=$(shasum -a 256 "$dir/$name.tar.gz" | cut -d' ' -f1)
fi
if [ "$expected" != "$actual" ]; then
  echo "::error::checksum mismatch for $name.tar.gz"
  exit 1
fi
tar -C "$dir" -xzf "$dir/$name.tar.gz"
echo "$dir/$name" >> "${GITHUB_PATH:?}"
