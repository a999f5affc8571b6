#!/usr/bin/env bash
# The decision gate of the composite action (action.yml): write the verdict for the answers
# file as Markdown to the job summary, then fail the step (exit 1, with an error annotation)
# unless the recommendation is the expected outcome. Input errors keep mlstack's exit code 2.
#
# Environment: MLSTACK_ANSWERS, MLSTACK_EXPECT, optional MLSTACK_RULES_FILE and
# MLSTACK_MODEL_PATH; GITHUB_STEP_SUMMARY (set by GitHub Actions).
set -uo pipefail
answers=${MLSTACK_ANSWERS:?MLSTACK_ANSWERS is not set}
expect=${MLSTACK_EXPECT:?MLSTACK_EXPECT is not set}
args=(recommend --answers "$answers" --no-input)
if [ -n "${MLSTACK_RULES_FILE:-}" ]; then args+=(--rules "$MLSTACK_RULES_FILE"); fi
if [ -n "${MLSTACK_MODEL_PATH:-}" ]; then args+=(--model "$MLSTACK_MODEL_PATH"); fi
summary=$(mlstack "${args[@]}" --format markdown)
status=$?
if [ $status -ne 0 ]; then
  echo "::error::mlstack could not make a recommendation (exit $status)"
  exit $status
fi
printf '%s\n' "$summary" >> "${GITHUB_STEP_SUMMARY:-/dev/null}"
# The gate runs the same answers again: its warnings were shown above, so only its own
# message is kept (the last line of stderr), for the annotation.
gate=$(mlstack "${args[@]}" --expect "$expect" --format json 2>&1 >/dev/null)
status=$?
said=$(printf '%s\n' "$gate" | tail -n 1 | sed 's/^mlstack: error: //')
case $status in
  0) ;;
  1) echo "::error::the recommendation is no longer $expect: $said (see the job summary)" ;;
  *) echo "::error::the expect input names no outcome or model of these rules: $said" ;;
esac
exit $status
