//! The verdict with its reasons, in the shape of the versioned JSON contract. Built once,
//! rendered as a table or as JSON; rendering never decides anything.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::answers::{Answers, Source};
use crate::describe;
use crate::engine::Verdict;
use crate::explain::{self, Confidence};
use crate::rules::{Kind, Mask, RuleSet};

/// Bumped when a key is removed or renamed; adding keys is not a breaking change.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub recommendation: Recommendation,
    /// Winner minus runner-up among outcomes not excluded; `null` when constraints left one.
    pub margin: Option<i32>,
    pub confidence: Confidence,
    /// How to settle a close call on real hardware; present only for close calls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub close_call: Option<String>,
    pub scores: Vec<Score>,
    pub rationale: Vec<Reason>,
    pub excluded: Vec<Exclusion>,
    pub assumed: Vec<Assumed>,
    pub answers: AnswerMap,
    /// Where each answer came from: `flag`, `file`, `model`, `prompt` or `default`.
    pub provenance: Provenance,
    pub flips: Vec<Flip>,
    pub notes: Vec<String>,
    pub rules: RulesInfo,
    pub tool: ToolInfo,
    /// The best outcome after the winner; `null` when constraints left only the winner.
    pub runner_up: Option<String>,
    /// Which answers drove the verdict: points they brought the winner and the runner-up.
    pub influence: Vec<InfluenceEntry>,
    /// Every rule, constraint and note, and whether it applied (only with `--explain`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<Trace>,
    /// What the model's files say (only with `--model`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<crate::inspect::Inspection>,
    /// The model's memory against the target devices (only with `--model`, when the files
    /// give its size).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fit: Option<crate::inspect::fit::Fit>,
}

/// Where each answer came from, keyed by question id, in rule-set order.
pub type Provenance = ById<Source>;

