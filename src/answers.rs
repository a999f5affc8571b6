//! Answers from flags and answers files, merged with the rule set's defaults into one full
//! answer set. Precedence: flags > answers file > the model's files > prompts > defaults.

use std::fmt;

use serde_saphyr::Spanned;

use crate::rules::{self, Mask, OneOrMany, Pairs, RuleSet};

/// Where an answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Flag,
    File,
    /// Read from the model's own files (`--model PATH`).
    Model,
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: u64,
    pub column: u64,
    pub message: String,
}

/// The problems of an answers file: every key is checked, so all of them are listed at once.
#[derive(Debug, Clone)]
pub struct AnswersFileError {
    pub file: String,
    pub problems: Vec<Problem>,
}

impl std::error::Error for AnswersFileError {}

impl fmt::Display for AnswersFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.problems.len() > 1 {
            write!(f, "{} problems:", self.problems.len())?;
        }
        let sep = if self.problems.len() > 1 { "\n" } else { "" };
        for p in &self.problems {
            write!(
                f,
                "{sep}{}:{}:{}: {}",
                self.file, p.line, p.column, p.message
            )?;
        }
        Ok(())
    }
}

/// Parse an answers file (YAML or JSON): a mapping from question id to an option id or a
/// list of option ids. Unknown keys and values are errors naming the key.
pub fn parse_file(rules: &RuleSet, file: &str, bytes: &[u8]) -> Result<Given, AnswersFileError> {
    let fail = |d: rules::Diagnostic| AnswersFileError {
        file: d.file,
        problems: vec![Problem {
            line: d.line,
            column: d.column,
            message: d.message,
        }],
    };
    let text = rules::decode(file, bytes, "the answers file")
        .map_err(|e| fail(e.diagnostics.into_iter().next().expect("one diagnostic")))?;
    let pairs: Pairs<Spanned<OneOrMany>> =
        serde_saphyr::from_str_with_options(text, rules::yaml_options()).map_err(|e| {
            // Every key whose value has the wrong shape, not only the first.
            let parse = |t: &str| {
                serde_saphyr::from_str_with_options::<Pairs<Spanned<OneOrMany>>>(
                    t,
                    rules::yaml_options(),
                )
                .map(|_| ())
            };
            let mut found = rules::answers_problems(file, text, parse);
            if found.is_empty() {
                found.push(rules::yaml_error(file, &e));
            }
            let shape = " (an answers file maps question ids to answers, e.g. `model-type: llm`)";
            AnswersFileError {
                file: file.to_owned(),
                problems: found
                    .into_iter()
                    .map(|d| Problem {
                        line: d.line,
                        column: d.column,
                        message: d.message + shape,
                    })
                    .collect(),
            }
        })?;
    given_from_pairs(rules, &pairs).map_err(|problems| AnswersFileError {
        file: file.to_owned(),
        problems: problems
            .into_iter()
            .map(|(loc, message)| Problem {
                line: loc.line(),
                column: loc.column(),
                message,
            })
            .collect(),
    })
}

/// Check `question: answer` pairs against the rule set; on error, every problem with the
/// location of the offending key or value (unknown for sources without locations, such as
/// JSON lines).
pub fn given_from_pairs(
    rules: &RuleSet,
    pairs: &Pairs<Spanned<OneOrMany>>,
) -> Result<Given, Vec<(serde_saphyr::Location, String)>> {
    let mut given: Given = vec![None; rules.questions.len()];
    let mut problems = Vec::new();
    for (key, value) in &pairs.0 {
        match check_pair(rules, key, value) {
            Ok((q, mask)) => given[q] = Some(mask),
            Err(problem) => problems.push(problem),
        }
    }
    if problems.is_empty() {
        Ok(given)
    } else {
        Err(problems)
    }
}

