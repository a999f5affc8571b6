//! `mlstack rules check` and `mlstack rules diff`.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use super::rules_cmd::json;
use super::{Failure, Terminal, emit, load_rules, threads, usage};
use crate::analysis::check::{self, Coverage, Finding};
use crate::render::Format;
use crate::report::{self, AnswerMap};
use crate::rules::RuleSet;

#[derive(Serialize)]
struct FindingOut<'r> {
    count: u128,
    #[serde(skip_serializing_if = "Option::is_none")]
    example: Option<AnswerMap<'r>>,
}

fn finding<'r>(rules: &'r RuleSet, f: &Finding) -> FindingOut<'r> {
    FindingOut {
        count: f.count,
        example: f.example.as_deref().map(|e| report::answer_map(rules, e)),
    }
}

#[derive(Serialize)]
#[serde(tag = "mode", rename_all = "kebab-case")]
enum CoverageOut {
    Exhaustive { classes: u128 },
    Sampled { size: u64, seed: u64, why: String },
}

#[derive(Serialize)]
struct VerdictShare {
    outcome: String,
    count: u128,
    share: f64,
}

#[derive(Serialize)]
struct TieOut<'r> {
    outcomes: [String; 2],
    declared: bool,
    #[serde(flatten)]
    finding: FindingOut<'r>,
}

#[derive(Serialize)]
struct CheckOut<'r> {
    schema_version: u32,
    rules: String,
    coverage: CoverageOut,
    answer_sets: u128,
    verdicts: Vec<VerdictShare>,
    nothing_possible: FindingOut<'r>,
    ties: Vec<TieOut<'r>>,
    close_calls: u128,
    rules_never_fired: Vec<String>,
    rules_without_effect: Vec<String>,
    questions_without_effect: Vec<String>,
    outcomes_never_winning: Vec<String>,
    /// Each rule about the app's plan: whether it can apply, and the tests that show it.
    plan_rules: Vec<PlanRuleOut>,
    problems: usize,
    seconds: f64,
}

#[derive(Serialize)]
struct PlanRuleOut {
    id: String,
    /// The first of the rule file's tests of several models where the rule applies (for a
    /// rule with a move: where it moves a model); `null`: none does (a problem).
    applies_in: Option<String>,
    /// The first such test where it does not apply; `null`: none (a problem).
    not_in: Option<String>,
    /// A pattern (0-based) no model can meet, since none of its stacks wins any answer set
    /// (a problem: the rule never applies).
    unreachable_pattern: Option<usize>,
}

fn coverage(c: &Coverage) -> CoverageOut {
    match *c {
        Coverage::Exhaustive { classes } => CoverageOut::Exhaustive { classes },
        Coverage::Sampled {
            size,
            seed,
            ref why,
        } => CoverageOut::Sampled {
            size,
            seed,
            why: why.clone(),
        },
    }
}

fn pct(count: u128, total: u128) -> f64 {
    if total == 0 {
        0.0
    } else {
        (count as f64) * 100.0 / (total as f64)
    }
}

