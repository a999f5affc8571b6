#!/usr/bin/env python3
"""Random answer sets as JSON Lines, for the batch benchmark.

Reads `mlstack questions --format json` on stdin and writes N lines (argv[1]) to stdout,
each answering every question with a random legal answer: one option for a single-choice
question, one to three options for a multi-choice one (an option called `none` alone).
The seed is fixed, so every run measures the same file.
"""
import json
import random
import sys

count = int(sys.argv[1])
questions = json.load(sys.stdin)["questions"]
rng = random.Random(2026)
out = sys.stdout
for _ in range(count):
    line = {}
    for q in questions:
        ids = [o["id"] for o in q["options"]]
        if q["kind"] == "single":
            line[q["id"]] = rng.choice(ids)
        else:
            free = [i for i in ids if i != "none"]
            if "none" in ids and rng.random() < 0.25:
                line[q["id"]] = ["none"]
            else:
                line[q["id"]] = rng.sample(free, rng.randint(1, min(3, len(free))))
    out.write(json.dumps(line, separators=(",", ":")))
    out.write("\n")
