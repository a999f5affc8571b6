//! `--expect`: what a CI gate says the verdict must be. A plan id (`core-ml+mlx`), a stack
//! (`mlx`), an old combined id or another alias the rule set defines (`both`), any of them by
//! the name the report prints, in any case (`"Core ML + MLX"`, `Built-in`), or one model's
//! stack (`llm=mlx`).

use std::fmt;

use super::Entry;
use crate::rules::RuleSet;

/// The words `--expect` understands, taken from a rule set (owned, so a command-line parser
/// can keep it).
#[derive(Debug, Clone)]
pub struct Vocabulary {
    /// (id, name) of every outcome.
    outcomes: Vec<(String, String)>,
    /// Outcome indices in tie-break order.
    order: Vec<usize>,
    /// Other ids for plans (`both`), with their stacks.
    aliases: Vec<(String, Vec<usize>)>,
}

impl Vocabulary {
    pub fn of(rules: &RuleSet) -> Self {
        Vocabulary {
            outcomes: rules
                .outcomes
                .iter()
                .map(|o| (o.id.to_string(), o.name.to_string()))
                .collect(),
            order: rules.tie_break.to_vec(),
            aliases: rules
                .plan
                .aliases
                .iter()
                .map(|a| (a.id.to_string(), a.stacks.to_vec()))
                .collect(),
        }
    }

    /// The outcome a word names: its id or its name in any case; a name's parenthetical is
    /// optional (`Built-in` for "Built-in (no model to ship)").
    fn outcome(&self, word: &str) -> Option<usize> {
        let word = word.trim().to_lowercase();
        self.outcomes.iter().position(|(id, name)| {
            let name = name.to_lowercase();
            let short = name.split(" (").next().unwrap_or(&name);
            word == *id || word == name || word == short
        })
    }

    /// Outcome ids, for messages and completions.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.outcomes.iter().map(|(id, _)| id.as_str())
    }
}

/// A parsed `--expect`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// The app's plan: these stacks, each once, in tie-break order.
    Plan(Vec<usize>),
    /// No stack fits (some model has none).
    Nothing,
    /// One model's stack.
    Model { model: String, stack: usize },
}

/// Why `--expect`'s value is not one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    pub word: String,
}

impl fmt::Display for Unknown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}' names no outcome", self.word)
    }
}

pub fn parse(v: &Vocabulary, text: &str) -> Result<Expect, Unknown> {
    let unknown = |word: &str| Unknown {
        word: word.trim().to_owned(),
    };
    if text.trim().eq_ignore_ascii_case("none") {
        return Ok(Expect::Nothing);
    }
    if let Some((model, stack)) = text.split_once('=') {
        let stack = v.outcome(stack).ok_or_else(|| unknown(stack))?;
        let model = model.trim().to_lowercase();
        if model.is_empty() {
            return Err(unknown(text));
        }
        return Ok(Expect::Model { model, stack });
    }
    // A whole name first: an outcome's name may itself contain a `+`.
    if let Some(o) = v.outcome(text) {
        return Ok(Expect::Plan(vec![o]));
    }
    let word = text.trim().to_lowercase();
    if let Some((_, stacks)) = v.aliases.iter().find(|(id, _)| *id == word) {
        return Ok(Expect::Plan(stacks.clone()));
    }
    let mut stacks = Vec::new();
    for part in text.split('+') {
        let o = v.outcome(part).ok_or_else(|| unknown(part))?;
        if !stacks.contains(&o) {
            stacks.push(o);
        }
    }
    stacks.sort_by_key(|o| v.order.iter().position(|t| t == o));
    Ok(Expect::Plan(stacks))
}

impl Expect {
    /// The canonical spelling: `core-ml+mlx`, `llm=mlx`.
    pub fn canonical(&self, v: &Vocabulary) -> String {
        let id = |o: usize| v.outcomes[o].0.as_str();
        match self {
            Expect::Plan(stacks) => stacks.iter().map(|&o| id(o)).collect::<Vec<_>>().join("+"),
            Expect::Nothing => "none".to_owned(),
            Expect::Model { model, stack } => format!("{model}={}", id(*stack)),
        }
    }

