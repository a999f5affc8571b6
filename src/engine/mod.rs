//! The scoring engine: compiled rules + one full answer set -> [`Verdict`]. Pure: no I/O.
//! This file walks the condition trees; [`evaluator`] is the same engine tabulated per group of
//! questions, for callers that evaluate many answer sets.

pub mod evaluator;
pub mod partition;

use crate::rules::{MAX_OUTCOMES, Mask, RuleSet};

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

    /// The standing where the winner is unavailable (the system model on a device without
    /// it): the winner dropped from the ranking, as if ruled out, though no constraint rules it
    /// out (so confidence does not count it as a better stack the new leader won by
    /// elimination). `None` when nothing is left.
    pub fn without_winner(&self) -> Option<Verdict> {
        let winner = self.winner()?;
        self.runner_up()?;
        let mut v = self.clone();
        v.excluded |= 1 << winner;
        v.ranking.remove(0);
        Some(v)
    }

    /// The standing of the outcomes from points and exclusions already summed (by the
    /// tabulated evaluator), for callers that need only scores and ranking: which rules,
    /// constraints and notes fired is left empty.
    pub fn standing(rules: &RuleSet, scores: Vec<i32>, excluded: u64) -> Verdict {
        let ranking = ranking(rules, &scores, excluded);
        Verdict {
            scores,
            excluded,
            fired_rules: Vec::new(),
            fired_constraints: Vec::new(),
            notes: Vec::new(),
            ranking,
        }
    }
}

/// Just the winner of [`evaluate`], without allocating: for searches over many answer sets.
pub fn winner(rules: &RuleSet, answers: &[Mask]) -> Option<usize> {
    let mut scores = [0i32; MAX_OUTCOMES];
    let excluded = score_into(rules, answers, &mut scores, None);
    top_two(rules, &scores, excluded).0
}

/// Add the points of the rules that fire to `scores` (one slot per outcome, zeroed by the
/// caller), set their bits in `fired` if given, and return the mask of excluded outcomes.
pub fn score_into(
    rules: &RuleSet,
    answers: &[Mask],
    scores: &mut [i32],
    mut fired: Option<&mut [u64]>,
) -> u64 {
    for (i, rule) in rules.rules.iter().enumerate() {
        if rule.when.as_ref().is_none_or(|c| c.holds(answers)) {
            for &(outcome, points) in &rule.score {
                scores[outcome] = scores[outcome].saturating_add(points);
            }
            if let Some(bits) = fired.as_deref_mut() {
                bits[i / 64] |= 1 << (i % 64);
            }
        }
    }
    rules
        .constraints
        .iter()
        .filter(|c| c.when.holds(answers))
        .fold(0u64, |m, c| m | c.exclude)
}

/// The best and second-best outcomes not excluded: higher score first, then earlier in
/// `tie_break` (the same order as [`Verdict::ranking`]).
pub fn top_two(rules: &RuleSet, scores: &[i32], excluded: u64) -> (Option<usize>, Option<usize>) {
    let mut first: Option<usize> = None;
    let mut second: Option<usize> = None;
    for &o in &rules.tie_break {
        if excluded & (1 << o) != 0 {
            continue;
        }
        match first {
            Some(f) if scores[o] <= scores[f] => {
                if second.is_none_or(|s| scores[o] > scores[s]) {
                    second = Some(o);
                }
            }
            _ => {
                second = first;
                first = Some(o);
            }
        }
    }
    (first, second)
}

/// Evaluation while only some questions vary: the rules and constraints that do not look at
/// them are evaluated once, up front, and each answer set re-evaluates only the others.
#[derive(Debug, Clone)]
pub struct Partial<'r> {
    rules: &'r RuleSet,
    base: [i32; MAX_OUTCOMES],
    base_excluded: u64,
    varying_rules: Vec<usize>,
    varying_constraints: Vec<usize>,
}

/// The questions each rule's and each constraint's condition looks at (a bit per question),
/// worked out once for many [`Partial`] evaluations.
#[derive(Debug, Clone)]
pub struct LooksAt {
    rules: Vec<u64>,
    constraints: Vec<u64>,
}

impl LooksAt {
    pub fn new(rules: &RuleSet) -> Self {
        LooksAt {
            rules: rules
                .rules
                .iter()
                .map(|r| r.when.as_ref().map_or(0, |c| c.questions()))
                .collect(),
            constraints: rules
                .constraints
                .iter()
                .map(|c| c.when.questions())
                .collect(),
        }
    }
}

