//! The validated, compiled rule set: every reference resolved to an index, every condition
//! compiled to bit masks over option indices. This is what the engine runs.

pub use super::storage::{List, Text};
pub use super::syntax::{Kind, Scope};

/// One bit per option of a question; a single-choice answer has exactly one bit set.
pub type Mask = u64;

/// Most options a question may have: one bit each in a [`Mask`].
pub const MAX_OPTIONS: usize = 64;
/// Most questions a rule set may have: one bit each in a question set.
pub const MAX_QUESTIONS: usize = 64;
/// Most rules, constraints and notes a rule set may have.
pub const MAX_RULES: usize = 4096;
pub const MAX_CONSTRAINTS: usize = 4096;
pub const MAX_NOTES: usize = 4096;
/// Most embedded tests (and, separately, conflicts) a rule set may have.
pub const MAX_TESTS: usize = 10_000;
/// Most outcomes a rule set may have: one bit each in an exclusion mask.
pub const MAX_OUTCOMES: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSet {
    pub name: Text,
    pub description: Option<Text>,
    pub assumes: Option<Text>,
    /// SHA-256 of the file's bytes, so a verdict names exactly the rules that produced it.
    pub sha256: Text,
    pub outcomes: List<Outcome>,
    pub questions: List<Question>,
    pub rules: List<Rule>,
    pub constraints: List<Constraint>,
    pub notes: List<Note>,
    /// Outcome indices, earliest wins a tie. Covers every outcome.
    pub tie_break: List<usize>,
    pub confidence: ConfidenceThresholds,
    pub close_call: Option<Text>,
    pub conflicts: List<Conflict>,
    pub intentional_ties: List<DeclaredTie>,
    pub tests: List<Test>,
    /// The date the rules' knowledge is as of.
    pub as_of: Option<Text>,
    pub article: Option<Article>,
    /// What the fact ids cited by rules, constraints and notes stand for.
    pub sources: List<Source>,
    /// How the models' verdicts compose into the app's plan.
    pub plan: PlanSpec,
}

/// The `plan:` section: other ids for plans, and the rules about the app's plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanSpec {
    pub aliases: List<PlanAlias>,
    pub rules: List<PlanRule>,
}

/// Another id for a plan: `both` for Core ML + MLX.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanAlias {
    pub id: Text,
    /// Outcome indices, in tie-break order.
    pub stacks: List<usize>,
}

/// A rule about the plan: applies when each pattern is matched by a different model; with a
/// move, the models it names move to another stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRule {
    pub id: Text,
    pub models: List<ModelPattern>,
    pub moves: Option<Move>,
    pub why: Text,
    pub cite: Text,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelPattern {
    pub when: Option<Condition>,
    /// Bit per outcome the model's stack may be; 0: any.
    pub stacks: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub when: Option<Condition>,
    pub to: usize,
    pub within: i32,
}

/// One part of a split model: a model of `option`, named `<model>-<name>`, with `answers`
/// replacing the model's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitPart {
    pub name: Text,
    pub option: usize,
    /// (question, answer) pairs.
    pub answers: List<(usize, Mask)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    pub when: Condition,
    pub into: List<SplitPart>,
}

/// The article a rule set encodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    pub title: Text,
    pub author: Text,
    pub date: Text,
    pub url: Option<Text>,
}

/// One fact a rule set cites: its id, the claim in one line, where to read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub id: Text,
    pub claim: Text,
    pub reference: Option<Text>,
    pub date: Option<Text>,
}

/// The fact ids a cite names: the comma-separated ids after each `facts` in it
/// (`Decision checklist, item 4; facts L19, C2f` names L19 and C2f), ranges expanded
/// (`T1-T5`). Other text is free and names none.
pub fn cited_ids(cite: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for part in cite.split(';') {
        let Some(rest) = part.trim().strip_prefix("facts ") else {
            continue;
        };
        for token in rest.split(',') {
            // An id ends at the first space: `facts M1 (system model)` names M1.
            let token = token.split_whitespace().next().unwrap_or("");
            if !is_fact_id(token) {
                continue;
            }
            match expand_range(token) {
                Some(range) => ids.extend(range),
                None => ids.push(token.to_owned()),
            }
        }
    }
    ids
}

