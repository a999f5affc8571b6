//! Running a rule set's embedded tests and conflict examples.

use crate::engine;
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
    pub expected: usize,
    /// `None` when constraints exclude every outcome.
    pub got: Option<usize>,
}

impl CaseResult {
    pub fn passed(&self) -> bool {
        self.got == Some(self.expected)
    }
}

fn case(
    rules: &RuleSet,
    kind: CaseKind,
    name: &str,
    answers: &[Mask],
    expected: usize,
) -> CaseResult {
    CaseResult {
        kind,
        name: name.to_owned(),
        answers: answers.to_vec(),
        expected,
        got: engine::evaluate(rules, answers).winner(),
    }
}

/// Every embedded test, then every conflict example, in file order.
pub fn run_all(rules: &RuleSet) -> Vec<CaseResult> {
    let tests = rules
        .tests
        .iter()
        .map(|t| case(rules, CaseKind::Test, &t.name, &t.answers, t.expect));
    let conflicts = rules
        .conflicts
        .iter()
        .map(|c| case(rules, CaseKind::Conflict, &c.id, &c.example, c.wins));
    tests.chain(conflicts).collect()
}
