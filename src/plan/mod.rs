//! The app's plan: the stack each model runs on, composed into one id (`core-ml+mlx`: the
//! models' stacks in the rule set's tie-break order, each once) and one name
//! (`Core ML + MLX`). A one-model app's plan is its model's stack. Pure: no I/O.

pub mod compose;
pub mod expect;
pub mod models;

use crate::rules::RuleSet;

/// One model of the app and the stack its verdict names (`None`: no stack fits it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub model: String,
    pub stack: Option<usize>,
}

/// The stacks of a plan, each once, in tie-break order; `None` when a model has no stack.
pub fn stacks(rules: &RuleSet, entries: &[Entry]) -> Option<Vec<usize>> {
    let mut stacks = Vec::with_capacity(entries.len());
    for e in entries {
        let s = e.stack?;
        if !stacks.contains(&s) {
            stacks.push(s);
        }
    }
    stacks.sort_by_key(|o| rules.tie_break.iter().position(|t| t == o));
    Some(stacks)
}

/// The id of a plan of these stacks: their ids joined with `+` (in the order given).
pub fn id(rules: &RuleSet, stacks: &[usize]) -> String {
    stacks
        .iter()
        .map(|&o| rules.outcomes[o].id.as_str())
        .collect::<Vec<_>>()
        .join("+")
}

/// The name of a plan of these stacks: their names joined with ` + `.
pub fn name(rules: &RuleSet, stacks: &[usize]) -> String {
    stacks
        .iter()
        .map(|&o| rules.outcomes[o].name.as_str())
        .collect::<Vec<_>>()
        .join(" + ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(model: &str, stack: Option<&str>, rules: &RuleSet) -> Entry {
        Entry {
            model: model.to_owned(),
            stack: stack.map(|s| rules.outcome_index(s).unwrap()),
        }
    }

    #[test]
    fn stacks_are_deduplicated_in_tie_break_order() {
        let rules = crate::rules::default_rules();
        let e = [
            entry("llm", Some("mlx"), &rules),
            entry("vision", Some("core-ml"), &rules),
            entry("audio", Some("core-ml"), &rules),
        ];
        let s = stacks(&rules, &e).unwrap();
        assert_eq!(id(&rules, &s), "core-ml+mlx");
        assert_eq!(name(&rules, &s), "Core ML + MLX");
        assert_eq!(stacks(&rules, &[entry("x", None, &rules)]), None);
    }
}