/// A fact id: capital letters, then a digit, then letters, digits and dots (`A1`, `C2f`,
/// `AA6`, `AN7.2`), or a range of two (`T1-T5`).
fn is_fact_id(token: &str) -> bool {
    let one = |t: &str| {
        let letters = t.bytes().take_while(u8::is_ascii_uppercase).count();
        letters > 0
            && t[letters..].starts_with(|c: char| c.is_ascii_digit())
            && t[letters..]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.')
    };
    match token.split_once('-') {
        Some((a, b)) => one(a) && one(b),
        None => one(token),
    }
}

/// `T1-T5` as T1, T2, ... T5 (same letters, numbers rising, at most 100).
fn expand_range(token: &str) -> Option<Vec<String>> {
    let (a, b) = token.split_once('-')?;
    fn split(t: &str) -> Option<(&str, u32)> {
        let letters = t.bytes().take_while(u8::is_ascii_uppercase).count();
        Some((&t[..letters], t[letters..].parse::<u32>().ok()?))
    }
    let ((pa, na), (pb, nb)) = (split(a)?, split(b)?);
    (pa == pb && na <= nb && nb - na <= 100)
        .then(|| (na..=nb).map(|n| format!("{pa}{n}")).collect())
}

/// Two outcomes the file allows to tie, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredTie {
    pub outcomes: (usize, usize),
    pub reason: Text,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub id: Text,
    pub name: Text,
    pub summary: Text,
    /// The engines an outcome stands for, when it is a family of them: the verdict names the
    /// first whose condition holds.
    pub runtimes: List<Runtime>,
    /// When it wins and this holds, the verdict also names the best other outcome as the
    /// fallback where this one is unavailable.
    pub fallback_when: Option<Condition>,
}

/// One engine of an outcome that is a family of them (`cross-platform`: llama.cpp,
/// ExecuTorch, ONNX Runtime).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Runtime {
    pub name: Text,
    /// Which of its backends runs the model on Apple hardware.
    pub backend: Text,
    pub when: Option<Condition>,
    pub cite: Text,
}

impl Outcome {
    /// The runtime the verdict names for `answers`, if the outcome has any.
    pub fn runtime_for(&self, answers: &[Mask]) -> Option<&Runtime> {
        self.runtimes
            .iter()
            .find(|r| r.when.as_ref().is_none_or(|c| c.holds(answers)))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub id: Text,
    pub prompt: Text,
    pub help: Option<Text>,
    pub kind: Kind,
    pub required: bool,
    pub default: Option<Mask>,
    pub ask_if: Option<Condition>,
    pub options: List<AnswerOption>,
    /// Options that stand alone (`none`): they cannot be combined with any other.
    pub exclusive: Mask,
    /// Options that say the team does not know yet (`unknown`): a flip never changes an answer
    /// to one of them.
    pub unsure: Mask,
    /// Whether each model has its own answer, or the app one.
    pub scope: Scope,
    /// Each option ticked is a model of its own (the default rules' `model-type`).
    pub one_per_model: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerOption {
    pub id: Text,
    pub label: Text,
    pub help: Option<Text>,
    /// Other spellings accepted for the option (`macos14` for `17`); output uses the id.
    pub aliases: List<Text>,
    /// A model of this kind is several models when the condition holds.
    pub split: Option<Split>,
    /// The models the option is for: an answer given once for several models reaches only
    /// those where this holds.
    pub ask_if: Option<Condition>,
}

/// A compiled condition. `Test` holds when the answer shares a bit with `mask`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    Test {
        question: usize,
        mask: Mask,
    },
    All(List<Condition>),
    Any(List<Condition>),
    /// Holds when not all of its conditions hold; the compiler gives it exactly one (a list
    /// rather than a box, so the embedded rules can keep it in a static).
    Not(List<Condition>),
}

