//! The verdict with its reasons, in the shape of the versioned JSON contract. Built once,
//! rendered as a table or as JSON; rendering never decides anything.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::analysis::describe;
use crate::analysis::explain::{self, Confidence};
use crate::answers::{Answers, Source};
use crate::engine::Verdict;
use crate::rules::{Kind, Mask, RuleSet};

/// Bumped when a key is removed or renamed; adding keys is not a breaking change.
pub const SCHEMA_VERSION: u32 = 2;

pub mod app;

/// One model's verdict with its reasons. Borrows every text from the rule set (`'r`):
/// building one copies no rule text, and its JSON is written straight from the rules. Its
/// keys are written by [`Report::write_keys`], into a model's entry of the app's document
/// ([`app::AppReport`]) and, for a one-model app, at the document's top level too.
#[derive(Debug, Clone)]
pub struct Report<'r> {
    /// `null` when constraints rule out every outcome: no stack fits these answers (then
    /// `excluded` says why and `flips` what to relax).
    pub recommendation: Option<Recommendation<'r>>,
    /// Winner minus runner-up among outcomes not excluded; `null` when constraints left one
    /// (or none).
    pub margin: Option<i32>,
    /// `null` when no stack fits.
    pub confidence: Option<Confidence>,
    /// What to ship where the recommended stack is unavailable, when its outcome's
    /// `fallback_when` holds: the best other outcome still possible ("the system model where
    /// available, otherwise X"); `None` otherwise.
    pub fallback: Option<Fallback<'r>>,
    /// The recommended outcome's `fallback_when` holds but the constraints leave no other
    /// stack: nothing to fall back to (an app extension, where no model of one's own fits).
    pub fallback_ruled_out: bool,
    /// The engine a verdict for a family of engines names (`cross-platform`: llama.cpp,
    /// ExecuTorch, ONNX Runtime) and its Apple backend; `None` otherwise.
    pub runtime: Option<RuntimeInfo<'r>>,
    /// Why a verdict the margin would call strong is only moderate: what it rests on
    /// (answers nobody gave, or constraints that removed better-scoring stacks). Absent
    /// otherwise.
    pub confidence_basis: Option<ConfidenceBasis<'r>>,
    /// How to settle a close call on real hardware; present only for close calls.
    pub close_call: Option<&'r str>,
    pub scores: Vec<Score<'r>>,
    pub rationale: Vec<Reason<'r>>,
    pub excluded: Vec<Exclusion<'r>>,
    pub assumed: Vec<Assumed<'r>>,
    pub answers: AnswerMap<'r>,
    /// Where each answer came from: `flag`, `file`, `model`, `prompt` or `default`.
    pub provenance: Provenance<'r>,
    /// Answer changes that change the recommendation; with no recommendation, the nearest
    /// changes that make a stack possible (what to relax, and what each buys).
    pub flips: Vec<Flip<'r>>,
    pub notes: Vec<Note<'r>>,
    /// What each fact id cited by the rationale, the exclusions and the notes stands for.
    pub references: std::collections::BTreeMap<String, Reference<'r>>,
    pub rules: RulesInfo<'r>,
    pub tool: ToolInfo,
    /// The best outcome after the winner; `null` when constraints left only the winner.
    pub runner_up: Option<&'r str>,
    /// Which answers drove the verdict: points they brought the winner and the runner-up.
    pub influence: Vec<InfluenceEntry<'r>>,
    /// "What drove it": the fired rules' points per set of answers they look at, each rule
    /// once (so the points add up to the scores). For the table; not in the JSON, whose
    /// `influence` keeps its per-question meaning.
    pub drivers: Vec<Driver<'r>>,
    /// Every rule, constraint and note, and whether it applied (only with `--explain`).
    pub trace: Option<Trace<'r>>,
    /// What the model's files say (only with `--model`).
    pub model: Option<crate::inspect::Inspection>,
    /// The model's memory against the target devices (only with `--model`, when the files
    /// give its size).
    pub fit: Option<crate::inspect::fit::Fit>,
}