pub fn check(
    file: Option<&Path>,
    format: Format,
    seed: u64,
    terminal: Terminal,
) -> Result<(), Failure> {
    let rules = load_rules(file)?;
    let started = Instant::now();
    let report = check::check(&rules, seed, threads());
    let cases = crate::rule_tests::run_all(&rules);
    let plan_rules = crate::analysis::plan_rules::plan_rules(&rules, &report.wins, &cases);
    let seconds = started.elapsed().as_secs_f64();
    let ids =
        |v: &[usize], f: &dyn Fn(usize) -> String| v.iter().map(|&i| f(i)).collect::<Vec<_>>();
    let out = CheckOut {
        schema_version: 1,
        rules: rules.name.to_string(),
        coverage: coverage(&report.coverage),
        answer_sets: report.answer_sets,
        verdicts: rules
            .outcomes
            .iter()
            .zip(&report.wins)
            .map(|(o, &count)| VerdictShare {
                outcome: o.id.to_string(),
                count,
                share: pct(count, report.answer_sets),
            })
            .collect(),
        nothing_possible: finding(&rules, &report.nothing_possible),
        ties: report
            .ties
            .iter()
            .map(|t| TieOut {
                outcomes: [
                    rules.outcomes[t.outcomes.0].id.to_string(),
                    rules.outcomes[t.outcomes.1].id.to_string(),
                ],
                declared: t.declared,
                finding: finding(&rules, &t.finding),
            })
            .collect(),
        close_calls: report.close_calls,
        rules_never_fired: ids(&report.rules_never_fired, &|i| {
            rules.rules[i].id.to_string()
        }),
        rules_without_effect: ids(&report.rules_without_effect, &|i| {
            rules.rules[i].id.to_string()
        }),
        questions_without_effect: ids(&report.questions_without_effect, &|i| {
            rules.questions[i].id.to_string()
        }),
        outcomes_never_winning: ids(&report.outcomes_never_winning, &|i| {
            rules.outcomes[i].id.to_string()
        }),
        plan_rules: plan_rules
            .iter()
            .map(|f| PlanRuleOut {
                id: rules.plan.rules[f.rule].id.to_string(),
                applies_in: f.shown_by.clone(),
                not_in: f.not_by.clone(),
                unreachable_pattern: f.unreachable,
            })
            .collect(),
        problems: report.problems() + plan_rules.iter().map(|f| f.problems()).sum::<usize>(),
        seconds,
    };
    let text = match format {
        Format::Json => json(&out)?,
        // Check's report is prose and a small table: the same text serves Markdown.
        // On a terminal prose wraps to its width; in a pipe each finding stays one line, to grep.
        Format::Table if terminal.stdout_is_tty => crate::render::table::wrap_prose(
            &check_text(&rules, &report, &out, terminal),
            terminal.width,
        ),
        Format::Table => check_text(&rules, &report, &out, terminal),
        Format::Markdown => check_text(&rules, &report, &out, terminal),
    };
    emit(text.as_bytes())?;
    if out.problems > 0 {
        return Err(Failure::Gate(format!(
            "rules check found {} problem{}",
            out.problems,
            if out.problems == 1 { "" } else { "s" }
        )));
    }
    Ok(())
}

/// Where the rule file's tests show a plan rule applying and not, or what is missing.
fn plan_rule_text(p: &PlanRuleOut) -> String {
    if let Some(n) = p.unreachable_pattern {
        return format!(
            "never applies: no answer set gives a model a stack its pattern {} names",
            n + 1
        );
    }
    let quoted = |name: &Option<String>| name.as_ref().map(|n| format!("'{n}'"));
    match (quoted(&p.applies_in), quoted(&p.not_in)) {
        (Some(yes), Some(no)) => format!("applies in test {yes}, not in test {no}"),
        (Some(yes), None) => format!(
            "applies in test {yes}; no test of several models shows it not applying (add one)"
        ),
        (None, Some(no)) => format!(
            "no test of several models shows it applying (add one where it does); not in test {no}"
        ),
        (None, None) => "no test of several models shows it applying or not (add both)".to_owned(),
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

fn check_text(
    rules: &RuleSet,
    report: &check::CheckReport,
    out: &CheckOut,
    terminal: Terminal,
) -> String {
    let mut t = String::new();
    let example = |f: &Finding| {
        f.example
            .as_deref()
            .map(|e| format!("\n    e.g. mlstack recommend {}", report::flags(rules, e)))
            .unwrap_or_default()
    };
    let _ = match report.coverage {
        Coverage::Exhaustive { classes } => writeln!(
            t,
            "{}: checked all {} ({} classes of equivalent answers) in {:.2} s",
            rules.name,
            answer_sets(report.answer_sets),
            classes,
            out.seconds
        ),
        Coverage::Sampled {
            size,
            seed,
            ref why,
        } => writeln!(
            t,
            "{}: NOT EXHAUSTIVE (a problem): {why}; sampled {size} random answer sets (seed {seed}) in {:.2} s instead",
            rules.name, out.seconds
        ),
    };
    let _ = writeln!(t, "\nVerdicts");
    let mut rows: Vec<Vec<String>> = out
        .verdicts
        .iter()
        .map(|v| {
            vec![
                v.outcome.clone(),
                v.count.to_string(),
                format!("{:.1}%", v.share),
            ]
        })
        .collect();
    rows.push(vec![
        "(nothing possible)".to_owned(),
        report.nothing_possible.count.to_string(),
        format!(
            "{:.1}%",
            pct(report.nothing_possible.count, report.answer_sets)
        ),
    ]);
    let header = ["Outcome", "Answer sets", "Share"];
    let _ = write!(
        t,
        "{}",
        crate::render::table::grid(false, terminal.width, &header, rows, None)
    );
    if report.nothing_possible.count > 0 {
        let _ = writeln!(
            t,
            "Every outcome is ruled out in {}{}",
            answer_sets(report.nothing_possible.count),
            example(&report.nothing_possible)
        );
    }
    let _ = writeln!(
        t,
        "Close calls (margin below {}): {} ({:.1}%)",
        rules.confidence.moderate,
        answer_sets(report.close_calls),
        pct(report.close_calls, report.answer_sets)
    );
    let _ = writeln!(t, "\nFindings");
    if report.ties.is_empty() {
        let _ = writeln!(t, "- ties: none");
    }
    for tie in &report.ties {
        let (a, b) = (
            &rules.outcomes[tie.outcomes.0].id,
            &rules.outcomes[tie.outcomes.1].id,
        );
        let _ = writeln!(
            t,
            "- ties between {a} and {b}{}: {} (the tie-break picks {a}){}",
            if tie.declared {
                " (declared intentional)"
            } else {
                ""
            },
            answer_sets(tie.finding.count),
            example(&tie.finding)
        );
    }
    for (label, items) in [
        ("rules that never fire", &out.rules_never_fired),
        (
            "rules whose removal changes no verdict",
            &out.rules_without_effect,
        ),
        (
            "questions that never change a verdict",
            &out.questions_without_effect,
        ),
        ("outcomes that can never win", &out.outcomes_never_winning),
    ] {
        let _ = writeln!(t, "- {label}: {}", list(items));
    }
    for p in &out.plan_rules {
        let _ = writeln!(t, "- plan rule {}: {}", p.id, plan_rule_text(p));
    }
    let _ = writeln!(
        t,
        "\n{}",
        match out.problems {
            0 => "No problems found.".to_owned(),
            n => format!("{n} problem{} found.", if n == 1 { "" } else { "s" }),
        }
    );
    t
}

#[derive(Serialize)]
struct ChangeOut<'r> {
    from: Option<String>,
    to: Option<String>,
    #[serde(flatten)]
    finding: FindingOut<'r>,
}

#[derive(Serialize)]
struct DiffOut<'r> {
    schema_version: u32,
    old: String,
    new: String,
    coverage: CoverageOut,
    compared: u128,
    changed: u128,
    changes: Vec<ChangeOut<'r>>,
    caveats: Vec<String>,
}

