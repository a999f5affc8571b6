//! Pins the JSON contract of `recommend --format json` (schema_version 1): parsing into
//! `deny_unknown_fields` structs fails on any renamed, removed or unexpected key.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::util::*;

/// What a verdict that is not strong by its evidence rests on.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct ConfidenceBasis {
    rests_on: RestsOn,
    questions: Vec<String>,
    outcomes: Vec<String>,
    rules: Vec<String>,
    text: String,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case")]
enum RestsOn {
    AssumedAnswers,
    Elimination,
    Unproven,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Report {
    schema_version: u32,
    recommendation: Plan,
    models: Vec<ModelEntry>,
    plan_rationale: Vec<PlanReason>,
    margin: Option<i64>,
    confidence: Confidence,
    #[serde(default)]
    confidence_basis: Option<ConfidenceBasis>,
    #[serde(default)]
    close_call: Option<String>,
    scores: Vec<Score>,
    rationale: Vec<Reason>,
    excluded: Vec<Exclusion>,
    assumed: Vec<Assumed>,
    answers: BTreeMap<String, Answer>,
    provenance: BTreeMap<String, Provenance>,
    flips: Vec<Flip>,
    notes: Vec<Note>,
    /// Fact id -> its claim and reference (absent when nothing cited is defined).
    #[serde(default)]
    references: BTreeMap<String, ReferenceOut>,
    rules: RulesInfo,
    tool: ToolInfo,
    runner_up: Option<String>,
    influence: Vec<InfluenceEntry>,
    #[serde(default)]
    trace: Option<Trace>,
    /// Only with --model (pinned by the published schema in tests/cli/model.rs).
    #[serde(default)]
    model: Option<serde_json::Value>,
    #[serde(default)]
    fit: Option<serde_json::Value>,
}

/// The app's plan (schema 2): the stacks of its models, composed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Plan {
    id: String,
    name: String,
    #[serde(default)]
    summary: Option<String>,
    models: Vec<PlanModel>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct PlanModel {
    model: String,
    stack: Option<String>,
    name: Option<String>,
}

/// A plan rule that applied (schema 2).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct PlanReason {
    rule: String,
    why: String,
    cite: String,
    moved: Vec<Moved>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Moved {
    model: String,
    from: String,
    to: String,
}

/// One model's verdict: the keys a one-model document also has at the top level.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct ModelEntry {
    name: String,
    recommendation: Option<Recommendation>,
    fallback: Option<serde_json::Value>,
    runtime: Option<serde_json::Value>,
    margin: Option<i64>,
    confidence: Option<Confidence>,
    #[serde(default)]
    confidence_basis: Option<ConfidenceBasis>,
    #[serde(default)]
    close_call: Option<String>,
    scores: Vec<Score>,
    rationale: Vec<Reason>,
    excluded: Vec<Exclusion>,
    assumed: Vec<Assumed>,
    answers: BTreeMap<String, Answer>,
    provenance: BTreeMap<String, Provenance>,
    flips: Vec<Flip>,
    notes: Vec<Note>,
    #[serde(default)]
    references: BTreeMap<String, ReferenceOut>,
    runner_up: Option<String>,
    influence: Vec<InfluenceEntry>,
    #[serde(default)]
    trace: Option<Trace>,
    #[serde(default)]
    model: Option<serde_json::Value>,
    #[serde(default)]
    fit: Option<serde_json::Value>,
}