impl Report<'_> {
    /// The report's keys, in the document's order; `recommendation` only when `with_recommendation`
    /// (the app's document writes the plan's there). The schema version, rules and tool are
    /// the document's, not the model's.
    pub fn write_keys<M: SerializeMap>(
        &self,
        map: &mut M,
        with_recommendation: bool,
    ) -> Result<(), M::Error> {
        if with_recommendation {
            map.serialize_entry("recommendation", &self.recommendation)?;
        }
        map.serialize_entry("margin", &self.margin)?;
        map.serialize_entry("confidence", &self.confidence)?;
        if let Some(b) = &self.confidence_basis {
            map.serialize_entry("confidence_basis", b)?;
        }
        if let Some(c) = self.close_call {
            map.serialize_entry("close_call", c)?;
        }
        if self.fallback_ruled_out {
            map.serialize_entry("fallback_ruled_out", &true)?;
        }
        map.serialize_entry("scores", &self.scores)?;
        map.serialize_entry("rationale", &self.rationale)?;
        map.serialize_entry("excluded", &self.excluded)?;
        map.serialize_entry("assumed", &self.assumed)?;
        map.serialize_entry("answers", &self.answers)?;
        map.serialize_entry("provenance", &self.provenance)?;
        map.serialize_entry("flips", &self.flips)?;
        map.serialize_entry("notes", &self.notes)?;
        if !self.references.is_empty() {
            map.serialize_entry("references", &self.references)?;
        }
        map.serialize_entry("runner_up", &self.runner_up)?;
        map.serialize_entry("influence", &self.influence)?;
        if let Some(t) = &self.trace {
            map.serialize_entry("trace", t)?;
        }
        if let Some(m) = &self.model {
            map.serialize_entry("model", m)?;
        }
        if let Some(f) = &self.fit {
            map.serialize_entry("fit", f)?;
        }
        Ok(())
    }
}

/// "A", "A and B", "A, B and C".
fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// What to ship where the recommended stack is unavailable, with the confidence the rules
/// have in it as a verdict of its own: the recommended stack's lead says nothing of it.
#[derive(Debug, Clone, Serialize)]
pub struct Fallback<'r> {
    #[serde(flatten)]
    pub stack: Recommendation<'r>,
    /// Its lead over the next stack; `null` when the constraints leave no other.
    pub margin: Option<i32>,
    pub confidence: Confidence,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence_basis: Option<ConfidenceBasis<'r>>,
    /// The engine it names, as a verdict's `runtime` (a cross-platform fallback: llama.cpp).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime: Option<RuntimeInfo<'r>>,
}

/// What a verdict's confidence rests on, when that keeps it from being strong.
#[derive(Debug, Clone, Serialize)]
pub struct ConfidenceBasis<'r> {
    /// `assumed-answers`, `elimination` or `unproven`.
    pub rests_on: &'static str,
    /// The questions nobody answered whose rules widened the lead, or whose constraints
    /// ruled out a better-scoring stack (`assumed-answers`).
    pub questions: Vec<&'r str>,
    /// The ruled-out outcomes that scored higher than the winner (`elimination`; with
    /// `assumed-answers`, those the assumed answers ruled out).
    pub outcomes: Vec<&'r str>,
    /// The rules that leave open whether the winner runs the model at all (`unproven`).
    pub rules: Vec<&'r str>,
    /// The same in a sentence.
    pub text: String,
}

/// The ids of the questions in `mask`, in rule-set order.
fn question_ids(rules: &RuleSet, mask: Mask) -> Vec<&str> {
    (0..rules.questions.len())
        .filter(|q| mask & (1 << q) != 0)
        .map(|q| rules.questions[q].id.as_str())
        .collect()
}

/// The outcomes in `mask`, in rule-set order.
fn outcomes_in(rules: &RuleSet, mask: u64) -> Vec<&crate::rules::Outcome> {
    (0..rules.outcomes.len())
        .filter(|o| mask & (1 << o) != 0)
        .map(|o| &rules.outcomes[o])
        .collect()
}

