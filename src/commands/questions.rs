//! `mlstack questions`: what can be asked, with options and defaults.

use serde::Serialize;

use super::{Failure, Terminal, emit};
use crate::cli::QuestionsArgs;
use crate::render::Format;
use crate::report::AnswerValue;
use crate::rules::{Kind, RuleSet};

#[derive(Serialize)]
struct QuestionOut<'a> {
    id: &'a str,
    prompt: &'a str,
    kind: &'static str,
    required: bool,
    default: Option<AnswerValue>,
    options: Vec<OptionOut<'a>>,
}

#[derive(Serialize)]
struct OptionOut<'a> {
    id: &'a str,
    label: &'a str,
    help: Option<&'a str>,
}

pub fn run(rules: &RuleSet, args: &QuestionsArgs, terminal: Terminal) -> Result<(), Failure> {
    let questions: Vec<QuestionOut> = rules
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| QuestionOut {
            id: &q.id,
            prompt: &q.prompt,
            kind: match q.kind {
                Kind::Single => "single",
                Kind::Multi => "multi",
            },
            required: q.required,
            default: q.default.map(|d| AnswerValue::new(rules, i, d)),
            options: q
                .options
                .iter()
                .map(|o| OptionOut {
                    id: &o.id,
                    label: &o.label,
                    help: o.help.as_deref(),
                })
                .collect(),
        })
        .collect();
    let text = match args.format {
        Format::Json => {
            let mut s =
                serde_json::to_string_pretty(&questions).map_err(|e| Failure::Output(e.into()))?;
            s.push('\n');
            s
        }
        Format::Table => {
            let mut t = crate::render::table::table(
                terminal.width,
                &["Flag", "Question", "Options", "Default"],
            );
            for q in &questions {
                let options = q
                    .options
                    .iter()
                    .map(|o| format!("{}: {}", o.id, o.label))
                    .collect::<Vec<_>>()
                    .join("\n");
                let default = match (&q.default, q.required) {
                    (_, true) => "(required)".to_owned(),
                    (Some(d), _) => d.to_flag_value(),
                    (None, false) => String::new(),
                };
                let kind = if q.kind == "multi" {
                    "\n(one or more, comma-separated)"
                } else {
                    ""
                };
                t.add_row(vec![
                    format!("--{}", q.id),
                    format!("{}{kind}", q.prompt),
                    options,
                    default,
                ]);
            }
            format!("{t}\n")
        }
    };
    emit(text.as_bytes())
}
