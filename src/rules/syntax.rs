//! The rule file as written: serde types that mirror the YAML, with source locations kept
//! for every id and reference so validation can point at file:line:column.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Location, Spanned};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: Option<Spanned<String>>,
    /// Which platform generation the rules assume (e.g. "iOS 26 / macOS 26 SDKs").
    #[serde(default)]
    pub assumes: Option<Spanned<String>>,
    pub outcomes: Vec<OutcomeDef>,
    pub questions: Vec<QuestionDef>,
    pub rules: Vec<RuleDef>,
    #[serde(default)]
    pub constraints: Vec<ConstraintDef>,
    #[serde(default)]
    pub notes: Vec<NoteDef>,
    pub tie_break: Spanned<Vec<Spanned<String>>>,
    pub confidence: Spanned<ConfidenceDef>,
    #[serde(default)]
    pub close_call: Option<Spanned<String>>,
    #[serde(default)]
    pub conflicts: Vec<ConflictDef>,
    /// Pairs of outcomes allowed to tie (the tie-break order then decides), with a reason.
    #[serde(default)]
    pub intentional_ties: Vec<TieDef>,
    #[serde(default)]
    pub tests: Vec<TestDef>,
    /// The date the rules' knowledge is as of (`2026-11-30`).
    #[serde(default)]
    pub as_of: Option<Spanned<String>>,
    /// The article the rules encode.
    #[serde(default)]
    pub article: Option<ArticleDef>,
    /// What the fact ids the rules cite stand for, with a public reference each.
    #[serde(default)]
    pub sources: Vec<SourceDef>,
    /// How the models' verdicts compose into the app's plan.
    #[serde(default)]
    pub plan: Option<PlanDef>,
}

/// A list of ids, each with its location.
pub type IdList = Vec<Spanned<String>>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanDef {
    /// Other ids for plans (`both: [core-ml, mlx]`), accepted wherever a plan id is.
    #[serde(default)]
    pub aliases: Option<Spanned<Pairs<Spanned<IdList>>>>,
    #[serde(default)]
    pub rules: Vec<PlanRuleDef>,
}