/// Question ids as the flags that answer them: "--iteration, --hardware".
fn flag_list(ids: &[&str]) -> String {
    ids.iter()
        .map(|q| format!("--{q}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl<'r> ConfidenceBasis<'r> {
    pub fn new(rules: &'r RuleSet, basis: &explain::Basis) -> Self {
        match *basis {
            explain::Basis::AssumedAnswers { questions, alone } => {
                let ids = question_ids(rules, questions);
                // With no runner-up there is no lead: the stack's own points are what count.
                let measure = if alone {
                    "it is the only stack the constraints allow, but counting only the \
                     answers given it has fewer than"
                } else {
                    "counting only the answers given, the lead is under"
                };
                let text = format!(
                    "Moderate, not strong: {measure} {} points; the rest come from answers \
                     nobody gave ({}). Answer them to firm it up.",
                    rules.confidence.strong,
                    flag_list(&ids)
                );
                ConfidenceBasis {
                    rests_on: "assumed-answers",
                    questions: ids,
                    outcomes: Vec::new(),
                    rules: Vec::new(),
                    text,
                }
            }
            explain::Basis::Elimination { outcomes } => {
                let picked = outcomes_in(rules, outcomes);
                let names: Vec<&str> = picked.iter().map(|o| o.name.as_ref()).collect();
                let text = format!(
                    "Moderate, not strong: the constraints left only this stack. {} scored \
                     higher and {} ruled out (why: --full): if a requirement behind that can \
                     give, {} fits better; if not, this is the answer.",
                    and_list(&names),
                    if picked.len() == 1 { "is" } else { "are" },
                    if picked.len() == 1 {
                        "it"
                    } else {
                        "one of them"
                    }
                );
                ConfidenceBasis {
                    rests_on: "elimination",
                    questions: Vec::new(),
                    outcomes: picked.iter().map(|o| o.id.as_str()).collect(),
                    rules: Vec::new(),
                    text,
                }
            }
            explain::Basis::RuledOutByAssumed {
                outcomes,
                questions,
            } => {
                let picked = outcomes_in(rules, outcomes);
                let ids = question_ids(rules, questions);
                let names: Vec<&str> = picked.iter().map(|o| o.name.as_ref()).collect();
                let text = format!(
                    "Moderate, not strong: {} scored well ahead and {} ruled out only by \
                     answers nobody gave ({}; why: --full). Answer them to firm it up.",
                    and_list(&names),
                    if picked.len() == 1 { "is" } else { "are" },
                    flag_list(&ids)
                );
                ConfidenceBasis {
                    rests_on: "assumed-answers",
                    questions: ids,
                    outcomes: picked.iter().map(|o| o.id.as_str()).collect(),
                    rules: Vec::new(),
                    text,
                }
            }
            explain::Basis::Unproven { rules: ref fired } => {
                let ids: Vec<&str> = fired.iter().map(|&r| rules.rules[r].id.as_str()).collect();
                let text = format!(
                    "Moderate, not strong: the answers leave open whether this stack runs the \
                     model at all ({}; why: --full). Prove that first, with the smallest slice \
                     of the model.",
                    ids.join(", ")
                );
                ConfidenceBasis {
                    rests_on: "unproven",
                    questions: Vec::new(),
                    outcomes: Vec::new(),
                    rules: ids,
                    text,
                }
            }
        }
    }
}

/// Where each answer came from, keyed by question id, in rule-set order.
pub type Provenance<'r> = ById<'r, Source>;

/// One row of "What drove it".
#[derive(Debug, Clone)]
pub struct Driver<'r> {
    /// The answers the rules look at, as flags (`--needs kv-cache --decoding app-code`), each
    /// marked `(assumed)` when nobody gave it; `(always)` for rules without a condition.
    pub answers: String,
    /// The ids of the questions those are answers to.
    pub questions: Vec<&'r str>,
    pub winner_points: i32,
    pub runner_up_points: i32,
}

#[derive(Debug, Clone, Serialize)]
pub struct InfluenceEntry<'r> {
    pub question: &'r str,
    pub answer: AnswerValue<'r>,
    pub winner_points: i32,
    pub runner_up_points: i32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Trace<'r> {
    pub rules: Vec<TraceEntry<'r>>,
    pub constraints: Vec<TraceEntry<'r>>,
    pub notes: Vec<TraceEntry<'r>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TraceEntry<'r> {
    pub id: &'r str,
    pub applies: bool,
    /// The condition in words (`always` when there is none).
    pub condition: String,
    /// For an entry that does not apply: the part of the condition the answers fail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed: Option<String>,
    /// What it does when it applies: points, exclusions, or the note's text.
    pub effect: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Recommendation<'r> {
    pub id: &'r str,
    pub name: &'r str,
    pub summary: &'r str,
}

/// The engine a cross-platform verdict names, and its backend on Apple hardware.
#[derive(Debug, Clone, Serialize)]
pub struct RuntimeInfo<'r> {
    pub name: &'r str,
    pub backend: &'r str,
    pub cite: &'r str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Score<'r> {
    pub outcome: &'r str,
    pub score: i32,
    pub excluded: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Reason<'r> {
    pub rule: &'r str,
    pub outcome: &'r str,
    pub points: i32,
    pub why: &'r str,
    pub cite: &'r str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Exclusion<'r> {
    pub outcome: &'r str,
    pub rule: &'r str,
    pub why: &'r str,
    pub source: &'r str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Assumed<'r> {
    pub question: &'r str,
    pub value: AnswerValue<'r>,
}

/// A note that applies: its text, its source, the outcomes it concerns (empty: any) and the
/// fact ids its source cites that the rule set defines (see `references`).
#[derive(Debug, Clone, Serialize)]
pub struct Note<'r> {
    pub text: &'r str,
    pub cite: &'r str,
    pub concerns: Vec<&'r str>,
    pub references: Vec<String>,
}

/// As people read it: the text, then its source in parentheses.
impl std::fmt::Display for Note<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.text, self.cite)
    }
}