impl<'r> Partial<'r> {
    /// `answers` fixes every question; `varying` has a bit per question that may change.
    pub fn new(rules: &'r RuleSet, looks_at: &LooksAt, answers: &[Mask], varying: u64) -> Self {
        let mut base = [0i32; MAX_OUTCOMES];
        let mut varying_rules = Vec::new();
        for (i, rule) in rules.rules.iter().enumerate() {
            match &rule.when {
                Some(_) if looks_at.rules[i] & varying != 0 => varying_rules.push(i),
                Some(c) if !c.holds(answers) => {}
                _ => {
                    for &(o, p) in &rule.score {
                        base[o] = base[o].saturating_add(p);
                    }
                }
            }
        }
        let mut base_excluded = 0u64;
        let mut varying_constraints = Vec::new();
        for (i, c) in rules.constraints.iter().enumerate() {
            if looks_at.constraints[i] & varying != 0 {
                varying_constraints.push(i);
            } else if c.when.holds(answers) {
                base_excluded |= c.exclude;
            }
        }
        Partial {
            rules,
            base,
            base_excluded,
            varying_rules,
            varying_constraints,
        }
    }

    /// The winner of `answers`, which may differ from the fixed ones only in varying questions.
    pub fn winner(&self, answers: &[Mask]) -> Option<usize> {
        let mut scores = self.base;
        for &i in &self.varying_rules {
            let rule = &self.rules.rules[i];
            if rule.when.as_ref().is_none_or(|c| c.holds(answers)) {
                for &(o, p) in &rule.score {
                    scores[o] = scores[o].saturating_add(p);
                }
            }
        }
        let excluded = self
            .varying_constraints
            .iter()
            .map(|&i| &self.rules.constraints[i])
            .filter(|c| c.when.holds(answers))
            .fold(self.base_excluded, |m, c| m | c.exclude);
        top_two(self.rules, &scores, excluded).0
    }
}