pub fn diff(
    old_path: &Path,
    new_path: &Path,
    fail_on_change: bool,
    format: Format,
    seed: u64,
    terminal: Terminal,
) -> Result<(), Failure> {
    let old = load_rules(Some(old_path))?;
    let new = load_rules(Some(new_path))?;
    let report = crate::analysis::diff::diff(&old, &new, seed, threads()).map_err(usage)?;
    let out = DiffOut {
        schema_version: 1,
        old: old_path.display().to_string(),
        new: new_path.display().to_string(),
        coverage: coverage(&report.coverage),
        compared: report.compared,
        changed: report.changed,
        changes: report
            .changes
            .iter()
            .map(|c| ChangeOut {
                from: c.from.clone(),
                to: c.to.clone(),
                finding: finding(&old, &c.finding),
            })
            .collect(),
        caveats: report.caveats.clone(),
    };
    let text = match format {
        Format::Json => json(&out)?,
        Format::Table | Format::Markdown => {
            let mut t = String::new();
            let _ = writeln!(
                t,
                "{} -> {}: {} of {} change verdict ({:.2}%){}",
                out.old,
                out.new,
                out.changed,
                answer_sets(out.compared),
                pct(out.changed, out.compared),
                match report.coverage {
                    Coverage::Exhaustive { .. } => String::new(),
                    Coverage::Sampled {
                        size,
                        seed,
                        ref why,
                    } => format!(
                        " [not exhaustive: {why}; sampled {size} random answer sets, seed {seed}]"
                    ),
                }
            );
            for c in &report.changes {
                let name =
                    |o: &Option<String>| o.clone().unwrap_or_else(|| "(nothing possible)".into());
                let _ = writeln!(
                    t,
                    "- {} -> {}: {}",
                    name(&c.from),
                    name(&c.to),
                    answer_sets(c.finding.count)
                );
                if let Some(e) = &c.finding.example {
                    let _ = writeln!(t, "    e.g. mlstack recommend {}", report::flags(&old, e));
                }
            }
            for caveat in &report.caveats {
                let _ = writeln!(t, "note: {caveat}");
            }
            if format == Format::Table && terminal.stdout_is_tty {
                crate::render::table::wrap_prose(&t, terminal.width)
            } else {
                t
            }
        }
    };
    emit(text.as_bytes())?;
    if fail_on_change && report.changed > 0 {
        return Err(Failure::Gate(format!(
            "{} change verdict",
            answer_sets(report.changed)
        )));
    }
    Ok(())
}

/// "1 answer set", "2 answer sets".
fn answer_sets(n: u128) -> String {
    if n == 1 {
        "1 answer set".to_owned()
    } else {
        format!("{n} answer sets")
    }
}