/// A single-choice answer is a string, a multi-choice answer a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum AnswerValue<'r> {
    One(&'r str),
    Many(Vec<&'r str>),
}

impl<'r> AnswerValue<'r> {
    pub fn new(rules: &'r RuleSet, question: usize, mask: Mask) -> Self {
        let q = &rules.questions[question];
        let ids = q.option_ids(mask);
        match q.kind {
            Kind::Single => AnswerValue::One(ids.first().copied().unwrap_or_default()),
            Kind::Multi => AnswerValue::Many(ids),
        }
    }

    /// As typed on the command line: `a` or `a,b`.
    pub fn to_flag_value(&self) -> String {
        match self {
            AnswerValue::One(s) => (*s).to_owned(),
            AnswerValue::Many(v) => v.join(","),
        }
    }
}

/// Every question's answer, keyed by question id, in rule-set order.
pub type AnswerMap<'r> = ById<'r, AnswerValue<'r>>;

impl AnswerMap<'_> {
    /// Whether the answer to `question` is or includes `option` (`needs` has `app-extension`).
    pub fn includes(&self, question: &str, option: &str) -> bool {
        self.0.iter().any(|(q, v)| {
            *q == question
                && match v {
                    AnswerValue::One(id) => *id == option,
                    AnswerValue::Many(ids) => ids.contains(&option),
                }
        })
    }
}

/// Values keyed by question id, serialized as a JSON object in rule-set order.
#[derive(Debug, Clone)]
pub struct ById<'r, V>(pub Vec<(&'r str, V)>);

impl<V: Serialize> Serialize for ById<'_, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// A change of answers that would change the recommendation: `question` from `from` to `to`,
/// plus the changes in `also` when one question is not enough.
#[derive(Debug, Clone, Serialize)]
pub struct Flip<'r> {
    pub question: &'r str,
    pub from: AnswerValue<'r>,
    pub to: AnswerValue<'r>,
    pub recommendation: &'r str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<FlipChange<'r>>,
    /// How far the changed answers are from the given ones: options added, removed or
    /// replaced, then how many options apart in the question's order for a single choice
    /// (`--min-os 27` from 26 is nearer than 15) or options changed for a multiple choice,
    /// then for a multiple choice how late in its order the options added are and how early
    /// those dropped (`--platform ios` from watchos is nearer than intel-mac; from
    /// watchos,linux dropping linux is nearer than dropping watchos). What "nearest" means
    /// when a report shows only a few flips.
    #[serde(skip)]
    pub distance: (u32, u32, u32),
}

