//! Markdown, for pasting a verdict with its reasons into a design document or pull request.

use std::io::{self, Write};

use super::outcome_name;
use crate::report::Report;
use crate::report::app::AppReport;

/// Cell text safe inside a Markdown table row.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn write(out: &mut dyn Write, app: &AppReport, names: &[(&str, &str)]) -> io::Result<()> {
    if let Some(report) = app.only() {
        let name = report.recommendation.as_ref().map_or("none", |r| r.name);
        writeln!(
            out,
            "### Recommendation: {name} ({})\n",
            super::standing(report)
        )?;
        write_model(out, report, None, names, "####")?;
    } else {
        writeln!(
            out,
            "### Plan: {} (`{}`)\n",
            app.plan.name.as_deref().unwrap_or("none"),
            app.plan.id.as_deref().unwrap_or("a model has no stack")
        )?;
        writeln!(out, "| Model | Stack | Confidence |\n|---|---|---|")?;
        for (m, stack) in app.models.iter().zip(&app.plan.stacks) {
            let stack = stack.map_or("none", |(_, name)| name);
            writeln!(
                out,
                "| {} | {} | {} |",
                cell(&m.name),
                cell(stack),
                super::standing(&m.report)
            )?;
        }
        if !app.plan_rationale.is_empty() {
            writeln!(out, "\n#### Why this plan\n")?;
            for r in &app.plan_rationale {
                let moved: Vec<String> = r
                    .moved
                    .iter()
                    .map(|m| {
                        format!(
                            " Moves {} from {} to {}.",
                            cell(&m.model),
                            outcome_name(names, m.from),
                            outcome_name(names, m.to)
                        )
                    })
                    .collect();
                writeln!(out, "- {} ({}){}", r.why, r.cite, moved.join(""))?;
            }
        }
        if !app.notes.is_empty() {
            writeln!(out, "\n#### Notes on the app\n")?;
            for n in &app.notes {
                writeln!(out, "- {n}")?;
            }
        }
        for m in &app.models {
            let stack = m.report.recommendation.as_ref().map_or("none", |r| r.name);
            writeln!(
                out,
                "\n### Model {}: {stack} ({})\n",
                cell(&m.name),
                super::standing(&m.report)
            )?;
            write_model(out, &m.report, Some(&m.name), names, "####")?;
        }
    }
    writeln!(
        out,
        "\n<sub>{} {}, rules {} (sha256 {}){}</sub>",
        app.tool.name,
        app.tool.version,
        app.rules.name,
        &app.rules.sha256[..12],
        app.rules
            .as_of
            .map(|d| format!(", knowledge as of {d}"))
            .unwrap_or_default()
    )
}

/// `model`: its name, in an app of several (its own answers' flips then name it).
fn write_model(
    out: &mut dyn Write,
    report: &Report,
    model: Option<&str>,
    names: &[(&str, &str)],
    h: &str,
) -> io::Result<()> {
    let Some(rec) = &report.recommendation else {
        writeln!(out, "{h} Ruled out\n")?;
        for (outcomes, e) in super::exclusions(&report.excluded, names) {
            writeln!(out, "- **{outcomes}**: {} ({})", e.why, e.source)?;
        }
        writeln!(out, "\n{h} What would make a stack possible\n")?;
        if report.flips.is_empty() {
            writeln!(out, "- No change of one or two answers makes one possible.")?;
        }
        for f in &report.flips {
            let (flags, now) = super::flip_text_for(f, model.map(|m| (m, report)));
            let target = outcome_name(names, f.recommendation);
            writeln!(out, "- `{flags}` (now `{now}`) → {target}")?;
        }
        if !report.notes.is_empty() {
            writeln!(out, "\n{h} Notes\n")?;
            for n in &report.notes {
                writeln!(out, "- {n}")?;
            }
        }
        return Ok(());
    };
    writeln!(out, "{}\n", rec.summary)?;
    if let Some(advice) = &report.close_call {
        writeln!(out, "> **Close call.** {advice}\n")?;
    }
    if let Some(found) = &report.model {
        writeln!(
            out,
            "**From the model** (`{}`): {}\n",
            found.path.replace('`', "'"),
            super::model::summary(found)
        )?;
        let used = super::model::answered_from_model(report);
        if !used.is_empty() {
            writeln!(out, "Answered from its files: `{used}`\n")?;
        }
    }
    writeln!(out, "| Outcome | Score |\n|---|---:|")?;
    for s in &report.scores {
        let score = if s.excluded {
            "ruled out".to_owned()
        } else {
            s.score.to_string()
        };
        let shown = if s.outcome == rec.id {
            format!("**{}**", cell(outcome_name(names, s.outcome)))
        } else {
            cell(outcome_name(names, s.outcome))
        };
        writeln!(out, "| {shown} | {score} |")?;
    }
    writeln!(
        out,
        "\n{h} Why\n\n| Points | Reason | Source |\n|---|---|---|"
    )?;
    for (points, first) in super::reasons(report, names) {
        writeln!(
            out,
            "| {} | {} | {} (`{}`) |",
            cell(&points.join(", ")),
            cell(first.why),
            cell(first.cite),
            first.rule
        )?;
    }
    if !report.excluded.is_empty() {
        writeln!(out, "\n{h} Ruled out\n")?;
        for (outcomes, e) in super::exclusions(&report.excluded, names) {
            writeln!(out, "- **{outcomes}**: {} ({})", e.why, e.source)?;
        }
    }
    writeln!(out, "\n{h} What would change this\n")?;
    if report.flips.is_empty() {
        writeln!(
            out,
            "- No change of one or two answers changes the recommendation."
        )?;
    }
    for f in &report.flips {
        let (flags, now) = super::flip_text_for(f, model.map(|m| (m, report)));
        let target = outcome_name(names, f.recommendation);
        writeln!(out, "- `{flags}` (now `{now}`) → {target}")?;
    }
    if !report.assumed.is_empty() {
        writeln!(out, "\n{h} Assumed (not answered)\n")?;
        for a in &report.assumed {
            writeln!(out, "- `{}`: {}", a.question, a.value.to_flag_value())?;
        }
    }
    if let Some(fit) = &report.fit {
        writeln!(
            out,
            "\n{h} Memory fit\n\n{}\n",
            super::model::fit_heading(fit)
        )?;
        for line in super::model::fit_lines(fit) {
            writeln!(out, "- {line}")?;
        }
        writeln!(out, "\n{}.", super::model::fit_basis())?;
    }
    if !report.notes.is_empty() {
        writeln!(out, "\n{h} Notes\n")?;
        for n in &report.notes {
            writeln!(out, "- {n}")?;
        }
    }
    let trace = super::trace_rows(report);
    if !trace.is_empty() {
        writeln!(out, "\n{h} Trace")?;
        for (title, rows) in trace {
            let text =
                super::table::grid(true, 0, &[title, "When", "Applies", "Effect"], rows, None);
            writeln!(out, "\n{text}")?;
        }
    }
    Ok(())
}
