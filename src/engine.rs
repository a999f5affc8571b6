//! The scoring engine: compiled rules + one full answer set -> [`Verdict`]. Pure: no I/O.

use crate::rules::{Mask, RuleSet};

/// What the rules make of one answer set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Points per outcome index: the sum of the fired rules' points.
    pub scores: Vec<i32>,
    /// Bit per outcome index excluded by a constraint.
    pub excluded: u64,
    /// Indices of rules whose condition held, in file order.
    pub fired_rules: Vec<usize>,
    /// Indices of constraints whose condition held, in file order.
    pub fired_constraints: Vec<usize>,
    /// Indices of notes whose condition held, in file order.
    pub notes: Vec<usize>,
    /// Outcomes not excluded, best first: higher score, then earlier in `tie_break`.
    pub ranking: Vec<usize>,
}

impl Verdict {
    /// The recommended outcome; `None` when constraints exclude every outcome.
    pub fn winner(&self) -> Option<usize> {
        self.ranking.first().copied()
    }

    pub fn runner_up(&self) -> Option<usize> {
        self.ranking.get(1).copied()
    }

    /// Winner's score minus the runner-up's; `None` without both.
    pub fn margin(&self) -> Option<i32> {
        Some(self.scores[self.winner()?] - self.scores[self.runner_up()?])
    }

    pub fn is_excluded(&self, outcome: usize) -> bool {
        self.excluded & (1 << outcome) != 0
    }
}

/// Evaluate `answers` (one mask per question, every question answered) against `rules`.
pub fn evaluate(rules: &RuleSet, answers: &[Mask]) -> Verdict {
    debug_assert_eq!(answers.len(), rules.questions.len());
    let mut scores = vec![0i32; rules.outcomes.len()];
    let mut fired_rules = Vec::new();
    for (i, rule) in rules.rules.iter().enumerate() {
        if rule.when.as_ref().is_none_or(|c| c.holds(answers)) {
            fired_rules.push(i);
            for &(outcome, points) in &rule.score {
                scores[outcome] = scores[outcome].saturating_add(points);
            }
        }
    }
    let mut excluded = 0u64;
    let mut fired_constraints = Vec::new();
    for (i, constraint) in rules.constraints.iter().enumerate() {
        if constraint.when.holds(answers) {
            fired_constraints.push(i);
            excluded |= constraint.exclude;
        }
    }
    let notes = rules
        .notes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.when.as_ref().is_none_or(|c| c.holds(answers)))
        .map(|(i, _)| i)
        .collect();
    let mut ranking: Vec<usize> = rules
        .tie_break
        .iter()
        .copied()
        .filter(|&o| excluded & (1 << o) == 0)
        .collect();
    // Stable sort: equal scores keep tie-break order.
    ranking.sort_by_key(|&o| std::cmp::Reverse(scores[o]));
    Verdict {
        scores,
        excluded,
        fired_rules,
        fired_constraints,
        notes,
        ranking,
    }
}
