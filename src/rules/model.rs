//! The validated, compiled rule set: every reference resolved to an index, every condition
//! compiled to bit masks over option indices. This is what the engine runs.

pub use super::syntax::Kind;

/// One bit per option of a question; a single-choice answer has exactly one bit set.
pub type Mask = u64;

/// Most options a question may have: one bit each in a [`Mask`].
pub const MAX_OPTIONS: usize = 64;
/// Most outcomes a rule set may have: one bit each in an exclusion mask.
pub const MAX_OUTCOMES: usize = 64;

#[derive(Debug, Clone)]
pub struct RuleSet {
    pub name: String,
    pub description: Option<String>,
    pub assumes: Option<String>,
    /// SHA-256 of the file's bytes, so a verdict names exactly the rules that produced it.
    pub sha256: String,
    pub outcomes: Vec<Outcome>,
    pub questions: Vec<Question>,
    pub rules: Vec<Rule>,
    pub constraints: Vec<Constraint>,
    pub notes: Vec<Note>,
    /// Outcome indices, earliest wins a tie. Covers every outcome.
    pub tie_break: Vec<usize>,
    pub confidence: ConfidenceThresholds,
    pub close_call: Option<String>,
    pub conflicts: Vec<Conflict>,
    pub tests: Vec<Test>,
}

#[derive(Debug, Clone)]
pub struct Outcome {
    pub id: String,
    pub name: String,
    pub summary: String,
}

#[derive(Debug, Clone)]
pub struct Question {
    pub id: String,
    pub prompt: String,
    pub help: Option<String>,
    pub kind: Kind,
    pub required: bool,
    pub default: Option<Mask>,
    pub ask_if: Option<Condition>,
    pub options: Vec<AnswerOption>,
    /// Options that stand alone (`none`): they cannot be combined with any other.
    pub exclusive: Mask,
}

#[derive(Debug, Clone)]
pub struct AnswerOption {
    pub id: String,
    pub label: String,
    pub help: Option<String>,
}

/// A compiled condition. `Test` holds when the answer shares a bit with `mask`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    Test { question: usize, mask: Mask },
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
}

impl Condition {
    /// `answers[q]` is the mask of the options chosen for question `q`.
    pub fn holds(&self, answers: &[Mask]) -> bool {
        match self {
            Condition::Test { question, mask } => answers[*question] & mask != 0,
            Condition::All(items) => items.iter().all(|c| c.holds(answers)),
            Condition::Any(items) => items.iter().any(|c| c.holds(answers)),
            Condition::Not(inner) => !inner.holds(answers),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    /// `None`: always fires.
    pub when: Option<Condition>,
    /// (outcome index, points), points never zero.
    pub score: Vec<(usize, i32)>,
    pub why: String,
    pub cite: String,
}

#[derive(Debug, Clone)]
pub struct Constraint {
    pub id: String,
    pub when: Condition,
    /// Bit per outcome index.
    pub exclude: u64,
    pub why: String,
    pub source: String,
}

#[derive(Debug, Clone)]
pub struct Note {
    pub id: String,
    pub when: Option<Condition>,
    pub text: String,
    pub cite: String,
}

#[derive(Debug, Clone, Copy)]
pub struct ConfidenceThresholds {
    pub strong: u32,
    pub moderate: u32,
}

#[derive(Debug, Clone)]
pub struct Conflict {
    pub id: String,
    pub between: Vec<String>,
    /// Full answers (defaults filled in) for the example.
    pub example: Vec<Mask>,
    pub wins: usize,
    pub why: String,
}

#[derive(Debug, Clone)]
pub struct Test {
    pub name: String,
    /// Full answers (defaults filled in).
    pub answers: Vec<Mask>,
    pub expect: usize,
}

impl RuleSet {
    pub fn question_index(&self, id: &str) -> Option<usize> {
        self.questions.iter().position(|q| q.id == id)
    }

    pub fn outcome_index(&self, id: &str) -> Option<usize> {
        self.outcomes.iter().position(|o| o.id == id)
    }
}

impl Question {
    pub fn option_index(&self, id: &str) -> Option<usize> {
        self.options.iter().position(|o| o.id == id)
    }

    /// Option ids selected by `mask`, in option order.
    pub fn option_ids(&self, mask: Mask) -> Vec<&str> {
        self.options
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, o)| o.id.as_str())
            .collect()
    }

    /// Whether `mask` is a legal answer: one option for single choice; for multi choice a
    /// non-empty set in which an exclusive option stands alone.
    pub fn accepts(&self, mask: Mask) -> bool {
        let all = if self.options.len() == MAX_OPTIONS {
            u64::MAX
        } else {
            (1u64 << self.options.len()) - 1
        };
        if mask == 0 || mask & !all != 0 {
            return false;
        }
        match self.kind {
            Kind::Single => mask.count_ones() == 1,
            Kind::Multi => mask & self.exclusive == 0 || mask.count_ones() == 1,
        }
    }
}

/// Why a value is not a legal answer to a question.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerProblem {
    #[error("`{value}` is not an option of `{question}` (options: {options}){}", suggestion_text(.suggestion))]
    UnknownOption {
        question: String,
        value: String,
        options: String,
        suggestion: Option<String>,
    },
    #[error("`{question}` takes one option, got {count}: {values}")]
    NotSingle {
        question: String,
        count: usize,
        values: String,
    },
    #[error("`{question}` needs at least one option")]
    Empty { question: String },
    #[error(
        "`{option}` stands for no selection and cannot be combined with other options of `{question}`"
    )]
    ExclusiveCombined { question: String, option: String },
}

fn suggestion_text(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(s) => format!("; did you mean `{s}`?"),
        None => String::new(),
    }
}

impl Question {
    /// The mask for the given option ids, or why they are not a legal answer.
    pub fn answer_mask<'a>(
        &self,
        values: impl IntoIterator<Item = &'a str>,
    ) -> Result<Mask, AnswerProblem> {
        let values: Vec<&str> = values.into_iter().collect();
        let mut mask = 0;
        for value in &values {
            let Some(i) = self.option_index(value) else {
                return Err(AnswerProblem::UnknownOption {
                    question: self.id.clone(),
                    value: (*value).to_owned(),
                    options: self.option_list(),
                    suggestion: super::diagnostic::did_you_mean(
                        value,
                        self.options.iter().map(|o| o.id.as_str()),
                    )
                    .map(str::to_owned),
                });
            };
            mask |= 1 << i;
        }
        if mask == 0 {
            return Err(AnswerProblem::Empty {
                question: self.id.clone(),
            });
        }
        match self.kind {
            Kind::Single if values.len() != 1 => Err(AnswerProblem::NotSingle {
                question: self.id.clone(),
                count: values.len(),
                values: values.join(", "),
            }),
            Kind::Multi if mask & self.exclusive != 0 && mask.count_ones() > 1 => {
                let option = self.option_ids(mask & self.exclusive)[0].to_owned();
                Err(AnswerProblem::ExclusiveCombined {
                    question: self.id.clone(),
                    option,
                })
            }
            _ => Ok(mask),
        }
    }

    /// "a, b, c": the option ids, for messages.
    pub fn option_list(&self) -> String {
        self.options
            .iter()
            .map(|o| o.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}
