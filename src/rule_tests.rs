//! Running a rule set's embedded tests and conflict examples.

use crate::answers::{Answers, Source};
use crate::plan;
use crate::rules::{Mask, RuleSet, TestModel};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseKind {
    Test,
    Conflict,
}

#[derive(Debug, Clone)]
pub struct CaseResult {
    pub kind: CaseKind,
    pub name: String,
    /// Each model as the case ran it: its answers, verdict and stack in the plan.
    pub models: Vec<CaseModel>,
    /// The plan's stacks, in tie-break order (one for a one-model app); `None`: a model has
    /// every outcome ruled out (a test's `expect: none`).
    pub expected: Option<Vec<usize>>,
    /// `None` when constraints exclude every outcome for a model, or the case's models could
    /// not be made (`problem`).
    pub got: Option<Vec<usize>>,
    /// Why the case's models could not be made from its answers (an answer a listed model
    /// cannot take, such as a built-in framework for another kind of model).
    pub problem: Option<String>,
    /// The plan rules that applied (with a move: those that moved a model).
    pub applied: Vec<plan::compose::Applied>,
}

/// One model of a case: its name, its own verdict (the answers the case gave it, defaults
/// filled in), and its stack in the plan after the plan rules (`None`: no stack fits it).
#[derive(Debug, Clone)]
pub struct CaseModel {
    pub name: String,
    pub verdict: crate::engine::Verdict,
    pub stack: Option<usize>,
}

impl CaseResult {
    pub fn passed(&self) -> bool {
        self.problem.is_none() && self.got == self.expected
    }
}

fn case(
    rules: &RuleSet,
    kind: CaseKind,
    name: &str,
    answers: &[Mask],
    listed: &[TestModel],
    expected: Option<Vec<usize>>,
) -> CaseResult {
    let all = Answers {
        masks: answers.to_vec(),
        sources: vec![Source::File; answers.len()],
    };
    let listed: Vec<crate::answers::FileModel> = listed
        .iter()
        .map(|m| crate::answers::FileModel {
            name: m.name.to_string(),
            given: m.given.to_vec(),
        })
        .collect();
    let (got, models, problem, applied) = match plan::models::split_with(rules, &all, &[], &listed)
    {
        Ok(models) => {
            let composed = plan::compose::compose(rules, models);
            let got = plan::stacks(rules, &composed.entries);
            let models = composed
                .models
                .into_iter()
                .zip(&composed.entries)
                .map(|(m, e)| CaseModel {
                    name: m.model.name,
                    verdict: m.verdict,
                    stack: e.stack,
                })
                .collect();
            (got, models, None, composed.applied)
        }
        Err(problem) => (None, Vec::new(), Some(problem), Vec::new()),
    };
    CaseResult {
        kind,
        name: name.to_owned(),
        models,
        expected,
        got,
        problem,
        applied,
    }
}

/// Every embedded test, then every conflict example, in file order.
pub fn run_all(rules: &RuleSet) -> Vec<CaseResult> {
    let tests = rules.tests.iter().map(|t| {
        let expect = t.expect.as_ref().map(|e| e.to_vec());
        case(
            rules,
            CaseKind::Test,
            &t.name,
            &t.answers,
            &t.models,
            expect,
        )
    });
    let conflicts = rules.conflicts.iter().map(|c| {
        case(
            rules,
            CaseKind::Conflict,
            &c.id,
            &c.example,
            &[],
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
