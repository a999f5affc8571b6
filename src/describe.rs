//! Conditions in words: what a rule asks for, and why it did not hold for given answers.

use crate::rules::{Condition, Constraint, Kind, Mask, Question, Rule, RuleSet};

fn answer_text(q: &Question, mask: Mask) -> String {
    q.option_ids(mask).join(", ")
}

fn test_text(q: &Question, mask: Mask) -> String {
    let ids = q.option_ids(mask);
    match (q.kind, ids.len()) {
        (Kind::Single, 1) => format!("{} is {}", q.id, ids[0]),
        (Kind::Single, _) => format!("{} is {}", q.id, ids.join(" or ")),
        (Kind::Multi, 1) if q.exclusive & mask != 0 => format!("{} is {}", q.id, ids[0]),
        (Kind::Multi, 1) => format!("{} includes {}", q.id, ids[0]),
        (Kind::Multi, _) => format!("{} includes any of {}", q.id, ids.join(", ")),
    }
}

/// The condition in words, e.g. `model-type includes llm and (hardware is gpu or battery is critical)`.
pub fn condition(rules: &RuleSet, cond: &Condition) -> String {
    match cond {
        Condition::Test { question, mask } => test_text(&rules.questions[*question], *mask),
        Condition::All(items) => join(rules, items, " and "),
        Condition::Any(items) => join(rules, items, " or "),
        Condition::Not(items) => format!("not ({})", join(rules, items, " and ")),
    }
}

fn join(rules: &RuleSet, items: &[Condition], sep: &str) -> String {
    items
        .iter()
        .map(|c| match c {
            Condition::All(v) | Condition::Any(v) if v.len() > 1 => {
                format!("({})", condition(rules, c))
            }
            _ => condition(rules, c),
        })
        .collect::<Vec<_>>()
        .join(sep)
}

/// Why `cond` does not hold for `answers` (call only when it does not), naming the answers.
pub fn failure(rules: &RuleSet, cond: &Condition, answers: &[Mask]) -> String {
    match cond {
        Condition::Test { question, mask } => {
            let q = &rules.questions[*question];
            let given = answer_text(q, answers[*question]);
            match q.kind {
                Kind::Single => format!(
                    "{} is {given}, not {}",
                    q.id,
                    q.option_ids(*mask).join(" or ")
                ),
                Kind::Multi => format!(
                    "{} is {given}, which does not include {}",
                    q.id,
                    q.option_ids(*mask).join(" or ")
                ),
            }
        }
        Condition::All(items) => items
            .iter()
            .find(|c| !c.holds(answers))
            .map(|c| failure(rules, c, answers))
            .unwrap_or_default(),
        Condition::Any(items) => items
            .iter()
            .map(|c| failure(rules, c, answers))
            .collect::<Vec<_>>()
            .join("; and "),
        Condition::Not(items) => format!("{} holds", join(rules, items, " and ")),
    }
}

/// What a rule does when it fires, e.g. `+7 mlx, +7 both`.
pub fn rule_effect(rules: &RuleSet, rule: &Rule) -> String {
    rule.score
        .iter()
        .map(|&(o, p)| format!("{p:+} {}", rules.outcomes[o].id))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a constraint does when it holds, e.g. `rules out mlx, both`.
pub fn constraint_effect(rules: &RuleSet, constraint: &Constraint) -> String {
    let ids: Vec<&str> = (0..rules.outcomes.len())
        .filter(|o| constraint.exclude & (1 << o) != 0)
        .map(|o| rules.outcomes[o].id.as_str())
        .collect();
    format!("rules out {}", ids.join(", "))
}

/// A rule's, constraint's or note's condition in words; `always` when it has none.
pub fn when(rules: &RuleSet, cond: Option<&Condition>) -> String {
    cond.map_or_else(|| "always".to_owned(), |c| condition(rules, c))
}