/// A rule about the app's plan: it applies when, for each entry of `models`, a different
/// model of the app matches it; with `move`, models close enough to `to` move there.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanRuleDef {
    pub id: Spanned<String>,
    pub models: Spanned<Vec<ModelPatternDef>>,
    #[serde(default, rename = "move")]
    pub moves: Option<MoveDef>,
    pub why: Spanned<String>,
    pub cite: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelPatternDef {
    /// The model's answers (the app's and its own) satisfy this.
    #[serde(default)]
    pub when: Option<Spanned<Condition>>,
    /// Its verdict is one of these stacks (any when absent).
    #[serde(default)]
    pub stack: Option<Spanned<Vec<Spanned<String>>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoveDef {
    /// Only models whose answers satisfy this move.
    #[serde(default)]
    pub when: Option<Spanned<Condition>>,
    /// The stack they move to: one the rule's `models` put another model on.
    pub to: Spanned<String>,
    /// At most this many points below the model's own verdict.
    pub within: Spanned<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleDef {
    pub title: Spanned<String>,
    pub author: Spanned<String>,
    pub date: Spanned<String>,
    #[serde(default)]
    pub url: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceDef {
    pub id: Spanned<String>,
    /// The fact, in one line.
    pub claim: Spanned<String>,
    /// A page or file one can open (`null` for the project's own analysis).
    #[serde(default)]
    pub reference: Option<Spanned<String>>,
    #[serde(default)]
    pub date: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeDef {
    pub id: Spanned<String>,
    pub name: Spanned<String>,
    pub summary: Spanned<String>,
    /// For an outcome that is a family of engines (a cross-platform runtime): which one the
    /// verdict names, the first whose `when` holds (the last may have none).
    #[serde(default)]
    pub runtimes: Vec<RuntimeDef>,
    /// When this outcome wins and the condition holds, the verdict also names the best other
    /// outcome: what to ship where this one is unavailable ("the system model where available,
    /// otherwise X").
    #[serde(default)]
    pub fallback_when: Option<Spanned<Condition>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuntimeDef {
    pub name: Spanned<String>,
    /// Which of its backends runs the model on Apple hardware.
    pub backend: Spanned<String>,
    #[serde(default)]
    pub when: Option<Spanned<Condition>>,
    pub cite: Spanned<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Single,
    Multi,
}

impl Kind {
    /// As the rule file spells it: `single`, `multi`.
    pub fn id(self) -> &'static str {
        match self {
            Kind::Single => "single",
            Kind::Multi => "multi",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionDef {
    pub id: Spanned<String>,
    pub prompt: Spanned<String>,
    #[serde(default)]
    pub help: Option<Spanned<String>>,
    pub kind: Kind,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub default: Option<Spanned<OneOrMany>>,
    #[serde(default)]
    pub ask_if: Option<Spanned<Condition>>,
    /// `app`: one answer for the whole app (platforms, deployment floor, ...); `model`
    /// (the default): each model of the app has its own answer.
    #[serde(default)]
    pub scope: Option<Spanned<Scope>>,
    /// Each option ticked is a model of its own (`model-type: [vision, llm]` is two models);
    /// at most one multi-choice question says so.
    #[serde(default)]
    pub one_per_model: Option<Spanned<bool>>,
    pub options: Spanned<Vec<OptionDef>>,
}

/// Whose answer a question asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// One answer for the whole app.
    App,
    /// One answer per model.
    #[default]
    Model,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionDef {
    pub id: Spanned<String>,
    pub label: Spanned<String>,
    #[serde(default)]
    pub help: Option<Spanned<String>>,
    /// Stands for the empty set in a multi-choice question; cannot be combined with others.
    #[serde(default)]
    pub exclusive: bool,
    /// Says the team does not know yet ("Not sure yet"): never offered as a change that
    /// would move a verdict, since forgetting an answer changes no app.
    #[serde(default)]
    pub unsure: bool,
    /// Other spellings accepted for this option in flags and answers files.
    #[serde(default)]
    pub aliases: Vec<Spanned<String>>,
    /// In a `one_per_model` question: when this holds, the model is several models, one per
    /// entry of `into` (a VLM whose vision encoder runs apart).
    #[serde(default)]
    pub split: Option<SplitDef>,
    /// The models this option is for (earlier questions only): an answer given once for the
    /// whole app reaches only the models where this holds.
    #[serde(default)]
    pub ask_if: Option<Spanned<Condition>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplitDef {
    pub when: Spanned<Condition>,
    pub into: Spanned<Vec<SplitPartDef>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplitPartDef {
    /// Appended to the model's name (`vlm-encoder`).
    pub name: Spanned<String>,
    /// The option of the same question this part is a model of.
    #[serde(rename = "as")]
    pub option: Spanned<String>,
    /// Answers this part takes instead of the model's.
    #[serde(default)]
    pub answers: Option<Spanned<Pairs<Spanned<OneOrMany>>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    pub id: Spanned<String>,
    #[serde(default)]
    pub when: Option<Spanned<Condition>>,
    pub score: Spanned<Pairs<Spanned<i32>>>,
    pub why: Spanned<String>,
    pub cite: Spanned<String>,
    /// The outcomes this rule takes points from may not run the model at all (not only run it
    /// worse): while it takes points from the winner, the verdict is at most moderate.
    #[serde(default)]
    pub unproven: Option<Spanned<bool>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConstraintDef {
    pub id: Spanned<String>,
    pub when: Spanned<Condition>,
    pub exclude: Spanned<Vec<Spanned<String>>>,
    pub why: Spanned<String>,
    pub source: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteDef {
    pub id: Spanned<String>,
    #[serde(default)]
    pub when: Option<Spanned<Condition>>,
    pub text: Spanned<String>,
    pub cite: Spanned<String>,
    /// The outcomes the note is about: it shows only when one of them is recommended (or is
    /// the runner-up of a close call). Absent: it shows whatever the verdict.
    #[serde(default)]
    pub concerns: Option<Spanned<Vec<Spanned<String>>>>,
    /// The note says the answers contradict each other (older devices on a Mac-only app): a
    /// change of answers that makes it apply is never offered as what would change the verdict.
    #[serde(default)]
    pub contradiction: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfidenceDef {
    /// Smallest margin reported as `strong`.
    pub strong: u32,
    /// Smallest margin reported as `moderate`; anything lower is a `close-call`.
    pub moderate: u32,
}

/// Two checklist items that point different ways, which one wins, and an answer set that
/// proves the file really resolves it that way.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConflictDef {
    pub id: Spanned<String>,
    pub between: Vec<String>,
    pub example: Spanned<Pairs<Spanned<OneOrMany>>>,
    pub wins: Spanned<String>,
    pub why: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TieDef {
    pub between: Spanned<Vec<Spanned<String>>>,
    pub reason: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestDef {
    pub name: Spanned<String>,
    /// The app's answers (and every model's, for a test of one model).
    #[serde(default = "no_answers")]
    pub answers: Spanned<Pairs<Spanned<OneOrMany>>>,
    /// The app's models, each with its own answers, as an answers file lists them.
    #[serde(default)]
    pub models: Option<Spanned<Vec<Spanned<AnswerPairs>>>>,
    pub expect: Spanned<String>,
}

fn no_answers() -> Spanned<Pairs<Spanned<OneOrMany>>> {
    Spanned {
        value: Pairs(Vec::new()),
        referenced: Location::UNKNOWN,
        defined: Location::UNKNOWN,
    }
}

/// `option` or `[option, ...]`.
#[derive(Debug, Clone)]
pub enum OneOrMany {
    One(String),
    Many(Vec<Spanned<String>>),
}

impl OneOrMany {
    /// The option ids with the best location known for each.
    pub fn items(&self, at: Location) -> Vec<(String, Location)> {
        match self {
            OneOrMany::One(s) => vec![(s.clone(), at)],
            OneOrMany::Many(v) => v.iter().map(|s| (s.value.clone(), s.referenced)).collect(),
        }
    }
}

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an option id or a list of option ids")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(OneOrMany::One(v.to_owned()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(OneOrMany::One(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(OneOrMany::One(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(OneOrMany::One(v.to_string()))
            }
            /// `min-os: 17.4` unquoted is a number to YAML; as an answer it is the text.
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(OneOrMany::One(v.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Spanned<String>>()? {
                    items.push(item);
                }
                Ok(OneOrMany::Many(items))
            }
        }
        d.deserialize_any(V)
    }
}

/// An answers file: `question: answer` pairs for the app (and every model), and optionally
/// `models:`, a list of mappings, one per model (its `name` and its own answers).
#[derive(Debug)]
pub struct AnswersDoc {
    pub pairs: Pairs<Spanned<OneOrMany>>,
    pub models: Option<Spanned<Vec<Spanned<AnswerPairs>>>>,
}

/// `question: answer` pairs, each answer with its location.
pub type AnswerPairs = Pairs<Spanned<OneOrMany>>;

impl<'de> Deserialize<'de> for AnswersDoc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AnswersDoc;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut pairs = Vec::new();
                let mut models = None;
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    if key.value == "models" {
                        models = Some(map.next_value()?);
                    } else {
                        pairs.push((key, map.next_value()?));
                    }
                }
                Ok(AnswersDoc {
                    pairs: Pairs(pairs),
                    models,
                })
            }
        }
        d.deserialize_map(V)
    }
}

/// A mapping kept in file order, each key with its location (serde maps lose both).
#[derive(Debug, Clone)]
pub struct Pairs<V>(pub Vec<(Spanned<String>, V)>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Pairs<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct PairsVisitor<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for PairsVisitor<V> {
            type Value = Pairs<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut pairs = Vec::new();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    pairs.push((key, map.next_value()?));
                }
                Ok(Pairs(pairs))
            }
        }
        d.deserialize_map(PairsVisitor(std::marker::PhantomData))
    }
}

/// A `when` / `ask_if` condition: a mapping whose entries must all hold. Each entry is
/// `question: option`, `question: [options]` (any of them), `all: [..]`, `any: [..]` or `not: {..}`.
#[derive(Debug)]
pub struct Condition(pub Vec<ConditionItem>);

#[derive(Debug)]
pub enum ConditionItem {
    All(Location, Vec<Spanned<Condition>>),
    Any(Location, Vec<Spanned<Condition>>),
    Not(Box<Spanned<Condition>>),
    Test {
        question: Spanned<String>,
        options: Spanned<OneOrMany>,
    },
}

impl<'de> Deserialize<'de> for Condition {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Condition;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a condition mapping (`question: option`, `all`, `any` or `not`)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::new();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    let item = match key.value.as_str() {
                        "all" => ConditionItem::All(key.referenced, map.next_value()?),
                        "any" => ConditionItem::Any(key.referenced, map.next_value()?),
                        "not" => ConditionItem::Not(Box::new(map.next_value()?)),
                        _ => ConditionItem::Test {
                            question: key,
                            options: map.next_value()?,
                        },
                    };
                    items.push(item);
                }
                Ok(Condition(items))
            }
        }
        d.deserialize_map(V)
    }
}
