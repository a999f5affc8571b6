use std::io::{self, Write};

use comfy_table::{ContentArrangement, Table, presets};

use crate::report::Report;

/// Width used when the output is not a terminal, so piped output is stable.
pub const DEFAULT_WIDTH: u16 = 100;

/// A table in the house style, wrapped to `width` columns.
pub fn table(width: u16, header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(width)
        .set_header(header.iter().copied());
    t
}

/// Keep column `index` at its content width (ids stay whole); the other columns wrap.
pub fn keep_whole(t: &mut Table, index: usize) {
    if let Some(c) = t.column_mut(index) {
        c.set_constraint(comfy_table::ColumnConstraint::ContentWidth);
    }
}

fn outcome_name<'a>(names: &'a [(String, String)], id: &'a str) -> &'a str {
    names
        .iter()
        .find(|(i, _)| i == id)
        .map_or(id, |(_, n)| n.as_str())
}

/// `names`: (outcome id, display name) for every outcome of the rule set.
pub fn write(
    out: &mut dyn Write,
    report: &Report,
    names: &[(String, String)],
    width: u16,
) -> io::Result<()> {
    let rec = &report.recommendation;
    let margin = match report.margin {
        Some(m) => format!("margin {m}"),
        None => "the only outcome the constraints allow".to_owned(),
    };
    writeln!(
        out,
        "Recommendation: {} ({}, {margin})",
        rec.name,
        report.confidence.as_str()
    )?;
    writeln!(out, "{}", rec.summary)?;
    if let Some(advice) = &report.close_call {
        writeln!(out, "\nThis is a close call. {advice}")?;
    }

    writeln!(out, "\nScores")?;
    let mut t = table(width, &["Outcome", "Score", ""]);
    for s in &report.scores {
        let status = if s.excluded {
            "ruled out"
        } else if s.outcome == rec.id {
            "recommended"
        } else {
            ""
        };
        t.add_row(vec![
            outcome_name(names, &s.outcome).to_owned(),
            if s.excluded {
                "-".to_owned()
            } else {
                s.score.to_string()
            },
            status.to_owned(),
        ]);
    }
    writeln!(out, "{t}")?;

    writeln!(out, "\nWhy")?;
    let mut t = table(width, &["Points", "Reason", "Source (rule)"]);
    // Points for ruled-out outcomes are kept in JSON but would only distract here.
    let ruled_out = |id: &str| report.scores.iter().any(|s| s.excluded && s.outcome == id);
    for group in report.rationale.chunk_by(|a, b| a.rule == b.rule) {
        let points: Vec<String> = group
            .iter()
            .filter(|r| !ruled_out(&r.outcome))
            .map(|r| format!("{:+} {}", r.points, outcome_name(names, &r.outcome)))
            .collect();
        if points.is_empty() {
            continue;
        }
        let first = &group[0];
        t.add_row(vec![
            points.join("\n"),
            first.why.clone(),
            format!("{}\n({})", first.cite, first.rule),
        ]);
    }
    writeln!(out, "{t}")?;

    if !report.excluded.is_empty() {
        writeln!(out, "\nRuled out")?;
        for e in &report.excluded {
            writeln!(
                out,
                "- {}: {} ({}; {})",
                outcome_name(names, &e.outcome),
                e.why,
                e.rule,
                e.source
            )?;
        }
    }

    if !report.influence.is_empty() {
        let runner_up = report
            .runner_up
            .as_deref()
            .map_or("-", |id| outcome_name(names, id));
        writeln!(out, "\nWhat drove it")?;
        let mut t = table(
            width,
            &[
                "Answer",
                &format!("Points to {}", rec.name),
                &format!("Points to {runner_up}"),
            ],
        );
        for i in &report.influence {
            t.add_row(vec![
                format!("--{} {}", i.question, i.answer.to_flag_value()),
                format!("{:+}", i.winner_points),
                format!("{:+}", i.runner_up_points),
            ]);
        }
        writeln!(out, "{t}")?;
    }

    writeln!(out, "\nWhat would change this")?;
    if report.flips.is_empty() {
        writeln!(
            out,
            "- no change of one or two answers changes the recommendation"
        )?;
    }
    for f in &report.flips {
        let mut flags = vec![format!("--{} {}", f.question, f.to.to_flag_value())];
        let mut now = vec![format!("{} {}", f.question, f.from.to_flag_value())];
        for c in &f.also {
            flags.push(format!("--{} {}", c.question, c.to.to_flag_value()));
            now.push(format!("{} {}", c.question, c.from.to_flag_value()));
        }
        writeln!(
            out,
            "- {} (now {}) -> {}",
            flags.join(" "),
            now.join(", "),
            outcome_name(names, &f.recommendation)
        )?;
    }

    if !report.assumed.is_empty() {
        writeln!(out, "\nAssumed (not answered; defaults used)")?;
        let mut t = table(width, &["Question", "Assumed", "Flag to change it"]);
        for a in &report.assumed {
            t.add_row(vec![
                a.question.clone(),
                a.value.to_flag_value(),
                format!("--{} VALUE", a.question),
            ]);
        }
        writeln!(out, "{t}")?;
    }

    if !report.notes.is_empty() {
        writeln!(out, "\nNotes")?;
        for n in &report.notes {
            writeln!(out, "- {n}")?;
        }
    }
    if let Some(trace) = &report.trace {
        writeln!(out, "\nTrace")?;
        for (title, entries) in [
            ("Rules", &trace.rules),
            ("Constraints", &trace.constraints),
            ("Notes", &trace.notes),
        ] {
            let mut t = table(width, &[title, "When", "Applies", "Effect"]);
            keep_whole(&mut t, 0);
            for e in entries {
                let applies = match &e.failed {
                    None if e.applies => "yes".to_owned(),
                    Some(failed) => format!("no: {failed}"),
                    None => "no".to_owned(),
                };
                t.add_row(vec![
                    e.id.clone(),
                    e.condition.clone(),
                    applies,
                    e.effect.clone(),
                ]);
            }
            writeln!(out, "{t}")?;
        }
    }

    writeln!(
        out,
        "\nRules: {} (sha256 {})",
        report.rules.name,
        &report.rules.sha256[..12]
    )?;
    Ok(())
}
