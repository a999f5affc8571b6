//! Answers written as `question: answer` pairs, and the models a `models:` list describes,
//! checked against a rule set's questions. Answers files and the rule file's own tests both
//! list models this way, so both read them here. Pure.

use serde_saphyr::{Location, Spanned};

use super::syntax::AnswerPairs;
use super::{AnswerProblem, Kind, Mask, OneOrMany, Pairs, Question, Scope, did_you_mean};

/// An answer per question, `None` where none was given.
pub type Given = Vec<Option<Mask>>;

/// Problems with the location of the offending key or value.
pub type Problems = Vec<(Location, String)>;

/// A model a `models:` list describes: its name and its own answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedModel {
    pub name: String,
    pub given: Given,
}

/// Check `question: answer` pairs against `questions`; on error, every problem with the
/// location of the offending key or value (unknown for sources without locations, such as
/// JSON lines).
pub fn given_from_pairs(
    questions: &[Question],
    pairs: &Pairs<Spanned<OneOrMany>>,
) -> Result<Given, Problems> {
    let mut given: Given = vec![None; questions.len()];
    let mut problems = Vec::new();
    for (key, value) in &pairs.0 {
        match check_pair(questions, key, value) {
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
    questions: &[Question],
    key: &Spanned<String>,
    value: &Spanned<OneOrMany>,
) -> Result<(usize, Mask), (Location, String)> {
    let Some(q) = questions.iter().position(|q| q.id == key.value) else {
        let ids = || questions.iter().map(|q| q.id.as_str());
        let known = ids().collect::<Vec<_>>().join(", ");
        let hint = did_you_mean(&key.value, ids())
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
    let question = &questions[q];
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
    if question.kind == Kind::Single && matches!(value.value, OneOrMany::Many(_)) {
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
                AnswerProblem::UnknownOption { value: bad, .. } => items
                    .iter()
                    .find(|(id, _)| id == bad)
                    .map_or(value.referenced, |(_, l)| *l),
                _ => value.referenced,
            };
            (loc, problem.to_string())
        })?;
    Ok((q, mask))
}

/// Whether `name` can name a model in flags (`--hardware NAME=gpu`), gates (`--expect
/// NAME=STACK`) and the replay command: letters, digits, `-`, `_` and `.`, at least one.
pub fn is_model_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The models of a `models:` list (`list`), each `{name, <answers of that model>}`, beside
/// the answers given for the whole app (`top`). `top_place` says where an app's answer
/// belongs instead ("at the top", "in the test's `answers`"). Every problem, located.
pub fn models_from_list(
    questions: &[Question],
    list: &Spanned<Vec<Spanned<AnswerPairs>>>,
    top: &Given,
    top_place: &str,
) -> Result<Vec<ListedModel>, Problems> {
    let Some(creator) = questions.iter().position(|q| q.one_per_model) else {
        return Err(vec![(
            list.referenced,
            "`models:` lists models, and these rules have no question that makes models".to_owned(),
        )]);
    };
    let kind = &questions[creator].id;
    let mut problems = Vec::new();
    if top[creator].is_some() {
        problems.push((
            list.referenced,
            format!("`{kind}` {top_place} and `models:`: give the models in one place"),
        ));
    }
    let mut models: Vec<ListedModel> = Vec::new();
    let mut counts: Vec<(String, usize)> = Vec::new();
    for entry in &list.value {
        let mut name = None;
        let mut rest = Vec::new();
        for (key, value) in &entry.value.0 {
            match (key.value.as_str(), &value.value) {
                ("name", OneOrMany::One(n)) if !is_model_name(n) => problems.push((
                    value.referenced,
                    format!(
                        "model name `{n}`: a name is letters, digits, `-`, `_` and `.` (flags name a model with it: --hardware NAME=gpu)"
                    ),
                )),
                ("name", OneOrMany::One(n)) => name = Some((n.clone(), value.referenced)),
                ("name", _) => problems.push((value.referenced, "`name` is one name".to_owned())),
                _ => rest.push((key.clone(), value.clone())),
            }
        }
        let mut own = match given_from_pairs(questions, &Pairs(rest)) {
            Ok(own) => own,
            Err(found) => {
                problems.extend(found);
                continue;
            }
        };
        for (q, question) in questions.iter().enumerate() {
            if own[q].is_some() && question.scope == Scope::App {
                let at = entry
                    .value
                    .0
                    .iter()
                    .find(|(k, _)| k.value == *question.id)
                    .map_or(entry.referenced, |(k, _)| k.referenced);
                problems.push((
                    at,
                    format!(
                        "`{}` is the app's answer: give it {top_place}, not under a model",
                        question.id
                    ),
                ));
                own[q] = None;
            }
        }
        let Some(mask) = own[creator] else {
            problems.push((entry.referenced, format!("a model needs its `{kind}`")));
            continue;
        };
        if mask.count_ones() != 1 {
            problems.push((
                entry.referenced,
                format!("a model has one `{kind}`; list each as a model"),
            ));
            continue;
        }
        let kind_id = questions[creator].option_ids(mask).join("");
        let name = match name {
            Some((n, at)) => {
                if models.iter().any(|m| m.name == n) {
                    problems.push((at, format!("two models are named '{n}'")));
                }
                n
            }
            None => {
                // Named by type: the second model of one type is `llm-2`.
                let seen = match counts.iter_mut().find(|(k, _)| *k == kind_id) {
                    Some((_, n)) => {
                        *n += 1;
                        *n
                    }
                    None => {
                        counts.push((kind_id.clone(), 1));
                        1
                    }
                };
                if seen == 1 {
                    kind_id
                } else {
                    format!("{kind_id}-{seen}")
                }
            }
        };
        models.push(ListedModel { name, given: own });
    }
    if list.value.is_empty() {
        problems.push((list.referenced, "`models:` lists no model".to_owned()));
    }
    if problems.is_empty() {
        Ok(models)
    } else {
        Err(problems)
    }
}
