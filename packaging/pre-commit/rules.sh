#!/usr/bin/env bash
# pre-commit entry point: run `mlstack rules validate` or `mlstack rules test` on each rule
# file pre-commit passes, report every failing file, and fail if any failed.
#
#   packaging/pre-commit/rules.sh validate|test FILE...
set -uo pipefail
command=${1:?usage: rules.sh validate|test FILE...}
case "$command" in validate|test) ;; *) echo "rules.sh: unknown command $command" >&2; exit 2 ;; esac
shift
failed=0
for file in "$@"; do
  mlstack rules "$command" "$file" || failed=1
done
exit $failed