/// A note (schema 2): an object, no longer a string.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Note {
    text: String,
    cite: String,
    concerns: Vec<String>,
    references: Vec<String>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Provenance {
    Flag,
    File,
    Model,
    Prompt,
    Default,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct InfluenceEntry {
    question: String,
    answer: Answer,
    winner_points: i64,
    runner_up_points: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Trace {
    rules: Vec<TraceEntry>,
    constraints: Vec<TraceEntry>,
    notes: Vec<TraceEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct TraceEntry {
    id: String,
    applies: bool,
    condition: String,
    #[serde(default)]
    failed: Option<String>,
    effect: String,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case")]
enum Confidence {
    Strong,
    Moderate,
    CloseCall,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Recommendation {
    id: String,
    name: String,
    summary: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Score {
    outcome: String,
    score: i64,
    excluded: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Reason {
    rule: String,
    outcome: String,
    points: i64,
    why: String,
    cite: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Exclusion {
    outcome: String,
    rule: String,
    why: String,
    source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Assumed {
    question: String,
    value: Answer,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(untagged)]
enum Answer {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Flip {
    question: String,
    from: Answer,
    to: Answer,
    recommendation: String,
    #[serde(default)]
    also: Vec<FlipChange>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct FlipChange {
    question: String,
    from: Answer,
    to: Answer,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct ReferenceOut {
    claim: String,
    reference: Option<String>,
    #[serde(default)]
    date: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RulesInfo {
    name: String,
    sha256: String,
    #[serde(default)]
    as_of: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct ToolInfo {
    name: String,
    version: String,
}

fn report(args: &[&str]) -> Report {
    serde_json::from_value(recommend_json(args)).expect("output matches the pinned schema")
}

#[test]
fn clear_case_matches_the_schema() {
    let r = report(&["--model-type", "llm", "--hardware", "gpu"]);
    assert_eq!(r.schema_version, 2);
    assert_eq!(r.recommendation.id, "mlx");
    assert_eq!(r.recommendation.models.len(), 1);
    assert_eq!(r.recommendation.models[0].model, "llm");
    assert_eq!(r.recommendation.models[0].stack.as_deref(), Some("mlx"));
    // One model: its entry says what the top level says.
    assert_eq!(r.models.len(), 1);
    let m = &r.models[0];
    assert_eq!(m.name, "llm");
    assert_eq!(m.recommendation.as_ref().unwrap().id, "mlx");
    assert_eq!(
        (m.margin, m.confidence.as_ref()),
        (r.margin, Some(&r.confidence))
    );
    assert_eq!(m.notes.len(), r.notes.len());
    assert!(m.fallback.is_none() && m.runtime.is_none());
    assert!(
        r.notes
            .iter()
            .all(|n| !n.text.is_empty() && !n.cite.is_empty())
    );
    assert!(
        r.notes
            .iter()
            .any(|n| n.references.iter().any(|id| r.references.contains_key(id))),
        "a note's references resolve in the document's references"
    );
    assert_eq!(r.confidence, Confidence::Strong);
    assert_eq!(r.margin, Some(r.scores[0].score - r.scores[1].score));
    assert!(r.close_call.is_none());
    assert_eq!(r.tool.name, "mlstack");
    assert_eq!(r.rules.name, "mlstack-default");
    assert_eq!(r.rules.sha256.len(), 64);
    assert_eq!(
        r.answers.len(),
        19,
        "every question is answered, given or assumed"
    );
    assert_eq!(r.answers["hardware"], Answer::One("gpu".into()));
    assert_eq!(r.answers["model-type"], Answer::Many(vec!["llm".into()]));
    assert!(
        r.rationale
            .iter()
            .any(|x| x.rule == "checklist-1-generative-llm" && x.points == 7)
    );
    assert!(
        r.assumed
            .iter()
            .all(|a| a.question != "hardware" && a.question != "model-type")
    );
    assert!(!r.notes.is_empty());
    assert_eq!(r.runner_up.as_deref(), Some("cross-platform"));
    assert!(r.trace.is_none(), "the trace only comes with --explain");
    assert_eq!(r.influence[0].question, "model-type");
    // A model's type is what the model is: changing it is never offered as a flip.
    assert!(r.flips.iter().all(|f| f.question != "model-type"));
    assert!(
        r.flips
            .iter()
            // llama.cpp's CPU path in the iOS background, where MLX cannot run.
            .any(|f| f.question == "background" && f.recommendation == "cross-platform")
    );
}

#[test]
fn explain_adds_a_trace_of_every_rule_constraint_and_note() {
    let r = report(&["--model-type", "llm", "--explain"]);
    let trace = r.trace.expect("trace with --explain");
    let rules = mlstack::rules::default_rules();
    assert_eq!(trace.rules.len(), rules.rules.len());
    assert_eq!(trace.constraints.len(), rules.constraints.len());
    assert_eq!(trace.notes.len(), rules.notes.len());
    for e in trace
        .rules
        .iter()
        .chain(&trace.constraints)
        .chain(&trace.notes)
    {
        assert_eq!(e.applies, e.failed.is_none(), "{}", e.id);
    }
    let battery = trace
        .rules
        .iter()
        .find(|e| e.id == "checklist-4-battery-critical")
        .unwrap();
    assert_eq!(
        battery.failed.as_deref(),
        Some("battery is normal, not critical")
    );
}

#[test]
fn scores_equal_the_sum_of_the_rationale() {
    let r = report(&[
        "--model-type",
        "llm",
        "--battery",
        "critical",
        "--needs",
        "kv-cache",
    ]);
    for s in &r.scores {
        let sum: i64 = r
            .rationale
            .iter()
            .filter(|x| x.outcome == s.outcome)
            .map(|x| x.points)
            .sum();
        assert_eq!(sum, s.score, "{}", s.outcome);
        assert_eq!(
            s.excluded,
            r.excluded.iter().any(|e| e.outcome == s.outcome)
        );
    }
}

#[test]
fn close_call_matches_the_schema() {
    let r = report(&[
        "--model-type",
        "llm",
        "--model-size",
        "under-1b",
        "--battery",
        "critical",
        "--hardware",
        "neural-engine",
    ]);
    assert_eq!(r.confidence, Confidence::CloseCall);
    assert_eq!(r.margin, Some(1));
    assert!(r.close_call.is_some());
}

#[test]
fn forced_verdict_has_null_margin() {
    // Trees and SVMs: MLX cannot load them, and Core ML is the only stack left (a language
    // model on Linux was the example until llama.cpp became a candidate there in session 16).
    let r = report(&[
        "--model-type",
        "classifier",
        "--model-kind",
        "classical",
        "--platform",
        "ios",
    ]);
    assert_eq!(r.recommendation.id, "core-ml");
    assert_eq!(r.margin, None);
    assert_eq!(r.confidence, Confidence::Strong);
    assert!(
        r.excluded
            .iter()
            .any(|e| e.rule == "mlx-has-no-classical-ml" && e.outcome == "mlx")
    );
}

/// A verdict whose lead rests on assumed answers, or that the constraints forced over
/// better-scoring stacks, is moderate and says why; the keys match the schema.
#[test]
fn confidence_basis_matches_the_schema() {
    let r = report(&["--model-type", "vision"]);
    assert_eq!(r.confidence, Confidence::Moderate);
    let basis = r.confidence_basis.expect("the lead rests on --iteration");
    assert_eq!(basis.rests_on, RestsOn::AssumedAnswers);
    assert_eq!(basis.questions, ["iteration"]);
    assert!(basis.outcomes.is_empty());
    // A language model of a size not given, on the watch: only Core ML is left.
    let r = report(&["--model-type", "llm", "--platform", "watchos"]);
    assert_eq!(r.margin, None);
    assert_eq!(r.confidence, Confidence::Moderate);
    let basis = r.confidence_basis.expect("the constraints forced it");
    assert_eq!(basis.rests_on, RestsOn::Elimination);
    assert_eq!(basis.outcomes, ["mlx", "core-ai"]);
    // A failed Core ML export leaves Core AI's converter (the same torch.export) unproven: four
    // points ahead, from answers given, and still moderate.
    let r = report(&[
        "--model-type",
        "vision",
        "--min-os",
        "27",
        "--hardware",
        "neural-engine",
        "--converted",
        "export-fails",
    ]);
    assert_eq!(r.margin, Some(4));
    assert_eq!(r.confidence, Confidence::Moderate);
    let basis = r.confidence_basis.expect("the export is unproven");
    assert_eq!(basis.rests_on, RestsOn::Unproven);
    assert_eq!(basis.rules, ["core-ai-export-shares-the-trace"]);
    assert!(
        basis.text.contains("runs the model at all"),
        "{}",
        basis.text
    );
    // Strong verdicts carry no basis.
    assert!(report(&["--model-type", "llm"]).confidence_basis.is_none());
}