/// Outcomes not excluded, best first: higher score, then earlier in `tie_break`.
fn ranking(rules: &RuleSet, scores: &[i32], excluded: u64) -> Vec<usize> {
    let mut ranking: Vec<usize> = rules
        .tie_break
        .iter()
        .copied()
        .filter(|&o| excluded & (1 << o) == 0)
        .collect();
    // Stable sort: equal scores keep tie-break order.
    ranking.sort_by_key(|&o| std::cmp::Reverse(scores[o]));
    ranking
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
    let ranking = ranking(rules, &scores, excluded);
    Verdict {
        scores,
        excluded,
        fired_rules,
        fired_constraints,
        notes,
        ranking,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::load_rules;

    const RULES: &str = r#"
name: engine-test
outcomes:
  - {id: a, name: A, summary: a}
  - {id: b, name: B, summary: b}
  - {id: c, name: C, summary: c}
questions:
  - id: kind
    prompt: Kind?
    kind: multi
    required: true
    options:
      - {id: x, label: X}
      - {id: y, label: Y}
      - {id: z, label: Z}
  - id: flag
    prompt: Flag?
    kind: single
    default: "off"
    options:
      - {id: "on", label: On}
      - {id: "off", label: Off}
rules:
  - id: x-likes-a
    when: {kind: x}
    score: {a: 3}
    why: w
    cite: c
  - id: y-or-z-likes-b
    when: {kind: [y, z]}
    score: {b: 2, c: 1}
    why: w
    cite: c
  - id: on-and-not-x-likes-c
    when: {flag: "on", not: {kind: x}}
    score: {c: 4}
    why: w
    cite: c
  - id: always-a-little-b
    score: {b: 1}
    why: w
    cite: c
constraints:
  - id: z-rules-out-a
    when: {kind: z}
    exclude: [a]
    why: w
    source: s
  - id: on-with-x-rules-out-all
    when: {all: [{flag: "on"}, {kind: x}, {any: [{kind: y}, {kind: z}]}]}
    exclude: [a, b, c]
    why: w
    source: s
tie_break: [c, b, a]
confidence: {strong: 3, moderate: 2}
"#;

    fn rules() -> RuleSet {
        load_rules("engine-test.yaml", RULES.as_bytes()).expect("valid")
    }

    /// Answers from option ids: (kind ids, flag id).
    fn answers(rules: &RuleSet, kind: &[&str], flag: &str) -> Vec<Mask> {
        vec![
            rules.questions[0]
                .answer_mask(kind.iter().copied())
                .unwrap(),
            rules.questions[1].answer_mask([flag]).unwrap(),
        ]
    }

    #[test]
    fn fast_winner_agrees_with_evaluate() {
        let r = rules();
        for kind in [
            &["x"][..],
            &["y"],
            &["z"],
            &["x", "y"],
            &["x", "z"],
            &["y", "z"],
            &["x", "y", "z"],
        ] {
            for flag in ["on", "off"] {
                let a = answers(&r, kind, flag);
                assert_eq!(winner(&r, &a), evaluate(&r, &a).winner(), "{kind:?} {flag}");
            }
        }
    }

    #[test]
    fn scores_are_the_sum_of_fired_rules() {
        let r = rules();
        let v = evaluate(&r, &answers(&r, &["x", "y"], "off"));
        assert_eq!(v.fired_rules, [0, 1, 3]);
        assert_eq!(v.scores, [3, 3, 1]);
    }

    #[test]
    fn ties_follow_the_tie_break_order() {
        let r = rules();
        let v = evaluate(&r, &answers(&r, &["x", "y"], "off"));
        // a and b both score 3; b comes first in tie_break.
        assert_eq!(v.ranking, [1, 0, 2]);
        assert_eq!(v.margin(), Some(0));
    }

    #[test]
    fn not_and_any_of_semantics() {
        let r = rules();
        let v = evaluate(&r, &answers(&r, &["z"], "on"));
        assert!(v.fired_rules.contains(&2), "flag on and kind not x");
        let v = evaluate(&r, &answers(&r, &["x", "z"], "off"));
        assert!(!v.fired_rules.contains(&2));
    }

    #[test]
    fn excluded_outcomes_never_win() {
        let r = rules();
        let v = evaluate(&r, &answers(&r, &["x", "z"], "off"));
        // a scores highest (3) but z rules it out.
        assert_eq!(v.scores[0], 3);
        assert!(v.is_excluded(0));
        assert_eq!(v.winner(), Some(1));
        assert_eq!(v.fired_constraints, [0]);
    }

    #[test]
    fn all_excluded_means_no_winner() {
        let r = rules();
        let v = evaluate(&r, &answers(&r, &["x", "y"], "on"));
        assert_eq!(v.winner(), None);
        assert_eq!(v.margin(), None);
    }

    /// `top_two` against a plain sort, for every score vector in {0,1,2}^3 and every set of
    /// exclusions, under every tie-break order.
    #[test]
    fn top_two_is_the_head_of_the_ranking() {
        let mut r = rules();
        let orders = [
            [0, 1, 2],
            [0, 2, 1],
            [1, 0, 2],
            [1, 2, 0],
            [2, 0, 1],
            [2, 1, 0],
        ];
        for order in orders {
            r.tie_break = order.to_vec().into();
            for n in 0..27 {
                let scores = [n % 3, n / 3 % 3, n / 9];
                for excluded in 0..8u64 {
                    let mut ranking: Vec<usize> = order
                        .iter()
                        .copied()
                        .filter(|&o| excluded & (1 << o) == 0)
                        .collect();
                    ranking.sort_by_key(|&o| std::cmp::Reverse(scores[o]));
                    assert_eq!(
                        top_two(&r, &scores, excluded),
                        (ranking.first().copied(), ranking.get(1).copied()),
                        "{scores:?} excluding {excluded:b}, tie-break {order:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn each_outcome_is_excluded_only_by_its_own_bit() {
        let mut v = evaluate(&rules(), &answers(&rules(), &["y"], "off"));
        for excluded in 0..8u64 {
            v.excluded = excluded;
            for o in 0..3 {
                assert_eq!(v.is_excluded(o), excluded & (1 << o) != 0);
            }
        }
    }

    #[test]
    fn a_single_survivor_has_no_margin() {
        let mut r = rules();
        r.constraints.to_mut()[0].exclude = 0b011;
        let v = evaluate(&r, &answers(&r, &["z"], "off"));
        assert_eq!(v.ranking, [2]);
        assert_eq!(v.margin(), None);
    }
}