    /// `Ok` when the plan of `entries` meets the expectation; otherwise why not, in words
    /// that name the plan (`Err(Mismatch)`) or the missing model (`Err(NoSuchModel)`).
    pub fn check(&self, rules: &RuleSet, entries: &[Entry]) -> Result<(), Failed> {
        let named = |o: usize| format!("{} ({})", rules.outcomes[o].id, rules.outcomes[o].name);
        let expected = match self {
            Expect::Plan(stacks) if stacks.len() == 1 => named(stacks[0]),
            Expect::Plan(stacks) => format!(
                "{} ({})",
                super::id(rules, stacks),
                super::name(rules, stacks)
            ),
            Expect::Model { model, stack } => format!("{model}={}", named(*stack)),
            Expect::Nothing => "none".to_owned(),
        };
        let plan = super::stacks(rules, entries);
        let is = |model: &str| {
            entries.iter().find(|e| e.model == model).map(|e| {
                e.stack
                    .map_or_else(|| "none (no stack fits)".to_owned(), named)
            })
        };
        match self {
            Expect::Nothing if plan.is_none() => Ok(()),
            Expect::Plan(stacks) if plan.as_ref() == Some(stacks) => Ok(()),
            Expect::Model { model, stack } => match entries.iter().find(|e| e.model == *model) {
                Some(e) if e.stack == Some(*stack) => Ok(()),
                Some(_) => Err(Failed::Mismatch(format!(
                    "--expect {expected} failed: {model} is {}",
                    is(model).unwrap_or_default()
                ))),
                None => Err(Failed::NoSuchModel(format!(
                    "--expect {expected}: the app has no model named '{model}' (its models: {})",
                    entries
                        .iter()
                        .map(|e| e.model.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))),
            },
            Expect::Plan(_) | Expect::Nothing => {
                let now = match &plan {
                    None => "none: no stack fits every model".to_owned(),
                    Some(s) if s.len() == 1 && entries.len() == 1 => named(s[0]),
                    Some(s) => format!("{} ({})", super::id(rules, s), super::name(rules, s)),
                };
                let mut text = format!("--expect {expected} failed: the recommendation is {now}");
                if entries.len() > 1 {
                    let each: Vec<String> = entries
                        .iter()
                        .map(|e| {
                            let stack = e.stack.map_or("none", |o| rules.outcomes[o].id.as_str());
                            format!("{}={stack}", e.model)
                        })
                        .collect();
                    text.push_str(&format!(
                        ", one stack per model: {}; to gate one model, pass --expect MODEL=STACK",
                        each.join(", ")
                    ));
                }
                Err(Failed::Mismatch(text))
            }
        }
    }
}

/// How an expectation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failed {
    /// The verdict is another: the gate fails (exit 1).
    Mismatch(String),
    /// The expectation names a model the app does not have: a usage error (exit 2).
    NoSuchModel(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (RuleSet, Vocabulary) {
        let rules = crate::rules::default_rules();
        let v = Vocabulary::of(&rules);
        (rules, v)
    }

    fn entry(rules: &RuleSet, model: &str, stack: &str) -> Entry {
        Entry {
            model: model.to_owned(),
            stack: rules.outcome_index(stack),
        }
    }

    #[test]
    fn ids_names_and_plans_parse_to_one_spelling() {
        let (_, v) = setup();
        for (given, canonical) in [
            ("mlx", "mlx"),
            ("MLX", "mlx"),
            ("Built-in", "built-in"),
            ("core ml", "core-ml"),
            ("mlx+core-ml", "core-ml+mlx"),
            ("Core AI + MLX", "mlx+core-ai"),
            ("both", "core-ml+mlx"),
            ("BOTH", "core-ml+mlx"),
            ("core-ai-and-mlx", "mlx+core-ai"),
            ("core-ml+core-ml", "core-ml"),
            ("LLM=mlx", "llm=mlx"),
            ("llm = MLX now, Core ML later", "llm=mlx-then-core-ml"),
        ] {
            let e = parse(&v, given).unwrap_or_else(|e| panic!("{given}: {e}"));
            assert_eq!(e.canonical(&v), canonical, "{given}");
        }
        assert_eq!(parse(&v, "None").unwrap(), Expect::Nothing);
        for bad in ["", "mlx+", "tflite", "=mlx", "llm=tflite"] {
            assert!(parse(&v, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_plan_is_met_only_by_its_stacks_and_a_model_by_its_own() {
        let (rules, v) = setup();
        let two = [
            entry(&rules, "vision", "core-ml"),
            entry(&rules, "llm", "mlx"),
        ];
        assert_eq!(
            parse(&v, "core-ml+mlx").unwrap().check(&rules, &two),
            Ok(())
        );
        assert_eq!(parse(&v, "llm=mlx").unwrap().check(&rules, &two), Ok(()));
        let Err(Failed::Mismatch(text)) = parse(&v, "mlx").unwrap().check(&rules, &two) else {
            panic!("a plain stack on a two-model plan fails");
        };
        assert!(text.contains("core-ml+mlx (Core ML + MLX)"), "{text}");
        assert!(text.contains("vision=core-ml, llm=mlx"), "{text}");
        let Err(Failed::Mismatch(text)) = parse(&v, "vision=mlx").unwrap().check(&rules, &two)
        else {
            panic!("another model's stack fails");
        };
        assert!(text.contains("vision is core-ml (Core ML)"), "{text}");
        assert!(matches!(
            parse(&v, "audio=mlx").unwrap().check(&rules, &two),
            Err(Failed::NoSuchModel(_))
        ));
        let one = [entry(&rules, "llm", "mlx")];
        assert_eq!(parse(&v, "MLX").unwrap().check(&rules, &one), Ok(()));
        let none = [Entry {
            model: "llm".into(),
            stack: None,
        }];
        let Err(Failed::Mismatch(text)) = parse(&v, "mlx").unwrap().check(&rules, &none) else {
            panic!("nothing fits");
        };
        assert!(text.contains("no stack fits"), "{text}");
    }
}
