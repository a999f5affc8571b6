//! Markdown, for pasting a verdict with its reasons into a design document or pull request.

use std::io::{self, Write};

use crate::report::Report;

/// Cell text safe inside a Markdown table row.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn name<'a>(names: &'a [(String, String)], id: &'a str) -> &'a str {
    names
        .iter()
        .find(|(i, _)| i == id)
        .map_or(id, |(_, n)| n.as_str())
}

pub fn write(out: &mut dyn Write, report: &Report, names: &[(String, String)]) -> io::Result<()> {
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
    writeln!(out, "| Outcome | Score |\n|---|---:|")?;
    for s in &report.scores {
        let score = if s.excluded {
            "ruled out".to_owned()
        } else {
            s.score.to_string()
        };
        let shown = if s.outcome == rec.id {
            format!("**{}**", cell(name(names, &s.outcome)))
        } else {
            cell(name(names, &s.outcome))
        };
        writeln!(out, "| {shown} | {score} |")?;
    }
    writeln!(
        out,
        "\n#### Why\n\n| Points | Reason | Source |\n|---|---|---|"
    )?;
    let ruled_out = |id: &str| report.scores.iter().any(|s| s.excluded && s.outcome == id);
    for group in report.rationale.chunk_by(|a, b| a.rule == b.rule) {
        let points: Vec<String> = group
            .iter()
            .filter(|r| !ruled_out(&r.outcome))
            .map(|r| format!("{:+} {}", r.points, name(names, &r.outcome)))
            .collect();
        if points.is_empty() {
            continue;
        }
        let first = &group[0];
        writeln!(
            out,
            "| {} | {} | {} (`{}`) |",
            cell(&points.join(", ")),
            cell(&first.why),
            cell(&first.cite),
            first.rule
        )?;
    }
    if !report.excluded.is_empty() {
        writeln!(out, "\n#### Ruled out\n")?;
        for e in &report.excluded {
            writeln!(
                out,
                "- **{}**: {} ({})",
                name(names, &e.outcome),
                e.why,
                e.source
            )?;
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
        let mut flags = vec![format!("--{} {}", f.question, f.to.to_flag_value())];
        flags.extend(
            f.also
                .iter()
                .map(|c| format!("--{} {}", c.question, c.to.to_flag_value())),
        );
        writeln!(
            out,
            "- `{}` (now `{}`) → {}",
            flags.join(" "),
            f.from.to_flag_value(),
            name(names, &f.recommendation)
        )?;
    }
    if !report.assumed.is_empty() {
        writeln!(out, "\n#### Assumed (not answered)\n")?;
        for a in &report.assumed {
            writeln!(out, "- `{}`: {}", a.question, a.value.to_flag_value())?;
        }
    }
    if !report.notes.is_empty() {
        writeln!(out, "\n#### Notes\n")?;
        for n in &report.notes {
            writeln!(out, "- {n}")?;
        }
    }
    writeln!(
        out,
        "\n<sub>{} {}, rules {} (sha256 {})</sub>",
        report.tool.name,
        report.tool.version,
        report.rules.name,
        &report.rules.sha256[..12]
    )
}
