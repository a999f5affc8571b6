//! Asking one question at a terminal. Behind a small trait so the interview logic can be
//! driven by scripted answers in tests.

use crate::render::safe::safe;
use crate::rules::{Kind, Mask, Question};

#[derive(Debug, thiserror::Error)]
pub enum PromptError {
    /// Ctrl-C or Esc: the user wants out.
    #[error("interrupted")]
    Interrupted,
    /// The terminal went away (end of input) or could not be read.
    #[error("input ended before `{question}` was answered ({reason})")]
    InputEnded { question: String, reason: String },
}

/// One question as it is put: for the app, or for one model of several, with the options
/// that are for it.
#[derive(Debug, Clone, Copy)]
pub struct Ask<'a> {
    pub question: &'a Question,
    /// Preselected (one of `offered`).
    pub default: Option<Mask>,
    /// The model asked about, in an app of several models.
    pub model: Option<&'a str>,
    /// The options to offer: those whose `ask_if` holds for the model (or some model).
    pub offered: Mask,
}

/// Something that can put one question to a person.
pub trait Prompter {
    /// Ask the question, offering its default preselected; returns a legal answer made of
    /// offered options.
    fn ask(&mut self, ask: &Ask<'_>) -> Result<Mask, PromptError>;
}

/// One option as the prompt shows it: `id: label (help)`.
struct Choice {
    /// The option's index among the question's options.
    index: usize,
    id: String,
    text: String,
}

impl std::fmt::Display for Choice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// `text` wrapped at word boundaries to `width` columns, for a place where the prompt library
/// prints `indent` columns of its own before it (`? `, `> [ ] `): continuation lines hang
/// under the first. The library breaks lines mid-word otherwise, and keeps our line breaks.
fn fit(text: &str, width: u16, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let wrapped = crate::render::table::wrap(text, width, &pad, &pad);
    wrapped[indent..].to_owned()
}

/// The width the prompts are drawn at: the terminal's (prompts go to stderr), else 80.
fn prompt_width() -> u16 {
    terminal_size::terminal_size_of(std::io::stderr()).map_or(80, |(w, _)| w.0)
}

/// The offered options of `q` as the list shows them, each with its index among the
/// question's options. `indent`: the columns the list prints before an option (`> `, `> [ ] `).
fn choices(q: &Question, offered: Mask, width: u16, indent: usize) -> Vec<Choice> {
    q.options
        .iter()
        .enumerate()
        .filter(|(i, _)| offered & (1 << i) != 0)
        .map(|(index, o)| Choice {
            index,
            id: o.id.to_string(),
            // Labels come from the rule file: no control characters reach the terminal.
            text: fit(
                &safe(&match &o.help {
                    Some(help) => format!("{}: {} ({help})", o.id, o.label),
                    None => format!("{}: {}", o.id, o.label),
                }),
                width,
                indent,
            ),
        })
        .collect()
}

/// Whether option `index` of `q` stands for "none of these".
fn is_exclusive(q: &Question, index: usize) -> bool {
    q.exclusive & (1 << index) != 0
}

/// A selection with `none` ticked beside real options is those options: ticking any option
/// clears the preselected `none` (the list cannot untick it as you go, so it happens on enter).
fn without_none(mask: Mask, exclusive: Mask) -> Mask {
    if mask & !exclusive != 0 {
        mask & !exclusive
    } else {
        mask
    }
}

/// Prompts on the terminal with `inquire` (select for single choice, multi-select for multi).
pub struct TerminalPrompter;

impl Prompter for TerminalPrompter {
    fn ask(&mut self, ask: &Ask<'_>) -> Result<Mask, PromptError> {
        let (q, default) = (ask.question, ask.default);
        let fail = |e: inquire::InquireError| match e {
            inquire::InquireError::OperationCanceled
            | inquire::InquireError::OperationInterrupted => PromptError::Interrupted,
            other => PromptError::InputEnded {
                question: q.id.to_string(),
                reason: other.to_string(),
            },
        };
        let width = prompt_width();
        // Once answered, the library prints the answer after the prompt's last line: leave it
        // room there for one option id (a list of several wraps, as any long line does;
        // keeping room for three made every multi-choice prompt wrap at half the width).
        let longest = q.options.iter().map(|o| o.id.chars().count()).max();
        let answer = longest.unwrap_or(0) + 2;
        let room = width.saturating_sub(u16::try_from(answer).unwrap_or(u16::MAX));
        // Model names come from answers files: escaped like the rule file's text.
        let message = match ask.model {
            Some(name) => format!("For the {name} model: {} (--{} {name}=...)", q.prompt, q.id),
            None => format!("{} (--{})", q.prompt, q.id),
        };
        let message = fit(&safe(&message), room, 2);
        let list = choices(q, ask.offered, width, 2);
        // Positions in the list, not option indexes.
        let preselected: Vec<usize> = list
            .iter()
            .enumerate()
            .filter(|(_, c)| default.is_some_and(|d| d & (1 << c.index) != 0))
            .map(|(at, _)| at)
            .collect();
        match q.kind {
            Kind::Single => {
                // The keys always: typing does nothing in these lists, so no help may read as
                // if it did.
                let help = q.help.as_deref().map_or_else(
                    || "↑↓ to move, enter to choose, esc to quit".into(),
                    |h| format!("{} (↑↓ to move, enter to choose)", safe(h)),
                );
                let help = fit(&help, width, 1);
                let page = list.len().min(10);
                let picked = inquire::Select::new(&message, list)
                    .with_help_message(&help)
                    .with_starting_cursor(preselected.first().copied().unwrap_or(0))
                    .with_page_size(page)
                    .without_filtering()
                    .with_formatter(&|chosen| chosen.value.id.clone())
                    .raw_prompt()
                    .map_err(fail)?;
                Ok(1 << picked.value.index)
            }
            Kind::Multi => {
                let help = q.help.clone().map_or_else(
                    || "space to select, enter to confirm, esc to quit".to_owned(),
                    |h| format!("{} (space to select, enter to confirm)", safe(&h)),
                );
                let question = q.clone();
                let help = fit(&help, width, 1);
                let list = choices(q, ask.offered, width, 6);
                let page = list.len().min(10);
                let picked = inquire::MultiSelect::new(&message, list)
                    .with_help_message(&help)
                    .with_default(&preselected)
                    .with_page_size(page)
                    .without_filtering()
                    .with_formatter(&|chosen| {
                        let some = chosen.iter().any(|c| !is_exclusive(q, c.value.index));
                        chosen
                            .iter()
                            .filter(|c| !(some && is_exclusive(q, c.value.index)))
                            .map(|c| c.value.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .with_validator(
                        move |selected: &[inquire::list_option::ListOption<&Choice>]| {
                            use inquire::validator::Validation;
                            let mask = without_none(
                                selected.iter().fold(0u64, |m, o| m | 1 << o.value.index),
                                question.exclusive,
                            );
                            Ok(if mask == 0 {
                                if question.exclusive != 0 {
                                    Validation::Valid
                                } else {
                                    Validation::Invalid("choose at least one option".into())
                                }
                            } else {
                                match question.answer_mask(question.option_ids(mask)) {
                                    Ok(_) => Validation::Valid,
                                    Err(problem) => Validation::Invalid(problem.to_string().into()),
                                }
                            })
                        },
                    )
                    .raw_prompt()
                    .map_err(fail)?;
                let mask = without_none(
                    picked.iter().fold(0u64, |m, o| m | 1 << o.value.index),
                    q.exclusive,
                );
                // Nothing selected means "none of these" where the question offers it.
                Ok(if mask == 0 {
                    q.exclusive & q.exclusive.wrapping_neg()
                } else {
                    mask
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::without_none;

    #[test]
    fn ticking_an_option_clears_none() {
        let none = 0b100;
        assert_eq!(without_none(0b101, none), 0b001);
        assert_eq!(without_none(0b100, none), 0b100);
        assert_eq!(without_none(0b011, none), 0b011);
        assert_eq!(without_none(0, none), 0);
    }
}
