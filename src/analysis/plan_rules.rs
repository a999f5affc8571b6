//! `rules check` on the rule set's plan rules (`plan:`): whether each can apply at all, and
//! which of the rule file's own tests show it applying and not applying. A plan rule looks
//! at several models of one app, so the one-model space `check` goes over cannot decide it;
//! what it can decide is sound: a pattern whose stacks win no answer set is met by no model,
//! so its rule never applies. That a rule does apply is shown by a test of several models
//! (for a rule with a move: a test where it moves a model). Pure: no I/O.

use crate::rule_tests::{CaseKind, CaseResult};
use crate::rules::RuleSet;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRuleFinding {
    pub rule: usize,
    /// A pattern (its index) that no model can meet: none of its stacks wins anywhere.
    pub unreachable: Option<usize>,
    /// The first test of several models where the rule applies (moves a model, for a move).
    pub shown_by: Option<String>,
    /// The first test of several models where it does not.
    pub not_by: Option<String>,
}

impl PlanRuleFinding {
    /// Findings that make `rules check` fail: a rule that cannot apply (one problem), or one
    /// the tests do not show applying, or not applying.
    pub fn problems(&self) -> usize {
        if self.unreachable.is_some() {
            return 1;
        }
        usize::from(self.shown_by.is_none()) + usize::from(self.not_by.is_none())
    }
}

/// Each plan rule of `rules`, judged from the answer sets each outcome wins (`wins`, from
/// `check`) and the rule file's test results (`cases`).
pub fn plan_rules(rules: &RuleSet, wins: &[u128], cases: &[CaseResult]) -> Vec<PlanRuleFinding> {
    let several: Vec<&CaseResult> = cases
        .iter()
        .filter(|c| c.kind == CaseKind::Test && c.models.len() > 1 && c.problem.is_none())
        .collect();
    rules
        .plan
        .rules
        .iter()
        .enumerate()
        .map(|(r, rule)| {
            let unreachable = rule.models.iter().position(|p| {
                p.stacks != 0
                    && (0..rules.outcomes.len())
                        .filter(|&o| p.stacks & (1 << o) != 0)
                        .all(|o| wins.get(o).is_none_or(|&w| w == 0))
            });
            let applies = |c: &&&CaseResult| c.applied.iter().any(|a| a.rule == r);
            PlanRuleFinding {
                rule: r,
                unreachable,
                shown_by: several.iter().find(applies).map(|c| c.name.clone()),
                not_by: several.iter().find(|c| !applies(c)).map(|c| c.name.clone()),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: &str = include_str!("../../tests/fixtures/plan-rules.yaml");

    #[test]
    fn a_rule_is_shown_by_tests_and_a_pattern_no_stack_wins_is_unreachable() {
        let rules = crate::rules::load_rules("t.yaml", RULES.as_bytes()).unwrap();
        let cases = crate::rule_tests::run_all(&rules);
        let found = plan_rules(&rules, &[3, 1, 0], &cases);
        assert_eq!(found[0].shown_by.as_deref(), Some("both kinds"));
        assert_eq!(found[0].not_by, None);
        assert_eq!(found[0].unreachable, None);
        assert_eq!(found[0].problems(), 1);
        assert_eq!(found[1].unreachable, Some(0));
        assert_eq!(found[1].shown_by, None);
        assert_eq!(found[1].not_by.as_deref(), Some("both kinds"));
        assert_eq!(found[1].problems(), 1);
    }
}