impl Condition {
    /// Call `f(question, mask)` for every test in the condition.
    pub fn for_each_test(&self, f: &mut impl FnMut(usize, Mask)) {
        match self {
            Condition::Test { question, mask } => f(*question, *mask),
            Condition::All(items) | Condition::Any(items) | Condition::Not(items) => {
                items.iter().for_each(|c| c.for_each_test(f))
            }
        }
    }

    /// Bit per question index the condition looks at.
    pub fn questions(&self) -> u64 {
        match self {
            Condition::Test { question, .. } => 1 << question,
            Condition::All(items) | Condition::Any(items) | Condition::Not(items) => {
                items.iter().fold(0, |m, c| m | c.questions())
            }
        }
    }

    /// `answers[q]` is the mask of the options chosen for question `q`.
    pub fn holds(&self, answers: &[Mask]) -> bool {
        match self {
            Condition::Test { question, mask } => answers[*question] & mask != 0,
            Condition::All(items) => items.iter().all(|c| c.holds(answers)),
            Condition::Any(items) => items.iter().any(|c| c.holds(answers)),
            Condition::Not(items) => !items.iter().all(|c| c.holds(answers)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub id: Text,
    /// `None`: always fires.
    pub when: Option<Condition>,
    /// (outcome index, points), points never zero.
    pub score: List<(usize, i32)>,
    pub why: Text,
    pub cite: Text,
    /// Its penalty says the outcomes it takes points from may not run the model at all: a
    /// winner it takes points from is at most moderate (`unproven: true` in the file).
    pub unproven: bool,
}

impl Rule {
    /// The points it gives `outcome` (0 for `None` or an outcome it does not score).
    pub fn points_to(&self, outcome: Option<usize>) -> i32 {
        self.score
            .iter()
            .filter(|(o, _)| Some(*o) == outcome)
            .map(|(_, p)| *p)
            .sum()
    }

    /// A bit per question its condition looks at; 0 for a rule that always fires.
    pub fn questions(&self) -> Mask {
        self.when.as_ref().map_or(0, |c| c.questions())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    pub id: Text,
    pub when: Condition,
    /// Bit per outcome index.
    pub exclude: u64,
    pub why: Text,
    pub source: Text,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub id: Text,
    pub when: Option<Condition>,
    pub text: Text,
    pub cite: Text,
    /// A bit per outcome the note is about; 0: about every verdict.
    pub concerns: u64,
    /// The note says the answers contradict each other: answers where it applies are never
    /// offered as a change (a flip).
    pub contradiction: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfidenceThresholds {
    pub strong: u32,
    pub moderate: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub id: Text,
    pub between: List<Text>,
    /// Full answers (defaults filled in) for the example.
    pub example: List<Mask>,
    pub wins: usize,
    pub why: Text,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Test {
    pub name: Text,
    /// Full answers (defaults filled in).
    pub answers: List<Mask>,
    /// The plan expected: its stacks in tie-break order (one for a one-model app); `None` for
    /// `expect: none`: a model has no stack (every outcome ruled out).
    pub expect: Option<List<usize>>,
    /// The models the test lists (`models:`), each with its own answers; empty when the
    /// models come from the answers' `one_per_model` question.
    pub models: List<TestModel>,
}

/// A model a rule test lists: its name and the answers given for it alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestModel {
    pub name: Text,
    pub given: List<Option<Mask>>,
}

impl RuleSet {
    pub fn question_index(&self, id: &str) -> Option<usize> {
        self.questions.iter().position(|q| q.id == id)
    }

    pub fn outcome_index(&self, id: &str) -> Option<usize> {
        self.outcomes.iter().position(|o| o.id == id)
    }

    /// The source of fact `id`, if the rule set defines it.
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }

    /// Whether the file declares a tie between outcomes `a` and `b` intentional.
    pub fn declared_tie(&self, a: usize, b: usize) -> bool {
        self.intentional_ties
            .iter()
            .any(|t| t.outcomes == (a, b) || t.outcomes == (b, a))
    }
}

impl Question {
    /// The option whose id or one of whose aliases is `id`; for a version question (see
    /// [`Question::version_floor`]), also any release of one.
    pub fn option_index(&self, id: &str) -> Option<usize> {
        self.exact_option(id).or_else(|| self.version_floor(id))
    }

    /// The option whose id or one of whose aliases is exactly `id`.
    pub fn exact_option(&self, id: &str) -> Option<usize> {
        self.options
            .iter()
            .position(|o| o.id == id || o.aliases.iter().any(|a| a == id))
    }

    /// Whether the options are versions: every id a number (`min-os`: `15`, `16`, ... `27`).
    pub fn is_versioned(&self) -> bool {
        !self.options.is_empty()
            && self
                .options
                .iter()
                .all(|o| !o.id.is_empty() && o.id.bytes().all(|b| b.is_ascii_digit()))
    }

    /// For a version question, the option a release written as Xcode or a platform writes it
    /// stands for: `17.4`, `ios17.4`, `macos14.5`, `12`. The major release decides: the option
    /// whose id or alias has the same platform prefix and that major, or the oldest option for
    /// a release up to ten majors older than any named (`12` is "15 or earlier"). `None` for
    /// other questions, for what is not a release, and for releases no option names.
    pub fn version_floor(&self, value: &str) -> Option<usize> {
        if !self.is_versioned() {
            return None;
        }
        let (prefix, major) = split_release(value)?;
        let mut exact: Option<usize> = None;
        let mut lowest: Option<(u32, usize)> = None;
        for (i, o) in self.options.iter().enumerate() {
            for name in std::iter::once(&o.id).chain(o.aliases.iter()) {
                let Some((p, m)) = split_release(name) else {
                    continue;
                };
                if p != prefix {
                    continue;
                }
                if m == major {
                    exact = exact.or(Some(i));
                }
                if lowest.is_none_or(|(l, _)| m < l) {
                    lowest = Some((m, i));
                }
            }
        }
        // A release the options name, or one up to ten majors older than the oldest they name
        // ("or earlier"); releases that never existed (iOS 19 to 25) or far out are not.
        exact.or_else(|| {
            lowest
                .filter(|&(l, _)| major < l && major + 10 >= l)
                .map(|(_, i)| i)
        })
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
    #[error("`{question}` lists `{option}` twice{}", repeated_hint(*.one_per_model))]
    Repeated {
        question: String,
        option: String,
        one_per_model: bool,
    },
    #[error(
        "`{option}` stands for no selection and cannot be combined with other options of `{question}`"
    )]
    ExclusiveCombined { question: String, option: String },
}

/// `value` as a message may quote it: whole up to 60 characters, else its start and its size.
pub fn shorten(value: &str) -> String {
    if value.chars().count() <= 60 {
        return value.to_owned();
    }
    let start: String = value.chars().take(40).collect();
    format!("{start}... ({} bytes)", value.len())
}

/// A release as `[platform]major[.minor[.patch]]` (`17`, `17.4`, `ios17.4`, `macos14.5`): the
/// platform prefix (lowercase letters, maybe empty) and the major version.
fn split_release(value: &str) -> Option<(&str, u32)> {
    let digits = value.find(|c: char| c.is_ascii_digit())?;
    let (prefix, version) = value.split_at(digits);
    if !prefix.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let mut parts = version.split('.');
    let major: u32 = parts.next()?.parse().ok()?;
    let rest: Vec<&str> = parts.collect();
    if rest.len() > 2
        || rest
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    Some((prefix, major))
}

/// For the question whose options are the app's models (`--model-type vision,vision`).
fn repeated_hint(one_per_model: bool) -> &'static str {
    if one_per_model {
        "; two models of one kind need names of their own: list them under `models:` in an \
         answers file (README, \"Answers\")"
    } else {
        ""
    }
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
                // `ios, macos` in a file: a list written as one string.
                let parts: Vec<&str> = value.split(',').map(str::trim).collect();
                let list = (parts.len() > 1
                    && self.kind == Kind::Multi
                    && parts.iter().all(|p| self.option_index(p).is_some()))
                .then(|| format!("[{}]", parts.join(", ")));
                return Err(AnswerProblem::UnknownOption {
                    question: self.id.to_string(),
                    value: shorten(value),
                    options: self.option_list(),
                    suggestion: list.or_else(|| {
                        super::diagnostic::did_you_mean(
                            value,
                            self.options.iter().map(|o| o.id.as_str()),
                        )
                        .map(str::to_owned)
                    }),
                });
            };
            if mask & (1 << i) != 0 {
                return Err(AnswerProblem::Repeated {
                    question: self.id.to_string(),
                    option: self.options[i].id.to_string(),
                    one_per_model: self.one_per_model,
                });
            }
            mask |= 1 << i;
        }
        if mask == 0 {
            return Err(AnswerProblem::Empty {
                question: self.id.to_string(),
            });
        }
        match self.kind {
            Kind::Single if values.len() != 1 => Err(AnswerProblem::NotSingle {
                question: self.id.to_string(),
                count: values.len(),
                values: values.join(", "),
            }),
            Kind::Multi if mask & self.exclusive != 0 && mask.count_ones() > 1 => {
                let option = self.option_ids(mask & self.exclusive)[0].to_owned();
                Err(AnswerProblem::ExclusiveCombined {
                    question: self.id.to_string(),
                    option,
                })
            }
            _ => Ok(mask),
        }
    }

    /// Whether the question is for a model with these answers (its `ask_if` holds): a
    /// question that is not is never asked, offered as a flip or listed as assumed.
    pub fn applies(&self, answers: &[Mask]) -> bool {
        self.ask_if.as_ref().is_none_or(|c| c.holds(answers))
    }

    /// The options that are for a model with these answers (their `ask_if` holds).
    pub fn options_for(&self, answers: &[Mask]) -> Mask {
        self.options
            .iter()
            .enumerate()
            .filter(|(_, o)| o.ask_if.as_ref().is_none_or(|c| c.holds(answers)))
            .fold(0, |m, (i, _)| m | (1 << i))
    }

    /// Every legal answer when there are at most `limit` of them; `None` when there are more.
    /// A `one_per_model` question's answers, for one model, are its single options: several
    /// options are several models, each evaluated alone.
    pub fn legal_answers(&self, limit: usize) -> Option<Vec<Mask>> {
        if self.one_per_model {
            return Some((0..self.options.len()).map(|i| 1u64 << i).collect());
        }
        match self.kind {
            Kind::Single => Some((0..self.options.len()).map(|i| 1u64 << i).collect()),
            Kind::Multi => {
                let free = self.options.len() - self.exclusive.count_ones() as usize;
                if free >= 63 || (1usize << free) > limit {
                    return None;
                }
                let mut out: Vec<Mask> = (0..self.options.len())
                    .filter(|i| self.exclusive & (1 << i) != 0)
                    .map(|i| 1u64 << i)
                    .collect();
                // Every non-empty subset of the options that are not exclusive.
                let free_bits: Vec<u32> = (0..self.options.len() as u32)
                    .filter(|i| self.exclusive & (1 << i) == 0)
                    .collect();
                for subset in 1u64..(1 << free) {
                    let mut mask = 0;
                    for (j, bit) in free_bits.iter().enumerate() {
                        if subset & (1 << j) != 0 {
                            mask |= 1 << bit;
                        }
                    }
                    out.push(mask);
                }
                Some(out)
            }
        }
    }

    /// The legal answers one step from `mask`: another option for single choice; one option
    /// added or removed for multi choice (an exclusive option counts as the empty set).
    pub fn neighbours(&self, mask: Mask) -> Vec<Mask> {
        let n = self.options.len();
        match self.kind {
            Kind::Single => (0..n).map(|i| 1u64 << i).filter(|&m| m != mask).collect(),
            Kind::Multi => {
                let base = mask & !self.exclusive;
                let mut out = Vec::new();
                for i in 0..n {
                    let bit = 1u64 << i;
                    let next = if self.exclusive & bit != 0 {
                        bit
                    } else if base ^ bit == 0 {
                        // Removing the last option: the exclusive "none", if there is one.
                        self.exclusive & self.exclusive.wrapping_neg()
                    } else {
                        base ^ bit
                    };
                    if next != mask && self.accepts(next) && !out.contains(&next) {
                        out.push(next);
                    }
                }
                out
            }
        }
    }

    /// How many options differ between two answers (exclusive options count as nothing).
    /// Whether changing `from` to `to` relaxes the answer: for a question that lists
    /// requirements (a multi-choice question with an exclusive "none of these", such as the
    /// runtime needs), only dropping some does, since adding one makes nothing possible and
    /// trading one for another is not a relaxation. Any other change does: a multi-choice
    /// question without one (the platforms) says where, not what is required, and another
    /// platform is a change the team can weigh.
    pub fn is_relaxation(&self, from: Mask, to: Mask) -> bool {
        match self.kind {
            Kind::Multi if self.exclusive != 0 => {
                (to & !self.exclusive) & !(from & !self.exclusive) == 0
            }
            _ => true,
        }
    }

    pub fn distance(&self, a: Mask, b: Mask) -> u32 {
        match self.kind {
            Kind::Single => u32::from(a != b),
            Kind::Multi => ((a ^ b) & !self.exclusive)
                .count_ones()
                .max(u32::from(a != b)),
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

#[cfg(test)]
mod cite_tests {
    use super::cited_ids;

    #[test]
    fn cites_name_the_ids_after_facts_with_ranges_expanded() {
        assert_eq!(cited_ids("facts L2"), ["L2"]);
        assert_eq!(
            cited_ids("Decision checklist, item 4; facts L19, C2f, AN7.2"),
            ["L19", "C2f", "AN7.2"]
        );
        assert_eq!(cited_ids("facts M1, T1-T3"), ["M1", "T1", "T2", "T3"]);
        assert_eq!(
            cited_ids("facts AN7.fm (the system model first)"),
            ["AN7.fm"]
        );
        // Free text names nothing: no `facts`, or words that are not ids.
        assert!(cited_ids("Use both (mature apps)").is_empty());
        assert!(cited_ids("facts sheet, common sense").is_empty());
        assert!(cited_ids("common facts L2").is_empty());
        // A backwards or too long range is one id that will not resolve, not thousands.
        assert_eq!(cited_ids("facts T5-T1"), ["T5-T1"]);
        assert_eq!(cited_ids("facts A1-A999"), ["A1-A999"]);
    }
}

#[cfg(test)]
mod relaxation_tests {
    use crate::rules::default_rules;

    /// The runtime needs (which have a "none of these") relax only by dropping some; the
    /// platforms (which have none) and single-choice answers by any change.
    #[test]
    fn from_nothing_possible_requirements_are_only_dropped() {
        let rules = default_rules();
        let needs = &rules.questions[rules.question_index("needs").unwrap()];
        let m = |ids: &[&str]| needs.answer_mask(ids.iter().copied()).unwrap();
        let ext = m(&["app-extension"]);
        assert!(needs.is_relaxation(ext, m(&["none"])));
        assert!(needs.is_relaxation(m(&["app-extension", "kv-cache"]), ext));
        assert!(!needs.is_relaxation(ext, m(&["older-devices"])));
        assert!(!needs.is_relaxation(ext, m(&["app-extension", "kv-cache"])));
        assert!(!needs.is_relaxation(m(&["none"]), ext));
        let platform = &rules.questions[rules.question_index("platform").unwrap()];
        let p = |ids: &[&str]| platform.answer_mask(ids.iter().copied()).unwrap();
        assert!(platform.is_relaxation(p(&["watchos"]), p(&["ios"])));
        let size = &rules.questions[rules.question_index("model-size").unwrap()];
        let s = |id: &str| size.answer_mask([id]).unwrap();
        assert!(size.is_relaxation(s("1b-to-4b"), s("over-8b")));
    }
}
