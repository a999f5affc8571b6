#!/usr/bin/env bash
# Render the Homebrew formula for a release from the template and the archives' checksum
# files (written by packaging/package.sh):
#
#   packaging/homebrew/render.sh VERSION URL_BASE HOMEPAGE DIST_DIR > mlstack.rb
#
# URL_BASE is where the archives are downloaded from (a GitHub release's download folder).
# Fails, naming it, when a target's checksum file is missing.
set -euo pipefail
if [ $# -ne 4 ]; then
  echo "usage: $0 VERSION URL_BASE HOMEPAGE DIST_DIR" >&2
  exit 2
fi
version=$1 url_base=$2 homepage=$3 dist=$4
template="$(dirname "$0")/mlstack.rb.in"
text=$(cat "$template")
for target in aarch64-apple-darwin x86_64-apple-darwin x86_64-unknown-linux-gnu; do
  file="$dist/mlstack-$version-$target.tar.gz.sha256"
  if [ ! -f "$file" ]; then
    echo "render.sh: no checksum for $target ($file)" >&2
    exit 1
  fi
  sum=$(cut -d' ' -f1 < "$file")
  key="@SHA256_$(echo "$target" | tr 'a-z-' 'A-Z_')@"
  text=${text//$key/$sum}
done
text=${text//@VERSION@/$version}
text=${text//@URL_BASE@/$url_base}
text=${text//@HOMEPAGE@/$homepage}
if grep -q '@[A-Z0-9_]*@' <<< "$text"; then
  echo "render.sh: placeholders left in the formula" >&2
  exit 1
fi
printf '%s\n' "$text"
