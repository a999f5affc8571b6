//! Markdown, for pasting a verdict with its reasons into a design document or pull request.

use std::io::{self, Write};

use super::{Detail, outcome_name};
use crate::report::Report;
use crate::report::app::AppReport;

/// Cell text safe inside a Markdown table row.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// "MLX [`mlx`]", or "none" when no stack fits.
fn verdict_name(report: &Report) -> String {
    report
        .recommendation
        .as_ref()
        .map_or_else(|| "none".to_owned(), |r| format!("{} [`{}`]", r.name, r.id))
}

pub fn write(
    out: &mut dyn Write,
    app: &AppReport,
    names: &[(&str, &str)],
    detail: Detail,
) -> io::Result<()> {
    let model_section = |out: &mut dyn Write, report: &Report, model: Option<&str>| {
        write_model(out, report, (model, app.models_by), names, "####", detail)
    };
    if let Some(report) = app.only() {
        writeln!(
            out,
            "### Recommendation: {} ({})\n",
            verdict_name(report),
            super::standing(report)
        )?;
        model_section(out, report, None)?;
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
        let changes = super::plan_changes(app, names);
        if detail == Detail::Brief && !changes.is_empty() {
            writeln!(
                out,
                "\n#### What would change the plan (each model's nearest)\n"
            )?;
            for c in changes {
                writeln!(
                    out,
                    "- `{}` (now `{}`) → {}",
                    c.flags,
                    c.now,
                    c.moves_text(cell)
                )?;
            }
        }
        if let Some(memory) = &app.memory {
            let names: Vec<String> = memory.models.iter().map(|m| cell(m)).collect();
            let title = super::model::together_title(&names);
            write_fit_titled(out, Some(&memory.fit), "####", &title)?;
        }
        if !app.notes.is_empty() {
            writeln!(out, "\n#### Notes on the app\n")?;
            for n in &app.notes {
                writeln!(out, "- {n}")?;
            }
        }
        for m in &app.models {
            writeln!(
                out,
                "\n### Model {}: {} ({})\n",
                cell(&m.name),
                verdict_name(&m.report),
                super::standing(&m.report)
            )?;
            model_section(out, &m.report, Some(&m.name))?;
        }
        if detail == Detail::Brief
            && let Some(line) = super::app_assumed_line(app, u16::MAX)
        {
            writeln!(out, "\n{line}")?;
        }
    }
    writeln!(
        out,
        "\n<sub>{} {}, rules {} (sha256 {}){}{}</sub>",
        app.tool.name,
        app.tool.version,
        app.rules.name,
        &app.rules.sha256[..12],
        app.rules
            .as_of
            .map(|d| format!(", knowledge as of {d}"))
            .unwrap_or_default(),
        match detail {
            Detail::Brief => "; scores, every reason and assumption: `--full`",
            Detail::Full => "",
        }
    )
}

/// The rest of a model's verdict in a screenful: the reasons that decided it, what the
/// constraints ruled out, the nearest answers that would change it, its notes and, in a line,
/// what was assumed.
fn write_brief(
    out: &mut dyn Write,
    report: &Report,
    model: Option<&str>,
    names: &[(&str, &str)],
    h: &str,
) -> io::Result<()> {
    let brief = super::brief(report, names, model.is_some(), u16::MAX);
    writeln!(out, "{h} Why\n")?;
    for (points, first) in &brief.reasons {
        writeln!(
            out,
            "- **{}**: {} ({})",
            points.join(", "),
            first.why,
            first.cite
        )?;
    }
    if let Some(line) = &brief.ruled_out {
        writeln!(out, "- {line} (`--full` says why)")?;
    }
    writeln!(out, "\n{h} What would change this\n")?;
    if brief.flips.is_empty() {
        writeln!(
            out,
            "- No change of one or two answers changes the recommendation."
        )?;
    }
    write_flip_lines(out, report, &brief.flips, model, names)?;
    write_fit(out, report, h)?;
    write_notes(out, report, h)?;
    if let Some(line) = &brief.assumed {
        writeln!(out, "\n{line}")?;
    }
    Ok(())
}

/// The flips, one list item each.
fn write_flip_lines(
    out: &mut dyn Write,
    report: &Report,
    flips: &[&crate::report::Flip],
    model: Option<&str>,
    names: &[(&str, &str)],
) -> io::Result<()> {
    for f in flips {
        let (flags, now) = super::flip_text_for(f, model.map(|m| (m, report)));
        let target = outcome_name(names, f.recommendation);
        writeln!(out, "- `{flags}` (now `{now}`) → {target}")?;
    }
    Ok(())
}

/// What the model's own files said and answered (with `--model`).
fn write_from_model(
    out: &mut dyn Write,
    report: &Report,
    (model, models_by): (Option<&str>, Option<&str>),
) -> io::Result<()> {
    if let Some(found) = &report.model {
        writeln!(
            out,
            "**From the model** (`{}`): {}\n",
            found.path.replace('`', "'"),
            super::model::summary(found)
        )?;
        let used = super::model::answered_from_model(report, model, models_by);
        if !used.is_empty() {
            writeln!(out, "Answered from its files: `{used}`\n")?;
        }
    }
    Ok(())
}