#[derive(Debug, Clone, Serialize)]
pub struct FlipChange<'r> {
    pub question: &'r str,
    pub from: AnswerValue<'r>,
    pub to: AnswerValue<'r>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RulesInfo<'r> {
    pub name: &'r str,
    pub sha256: &'r str,
    /// The date the rules' knowledge is as of, when the rule file says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<&'r str>,
}

/// A fact a reason, an exclusion or a note cites, as the rule set's `sources:` gives it.
#[derive(Debug, Clone, Serialize)]
pub struct Reference<'r> {
    pub claim: &'r str,
    /// A page or file to read it in; `null` for the rule set's own analysis.
    pub reference: Option<&'r str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<&'r str>,
}

/// Every fact id the report's rationale, exclusions and notes cite that the rule set
/// defines, with its source.
fn references<'r>(
    rules: &'r RuleSet,
    cites: impl IntoIterator<Item = &'r str>,
) -> std::collections::BTreeMap<String, Reference<'r>> {
    let mut out = std::collections::BTreeMap::new();
    for cite in cites {
        for id in crate::rules::cited_ids(cite) {
            if let Some(s) = rules.source(&id) {
                out.entry(id).or_insert_with(|| Reference {
                    claim: &s.claim,
                    reference: s.reference.as_deref(),
                    date: s.date.as_deref(),
                });
            }
        }
    }
    out
}

#[derive(Debug, Clone, Serialize)]
pub struct ToolInfo {
    pub name: &'static str,
    pub version: &'static str,
}

impl ToolInfo {
    /// This build of mlstack.
    pub fn this() -> Self {
        ToolInfo {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

impl<'r> RulesInfo<'r> {
    pub fn of(rules: &'r RuleSet) -> Self {
        RulesInfo {
            name: &rules.name,
            sha256: &rules.sha256,
            as_of: rules.as_of.as_deref(),
        }
    }
}

/// The questions of `keep` that nobody answered, with the default each took.
pub fn assumed<'r>(
    rules: &'r RuleSet,
    answers: &Answers,
    keep: impl Fn(usize) -> bool,
) -> Vec<Assumed<'r>> {
    let applying = answers.assumed(rules);
    (0..rules.questions.len())
        .filter(|&q| applying & (1 << q) != 0 && keep(q))
        .map(|q| Assumed {
            question: &rules.questions[q].id,
            value: AnswerValue::new(rules, q, answers.masks[q]),
        })
        .collect()
}

/// The id and display name of every outcome, in rule-set order, for renderers.
pub fn outcome_names(rules: &RuleSet) -> Vec<(&str, &str)> {
    rules
        .outcomes
        .iter()
        .map(|o| (o.id.as_str(), o.name.as_str()))
        .collect()
}

/// The engine `outcome` names for `answers`, if it names one.
fn runtime_info<'r>(
    outcome: &'r crate::rules::Outcome,
    answers: &Answers,
) -> Option<RuntimeInfo<'r>> {
    outcome.runtime_for(&answers.masks).map(|r| RuntimeInfo {
        name: &r.name,
        backend: &r.backend,
        cite: &r.cite,
    })
}

/// The fallback of a verdict, from the standing without its winner ([`Verdict::without_winner`]):
/// its confidence by the same rule as any verdict's.
fn fallback<'r>(
    rules: &'r RuleSet,
    answers: &Answers,
    assumed: Mask,
    without: &Verdict,
) -> Fallback<'r> {
    let outcome = &rules.outcomes[without.ranking[0]];
    let (confidence, basis) = explain::confidence_from_evidence(rules, without, assumed);
    Fallback {
        stack: Recommendation {
            id: &outcome.id,
            name: &outcome.name,
            summary: &outcome.summary,
        },
        margin: without.margin(),
        confidence,
        confidence_basis: basis.map(|b| ConfidenceBasis::new(rules, &b)),
        runtime: runtime_info(outcome, answers),
    }
}

