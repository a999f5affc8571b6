//! The app's plan from its models' verdicts: each model evaluated alone (the app's answers
//! plus its own), then the rule set's plan rules — a rule applies when each of its model
//! patterns is met by a different model. Rules with a move go first, in file order, each
//! moving every other model close enough to its stack there; the rules that only describe
//! the plan then look at the stacks the moves left. Pure.

use super::Entry;
use super::models::Model;
use crate::engine::{self, Verdict};
use crate::rules::{PlanRule, RuleSet};

/// A model with its verdict.
#[derive(Debug, Clone)]
pub struct Evaluated {
    pub model: Model,
    pub verdict: Verdict,
}

/// A plan rule that applied, and the models it moved: (model index, from, to).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub rule: usize,
    pub moved: Vec<(usize, usize, usize)>,
}

/// The models' verdicts composed.
#[derive(Debug, Clone)]
pub struct Composed {
    pub models: Vec<Evaluated>,
    /// One entry per model: its stack after the plan rules.
    pub entries: Vec<Entry>,
    pub applied: Vec<Applied>,
}

pub fn compose(rules: &RuleSet, models: Vec<Model>) -> Composed {
    let models: Vec<Evaluated> = models
        .into_iter()
        .map(|model| Evaluated {
            verdict: engine::evaluate(rules, &model.answers.masks),
            model,
        })
        .collect();
    let mut stacks: Vec<Option<usize>> = models.iter().map(|m| m.verdict.winner()).collect();
    let mut applied = Vec::new();
    if models.len() > 1 {
        // Moves first, in file order; then the rules that only describe the plan, on the
        // stacks the moves left.
        for (r, rule) in rules.plan.rules.iter().enumerate() {
            let Some(to) = rule.moves.as_ref() else {
                continue;
            };
            let Some(anchors) = matching(rule, &models, &stacks) else {
                continue;
            };
            let mut moved = Vec::new();
            for (i, m) in models.iter().enumerate() {
                let Some(from) = stacks[i] else { continue };
                let close = from != to.to
                    && !anchors.contains(&i)
                    && !m.verdict.is_excluded(to.to)
                    && to
                        .when
                        .as_ref()
                        .is_none_or(|c| c.holds(&m.model.answers.masks))
                    && m.verdict.scores[from] - m.verdict.scores[to.to] <= to.within;
                if close {
                    moved.push((i, from, to.to));
                    stacks[i] = Some(to.to);
                }
            }
            if !moved.is_empty() {
                applied.push(Applied { rule: r, moved });
            }
        }
        for (r, rule) in rules.plan.rules.iter().enumerate() {
            if rule.moves.is_none() && matching(rule, &models, &stacks).is_some() {
                applied.push(Applied {
                    rule: r,
                    moved: Vec::new(),
                });
            }
        }
    }
    let entries = models
        .iter()
        .zip(stacks)
        .map(|(m, stack)| Entry {
            model: m.model.name.clone(),
            stack,
        })
        .collect();
    Composed {
        models,
        entries,
        applied,
    }
}

/// Models meeting the rule's patterns, each pattern a different model (the first such
/// assignment, by backtracking); `None` when the patterns cannot all be met.
fn matching(rule: &PlanRule, models: &[Evaluated], stacks: &[Option<usize>]) -> Option<Vec<usize>> {
    fn fits(rule: &PlanRule, p: usize, m: &Evaluated, stack: Option<usize>) -> bool {
        let pattern = &rule.models[p];
        let stack_ok = match stack {
            Some(s) => pattern.stacks == 0 || pattern.stacks & (1 << s) != 0,
            None => false,
        };
        stack_ok
            && pattern
                .when
                .as_ref()
                .is_none_or(|c| c.holds(&m.model.answers.masks))
    }
    fn go(
        rule: &PlanRule,
        p: usize,
        models: &[Evaluated],
        stacks: &[Option<usize>],
        used: &mut Vec<usize>,
    ) -> bool {
        if p == rule.models.len() {
            return true;
        }
        for (i, m) in models.iter().enumerate() {
            if !used.contains(&i) && fits(rule, p, m, stacks[i]) {
                used.push(i);
                if go(rule, p + 1, models, stacks, used) {
                    return true;
                }
                used.pop();
            }
        }
        false
    }
    let mut used = Vec::new();
    go(rule, 0, models, stacks, &mut used).then_some(used)
}
