use std::io::{self, Write};

use comfy_table::{ContentArrangement, Table, presets};

use super::{model, outcome_name};
use crate::report::Report;

/// Width used when the output is not a terminal, so piped output is stable.
pub const DEFAULT_WIDTH: u16 = 100;

/// `text` wrapped at word boundaries to `width` columns, the first line after `first`, the
/// others after `rest`.
pub fn wrap(text: &str, width: u16, first: &str, rest: &str) -> String {
    let width = usize::from(width).max(20);
    let mut out = String::from(first);
    let mut column = first.chars().count();
    let mut line_empty = true;
    for word in text.split_whitespace() {
        let len = word.chars().count();
        if !line_empty && column + 1 + len > width {
            out.push('\n');
            out.push_str(rest);
            column = rest.chars().count();
            line_empty = true;
        }
        if !line_empty {
            out.push(' ');
            column += 1;
        }
        out.push_str(word);
        column += len;
        line_empty = false;
    }
    out
}

/// A table in the house style, wrapped to `width` columns.
pub fn table(width: u16, header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(width)
        .set_header(header.iter().copied());
    t
}

/// Rows as a terminal table `width` wide (column `whole` kept unwrapped), or as a Markdown
/// table (line breaks become `<br>`, pipes are escaped).
pub fn grid(
    markdown: bool,
    width: u16,
    header: &[&str],
    rows: Vec<Vec<String>>,
    whole: Option<usize>,
) -> String {
    let mut t = if markdown {
        let mut t = Table::new();
        t.load_style(presets::ASCII_MARKDOWN)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(header.iter().copied());
        t
    } else {
        table(width, header)
    };
    for row in rows {
        if markdown {
            t.add_row(
                row.iter()
                    .map(|c| c.replace('|', "\\|").replace('\n', "<br>"))
                    .collect::<Vec<_>>(),
            );
        } else {
            t.add_row(row);
        }
    }
    if let (Some(i), false) = (whole, markdown) {
        keep_whole(&mut t, i);
    }
    format!("{t}\n")
}

/// Keep column `index` at its content width (ids stay whole); the other columns wrap.
pub fn keep_whole(t: &mut Table, index: usize) {
    if let Some(c) = t.column_mut(index) {
        c.set_constraint(comfy_table::ColumnConstraint::ContentWidth);
    }
}

/// `names`: (outcome id, display name) for every outcome of the rule set.
/// `color`: whether to colour the verdict line (the caller decides, from the flag,
/// `NO_COLOR`, `CLICOLOR_FORCE` and the terminal). The output is safe for a terminal: text
/// from the rule file has its control characters escaped before our own colour goes in.
pub fn write(
    out: &mut dyn Write,
    report: &Report,
    names: &[(String, String)],
    width: u16,
    color: bool,
) -> io::Result<()> {
    let mut plain = Vec::with_capacity(16 * 1024);
    write_plain(&mut plain, report, names, width)?;
    let text = String::from_utf8_lossy(&plain);
    let text = super::safe::safe(&text);
    if !color {
        return out.write_all(text.as_bytes());
    }
    let rest = text.split_once('\n').map_or("", |(_, rest)| rest);
    // Bold green for a clear verdict, bold yellow for a close call.
    let tint = match report.confidence {
        crate::explain::Confidence::CloseCall => "33",
        _ => "32",
    };
    let name = super::safe::safe(&report.recommendation.name);
    writeln!(
        out,
        "Recommendation: \x1b[1;{tint}m{name}\x1b[0m (\x1b[{tint}m{}\x1b[0m, {})",
        report.confidence.as_str(),
        margin(report)
    )?;
    out.write_all(rest.as_bytes())
}

fn margin(report: &Report) -> String {
    match report.margin {
        Some(m) => format!("margin {m}"),
        None => "the only outcome the constraints allow".to_owned(),
    }
}

/// The table without colour, as the file's text has it.
fn write_plain(
    out: &mut dyn Write,
    report: &Report,
    names: &[(String, String)],
    width: u16,
) -> io::Result<()> {
    let rec = &report.recommendation;
    writeln!(
        out,
        "Recommendation: {} ({}, {})",
        rec.name,
        report.confidence.as_str(),
        margin(report)
    )?;
    writeln!(out, "{}", wrap(&rec.summary, width, "", ""))?;
    if let Some(advice) = &report.close_call {
        let text = format!("This is a close call. {advice}");
        writeln!(out, "\n{}", wrap(&text, width, "", ""))?;
    }
    if let Some(found) = &report.model {
        let text = format!("From the model ({}): {}", found.path, model::summary(found));
        writeln!(out, "\n{}", wrap(&text, width, "", ""))?;
        let used = model::answered_from_model(report);
        let text = if used.is_empty() {
            "Its files answered nothing that flags or --answers had not".to_owned()
        } else {
            format!("Answered from its files: {used}")
        };
        writeln!(out, "{}", wrap(&text, width, "", "  "))?;
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
    for (points, first) in super::reasons(report, names) {
        t.add_row(vec![
            points.join("\n"),
            first.why.clone(),
            format!("{}\n({})", first.cite, first.rule),
        ]);
    }
    writeln!(out, "{t}")?;

    if !report.excluded.is_empty() {
        writeln!(out, "\nRuled out")?;
        for (outcomes, e) in super::exclusions(&report.excluded, names) {
            let text = format!("{outcomes}: {} ({}; {})", e.why, e.rule, e.source);
            writeln!(out, "{}", wrap(&text, width, "- ", "  "))?;
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
        let (flags, now) = super::flip_text(f);
        let target = outcome_name(names, &f.recommendation);
        writeln!(out, "- {flags} (now {now}) -> {target}")?;
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

    if let Some(fit) = &report.fit {
        writeln!(out, "\nMemory fit")?;
        writeln!(out, "{}", wrap(&model::fit_heading(fit), width, "", ""))?;
        for line in model::fit_lines(fit) {
            writeln!(out, "{}", wrap(&line, width, "- ", "  "))?;
        }
        writeln!(
            out,
            "{}",
            wrap(&format!("{}.", model::fit_basis()), width, "", "")
        )?;
    }

    if !report.notes.is_empty() {
        writeln!(out, "\nNotes")?;
        for n in &report.notes {
            writeln!(out, "{}", wrap(n, width, "- ", "  "))?;
        }
    }
    let trace = super::trace_rows(report);
    if !trace.is_empty() {
        writeln!(out, "\nTrace")?;
        for (title, rows) in trace {
            let mut t = table(width, &[title, "When", "Applies", "Effect"]);
            keep_whole(&mut t, 0);
            for row in rows {
                t.add_row(row);
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

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrap_breaks_at_words_with_a_hanging_indent() {
        let text = "one two three four five six seven eight nine ten eleven twelve";
        let wrapped = wrap(text, 20, "- ", "  ");
        assert_eq!(
            wrapped,
            "- one two three four\n  five six seven\n  eight nine ten\n  eleven twelve"
        );
        assert!(wrapped.lines().all(|l| l.chars().count() <= 20));
        // A word longer than the line stays whole.
        assert_eq!(
            wrap("supercalifragilisticexpialidocious x", 20, "", ""),
            "supercalifragilisticexpialidocious\nx"
        );
    }
}