/// The notes that apply and concern the verdict: a note with `concerns` shows only when one
/// of those outcomes is recommended, or is the runner-up of a close call or the fallback (a
/// decision of its own), or, when nothing is possible, is what one of `flips` would make
/// possible (and with no such flip, always: it may say what would be).
fn notes<'r>(
    rules: &'r RuleSet,
    verdict: &Verdict,
    flips: &[Flip],
    with_fallback: bool,
) -> Vec<Note<'r>> {
    let mut relevant = 0u64;
    match verdict.winner() {
        Some(w) => {
            relevant |= 1 << w;
            let close = verdict
                .margin()
                .is_some_and(|m| m < rules.confidence.moderate as i32);
            if let (true, Some(r)) = (close || with_fallback, verdict.runner_up()) {
                relevant |= 1 << r;
            }
        }
        None => {
            for f in flips {
                if let Some(o) = rules.outcomes.iter().position(|o| o.id == f.recommendation) {
                    relevant |= 1 << o;
                }
            }
        }
    }
    verdict
        .notes
        .iter()
        .filter(|&&n| {
            let concerns = rules.notes[n].concerns;
            concerns == 0 || relevant == 0 || concerns & relevant != 0
        })
        .map(|&n| {
            let note = &rules.notes[n];
            Note {
                text: &note.text,
                cite: &note.cite,
                concerns: outcomes_in(rules, note.concerns)
                    .into_iter()
                    .map(|o| o.id.as_str())
                    .collect(),
                references: crate::rules::cited_ids(&note.cite)
                    .into_iter()
                    .filter(|id| rules.source(id).is_some())
                    .collect(),
            }
        })
        .collect()
}

fn exclusions<'r>(rules: &'r RuleSet, verdict: &Verdict) -> Vec<Exclusion<'r>> {
    let mut out = Vec::new();
    for &c in &verdict.fired_constraints {
        let constraint = &rules.constraints[c];
        for (o, outcome) in rules.outcomes.iter().enumerate() {
            if constraint.exclude & (1 << o) != 0 {
                out.push(Exclusion {
                    outcome: &outcome.id,
                    rule: &constraint.id,
                    why: &constraint.why,
                    source: &constraint.source,
                });
            }
        }
    }
    out
}

/// Scores: outcomes still possible in ranking order, then the excluded ones.
pub fn scores<'r>(rules: &'r RuleSet, verdict: &Verdict) -> Vec<Score<'r>> {
    let mut order = verdict.ranking.clone();
    order.extend(rules.tie_break.iter().filter(|&&o| verdict.is_excluded(o)));
    order
        .iter()
        .map(|&o| Score {
            outcome: &rules.outcomes[o].id,
            score: verdict.scores[o],
            excluded: verdict.is_excluded(o),
        })
        .collect()
}

/// The nearest answer changes that change the verdict of `answers`.
pub fn flips<'r>(
    rules: &'r RuleSet,
    search: &explain::FlipSearch<'r>,
    answers: &[Mask],
) -> Vec<Flip<'r>> {
    let contradictory = |masks: &[Mask]| {
        rules
            .notes
            .iter()
            .any(|n| n.contradiction && n.when.as_ref().is_none_or(|c| c.holds(masks)))
    };
    // Answers the rule file calls contradictory (older iPhones for a Mac-only app) describe
    // no app: not a change worth offering, unless the answers given already are.
    let already = contradictory(answers);
    let offered = |f: &explain::FlipResult| {
        let mut changed = answers.to_vec();
        for c in &f.changes {
            changed[c.question] = c.to;
        }
        already || !contradictory(&changed)
    };
    explain::flips_with(rules, search, answers)
        .iter()
        .filter(|f| offered(f))
        .map(|f| flip(rules, f))
        .collect()
}

