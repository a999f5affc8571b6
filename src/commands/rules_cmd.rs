//! `mlstack rules validate|test`.

use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use super::{Failure, emit, load_rules};
use crate::render::Format;
use crate::rule_tests::{self, CaseKind};
use crate::rules::{DEFAULT_RULES_NAME, Diagnostic, RuleSet};

#[derive(Serialize)]
struct Validation<'a> {
    schema_version: u32,
    valid: bool,
    errors: &'a [Diagnostic],
}

pub fn validate(file: Option<&Path>, format: Format) -> Result<(), Failure> {
    let name = file.map_or_else(
        || DEFAULT_RULES_NAME.to_owned(),
        |f| f.display().to_string(),
    );
    let result = load_rules(file);
    match (result, format) {
        (Ok(rules), Format::Table | Format::Markdown) => {
            let text = format!(
                "{name}: valid ({} outcomes, {} questions, {} rules, {} constraints, {} notes, {} tests, {} conflicts)\n",
                rules.outcomes.len(),
                rules.questions.len(),
                rules.rules.len(),
                rules.constraints.len(),
                rules.notes.len(),
                rules.tests.len(),
                rules.conflicts.len(),
            );
            emit(text.as_bytes())
        }
        (Err(Failure::InvalidRules(invalid)), Format::Json) => {
            let doc = Validation {
                schema_version: 1,
                valid: false,
                errors: &invalid.diagnostics,
            };
            emit(json(&doc)?.as_bytes())?;
            let n = invalid.diagnostics.len();
            Err(Failure::InvalidReported(format!(
                "{name} is invalid ({n} problem{})",
                if n == 1 { "" } else { "s" }
            )))
        }
        (Ok(_), Format::Json) => emit(
            json(&Validation {
                schema_version: 1,
                valid: true,
                errors: &[],
            })?
            .as_bytes(),
        ),
        (Err(e), _) => Err(e),
    }
}

pub fn json(value: &impl Serialize) -> Result<String, Failure> {
    let mut s = serde_json::to_string_pretty(value).map_err(|e| Failure::Output(e.into()))?;
    s.push('\n');
    Ok(s)
}

#[derive(Serialize)]
struct CaseOut<'a> {
    kind: &'static str,
    name: &'a str,
    passed: bool,
    /// A stack, or a plan of several (`core-ml+mlx`); `none` when the test expects no stack.
    expected: String,
    /// `null` when constraints exclude every outcome (of a model), or the case's models
    /// could not be made (`problem`).
    got: Option<String>,
    /// Why the case's models could not be made from its answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    problem: Option<&'a str>,
    /// For a failure in an app of several models: each model's stack in the plan got.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    models: Vec<ModelGot<'a>>,
    /// For failures: the points each fired rule gave the expected and the actual outcome.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    rationale: Vec<ReasonOut<'a>>,
}

#[derive(Serialize)]
struct ModelGot<'a> {
    name: &'a str,
    /// `null` when no stack fits the model.
    got: Option<&'a str>,
}

#[derive(Serialize)]
struct ReasonOut<'a> {
    /// The model the rule fired for, in a case of several models.
    #[serde(skip_serializing_if = "Option::is_none")]
    model: Option<&'a str>,
    rule: &'a str,
    outcome: &'a str,
    points: i32,
}

#[derive(Serialize)]
struct TestsOut<'a> {
    schema_version: u32,
    passed: usize,
    failed: usize,
    cases: Vec<CaseOut<'a>>,
}

/// For a failed case: per model, the points each fired rule gave the outcomes of the
/// expected and the actual plan (`model` named when the app has several).
fn failure_rationale<'a>(
    rules: &'a RuleSet,
    case: &'a rule_tests::CaseResult,
) -> Vec<ReasonOut<'a>> {
    let several = case.models.len() > 1;
    let in_plan = |plan: Option<&[usize]>, o: usize| plan.is_some_and(|p| p.contains(&o));
    let mut out = Vec::new();
    for m in &case.models {
        for &r in &m.verdict.fired_rules {
            let rule = &rules.rules[r];
            for &(o, points) in &rule.score {
                if in_plan(case.expected.as_deref(), o) || in_plan(case.got.as_deref(), o) {
                    out.push(ReasonOut {
                        model: several.then_some(m.name.as_str()),
                        rule: &rule.id,
                        outcome: &rules.outcomes[o].id,
                        points,
                    });
                }
            }
        }
    }
    out
}

pub fn test(file: Option<&Path>, format: Format) -> Result<(), Failure> {
    let rules = load_rules(file)?;
    let results = rule_tests::run_all(&rules);
    let cases: Vec<CaseOut> = results
        .iter()
        .map(|r| CaseOut {
            kind: match r.kind {
                CaseKind::Test => "test",
                CaseKind::Conflict => "conflict",
            },
            name: &r.name,
            passed: r.passed(),
            expected: r
                .expected
                .as_ref()
                .map_or_else(|| "none".to_owned(), |p| crate::plan::id(&rules, p)),
            got: r.got.as_ref().map(|p| crate::plan::id(&rules, p)),
            problem: r.problem.as_deref(),
            models: if r.passed() || r.models.len() < 2 {
                Vec::new()
            } else {
                r.models
                    .iter()
                    .map(|m| ModelGot {
                        name: &m.name,
                        got: m.stack.map(|s| rules.outcomes[s].id.as_str()),
                    })
                    .collect()
            },
            rationale: if r.passed() {
                Vec::new()
            } else {
                failure_rationale(&rules, r)
            },
        })
        .collect();
    let failed = cases.iter().filter(|c| !c.passed).count();
    let doc = TestsOut {
        schema_version: 1,
        passed: cases.len() - failed,
        failed,
        cases,
    };
    let text = match format {
        Format::Json => json(&doc)?,
        Format::Table | Format::Markdown => {
            let mut text = String::new();
            for c in &doc.cases {
                if c.passed {
                    let _ = writeln!(text, "ok    {} {}", c.kind, c.name);
                } else if let Some(problem) = c.problem {
                    let _ = writeln!(text, "FAIL  {} {}: {problem}", c.kind, c.name);
                } else {
                    let _ = writeln!(
                        text,
                        "FAIL  {} {}: expected {}, got {}",
                        c.kind,
                        c.name,
                        c.expected,
                        c.got
                            .as_deref()
                            .unwrap_or("nothing (every outcome ruled out)")
                    );
                    for m in &c.models {
                        let _ = writeln!(
                            text,
                            "        {} gets {}",
                            m.name,
                            m.got.unwrap_or("nothing (every outcome ruled out)")
                        );
                    }
                    for r in &c.rationale {
                        let model = r.model.map(|m| format!("{m}: ")).unwrap_or_default();
                        let _ = writeln!(
                            text,
                            "        {model}{:+} {} ({})",
                            r.points, r.outcome, r.rule
                        );
                    }
                }
            }
            let _ = writeln!(text, "{} passed, {} failed", doc.passed, doc.failed);
            text
        }
    };
    emit(text.as_bytes())?;
    if failed > 0 {
        return Err(Failure::Gate(format!("{failed} rule test(s) failed")));
    }
    Ok(())
}