#[derive(Debug, Clone, Serialize)]
pub struct InfluenceEntry {
    pub question: String,
    pub answer: AnswerValue,
    pub winner_points: i32,
    pub runner_up_points: i32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Trace {
    pub rules: Vec<TraceEntry>,
    pub constraints: Vec<TraceEntry>,
    pub notes: Vec<TraceEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TraceEntry {
    pub id: String,
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
pub struct Recommendation {
    pub id: String,
    pub name: String,
    pub summary: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Score {
    pub outcome: String,
    pub score: i32,
    pub excluded: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Reason {
    pub rule: String,
    pub outcome: String,
    pub points: i32,
    pub why: String,
    pub cite: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Exclusion {
    pub outcome: String,
    pub rule: String,
    pub why: String,
    pub source: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Assumed {
    pub question: String,
    pub value: AnswerValue,
}

/// A single-choice answer is a string, a multi-choice answer a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum AnswerValue {
    One(String),
    Many(Vec<String>),
}

impl AnswerValue {
    pub fn new(rules: &RuleSet, question: usize, mask: Mask) -> Self {
        let q = &rules.questions[question];
        let ids = q.option_ids(mask).into_iter().map(str::to_owned);
        match q.kind {
            Kind::Single => AnswerValue::One(ids.into_iter().next().unwrap_or_default()),
            Kind::Multi => AnswerValue::Many(ids.collect()),
        }
    }

    /// As typed on the command line: `a` or `a,b`.
    pub fn to_flag_value(&self) -> String {
        match self {
            AnswerValue::One(s) => s.clone(),
            AnswerValue::Many(v) => v.join(","),
        }
    }
}

/// Every question's answer, keyed by question id, in rule-set order.
pub type AnswerMap = ById<AnswerValue>;

/// Values keyed by question id, serialized as a JSON object in rule-set order.
#[derive(Debug, Clone)]
pub struct ById<V>(pub Vec<(String, V)>);

impl<V: Serialize> Serialize for ById<V> {
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
pub struct Flip {
    pub question: String,
    pub from: AnswerValue,
    pub to: AnswerValue,
    pub recommendation: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<FlipChange>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FlipChange {
    pub question: String,
    pub from: AnswerValue,
    pub to: AnswerValue,
}

#[derive(Debug, Clone, Serialize)]
pub struct RulesInfo {
    pub name: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
}

/// Every outcome excluded: there is nothing to recommend. It still says why, what to do
/// instead (the nearest answers that make an outcome possible) and the notes that apply;
/// `render` formats it.
#[derive(Debug, Clone)]
pub struct NothingPossible {
    pub exclusions: Vec<Exclusion>,
    pub flips: Vec<Flip>,
    pub notes: Vec<String>,
    /// (id, name) of every outcome, to name them.
    pub outcome_names: Vec<(String, String)>,
}

impl std::error::Error for NothingPossible {}

/// The notes that apply, each ending with its source.
fn notes(rules: &RuleSet, verdict: &Verdict) -> Vec<String> {
    verdict
        .notes
        .iter()
        .map(|&n| format!("{} ({})", rules.notes[n].text, rules.notes[n].cite))
        .collect()
}

fn exclusions(rules: &RuleSet, verdict: &Verdict) -> Vec<Exclusion> {
    let mut out = Vec::new();
    for &c in &verdict.fired_constraints {
        let constraint = &rules.constraints[c];
        for (o, outcome) in rules.outcomes.iter().enumerate() {
            if constraint.exclude & (1 << o) != 0 {
                out.push(Exclusion {
                    outcome: outcome.id.clone(),
                    rule: constraint.id.clone(),
                    why: constraint.why.clone(),
                    source: constraint.source.clone(),
                });
            }
        }
    }
    out
}

/// Scores: outcomes still possible in ranking order, then the excluded ones.
pub fn scores(rules: &RuleSet, verdict: &Verdict) -> Vec<Score> {
    let mut order = verdict.ranking.clone();
    order.extend(rules.tie_break.iter().filter(|&&o| verdict.is_excluded(o)));
    order
        .iter()
        .map(|&o| Score {
            outcome: rules.outcomes[o].id.clone(),
            score: verdict.scores[o],
            excluded: verdict.is_excluded(o),
        })
        .collect()
}

/// The nearest answer changes that change the verdict of `answers`.
pub fn flips(rules: &RuleSet, search: &explain::FlipSearch, answers: &[Mask]) -> Vec<Flip> {
    explain::flips_with(rules, search, answers)
        .iter()
        .map(|f| flip(rules, f))
        .collect()
}

fn flip(rules: &RuleSet, f: &explain::FlipResult) -> Flip {
    let change = |c: &explain::Change| FlipChange {
        question: rules.questions[c.question].id.clone(),
        from: AnswerValue::new(rules, c.question, c.from),
        to: AnswerValue::new(rules, c.question, c.to),
    };
    let first = change(&f.changes[0]);
    Flip {
        question: first.question,
        from: first.from,
        to: first.to,
        recommendation: rules.outcomes[f.outcome].id.clone(),
        also: f.changes[1..].iter().map(change).collect(),
    }
}

fn trace(rules: &RuleSet, answers: &[Mask]) -> Trace {
    let entry = |id: &str, cond: Option<&crate::rules::Condition>, effect: String| {
        let applies = cond.is_none_or(|c| c.holds(answers));
        TraceEntry {
            id: id.to_owned(),
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
            .map(|n| entry(&n.id, n.when.as_ref(), n.text.clone()))
            .collect(),
    }
}

/// The report for `answers`; `with_trace` adds every rule, constraint and note (`--explain`).
pub fn build(
    rules: &RuleSet,
    answers: &Answers,
    verdict: &Verdict,
    with_trace: bool,
) -> Result<Report, NothingPossible> {
    build_with(
        rules,
        &explain::FlipSearch::new(rules),
        answers,
        verdict,
        with_trace,
    )
}

/// [`build`] with the flip search prepared once (for many answer sets).
pub fn build_with(
    rules: &RuleSet,
    search: &explain::FlipSearch,
    answers: &Answers,
    verdict: &Verdict,
    with_trace: bool,
) -> Result<Report, NothingPossible> {
    let Some(winner) = verdict.winner() else {
        return Err(NothingPossible {
            exclusions: exclusions(rules, verdict),
            flips: flips(rules, search, &answers.masks),
            notes: notes(rules, verdict),
            outcome_names: rules
                .outcomes
                .iter()
                .map(|o| (o.id.clone(), o.name.clone()))
                .collect(),
        });
    };
    let confidence = explain::confidence(verdict, rules.confidence);
    let outcome = &rules.outcomes[winner];

    let scores = scores(rules, verdict);

    let rationale = verdict
        .fired_rules
        .iter()
        .flat_map(|&r| {
            let rule = &rules.rules[r];
            rule.score.iter().map(move |&(o, points)| Reason {
                rule: rule.id.clone(),
                outcome: rules.outcomes[o].id.clone(),
                points,
                why: rule.why.clone(),
                cite: rule.cite.clone(),
            })
        })
        .collect();

    let assumed = answers
        .sources
        .iter()
        .enumerate()
        .filter(|(_, s)| **s == Source::Default)
        .map(|(q, _)| Assumed {
            question: rules.questions[q].id.clone(),
            value: AnswerValue::new(rules, q, answers.masks[q]),
        })
        .collect();

    let answer_map = answer_map(rules, &answers.masks);

    Ok(Report {
        schema_version: SCHEMA_VERSION,
        recommendation: Recommendation {
            id: outcome.id.clone(),
            name: outcome.name.clone(),
            summary: outcome.summary.clone(),
        },
        margin: verdict.margin(),
        confidence,
        close_call: (confidence == Confidence::CloseCall)
            .then(|| rules.close_call.clone())
            .flatten(),
        scores,
        rationale,
        excluded: exclusions(rules, verdict),
        assumed,
        answers: answer_map,
        provenance: ById(
            rules
                .questions
                .iter()
                .zip(&answers.sources)
                .map(|(q, s)| (q.id.clone(), *s))
                .collect(),
        ),
        flips: flips(rules, search, &answers.masks),
        notes: notes(rules, verdict),
        rules: RulesInfo {
            name: rules.name.clone(),
            sha256: rules.sha256.clone(),
        },
        tool: ToolInfo {
            name: env!("CARGO_PKG_NAME").to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
        runner_up: verdict.runner_up().map(|o| rules.outcomes[o].id.clone()),
        influence: explain::influence(rules, verdict)
            .iter()
            .map(|i| InfluenceEntry {
                question: rules.questions[i.question].id.clone(),
                answer: AnswerValue::new(rules, i.question, answers.masks[i.question]),
                winner_points: i.for_winner,
                runner_up_points: i.for_runner_up,
            })
            .collect(),
        trace: with_trace.then(|| trace(rules, &answers.masks)),
        model: None,
        fit: None,
    })
}

/// Every answer keyed by question id, in rule-set order.
pub fn answer_map(rules: &RuleSet, masks: &[Mask]) -> AnswerMap {
    ById(
        rules
            .questions
            .iter()
            .enumerate()
            .map(|(q, question)| (question.id.clone(), AnswerValue::new(rules, q, masks[q])))
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