fn flip<'r>(rules: &'r RuleSet, f: &explain::FlipResult) -> Flip<'r> {
    let change = |c: &explain::Change| FlipChange {
        question: &rules.questions[c.question].id,
        from: AnswerValue::new(rules, c.question, c.from),
        to: AnswerValue::new(rules, c.question, c.to),
    };
    let first = change(&f.changes[0]);
    Flip {
        question: first.question,
        from: first.from,
        to: first.to,
        recommendation: &rules.outcomes[f.outcome].id,
        also: f.changes[1..].iter().map(change).collect(),
        distance: (
            f.distance,
            f.changes
                .iter()
                .map(|c| match rules.questions[c.question].kind {
                    Kind::Single => c.from.trailing_zeros().abs_diff(c.to.trailing_zeros()),
                    Kind::Multi => (c.from ^ c.to).count_ones(),
                })
                .sum(),
            // The rule file lists a multiple choice's common options first (iOS before
            // Intel Macs): of changes otherwise as near, those that add earlier options and
            // drop later ones.
            f.changes
                .iter()
                .filter(|c| rules.questions[c.question].kind == Kind::Multi)
                .map(|c| {
                    let n = rules.questions[c.question].options.len() as u32;
                    (0..n)
                        .map(|i| match (c.from & (1 << i) != 0, c.to & (1 << i) != 0) {
                            (false, true) => i + 1,
                            (true, false) => n - i,
                            _ => 0,
                        })
                        .sum::<u32>()
                })
                .sum(),
        ),
    }
}

fn trace<'r>(rules: &'r RuleSet, answers: &[Mask]) -> Trace<'r> {
    let entry = |id: &'r str, cond: Option<&crate::rules::Condition>, effect: String| {
        let applies = cond.is_none_or(|c| c.holds(answers));
        TraceEntry {
            id,
            applies,
            condition: describe::when(rules, cond),
            failed: cond
                .filter(|_| !applies)
                .map(|c| describe::failure(rules, c, answers)),
            effect,
        }
    };
    Trace {
        rules: rules
            .rules
            .iter()
            .map(|r| entry(&r.id, r.when.as_ref(), describe::rule_effect(rules, r)))
            .collect(),
        constraints: rules
            .constraints
            .iter()
            .map(|c| entry(&c.id, Some(&c.when), describe::constraint_effect(rules, c)))
            .collect(),
        notes: rules
            .notes
            .iter()
            .map(|n| entry(&n.id, n.when.as_ref(), n.text.to_string()))
            .collect(),
    }
}

/// The report for `answers`; `with_trace` adds every rule, constraint and note (`--explain`).
pub fn build<'r>(
    rules: &'r RuleSet,
    answers: &Answers,
    verdict: &Verdict,
    with_trace: bool,
) -> Report<'r> {
    build_with(
        rules,
        &explain::FlipSearch::new(rules),
        answers,
        verdict,
        with_trace,
    )
}

