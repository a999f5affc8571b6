//! `mlstack inspect PATH`: only what a model's own files say (headers only), the answers
//! they prove, and the memory fit on every Apple device tier with figures.

use std::fmt::Write as _;

use serde::Serialize;

use super::{Failure, Terminal, emit, usage};
use crate::cli::InspectArgs;
use crate::inspect::fit::{self, Fit};
use crate::inspect::{self, Inspection};
use crate::render::table::wrap;
use crate::render::{Format, model};
use crate::rules::{Kind, RuleSet};

/// The platforms `inspect` sizes the model for: every one with memory figures.
pub const ALL_PLATFORMS: [&str; 3] = ["ios", "visionos", "macos"];

#[derive(Serialize)]
struct Output<'a> {
    schema_version: u32,
    model: &'a Inspection,
    /// The answers the files prove: question id to option id(s).
    answers: serde_json::Map<String, serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fit: Option<&'a Fit>,
    tool: crate::report::ToolInfo,
}

/// `rules` decides which answers are lists (multi-choice questions) in the JSON.
pub fn run(rules: &RuleSet, args: &InspectArgs, terminal: Terminal) -> Result<(), Failure> {
    let found = inspect::inspect(&args.path).map_err(usage)?;
    let proven = inspect::proven(&found);
    let fit = fit::fit(&found, &ALL_PLATFORMS, false);
    let text = match args.format {
        Format::Json => {
            let answers = proven
                .iter()
                .map(|(q, v)| {
                    let multi = rules
                        .question_index(q)
                        .is_none_or(|i| rules.questions[i].kind == Kind::Multi);
                    let value = match v.as_slice() {
                        [one] if !multi => serde_json::Value::from(*one),
                        many => serde_json::Value::from(many.to_vec()),
                    };
                    ((*q).to_owned(), value)
                })
                .collect();
            let output = Output {
                schema_version: 1,
                model: &found,
                answers,
                fit: fit.as_ref(),
                tool: crate::report::ToolInfo {
                    name: env!("CARGO_PKG_NAME"),
                    version: env!("CARGO_PKG_VERSION"),
                },
            };
            let mut json =
                serde_json::to_string_pretty(&output).map_err(|e| Failure::Output(e.into()))?;
            json.push('\n');
            json
        }
        Format::Table => text(&found, &proven, fit.as_ref(), terminal.width, false),
        Format::Markdown => text(&found, &proven, fit.as_ref(), u16::MAX, true),
    };
    emit(text.as_bytes())
}

/// The inspection in words; `markdown` adds headings and list markers Markdown renders.
fn text(
    found: &Inspection,
    proven: &inspect::ModelAnswers,
    fit: Option<&Fit>,
    width: u16,
    markdown: bool,
) -> String {
    let mut out = String::new();
    let heading = |out: &mut String, title: &str| {
        if markdown {
            let _ = writeln!(out, "\n#### {title}\n");
        } else {
            let _ = writeln!(out, "\n{title}");
        }
    };
    let title = format!("Model: {} ({})", found.path, found.format.label());
    if markdown {
        let _ = writeln!(out, "### {title}\n");
    } else {
        let _ = writeln!(out, "{title}");
    }
    let _ = writeln!(out, "{}", wrap(&model::summary(found), width, "", ""));
    heading(&mut out, "Answers the files prove");
    if markdown {
        let _ = writeln!(out, "`{}`", model::flags(proven));
    } else {
        let _ = writeln!(out, "{}", wrap(&model::flags(proven), width, "  ", "  "));
    }
    if let Some(fit) = fit {
        heading(&mut out, "Memory fit");
        let _ = writeln!(out, "{}", wrap(&model::fit_heading(fit), width, "", ""));
        if markdown {
            out.push('\n');
        }
        for line in model::fit_lines(fit) {
            let _ = writeln!(out, "{}", wrap(&line, width, "- ", "  "));
        }
        let basis = format!("{}{}.", if markdown { "\n" } else { "" }, fit.basis);
        let _ = writeln!(out, "{}", wrap(&basis, width, "", ""));
    }
    heading(&mut out, "Read");
    for r in &found.read {
        let _ = writeln!(out, "{}", wrap(r, width, "- ", "  "));
    }
    heading(&mut out, "Not read");
    for r in &found.not_read {
        let _ = writeln!(out, "{}", wrap(r, width, "- ", "  "));
    }
    out
}
