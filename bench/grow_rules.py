#!/usr/bin/env python3
"""Write the default rules grown by extra questions, for `rules check`/`rules diff` timing on a
larger answer space: `grow_rules.py QUESTIONS OPTIONS > grown.yaml` adds QUESTIONS single-choice
questions of OPTIONS options each, every option but the first giving one of the existing
outcomes a few points, so each question multiplies the space of class combinations by OPTIONS
(4x: 1 question of 4 options; 100x: 2 of 10)."""
import sys

questions, options = int(sys.argv[1]), int(sys.argv[2])
text = open(sys.argv[3] if len(sys.argv) > 3 else "rules/default.yaml", encoding="utf-8").read()
outcomes = ["core-ml", "mlx", "core-ai", "both", "built-in", "mlx-then-core-ml"]
new_questions, new_rules = [], []
for i in range(questions):
    new_questions.append(f"  - id: grow-{i}\n    prompt: Grown question {i}?\n    kind: single\n"
                         f"    default: g0\n    options:\n"
                         + "".join(f"      - id: g{k}\n        label: G{k}\n" for k in range(options)))
    for k in range(1, options):
        outcome = outcomes[(i + k) % len(outcomes)]
        new_rules.append(f"  - id: grow-{i}-g{k}\n    when: {{grow-{i}: g{k}}}\n"
                         f"    score: {{{outcome}: {k}}}\n    why: grown\n    cite: grown\n")
text = text.replace("\nrules:\n", "\n" + "".join(new_questions) + "\nrules:\n", 1)
text = text.replace("\nconstraints:\n", "\n" + "".join(new_rules) + "\nconstraints:\n", 1)
sys.stdout.write(text)
