//! The verdict with its reasons, in the shape of the versioned JSON contract. Built once,
//! rendered as a table or as JSON; rendering never decides anything.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::answers::{Answers, Source};
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
    pub flips: Vec<Flip>,
    pub notes: Vec<String>,
    pub rules: RulesInfo,
    pub tool: ToolInfo,
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
#[derive(Debug, Clone)]
pub struct AnswerMap(pub Vec<(String, AnswerValue)>);

impl Serialize for AnswerMap {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// A change of answers that would change the recommendation.
#[derive(Debug, Clone, Serialize)]
pub struct Flip {
    pub question: String,
    pub from: AnswerValue,
    pub to: AnswerValue,
    pub recommendation: String,
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

/// Every outcome excluded: there is nothing to recommend.
#[derive(Debug, Clone, thiserror::Error)]
#[error("no outcome is possible for these answers: {}", .exclusions.iter().map(|e| format!("{} is ruled out by `{}` ({})", e.outcome, e.rule, e.why)).collect::<Vec<_>>().join("; "))]
pub struct NothingPossible {
    pub exclusions: Vec<Exclusion>,
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

pub fn build(
    rules: &RuleSet,
    answers: &Answers,
    verdict: &Verdict,
) -> Result<Report, NothingPossible> {
    let Some(winner) = verdict.winner() else {
        return Err(NothingPossible {
            exclusions: exclusions(rules, verdict),
        });
    };
    let confidence = explain::confidence(verdict, rules.confidence);
    let outcome = &rules.outcomes[winner];

    // Scores: outcomes still possible in ranking order, then the excluded ones.
    let mut order = verdict.ranking.clone();
    order.extend(rules.tie_break.iter().filter(|&&o| verdict.is_excluded(o)));
    let scores = order
        .iter()
        .map(|&o| Score {
            outcome: rules.outcomes[o].id.clone(),
            score: verdict.scores[o],
            excluded: verdict.is_excluded(o),
        })
        .collect();

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

    let answer_map = AnswerMap(
        rules
            .questions
            .iter()
            .enumerate()
            .map(|(q, question)| {
                (
                    question.id.clone(),
                    AnswerValue::new(rules, q, answers.masks[q]),
                )
            })
            .collect(),
    );

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
        flips: Vec::new(),
        notes: verdict
            .notes
            .iter()
            .map(|&n| format!("{} ({})", rules.notes[n].text, rules.notes[n].cite))
            .collect(),
        rules: RulesInfo {
            name: rules.name.clone(),
            sha256: rules.sha256.clone(),
        },
        tool: ToolInfo {
            name: env!("CARGO_PKG_NAME").to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
    })
}
