//! Running a rule set's embedded tests and conflict examples.

use crate::answers::{Answers, Source};
use crate::plan;
use crate::rules::{Mask, RuleSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseKind {
    Test,
    Conflict,
}

#[derive(Debug, Clone)]
pub struct CaseResult {
    pub kind: CaseKind,
    pub name: String,
    /// The answer set the case ran (defaults filled in).
    pub answers: Vec<Mask>,
    /// The plan's stacks, in tie-break order (one for a one-model app); `None`: a model has
    /// every outcome ruled out (a test's `expect: none`).
    pub expected: Option<Vec<usize>>,
    /// `None` when constraints exclude every outcome for a model.
    pub got: Option<Vec<usize>>,
}

impl CaseResult {
    pub fn passed(&self) -> bool {
        self.got == self.expected
    }
}

fn case(
    rules: &RuleSet,
    kind: CaseKind,
    name: &str,
    answers: &[Mask],
    expected: Option<Vec<usize>>,
) -> CaseResult {
    let all = Answers {
        masks: answers.to_vec(),
        sources: vec![Source::File; answers.len()],
    };
    let composed = plan::compose::compose(rules, plan::models::split(rules, &all));
    CaseResult {
        kind,
        name: name.to_owned(),
        answers: answers.to_vec(),
        expected,
        got: plan::stacks(rules, &composed.entries),
    }
}

/// Every embedded test, then every conflict example, in file order.
pub fn run_all(rules: &RuleSet) -> Vec<CaseResult> {
    let tests = rules.tests.iter().map(|t| {
        let expect = t.expect.as_ref().map(|e| e.to_vec());
        case(rules, CaseKind::Test, &t.name, &t.answers, expect)
    });
    let conflicts = rules.conflicts.iter().map(|c| {
        case(
            rules,
            CaseKind::Conflict,
            &c.id,
            &c.example,
            Some(vec![c.wins]),
        )
    });
    tests.chain(conflicts).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: &str = r#"
name: t
outcomes:
  - {id: a, name: A, summary: a}
  - {id: b, name: B, summary: b}
questions:
  - id: first
    prompt: First?
    kind: single
    default: p
    options:
      - {id: p, label: P}
      - {id: q, label: Q}
rules:
  - id: r1
    when: {first: p}
    score: {a: 1}
    why: w
    cite: c
constraints:
  - id: nothing-for-q
    when: {first: q}
    exclude: [a, b]
    why: w
    source: s
tie_break: [a, b]
confidence: {strong: 2, moderate: 1}
tests:
  - {name: q leaves nothing, answers: {first: q}, expect: none}
  - {name: p is not nothing, answers: {first: p}, expect: none}
  - {name: q is not a, answers: {first: q}, expect: a}
"#;

    #[test]
    fn expect_none_passes_only_where_every_outcome_is_ruled_out() {
        let rules = crate::rules::load_rules("t.yaml", RULES.as_bytes()).unwrap();
        let passed: Vec<bool> = run_all(&rules).iter().map(CaseResult::passed).collect();
        assert_eq!(passed, [true, false, false]);
    }
}