/// One `question: answer` pair: the question's index and the answer's mask.
fn check_pair(
    rules: &RuleSet,
    key: &Spanned<String>,
    value: &Spanned<OneOrMany>,
) -> Result<(usize, Mask), (serde_saphyr::Location, String)> {
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
        return Err((
            key.referenced,
            format!(
                "unknown question `{}` (questions: {known}){hint}",
                key.value
            ),
        ));
    };
    let question = &rules.questions[q];
    let mut items = value.value.items(value.referenced);
    // YAML and JSON booleans (`true`, `false`) answer a yes/no question as `yes` and `no`.
    let has = |id: &str| question.options.iter().any(|o| o.id == id);
    if has("yes") && has("no") && !has("true") {
        for (id, _) in &mut items {
            match id.as_str() {
                "true" => *id = "yes".to_owned(),
                "false" => *id = "no".to_owned(),
                _ => {}
            }
        }
    }
    if question.kind == rules::Kind::Single && matches!(value.value, OneOrMany::Many(_)) {
        return Err((
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
            (loc, problem.to_string())
        })?;
    Ok((q, mask))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> RuleSet {
        rules::default_rules()
    }

    #[test]
    fn flags_beat_files_beat_defaults() {
        let r = rules();
        let hw = r.question_index("hardware").unwrap();
        let mt = r.question_index("model-type").unwrap();
        let mut flags: Given = vec![None; r.questions.len()];
        let mut file: Given = vec![None; r.questions.len()];
        flags[hw] = Some(r.questions[hw].answer_mask(["gpu"]).unwrap());
        file[hw] = Some(r.questions[hw].answer_mask(["cpu"]).unwrap());
        file[mt] = Some(r.questions[mt].answer_mask(["llm"]).unwrap());
        let a = resolve(&r, &[(&flags, Source::Flag), (&file, Source::File)]).unwrap();
        assert_eq!(a.masks[hw], flags[hw].unwrap());
        assert_eq!(a.sources[hw], Source::Flag);
        assert_eq!(a.sources[mt], Source::File);
        let battery = r.question_index("battery").unwrap();
        assert_eq!(a.sources[battery], Source::Default);
        assert_eq!(Some(a.masks[battery]), r.questions[battery].default);
    }

    #[test]
    fn booleans_answer_yes_no_questions() {
        let r = crate::rules::default_rules();
        let text = "model-type: llm\nane-compatible: true\nbackground: false\n";
        let given = parse_file(&r, "a.yaml", text.as_bytes()).unwrap();
        let q = |id: &str| r.question_index(id).unwrap();
        let option = |id: &str, mask: Mask| r.questions[q(id)].option_ids(mask);
        assert_eq!(
            option("ane-compatible", given[q("ane-compatible")].unwrap()),
            ["yes"]
        );
        assert_eq!(
            option("background", given[q("background")].unwrap()),
            ["no"]
        );
        // Not for a question whose options are not yes and no.
        let err = parse_file(&r, "a.yaml", b"model-type: true\n").unwrap_err();
        assert!(err.to_string().contains("`true` is not an option"), "{err}");
    }

    #[test]
    fn missing_required_answers_are_all_named() {
        let r = rules();
        let none: Given = vec![None; r.questions.len()];
        let err = resolve(&r, &[(&none, Source::Flag)]).unwrap_err();
        assert_eq!(err.questions, ["model-type"]);
        assert_eq!(
            err.to_string(),
            "missing required answer: pass --model-type"
        );
    }

    #[test]
    fn answers_file_values_are_checked() {
        let r = rules();
        let err = parse_file(&r, "a.yaml", b"needs: [none, kv-cache]\n").unwrap_err();
        assert_eq!(err.problems.len(), 1);
        let problem = &err.problems[0];
        assert_eq!((problem.line, problem.column), (1, 8));
        assert!(
            problem.message.contains("cannot be combined"),
            "{}",
            problem.message
        );
        let given = parse_file(&r, "a.yaml", b"ane-compatible: yes\nbackground: no\n").unwrap();
        let q = r.question_index("ane-compatible").unwrap();
        assert_eq!(r.questions[q].option_ids(given[q].unwrap()), ["yes"]);
    }
}
