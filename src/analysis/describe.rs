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
        Condition::Not(items) => format!("not ({})", all_of(rules, items)),
    }
}

/// What a `not` negates: its one condition as it reads alone (the compiler gives it one), or
/// the conditions joined by "and".
fn all_of(rules: &RuleSet, items: &[Condition]) -> String {
    match items {
        [one] => condition(rules, one),
        _ => join(rules, items, " and "),
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
        Condition::Not(items) => format!("{} holds", all_of(rules, items)),
    }
}

/// What a rule does when it fires, e.g. `+7 mlx, +7 both`; `-4 core-ml (unproven: at most
/// moderate)` for a rule marked unproven.
pub fn rule_effect(rules: &RuleSet, rule: &Rule) -> String {
    let points = rule
        .score
        .iter()
        .map(|&(o, p)| format!("{p:+} {}", rules.outcomes[o].id))
        .collect::<Vec<_>>()
        .join(", ");
    match rule.unproven {
        true => format!("{points} (unproven: at most moderate)"),
        false => points,
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::load_rules;

    /// A `not` reads as its condition in one pair of parentheses, whatever that condition is.
    #[test]
    fn a_negation_reads_with_one_pair_of_parentheses() {
        let rules = load_rules(
            "not.yaml",
            br#"
name: not
outcomes:
  - {id: a, name: A, summary: a}
  - {id: b, name: B, summary: b}
questions:
  - id: one
    prompt: One?
    kind: single
    default: p
    options: [{id: p, label: P}, {id: q, label: Q}]
  - id: two
    prompt: Two?
    kind: single
    default: p
    options: [{id: p, label: P}, {id: q, label: Q}]
rules:
  - {id: plain, when: {not: {one: p}}, score: {a: 1}, why: w, cite: c}
  - {id: either, when: {not: {any: [{one: p}, {two: q}]}}, score: {a: 1}, why: w, cite: c}
  - {id: both, when: {not: {one: p, two: q}}, score: {b: 1}, why: w, cite: c}
tie_break: [a, b]
confidence: {strong: 2, moderate: 1}
"#,
        )
        .unwrap();
        let text = |i: usize| condition(&rules, rules.rules[i].when.as_ref().unwrap());
        assert_eq!(text(0), "not (one is p)");
        assert_eq!(text(1), "not (one is p or two is q)");
        assert_eq!(text(2), "not (one is p and two is q)");
        let why = |i: usize| failure(&rules, rules.rules[i].when.as_ref().unwrap(), &[1, 2]);
        assert_eq!(why(1), "one is p or two is q holds");
        assert_eq!(why(2), "one is p and two is q holds");
    }
}
