//! Markdown, for pasting a verdict with its reasons into a design document or pull request.

use std::io::{self, Write};

use super::outcome_name;
use crate::report::Report;

/// Cell text safe inside a Markdown table row.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn write(out: &mut dyn Write, report: &Report, names: &[(&str, &str)]) -> io::Result<()> {
    let rec = &report.recommendation;
    let margin = match report.margin {
        Some(m) => format!("margin {m}"),
        None => "the only outcome the constraints allow".to_owned(),
    };
    writeln!(
        out,
        "### Recommendation: {} ({}, {margin})\n",
        rec.name,
        report.confidence.as_str()
    )?;
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
        "\n#### Why\n\n| Points | Reason | Source |\n|---|---|---|"
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
        writeln!(out, "\n#### Ruled out\n")?;
        for (outcomes, e) in super::exclusions(&report.excluded, names) {
            writeln!(out, "- **{outcomes}**: {} ({})", e.why, e.source)?;
        }
    }
    writeln!(out, "\n#### What would change this\n")?;
    if report.flips.is_empty() {
        writeln!(
            out,
            "- No change of one or two answers changes the recommendation."
        )?;
    }
    for f in &report.flips {
        let (flags, now) = super::flip_text(f);
        let target = outcome_name(names, f.recommendation);
        writeln!(out, "- `{flags}` (now `{now}`) → {target}")?;
    }
    if !report.assumed.is_empty() {
        writeln!(out, "\n#### Assumed (not answered)\n")?;
        for a in &report.assumed {
            writeln!(out, "- `{}`: {}", a.question, a.value.to_flag_value())?;
        }
    }
    if let Some(fit) = &report.fit {
        writeln!(
            out,
            "\n#### Memory fit\n\n{}\n",
            super::model::fit_heading(fit)
        )?;
        for line in super::model::fit_lines(fit) {
            writeln!(out, "- {line}")?;
        }
        writeln!(out, "\n{}.", super::model::fit_basis())?;
    }
    if !report.notes.is_empty() {
        writeln!(out, "\n#### Notes\n")?;
        for n in &report.notes {
            writeln!(out, "- {n}")?;
        }
    }
    let trace = super::trace_rows(report);
    if !trace.is_empty() {
        writeln!(out, "\n#### Trace")?;
        for (title, rows) in trace {
            let text =
                super::table::grid(true, 0, &[title, "When", "Applies", "Effect"], rows, None);
            writeln!(out, "\n{text}")?;
        }
    }
    writeln!(
        out,
        "\n<sub>{} {}, rules {} (sha256 {}){}</sub>",
        report.tool.name,
        report.tool.version,
        report.rules.name,
        &report.rules.sha256[..12],
        report
            .rules
            .as_of
            .map(|d| format!(", knowledge as of {d}"))
            .unwrap_or_default()
    )
}