/// The model's memory fit (with `--model`).
fn write_fit(out: &mut dyn Write, report: &Report, h: &str) -> io::Result<()> {
    write_fit_titled(out, report.fit.as_ref(), h, "Memory fit")
}

fn write_fit_titled(
    out: &mut dyn Write,
    fit: Option<&crate::inspect::fit::Fit>,
    h: &str,
    title: &str,
) -> io::Result<()> {
    if let Some(fit) = fit {
        writeln!(out, "\n{h} {title}\n\n{}\n", super::model::fit_heading(fit))?;
        for line in super::model::fit_lines(fit) {
            writeln!(out, "- {line}")?;
        }
        writeln!(out, "\n{}.", fit.basis)?;
    }
    Ok(())
}

/// The model's notes, when there are any.
fn write_notes(out: &mut dyn Write, report: &Report, h: &str) -> io::Result<()> {
    if !report.notes.is_empty() {
        writeln!(out, "\n{h} Notes\n")?;
        for n in &report.notes {
            writeln!(out, "- {n}")?;
        }
    }
    Ok(())
}

/// A model no stack fits: what rules each stack out, the answers that make one possible, and
/// the notes.
fn write_nothing_fits(
    out: &mut dyn Write,
    report: &Report,
    model: Option<&str>,
    names: &[(&str, &str)],
    h: &str,
    detail: Detail,
) -> io::Result<()> {
    writeln!(out, "{h} Ruled out\n")?;
    for (outcomes, e) in super::exclusions_widest_first(&report.excluded, names) {
        writeln!(out, "- **{outcomes}**: {} ({})", e.why, e.source)?;
    }
    writeln!(out, "\n{h} What would make a stack possible\n")?;
    if report.flips.is_empty() {
        writeln!(out, "- No change of one or two answers makes one possible.")?;
    }
    let shown = super::flips_shown(report, detail);
    write_flip_lines(out, report, &shown, model, names)?;
    if detail == Detail::Full {
        write_assumed(out, report, h)?;
    }
    write_fit(out, report, h)?;
    write_notes(out, report, h)?;
    if detail == Detail::Full {
        return write_trace(out, report, h);
    }
    if let Some(line) = super::assumed_brief(report, &shown, u16::MAX) {
        writeln!(out, "\n{line}")?;
    }
    Ok(())
}

/// One model's verdict (in a screenful, or all of it). `model`: its name, in an app of
/// several (its own answers' flips then name it).
fn write_model(
    out: &mut dyn Write,
    report: &Report,
    // The model's name in an app of several, and the question that makes the models.
    (model, models_by): (Option<&str>, Option<&str>),
    names: &[(&str, &str)],
    h: &str,
    detail: Detail,
) -> io::Result<()> {
    let Some(rec) = &report.recommendation else {
        return write_nothing_fits(out, report, model, names, h, detail);
    };
    writeln!(out, "{}\n", rec.summary)?;
    if let Some(r) = &report.runtime {
        writeln!(
            out,
            "**Runtime:** {}, on {} ({})\n",
            r.name, r.backend, r.cite
        )?;
    }
    if let Some(f) = &report.fallback {
        writeln!(
            out,
            "**Where it is unavailable:** {} [`{}`] ({}). {}\n",
            f.stack.name,
            f.stack.id,
            super::fallback_standing(f),
            f.stack.summary
        )?;
        if let Some(r) = &f.runtime {
            writeln!(
                out,
                "**Its runtime:** {}, on {} ({})\n",
                r.name, r.backend, r.cite
            )?;
        }
    } else if report.fallback_ruled_out {
        let text = super::NO_FALLBACK.trim_start_matches("Where it is unavailable: ");
        writeln!(out, "**Where it is unavailable:** {text}\n")?;
    }
    if let Some(advice) = &report.close_call {
        writeln!(out, "> **Close call.** {advice}\n")?;
    }
    if let Some(basis) = &report.confidence_basis {
        writeln!(out, "> {}\n", basis.text)?;
    }
    write_from_model(out, report, (model, models_by))?;
    if detail == Detail::Brief {
        return write_brief(out, report, model, names, h);
    }
    writeln!(out, "| Outcome | Score |\n|---|---:|")?;
    for s in &report.scores {
        let score = if s.excluded {
            format!("{} (ruled out)", s.score)
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
    let all = super::flips_shown(report, Detail::Full);
    write_flip_lines(out, report, &all, model, names)?;
    write_assumed(out, report, h)?;
    write_fit(out, report, h)?;
    write_notes(out, report, h)?;
    write_trace(out, report, h)
}

/// Every assumed answer (the whole report).
fn write_assumed(out: &mut dyn Write, report: &Report, h: &str) -> io::Result<()> {
    if !report.assumed.is_empty() {
        writeln!(out, "\n{h} Assumed (not answered)\n")?;
        for a in &report.assumed {
            writeln!(out, "- `{}`: {}", a.question, a.value.to_flag_value())?;
        }
    }
    Ok(())
}

/// Every rule, constraint and note, and why each did or did not apply (`--explain`).
fn write_trace(out: &mut dyn Write, report: &Report, h: &str) -> io::Result<()> {
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