/// [`build`] with the flip search prepared once (for many answer sets).
pub fn build_with<'r>(
    rules: &'r RuleSet,
    search: &explain::FlipSearch<'r>,
    answers: &Answers,
    verdict: &Verdict,
    with_trace: bool,
) -> Report<'r> {
    let winner = verdict.winner();
    // A question that does not apply to this model (its `ask_if` fails) is never asked, so it
    // is not an answer the verdict (or its fallback) can rest on: a classifier's model size.
    let assumed_mask = answers.assumed(rules);
    let (confidence, basis) = match winner {
        Some(_) => {
            let (c, basis) = explain::confidence_from_evidence(rules, verdict, assumed_mask);
            (Some(c), basis.map(|b| ConfidenceBasis::new(rules, &b)))
        }
        None => (None, None),
    };

    let scores = scores(rules, verdict);

    let rationale: Vec<Reason<'r>> = verdict
        .fired_rules
        .iter()
        .flat_map(|&r| {
            let rule = &rules.rules[r];
            rule.score.iter().map(move |&(o, points)| Reason {
                rule: &rule.id,
                outcome: &rules.outcomes[o].id,
                points,
                why: &rule.why,
                cite: &rule.cite,
            })
        })
        .collect();

    let assumed = assumed(rules, answers, |_| true);

    let answer_map = answer_map(rules, &answers.masks);
    // One pass over the fired rules serves "What drove it" and the per-question influence.
    let drivers = if winner.is_some() {
        explain::drivers(rules, verdict)
    } else {
        Vec::new()
    };
    let excluded = exclusions(rules, verdict);
    let flips = flips(rules, search, &answers.masks);
    // "The system model where available, otherwise X": X is the best other stack, if any.
    let wants_fallback = winner.is_some_and(|w| {
        rules.outcomes[w]
            .fallback_when
            .as_ref()
            .is_some_and(|c| c.holds(&answers.masks))
    });
    let fallback = wants_fallback
        .then(|| verdict.without_winner())
        .flatten()
        .map(|v| fallback(rules, answers, assumed_mask, &v));
    let notes = notes(rules, verdict, &flips, fallback.is_some());
    let references = references(
        rules,
        rationale
            .iter()
            .map(|r| r.cite)
            .chain(excluded.iter().map(|e| e.source))
            .chain(notes.iter().map(|n| n.cite)),
    );

    Report {
        recommendation: winner.map(|w| {
            let outcome = &rules.outcomes[w];
            Recommendation {
                id: &outcome.id,
                name: &outcome.name,
                summary: &outcome.summary,
            }
        }),
        margin: verdict.margin(),
        confidence,
        fallback,
        fallback_ruled_out: wants_fallback && verdict.ranking.len() < 2,
        runtime: winner.and_then(|w| runtime_info(&rules.outcomes[w], answers)),
        confidence_basis: basis,
        close_call: (confidence == Some(Confidence::CloseCall))
            .then_some(rules.close_call.as_deref())
            .flatten(),
        scores,
        rationale,
        excluded,
        assumed,
        answers: answer_map,
        provenance: ById(
            rules
                .questions
                .iter()
                .zip(&answers.sources)
                .map(|(q, s)| (q.id.as_str(), *s))
                .collect(),
        ),
        flips,
        notes,
        references,
        rules: RulesInfo::of(rules),
        tool: ToolInfo::this(),
        runner_up: verdict.runner_up().map(|o| rules.outcomes[o].id.as_str()),
        influence: explain::influence_of(&drivers, rules.questions.len())
            .iter()
            .map(|i| InfluenceEntry {
                question: &rules.questions[i.question].id,
                answer: AnswerValue::new(rules, i.question, answers.masks[i.question]),
                winner_points: i.for_winner,
                runner_up_points: i.for_runner_up,
            })
            .collect(),
        drivers: drivers
            .into_iter()
            .map(|(questions, winner_points, runner_up_points)| Driver {
                answers: driver_answers(rules, answers, questions),
                questions: (0..rules.questions.len())
                    .filter(|&q| questions & (1 << q) != 0)
                    .map(|q| rules.questions[q].id.as_str())
                    .collect(),
                winner_points,
                runner_up_points,
            })
            .collect(),
        trace: with_trace.then(|| trace(rules, &answers.masks)),
        model: None,
        fit: None,
    }
}

/// The answers to the questions in `questions` as flags, the assumed ones marked.
fn driver_answers(rules: &RuleSet, answers: &Answers, questions: Mask) -> String {
    if questions == 0 {
        return "(always)".to_owned();
    }
    (0..rules.questions.len())
        .filter(|&q| questions & (1 << q) != 0)
        .map(|q| {
            let value = AnswerValue::new(rules, q, answers.masks[q]).to_flag_value();
            let assumed = if answers.sources[q] == Source::Default {
                " (assumed)"
            } else {
                ""
            };
            format!("--{} {value}{assumed}", rules.questions[q].id)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every answer keyed by question id, in rule-set order.
pub fn answer_map<'r>(rules: &'r RuleSet, masks: &[Mask]) -> AnswerMap<'r> {
    ById(
        rules
            .questions
            .iter()
            .enumerate()
            .map(|(q, question)| (question.id.as_str(), AnswerValue::new(rules, q, masks[q])))
            .collect(),
    )
}

/// The flags that reproduce `masks`: every answer that is not the question's default.
pub fn flags(rules: &RuleSet, masks: &[Mask]) -> String {
    rules
        .questions
        .iter()
        .enumerate()
        .filter(|(q, question)| question.default != Some(masks[*q]))
        .map(|(q, question)| {
            format!(
                "--{} {}",
                question.id,
                AnswerValue::new(rules, q, masks[q]).to_flag_value()
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}
