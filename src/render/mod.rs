//! Output formats for a [`Report`](crate::report::Report). Rendering only formats.

pub mod json;
pub mod markdown;
pub mod model;
pub mod safe;
pub mod table;

/// Output format of `recommend` and friends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Tables for people reading a terminal.
    #[default]
    Table,
    /// One versioned JSON document, for other tools.
    Json,
    /// Markdown, for pasting into a design document or a pull request.
    Markdown,
}

use crate::report::{Exclusion, Flip, Reason, Report};

/// A verdict's standing in words: "strong, margin 4", "strong, the only outcome the
/// constraints allow", or "no stack fits these answers".
pub fn standing(report: &Report) -> String {
    match (report.confidence, report.margin) {
        (None, _) => "no stack fits these answers".to_owned(),
        (Some(c), Some(m)) => format!("{}, margin {m}", c.as_str()),
        (Some(c), None) => format!("{}, the only outcome the constraints allow", c.as_str()),
    }
}

/// The display name of an outcome id (`names`: id and name of every outcome).
pub fn outcome_name<'a>(names: &'a [(&'a str, &'a str)], id: &'a str) -> &'a str {
    names.iter().find(|(i, _)| *i == id).map_or(id, |(_, n)| *n)
}

/// The fired rules as people read them: per rule, "+7 MLX"-style points for the outcomes
/// still possible (points for ruled-out outcomes stay in the JSON but would only distract),
/// and the rule's first reason; rules that only scored ruled-out outcomes are left out.
pub fn reasons<'a>(
    report: &'a Report<'a>,
    names: &[(&str, &str)],
) -> Vec<(Vec<String>, &'a Reason<'a>)> {
    let ruled_out = |id: &str| report.scores.iter().any(|s| s.excluded && s.outcome == id);
    report
        .rationale
        .chunk_by(|a, b| a.rule == b.rule)
        .filter_map(|group| {
            let points: Vec<String> = group
                .iter()
                .filter(|r| !ruled_out(r.outcome))
                .map(|r| format!("{:+} {}", r.points, outcome_name(names, r.outcome)))
                .collect();
            (!points.is_empty()).then(|| (points, &group[0]))
        })
        .collect()
}

/// The exclusions as people read them: one entry per constraint, with the names of every
/// outcome it rules out ("Core AI / Core AI + MLX") and its reason.
pub fn exclusions<'a>(
    excluded: &'a [Exclusion<'a>],
    names: &[(&str, &str)],
) -> Vec<(String, &'a Exclusion<'a>)> {
    excluded
        .chunk_by(|a, b| a.rule == b.rule)
        .map(|group| {
            let outcomes: Vec<&str> = group
                .iter()
                .map(|e| outcome_name(names, e.outcome))
                .collect();
            (outcomes.join(" / "), &group[0])
        })
        .collect()
}

/// The `--explain` trace as tables: per section title, rows of (id, condition, whether it
/// applied and why not, effect).
pub fn trace_rows(report: &Report) -> Vec<(&'static str, Vec<Vec<String>>)> {
    let Some(trace) = &report.trace else {
        return Vec::new();
    };
    [
        ("Rules", &trace.rules),
        ("Constraints", &trace.constraints),
        ("Notes", &trace.notes),
    ]
    .into_iter()
    .map(|(title, entries)| {
        let rows = entries
            .iter()
            .map(|e| {
                let applies = match &e.failed {
                    None if e.applies => "yes".to_owned(),
                    Some(failed) => format!("no: {failed}"),
                    None => "no".to_owned(),
                };
                vec![
                    e.id.to_owned(),
                    e.condition.clone(),
                    applies,
                    e.effect.clone(),
                ]
            })
            .collect();
        (title, rows)
    })
    .collect()
}

/// A flip as the flags that make it ("--a x --b y") and the answers it changes ("a w, b z").
pub fn flip_text(f: &Flip) -> (String, String) {
    flip_text_for(f, None)
}

