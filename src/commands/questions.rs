//! `mlstack questions`: what can be asked, with options and defaults.

use serde::Serialize;

use super::{Failure, Terminal, emit};
use crate::cli::QuestionsArgs;
use crate::render::Format;
use crate::report::AnswerValue;
use crate::rules::{RuleSet, Text};

#[derive(Serialize)]
struct QuestionOut<'a> {
    id: &'a str,
    prompt: &'a str,
    kind: &'static str,
    required: bool,
    default: Option<AnswerValue<'a>>,
    options: Vec<OptionOut<'a>>,
    /// Rules, constraints and notes whose condition looks at this question.
    used_by: Vec<&'a str>,
}

#[derive(Serialize)]
struct OptionOut<'a> {
    id: &'a str,
    label: &'a str,
    help: Option<&'a str>,
    /// Other spellings accepted for the option.
    #[serde(skip_serializing_if = "<[Text]>::is_empty")]
    aliases: &'a [Text],
}

/// Ids of the rules, constraints and notes whose condition looks at question `q`.
fn used_by(rules: &RuleSet, q: usize) -> Vec<&str> {
    let looks =
        |c: Option<&crate::rules::Condition>| c.is_some_and(|c| c.questions() & (1 << q) != 0);
    let rule_ids = rules
        .rules
        .iter()
        .filter(|r| looks(r.when.as_ref()))
        .map(|r| r.id.as_str());
    let constraint_ids = rules
        .constraints
        .iter()
        .filter(|c| looks(Some(&c.when)))
        .map(|c| c.id.as_str());
    let note_ids = rules
        .notes
        .iter()
        .filter(|n| looks(n.when.as_ref()))
        .map(|n| n.id.as_str());
    rule_ids.chain(constraint_ids).chain(note_ids).collect()
}

pub fn run(rules: &RuleSet, args: &QuestionsArgs, terminal: Terminal) -> Result<(), Failure> {
    let questions: Vec<QuestionOut> = rules
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| QuestionOut {
            id: &q.id,
            prompt: &q.prompt,
            kind: q.kind.id(),
            required: q.required,
            default: q.default.map(|d| AnswerValue::new(rules, i, d)),
            options: q
                .options
                .iter()
                .map(|o| OptionOut {
                    id: &o.id,
                    label: &o.label,
                    help: o.help.as_deref(),
                    aliases: &o.aliases,
                })
                .collect(),
            used_by: used_by(rules, i),
        })
        .collect();
    let text = match args.format {
        Format::Json => {
            // Versioned like every JSON document mlstack prints (a bare array until 0.1.0).
            #[derive(Serialize)]
            struct Doc<'a> {
                schema_version: u32,
                rules: &'a str,
                questions: &'a [QuestionOut<'a>],
            }
            let doc = Doc {
                schema_version: 1,
                rules: &rules.name,
                questions: &questions,
            };
            let mut s =
                serde_json::to_string_pretty(&doc).map_err(|e| Failure::Output(e.into()))?;
            s.push('\n');
            s
        }
        Format::Table | Format::Markdown => {
            let rows = questions
                .iter()
                .map(|q| {
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
                    vec![
                        format!("--{}\n{}{kind}", q.id, q.prompt),
                        options,
                        default,
                        q.used_by.join("\n"),
                    ]
                })
                .collect();
            crate::render::table::grid(
                args.format == Format::Markdown,
                terminal.width,
                &["Question", "Options", "Default", "Used by"],
                rows,
                Some(3),
            )
        }
    };
    emit(text.as_bytes())
}
