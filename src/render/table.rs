use std::io::{self, Write};

use comfy_table::{ContentArrangement, Table, presets};

use super::{Detail, model, outcome_name};
use crate::report::Report;
use crate::report::app::AppReport;

/// Width used when the output is not a terminal, so piped output is stable.
pub const DEFAULT_WIDTH: u16 = 100;

/// `text` wrapped at word boundaries to `width` columns, the first line after `first`, the
/// others after `rest`.
pub fn wrap(text: &str, width: u16, first: &str, rest: &str) -> String {
    let width = usize::from(width).max(20);
    let mut out = String::from(first);
    let mut column = first.chars().count();
    let mut line_empty = true;
    let rest_len = rest.chars().count();
    for word in text.split_whitespace() {
        let len = word.chars().count();
        // A first word that does not fit after a long label (`Flag to change it: `) starts
        // on the next line, under the hanging indent, where it has more room.
        let after_label = line_empty && column > rest_len && column + len > width;
        if (!line_empty && column + 1 + len > width) || after_label {
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

/// Prose wrapped to `width` columns, line by line: a line's leading spaces and list marker
/// (`- `) stay, and its continuation lines hang under its text. Table lines (box drawing)
/// pass through as they are.
pub fn wrap_prose(text: &str, width: u16) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.lines() {
        let table_line = line.starts_with(['┌', '│', '╞', '├', '└']);
        if table_line || line.chars().count() <= usize::from(width) {
            out.push_str(line);
        } else {
            let body = line.trim_start();
            let indent = &line[..line.len() - body.len()];
            let (first, rest) = match body.strip_prefix("- ") {
                Some(_) => (format!("{indent}- "), format!("{indent}  ")),
                None => (indent.to_owned(), format!("{indent}  ")),
            };
            let body = body.strip_prefix("- ").unwrap_or(body);
            out.push_str(&wrap(body, width, &first, &rest));
        }
        out.push('\n');
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
/// table (line breaks become `<br>`, pipes are escaped). A terminal too narrow for the table
/// (its columns' longest words, or column `whole`'s longest line, do not fit side by side)
/// gets a list instead: nothing is ever broken mid-word.
pub fn grid(
    markdown: bool,
    width: u16,
    header: &[&str],
    rows: Vec<Vec<String>>,
    whole: Option<usize>,
) -> String {
    if !markdown && !fits(width, header, &rows, whole) {
        return list(width, header, &rows);
    }
    let rows_text = rows.clone();
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
    if !markdown {
        // Every column at least as wide as its longest word, so comfy-table's arrangement
        // never splits one (`fits` has checked there is room for that).
        for (c, width) in longest_words(header, &rows_text).into_iter().enumerate() {
            if let Some(column) = t.column_mut(c)
                && whole != Some(c)
            {
                // comfy-table counts the cell padding (one space each side) in the width.
                let width = u16::try_from(width + 2).unwrap_or(u16::MAX);
                column.set_constraint(comfy_table::ColumnConstraint::LowerBoundary(
                    comfy_table::Width::Fixed(width),
                ));
            }
        }
    }
    if let (Some(i), false) = (whole, markdown) {
        keep_whole(&mut t, i);
    }
    format!("{t}\n")
}

/// The longest word (in characters) of each column, header included.
fn longest_words(header: &[&str], rows: &[Vec<String>]) -> Vec<usize> {
    (0..header.len())
        .map(|c| {
            let cells = rows.iter().filter_map(|r| r.get(c)).map(String::as_str);
            std::iter::once(header[c])
                .chain(cells)
                .flat_map(str::split_whitespace)
                .map(|w| w.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect()
}

/// Whether a table of `rows` fits `width` columns without breaking a word: every column as
/// wide as its longest word (its longest line for column `whole`), plus the borders.
fn fits(width: u16, header: &[&str], rows: &[Vec<String>], whole: Option<usize>) -> bool {
    let longest = |c: usize, text: &str| {
        let pieces: Box<dyn Iterator<Item = &str>> = if whole == Some(c) {
            Box::new(text.lines())
        } else {
            Box::new(text.split_whitespace())
        };
        pieces.map(|p| p.chars().count()).max().unwrap_or(0)
    };
    let needed: usize = (0..header.len())
        .map(|c| {
            let cells = rows.iter().filter_map(|r| r.get(c)).map(String::as_str);
            std::iter::once(header[c])
                .chain(cells)
                .map(|t| longest(c, t))
                .max()
                .unwrap_or(0)
                + 3
        })
        .sum::<usize>()
        + 1;
    needed <= usize::from(width)
}

/// The rows as a list: the first cell as a heading line, each other cell below it as
/// `Header: text`, wrapped with a hanging indent; a blank line between rows.
fn list(width: u16, header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        for (c, cell) in row.iter().enumerate() {
            if cell.trim().is_empty() {
                continue;
            }
            // A cell of several lines (a list of options, of rule ids) goes under its header,
            // one item a line.
            let several = c > 0 && cell.lines().count() > 1;
            if several && !header[c].is_empty() {
                out.push_str(&format!("  {}:\n", header[c]));
            }
            for (n, line) in cell.lines().enumerate() {
                let (first, rest) = match (c, n) {
                    (0, 0) => (String::new(), "  ".to_owned()),
                    (0, _) => ("  ".to_owned(), "  ".to_owned()),
                    _ if several => ("    ".to_owned(), "      ".to_owned()),
                    (_, 0) if header[c].is_empty() => ("  ".to_owned(), "    ".to_owned()),
                    (_, 0) => (format!("  {}: ", header[c]), "    ".to_owned()),
                    _ => ("    ".to_owned(), "    ".to_owned()),
                };
                out.push_str(&wrap(line, width, &first, &rest));
                out.push('\n');
            }
        }
    }
    out
}

/// Keep column `index` at its content width (ids stay whole); the other columns wrap.
pub fn keep_whole(t: &mut Table, index: usize) {
    if let Some(c) = t.column_mut(index) {
        c.set_constraint(comfy_table::ColumnConstraint::ContentWidth);
    }
}

/// `names`: (outcome id, display name) for every outcome of the rule set.
/// `color`: whether to colour the verdict lines (the caller decides, from the flag,
/// `NO_COLOR`, `CLICOLOR_FORCE` and the terminal). The output is safe for a terminal: text
/// from the rule file has its control characters escaped before our own colour goes in.
pub fn write(
    out: &mut dyn Write,
    app: &AppReport,
    names: &[(&str, &str)],
    width: u16,
    color: bool,
    detail: Detail,
) -> io::Result<()> {
    let mut plain = Vec::with_capacity(16 * 1024);
    write_plain(&mut plain, app, names, width, detail)?;
    // Whatever prose is still wider than the terminal (a rules line, a long flag) wraps too.
    let text = wrap_prose(&String::from_utf8_lossy(&plain), width);
    let text = super::safe::safe(&text);
    if !color {
        return out.write_all(text.as_bytes());
    }
    // Colour the verdict: a line that starts with a verdict heading gets its name tinted.
    for line in text.split_inclusive('\n') {
        out.write_all(tinted(line).as_bytes())?;
    }
    Ok(())
}

/// A verdict line with its stack's name in bold (green for a clear verdict, yellow for a
/// close call, red when no stack fits); any other line as it is.
fn tinted(line: &str) -> String {
    let heads = ["Recommendation: ", "Plan: ", "Model "];
    let Some(head) = heads.iter().find(|h| line.starts_with(**h)) else {
        return line.to_owned();
    };
    let rest = &line[head.len()..];
    let verdict = ["strong", "moderate", "close-call", "no stack fits"];
    if !verdict.iter().any(|v| rest.contains(v)) {
        return line.to_owned();
    }
    let tint = if rest.contains("close-call") {
        "33"
    } else if rest.contains("no stack fits") {
        "31"
    } else {
        "32"
    };
    // The name runs to the first " (" or " [" (or the line's end).
    let end = [rest.find(" ("), rest.find(" ["), rest.find('\n')]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(rest.len());
    let (name, tail) = rest.split_at(end);
    format!("{head}\x1b[1;{tint}m{name}\x1b[0m{tail}")
}

/// "MLX [mlx]", or "none" when no stack fits.
fn verdict_name(report: &Report) -> String {
    report
        .recommendation
        .as_ref()
        .map_or_else(|| "none".to_owned(), |r| format!("{} [{}]", r.name, r.id))
}

/// The table without colour: for a one-model app its verdict; otherwise the plan, one line
/// per model, then each model's verdict.
fn write_plain(
    out: &mut dyn Write,
    app: &AppReport,
    names: &[(&str, &str)],
    width: u16,
    detail: Detail,
) -> io::Result<()> {
    let model_section = |out: &mut dyn Write, report: &Report, model: Option<&str>| {
        write_model(out, report, (model, app.models_by), names, width, detail)
    };
    if let Some(report) = app.only() {
        heading(
            out,
            "Recommendation: ",
            &verdict_name(report),
            &super::standing(report),
            width,
        )?;
        model_section(out, report, None)?;
    } else {
        let name = app.plan.name.as_deref().unwrap_or("none");
        let id = app.plan.id.as_deref().unwrap_or("a model has no stack");
        writeln!(out, "Plan: {name} [{id}]")?;
        for (m, stack) in app.models.iter().zip(&app.plan.stacks) {
            let stack = stack.map_or("none", |(_, name)| name);
            let line = match m.report.recommendation.as_ref() {
                Some(own) if own.name != stack => {
                    format!(
                        "{}: {stack} (its own verdict: {}; see why below)",
                        m.name, own.name
                    )
                }
                _ if m.report.fallback_ruled_out => format!(
                    "{}: {stack} where available, hidden elsewhere ({})",
                    m.name,
                    super::standing(&m.report)
                ),
                _ if let Some(f) = &m.report.fallback => format!(
                    "{}: {stack} where available ({}), otherwise {} ({})",
                    m.name,
                    super::standing(&m.report),
                    f.stack.name,
                    super::fallback_standing(f)
                ),
                _ => match &m.report.runtime {
                    Some(r) => format!(
                        "{}: {stack}, {} ({})",
                        m.name,
                        r.name,
                        super::standing(&m.report)
                    ),
                    None => format!("{}: {stack} ({})", m.name, super::standing(&m.report)),
                },
            };
            writeln!(out, "{}", wrap(&line, width, "- ", "  "))?;
        }
        if !app.plan_rationale.is_empty() {
            writeln!(out, "\nWhy this plan")?;
            for r in &app.plan_rationale {
                let mut text = format!("{} ({}; {})", r.why, r.cite, r.rule);
                for m in &r.moved {
                    text.push_str(&format!(
                        " Moves {} from {} to {}.",
                        m.model,
                        outcome_name(names, m.from),
                        outcome_name(names, m.to)
                    ));
                }
                writeln!(out, "{}", wrap(&text, width, "- ", "  "))?;
            }
        }
        let changes = super::plan_changes(app, names);
        if detail == Detail::Brief && !changes.is_empty() {
            writeln!(out, "\nWhat would change the plan (each model's nearest)")?;
            for c in changes {
                let line = format!(
                    "{} (now {}) -> {}",
                    c.flags,
                    c.now,
                    c.moves_text(str::to_owned)
                );
                writeln!(out, "{}", wrap(&line, width, "- ", "  "))?;
            }
        }
        if let Some(memory) = &app.memory {
            let title = model::together_title(&memory.models);
            write_fit_titled(out, Some(&memory.fit), &title, width)?;
        }
        write_notes(out, "Notes on the app", &app.notes, width)?;
        for m in &app.models {
            writeln!(out)?;
            heading(
                out,
                &format!("Model {}: ", m.name),
                &verdict_name(&m.report),
                &super::standing(&m.report),
                width,
            )?;
            model_section(out, &m.report, Some(&m.name))?;
        }
        if detail == Detail::Brief
            && let Some(line) = super::app_assumed_line(app, width)
        {
            writeln!(out, "{line}")?;
        }
    }
    footer(out, app, detail)
}

/// "HEAD NAME (standing)" on one line, or the standing on a line of its own when narrow.
fn heading(
    out: &mut dyn Write,
    head: &str,
    name: &str,
    standing: &str,
    width: u16,
) -> io::Result<()> {
    let len = head.chars().count() + name.chars().count() + standing.chars().count() + 3;
    let sep = if len <= usize::from(width) { " " } else { "\n" };
    writeln!(out, "{head}{name}{sep}({standing})")
}

fn footer(out: &mut dyn Write, app: &AppReport, detail: Detail) -> io::Result<()> {
    let as_of = app.rules.as_of.map(|d| format!(", knowledge as of {d}"));
    let rules = format!(
        "Rules: {} (sha256 {}){}",
        app.rules.name,
        &app.rules.sha256[..12],
        as_of.as_deref().unwrap_or_default()
    );
    match detail {
        // The assumed line just above belongs to this block: no blank line between.
        Detail::Brief => writeln!(
            out,
            "{rules}\nWhere each reason comes from: mlstack sources; the whole report: --full"
        ),
        Detail::Full if as_of.is_some() => writeln!(out, "\n{rules} (mlstack sources)"),
        Detail::Full => writeln!(out, "\n{rules}"),
    }
}

/// The rest of a model's verdict on one screen: the reasons that decided it, what the
/// constraints ruled out, the nearest answers that would change it, its notes and, in a line,
/// what was assumed. `--full` has the rest.
fn write_brief(
    out: &mut dyn Write,
    report: &Report,
    model: Option<&str>,
    names: &[(&str, &str)],
    width: u16,
) -> io::Result<()> {
    let brief = super::brief(report, names, model.is_some(), width);
    writeln!(out, "\nWhy")?;
    for (points, first) in &brief.reasons {
        let text = format!("{}: {} ({})", points.join(", "), first.why, first.cite);
        writeln!(out, "{}", wrap(&text, width, "- ", "  "))?;
    }
    if let Some(line) = &brief.ruled_out {
        writeln!(
            out,
            "{}",
            wrap(&format!("{line} (why: --full)"), width, "- ", "  ")
        )?;
    }

    writeln!(out, "\nWhat would change this")?;
    if brief.flips.is_empty() {
        writeln!(
            out,
            "- no change of one or two answers changes the recommendation"
        )?;
    }
    write_flip_lines(out, report, &brief.flips, model, names, width)?;
    write_fit(out, report, width)?;
    write_notes(out, "Notes", &report.notes, width)?;
    writeln!(out)?;
    if let Some(line) = &brief.assumed {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// What the model's own files said and answered (with `--model`).
fn write_from_model(
    out: &mut dyn Write,
    report: &Report,
    (model, models_by): (Option<&str>, Option<&str>),
    width: u16,
) -> io::Result<()> {
    if let Some(found) = &report.model {
        let text = format!("From the model ({}): {}", found.path, model::summary(found));
        writeln!(out, "\n{}", wrap(&text, width, "", ""))?;
        let used = model::answered_from_model(report, model, models_by);
        let text = if used.is_empty() {
            "Its files answered nothing that flags or --answers had not".to_owned()
        } else {
            format!("Answered from its files: {used}")
        };
        writeln!(out, "{}", wrap(&text, width, "", "  "))?;
    }
    Ok(())
}

/// The model's memory fit (with `--model`).
fn write_fit(out: &mut dyn Write, report: &Report, width: u16) -> io::Result<()> {
    write_fit_titled(out, report.fit.as_ref(), "Memory fit", width)
}

fn write_fit_titled(
    out: &mut dyn Write,
    fit: Option<&crate::inspect::fit::Fit>,
    title: &str,
    width: u16,
) -> io::Result<()> {
    if let Some(fit) = fit {
        writeln!(out, "\n{}", wrap(title, width, "", ""))?;
        writeln!(out, "{}", wrap(&model::fit_heading(fit), width, "", ""))?;
        for line in model::fit_lines(fit) {
            writeln!(out, "{}", wrap(&line, width, "- ", "  "))?;
        }
        writeln!(out, "{}", wrap(&format!("{}.", fit.basis), width, "", ""))?;
    }
    Ok(())
}

/// One model's verdict after its heading: what to do, why, what would change it (on one
/// screen, or all of it). `model`: its name, in an app of several (its own answers' flips then
/// name it).
fn write_model(
    out: &mut dyn Write,
    report: &Report,
    // The model's name in an app of several, and the question that makes the models.
    (model, models_by): (Option<&str>, Option<&str>),
    names: &[(&str, &str)],
    width: u16,
    detail: Detail,
) -> io::Result<()> {
    let Some(rec) = &report.recommendation else {
        return write_nothing_fits(out, report, model, names, width, detail);
    };
    writeln!(out, "{}", wrap(rec.summary, width, "", ""))?;
    if let Some(r) = &report.runtime {
        let text = format!("Runtime: {}, on {} ({})", r.name, r.backend, r.cite);
        writeln!(out, "{}", wrap(&text, width, "", "  "))?;
    }
    if let Some(f) = &report.fallback {
        let text = format!(
            "Where it is unavailable: {} [{}] ({}). {}",
            f.stack.name,
            f.stack.id,
            super::fallback_standing(f),
            f.stack.summary
        );
        writeln!(out, "{}", wrap(&text, width, "", "  "))?;
        if let Some(r) = &f.runtime {
            let text = format!("Its runtime: {}, on {} ({})", r.name, r.backend, r.cite);
            writeln!(out, "{}", wrap(&text, width, "  ", "    "))?;
        }
    } else if report.fallback_ruled_out {
        writeln!(out, "{}", wrap(super::NO_FALLBACK, width, "", "  "))?;
    }
    if let Some(advice) = &report.close_call {
        let text = format!("This is a close call. {advice}");
        writeln!(out, "\n{}", wrap(&text, width, "", ""))?;
    }
    if let Some(basis) = &report.confidence_basis {
        writeln!(out, "\n{}", wrap(&basis.text, width, "", ""))?;
    }
    write_from_model(out, report, (model, models_by), width)?;
    if detail == Detail::Brief {
        return write_brief(out, report, model, names, width);
    }

    writeln!(out, "\nScores")?;
    let rows = report
        .scores
        .iter()
        .map(|s| {
            let status = if s.excluded {
                "ruled out"
            } else if s.outcome == rec.id {
                "recommended"
            } else {
                ""
            };
            // A ruled-out outcome keeps its score: the confidence line may say it scored
            // higher than the winner, and this is where a reader checks that.
            vec![
                outcome_name(names, s.outcome).to_owned(),
                s.score.to_string(),
                status.to_owned(),
            ]
        })
        .collect();
    write!(
        out,
        "{}",
        grid(false, width, &["Outcome", "Score", ""], rows, None)
    )?;

    writeln!(out, "\nWhy")?;
    let rows = super::reasons(report, names)
        .into_iter()
        .map(|(points, first)| {
            vec![
                points.join("\n"),
                first.why.to_owned(),
                format!("{}\n({})", first.cite, first.rule),
            ]
        })
        .collect();
    let header = ["Points", "Reason", "Source (rule)"];
    write!(out, "{}", grid(false, width, &header, rows, None))?;

    if !report.excluded.is_empty() {
        writeln!(out, "\nRuled out")?;
        for (outcomes, e) in super::exclusions(&report.excluded, names) {
            let text = format!("{outcomes}: {} ({}; {})", e.why, e.rule, e.source);
            writeln!(out, "{}", wrap(&text, width, "- ", "  "))?;
        }
    }

    if !report.drivers.is_empty() {
        writeln!(out, "\nWhat drove it")?;
        let to_winner = format!("Points to {}", rec.name);
        // A runner-up column only when there is a runner-up.
        let to_runner_up = report
            .runner_up
            .map(|id| format!("Points to {}", outcome_name(names, id)));
        let rows = report
            .drivers
            .iter()
            .map(|d| {
                let mut row = vec![d.answers.clone(), format!("{:+}", d.winner_points)];
                if to_runner_up.is_some() {
                    row.push(format!("{:+}", d.runner_up_points));
                }
                row
            })
            .collect();
        let mut header = vec!["Answers", to_winner.as_str()];
        if let Some(r) = &to_runner_up {
            header.push(r.as_str());
        }
        write!(out, "{}", grid(false, width, &header, rows, None))?;
    }

    writeln!(out, "\nWhat would change this")?;
    if report.flips.is_empty() {
        writeln!(
            out,
            "- no change of one or two answers changes the recommendation"
        )?;
    }
    let all = super::flips_shown(report, Detail::Full);
    write_flip_lines(out, report, &all, model, names, width)?;

    write_assumed(out, report, width)?;
    write_fit(out, report, width)?;
    write_notes(out, "Notes", &report.notes, width)?;
    write_trace(out, report, width)
}

/// Every assumed answer, with the flag that changes it (the whole report).
fn write_assumed(out: &mut dyn Write, report: &Report, width: u16) -> io::Result<()> {
    if !report.assumed.is_empty() {
        writeln!(out, "\nAssumed (not answered; defaults used)")?;
        let rows = report
            .assumed
            .iter()
            .map(|a| {
                vec![
                    a.question.to_owned(),
                    a.value.to_flag_value(),
                    format!("--{} VALUE", a.question),
                ]
            })
            .collect();
        let header = ["Question", "Assumed", "Flag to change it"];
        write!(out, "{}", grid(false, width, &header, rows, None))?;
    }
    Ok(())
}

/// Every rule, constraint and note, and why each did or did not apply (`--explain`).
fn write_trace(out: &mut dyn Write, report: &Report, width: u16) -> io::Result<()> {
    let trace = super::trace_rows(report);
    if !trace.is_empty() {
        writeln!(out, "\nTrace")?;
        for (title, rows) in trace {
            let header = [title, "When", "Applies", "Effect"];
            write!(out, "{}", grid(false, width, &header, rows, Some(0)))?;
        }
    }
    Ok(())
}

/// A section of notes, each a list item ending with its source; nothing when there are none.
fn write_notes(
    out: &mut dyn Write,
    title: &str,
    notes: &[crate::report::Note],
    width: u16,
) -> io::Result<()> {
    if !notes.is_empty() {
        writeln!(out, "\n{title}")?;
        for n in notes {
            writeln!(out, "{}", wrap(&n.to_string(), width, "- ", "  "))?;
        }
    }
    Ok(())
}

/// The flips, one per line: "--flag value (now ...) -> Stack".
fn write_flip_lines(
    out: &mut dyn Write,
    report: &Report,
    flips: &[&crate::report::Flip],
    model: Option<&str>,
    names: &[(&str, &str)],
    width: u16,
) -> io::Result<()> {
    for f in flips {
        let (flags, now) = super::flip_text_for(f, model.map(|m| (m, report)));
        let target = outcome_name(names, f.recommendation);
        let line = format!("{flags} (now {now}) -> {target}");
        writeln!(out, "{}", wrap(&line, width, "- ", "  "))?;
    }
    Ok(())
}

/// A model no stack fits: what rules each stack out, the nearest answers that make one
/// possible, and the notes.
fn write_nothing_fits(
    out: &mut dyn Write,
    report: &Report,
    model: Option<&str>,
    names: &[(&str, &str)],
    width: u16,
    detail: Detail,
) -> io::Result<()> {
    writeln!(out, "\nRuled out")?;
    for (outcomes, e) in super::exclusions_widest_first(&report.excluded, names) {
        let text = format!("{outcomes}: {} ({}; {})", e.why, e.rule, e.source);
        writeln!(out, "{}", wrap(&text, width, "- ", "  "))?;
    }
    writeln!(out, "\nWhat would make a stack possible")?;
    if report.flips.is_empty() {
        writeln!(out, "- no change of one or two answers makes one possible")?;
    }
    let shown = super::flips_shown(report, detail);
    write_flip_lines(out, report, &shown, model, names, width)?;
    if detail == Detail::Full {
        write_assumed(out, report, width)?;
    }
    write_fit(out, report, width)?;
    write_notes(out, "Notes", &report.notes, width)?;
    if detail == Detail::Full {
        return write_trace(out, report, width);
    }
    // The footer follows with no blank line of its own, after the assumed answers in a line.
    writeln!(out)?;
    if let Some(line) = super::assumed_brief(report, &shown, width) {
        writeln!(out, "{line}")?;
    }
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
