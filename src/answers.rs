//! Answers from flags and answers files, merged with the rule set's defaults into one full
//! answer set. Precedence: flags > answers file > defaults.

use std::fmt;

use serde_saphyr::Spanned;

use crate::rules::{self, Mask, OneOrMany, Pairs, RuleSet};

/// Where an answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Flag,
    File,
    Prompt,
    /// Not answered: the question's default was assumed.
    Default,
}

/// One answer per question, every question answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answers {
    pub masks: Vec<Mask>,
    pub sources: Vec<Source>,
}

/// Answers given so far, per question index; `None` where unanswered.
pub type Given = Vec<Option<Mask>>;

/// A problem in an answers file, located at the offending key or value.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct AnswersFileError {
    pub file: String,
    pub line: u64,
    pub column: u64,
    pub message: String,
}

/// Parse an answers file (YAML or JSON): a mapping from question id to an option id or a
/// list of option ids. Unknown keys and values are errors naming the key.
pub fn parse_file(rules: &RuleSet, file: &str, bytes: &[u8]) -> Result<Given, AnswersFileError> {
    let fail = |d: rules::Diagnostic| AnswersFileError {
        file: d.file,
        line: d.line,
        column: d.column,
        message: d.message,
    };
    let text = rules::decode(file, bytes, "the answers file")
        .map_err(|e| fail(e.diagnostics.into_iter().next().expect("one diagnostic")))?;
    let pairs: Pairs<Spanned<OneOrMany>> =
        serde_saphyr::from_str_with_options(text, rules::yaml_options())
            .map_err(|e| fail(rules::yaml_error(file, &e)))?;
    let mut given: Given = vec![None; rules.questions.len()];
    for (key, value) in &pairs.0 {
        let at = |loc: serde_saphyr::Location, message: String| AnswersFileError {
            file: file.to_owned(),
            line: loc.line(),
            column: loc.column(),
            message,
        };
        let Some(q) = rules.question_index(&key.value) else {
            let known = rules
                .questions
                .iter()
                .map(|q| q.id.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let hint = rules::did_you_mean(&key.value, rules.questions.iter().map(|q| q.id.as_str()))
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            return Err(at(
                key.referenced,
                format!("unknown question `{}` (questions: {known}){hint}", key.value),
            ));
        };
        let question = &rules.questions[q];
        let items = value.value.items(value.referenced);
        if question.kind == rules::Kind::Single && matches!(value.value, OneOrMany::Many(_)) {
            return Err(at(
                value.referenced,
                format!("`{}` takes a single option, not a list", key.value),
            ));
        }
        let mask = question
            .answer_mask(items.iter().map(|(id, _)| id.as_str()))
            .map_err(|problem| {
                // Point at the offending list item when there is one.
                let loc = match &problem {
                    rules::AnswerProblem::UnknownOption { value: bad, .. } => items
                        .iter()
                        .find(|(id, _)| id == bad)
                        .map_or(value.referenced, |(_, l)| *l),
                    _ => value.referenced,
                };
                at(loc, problem.to_string())
            })?;
        given[q] = Some(mask);
    }
    Ok(given)
}

/// Required questions nobody answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingAnswers {
    /// Question ids, in rule-set order.
    pub questions: Vec<String>,
}

impl fmt::Display for MissingAnswers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let flags: Vec<String> = self.questions.iter().map(|q| format!("--{q}")).collect();
        write!(
            f,
            "missing required answer{}: pass {}",
            if flags.len() == 1 { "" } else { "s" },
            flags.join(" and ")
        )
    }
}

/// Merge answers by precedence (earlier layers win) and fill the rest from defaults.
pub fn resolve(rules: &RuleSet, layers: &[(&Given, Source)]) -> Result<Answers, MissingAnswers> {
    let mut masks = Vec::with_capacity(rules.questions.len());
    let mut sources = Vec::with_capacity(rules.questions.len());
    let mut missing = Vec::new();
    for (q, question) in rules.questions.iter().enumerate() {
        let given = layers
            .iter()
            .find_map(|(given, source)| given[q].map(|mask| (mask, *source)));
        match given.or(question.default.map(|d| (d, Source::Default))) {
            Some((mask, source)) => {
                masks.push(mask);
                sources.push(source);
            }
            None => {
                missing.push(question.id.clone());
                masks.push(0);
                sources.push(Source::Default);
            }
        }
    }
    if missing.is_empty() {
        Ok(Answers { masks, sources })
    } else {
        Err(MissingAnswers { questions: missing })
    }
}