/// [`flip_text`] for one model of an app of several (`model`: its name and its own questions):
/// a change of its own answer is written as a flag for it alone (`--hardware vision=gpu`).
pub fn flip_text_for(f: &Flip, model: Option<(&str, &Report)>) -> (String, String) {
    let flag = |question: &str, value: String| match model {
        Some((name, report)) if report.answers.0.iter().any(|(id, _)| *id == question) => {
            format!("--{question} {name}={value}")
        }
        _ => format!("--{question} {value}"),
    };
    let mut flags = vec![flag(f.question, f.to.to_flag_value())];
    let mut now = vec![format!("{} {}", f.question, f.from.to_flag_value())];
    for c in &f.also {
        flags.push(flag(c.question, c.to.to_flag_value()));
        now.push(format!("{} {}", c.question, c.from.to_flag_value()));
    }
    (flags.join(" "), now.join(", "))
}

#[cfg(test)]
mod tests {
    use crate::answers::{Answers, Source};
    use crate::rules::{Text, load_rules};

    /// Defence in depth: a rule set built in code, past validation, with escape sequences in
    /// every kind of text, renders with no control character but our own colour codes.
    #[test]
    fn text_that_bypassed_validation_is_escaped_in_every_human_format() {
        let yaml = include_str!("../../tests/fixtures/default-2026-04.yaml");
        let mut rules = load_rules("rules.yaml", yaml.as_bytes()).unwrap();
        let evil = "\u{1b}]52;c;cHduZWQ=\u{7}\u{1b}[31m";
        let spoil = |text: &mut Text| *text = format!("{text}{evil}").into();
        for o in rules.outcomes.to_mut() {
            spoil(&mut o.name);
            spoil(&mut o.summary);
        }
        for r in rules.rules.to_mut() {
            spoil(&mut r.why);
            spoil(&mut r.cite);
        }
        for c in rules.constraints.to_mut() {
            spoil(&mut c.why);
            spoil(&mut c.source);
        }
        for n in rules.notes.to_mut() {
            spoil(&mut n.text);
        }
        spoil(&mut rules.name);
        rules.close_call = Some(evil.into());
        let names = crate::report::outcome_names(&rules);
        for case in [
            &[("model-type", "llm")][..],
            &[
                ("model-type", "llm"),
                ("battery", "critical"),
                ("hardware", "neural-engine"),
            ],
            &[("model-type", "vision"), ("platform", "linux")],
        ] {
            let mut masks: Vec<u64> = rules
                .questions
                .iter()
                .map(|q| q.default.unwrap_or(0))
                .collect();
            for (id, value) in case {
                let q = rules.question_index(id).unwrap();
                masks[q] = rules.questions[q].answer_mask([*value]).unwrap();
            }
            let answers = Answers {
                sources: vec![Source::Flag; masks.len()],
                masks,
            };
            let verdict = crate::engine::evaluate(&rules, &answers.masks);
            let report = crate::report::build(&rules, &answers, &verdict, true);
            let app = crate::report::app::AppReport::single(&rules, "model".into(), report);
            for color in [false, true] {
                let mut out = Vec::new();
                super::table::write(&mut out, &app, &names, 100, color).unwrap();
                let text = String::from_utf8(out).unwrap();
                assert!(text.contains("\\u{1b}]52"), "the text is kept, escaped");
                let ours = text
                    .replace("\u{1b}[1;32m", "")
                    .replace("\u{1b}[1;33m", "")
                    .replace("\u{1b}[1;31m", "")
                    .replace("\u{1b}[32m", "")
                    .replace("\u{1b}[33m", "")
                    .replace("\u{1b}[0m", "");
                assert!(
                    !ours
                        .chars()
                        .any(|c| c.is_control() && c != '\n' && c != '\t'),
                    "{ours}"
                );
            }
        }
    }
}
