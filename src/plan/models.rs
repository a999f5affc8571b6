//! The models an answer set describes: one per option ticked in the rule set's
//! `one_per_model` question (`--model-type vision,llm` is two models), a split option's parts
//! in its place (a VLM whose vision encoder runs apart is an encoder and a language model).
//! Every model takes the app's answers and its own. Pure.

use crate::answers::Answers;
use crate::rules::{Mask, RuleSet};

/// One model of the app: its name and its full answer set (the app's answers, its own, and
/// a single option of the `one_per_model` question).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    pub name: String,
    pub answers: Answers,
}

/// The question that makes models, if the rule set has one.
pub fn creator(rules: &RuleSet) -> Option<usize> {
    rules.questions.iter().position(|q| q.one_per_model)
}

/// An answer given for some models only: one model's (`--model-size llm=1b-to-4b`: `model`
/// names it), or one of several values given to a single-choice question at once, which goes
/// to the model it is for (`--built-in speech,foundation-models`: `model` is `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Targeted {
    pub model: Option<String>,
    pub question: usize,
    pub mask: Mask,
    /// Where it came from: a flag beats the answers every model shares; what a model's files
    /// say (`--model PATH`) fills only what no flag or file answered.
    pub source: crate::answers::Source,
}

/// How strongly a source's answer holds (flags > file > model > prompt > default).
fn rank(source: crate::answers::Source) -> u8 {
    use crate::answers::Source::*;
    match source {
        Flag => 4,
        File => 3,
        Model => 2,
        Prompt => 1,
        Default => 0,
    }
}

/// The models of `answers`, in option order. A rule set without a `one_per_model` question,
/// or an answer with one option, is one model with the answers as they are.
/// No answer is checked against the model it reaches (for the interview and the rule file's
/// own tests); [`split_with`] checks.
pub fn split(rules: &RuleSet, answers: &Answers) -> Vec<Model> {
    let seeds = seeds(rules, answers, &[]);
    let mut out = models_of(rules, answers, seeds);
    fit_to_models(rules, &[], &mut out);
    out
}

/// [`split`], then the answers given for some models only (`targeted`, from flags: they beat
/// the answers every model shares). Fails, naming the flag, when a value names a model the app
/// does not have, or when two values of one single-choice question are for the same model.
///
/// `listed`: the models an answers file lists by name (`models:`), each with its own answers
/// (flags still beat them); when there are any, they are the app's models.
pub fn split_with(
    rules: &RuleSet,
    answers: &Answers,
    targeted: &[Targeted],
    listed: &[crate::answers::FileModel],
) -> Result<Vec<Model>, String> {
    let seeds = seeds(rules, answers, listed);
    listed_fit(rules, listed, &seeds)?;
    let mut out = models_of(rules, answers, seeds);
    place_shared(rules, targeted, &mut out)?;
    // One model's answers go in before the shared ones are fitted: `--built-in
    // llm=foundation-models` decides whether a shared `--unavailable` reaches the LLM.
    let placed = place_targeted(rules, targeted, &mut out)?;
    fit_to_models(rules, &placed, &mut out);
    check(rules, answers, targeted, out)
}

/// One (name, answers) per model before any split: the listed models, or one per option of
/// the `one_per_model` answer.
fn seeds(
    rules: &RuleSet,
    answers: &Answers,
    listed: &[crate::answers::FileModel],
) -> Vec<(String, Answers)> {
    match creator(rules) {
        Some(q) if !listed.is_empty() => listed
            .iter()
            .map(|m| {
                let mut own = answers.clone();
                for (i, given) in m.given.iter().enumerate() {
                    let flagged = own.sources[i] == crate::answers::Source::Flag && i != q;
                    if let (Some(mask), false) = (given, flagged) {
                        own.masks[i] = *mask;
                        own.sources[i] = crate::answers::Source::File;
                    }
                }
                (m.name.clone(), own)
            })
            .collect(),
        Some(q) => rules.questions[q]
            .options
            .iter()
            .enumerate()
            .filter(|(o, _)| answers.masks[q] & (1 << o) != 0)
            .map(|(o, option)| {
                let mut own = answers.clone();
                own.masks[q] = 1 << o;
                (option.id.to_string(), own)
            })
            .collect(),
        None => Vec::new(),
    }
}

/// A listed model's own single-choice answer must be for it (Speech does not stand in for a
/// camera model): an answer given for every model is fitted to each, but one given under a
/// model says the team meant that model.
fn listed_fit(
    rules: &RuleSet,
    listed: &[crate::answers::FileModel],
    seeds: &[(String, Answers)],
) -> Result<(), String> {
    for (m, (name, own)) in listed.iter().zip(seeds) {
        for (q, given) in m.given.iter().enumerate() {
            let question = &rules.questions[q];
            // A flag beats the model's own answer (and is checked where it is placed).
            if given.is_none()
                || own.sources[q] != crate::answers::Source::File
                || !one_option_per_model(question)
            {
                continue;
            }
            if misplaced(rules, q, own).is_some() {
                return Err(format!(
                    "`{}: {}` under the model {name} is not for it: {}",
                    question.id,
                    question.option_ids(own.masks[q]).join(","),
                    instead(rules, q, own)
                ));
            }
        }
    }
    Ok(())
}

/// Several values for one single-choice question (`--built-in speech,foundation-models`):
/// each goes to the model it is for. Done before [`fit_to_models`], since the answer placed
/// decides which other questions apply to the model (`--unavailable` follows the built-in).
fn place_shared(rules: &RuleSet, targeted: &[Targeted], out: &mut [Model]) -> Result<(), String> {
    let several = out.len() > 1;
    let names: Vec<String> = out.iter().map(|m| m.name.clone()).collect();
    let flag = |q: usize| format!("--{}", rules.questions[q].id);
    // Several values for one single-choice question: each goes to the model it is for.
    let mut shared: Vec<usize> = targeted
        .iter()
        .filter(|t| t.model.is_none())
        .map(|t| t.question)
        .collect();
    shared.dedup();
    for q in shared {
        let question = &rules.questions[q];
        let values: Vec<Mask> = targeted
            .iter()
            .filter(|t| t.model.is_none() && t.question == q)
            .map(|t| t.mask)
            .collect();
        if !several {
            return Err(format!(
                "{} takes one option per model, and the app has one model: give one",
                flag(q)
            ));
        }
        for v in &values {
            if !out
                .iter()
                .any(|m| question.options_for(&m.answers.masks) & v != 0)
            {
                return Err(format!(
                    "{} {}: no model of the app ({}) is one it is for; name the model ({} MODEL={})",
                    flag(q),
                    question.option_ids(*v).join(","),
                    names.join(", "),
                    flag(q),
                    question.option_ids(*v).join(",")
                ));
            }
        }
        for m in out.iter_mut() {
            let fits: Vec<Mask> = values
                .iter()
                .copied()
                .filter(|v| question.options_for(&m.answers.masks) & v != 0)
                .collect();
            match fits.as_slice() {
                [] => {}
                [one] => {
                    m.answers.masks[q] = *one;
                    m.answers.sources[q] = crate::answers::Source::Flag;
                }
                [a, b, ..] => {
                    return Err(format!(
                        "{} {} and {} are both for model {}: say which is its ({} {}=VALUE)",
                        flag(q),
                        question.option_ids(*a).join(","),
                        question.option_ids(*b).join(","),
                        m.name,
                        flag(q),
                        m.name
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The answers given for some models only, placed (one model's answers beat the answers all
/// models share): the (model, question) pairs placed.
fn place_targeted(
    rules: &RuleSet,
    targeted: &[Targeted],
    out: &mut [Model],
) -> Result<Vec<(usize, usize)>, String> {
    let mut placed = Vec::new();
    for t in targeted {
        let Some(name) = &t.model else { continue };
        let Some(i) = out.iter().position(|m| m.name == *name) else {
            let names: Vec<&str> = out.iter().map(|m| m.name.as_str()).collect();
            return Err(format!(
                "--{} {name}=...: the app has no model named '{name}' (its models: {})",
                rules.questions[t.question].id,
                names.join(", ")
            ));
        };
        let m = &mut out[i];
        if rank(t.source) >= rank(m.answers.sources[t.question]) {
            m.answers.masks[t.question] = t.mask;
            m.answers.sources[t.question] = t.source;
            placed.push((i, t.question));
        }
    }
    Ok(placed)
}

/// Every answer someone gave checked against the model it reaches.
fn check(
    rules: &RuleSet,
    answers: &Answers,
    targeted: &[Targeted],
    out: Vec<Model>,
) -> Result<Vec<Model>, String> {
    let several = out.len() > 1;
    let names: Vec<String> = out.iter().map(|m| m.name.clone()).collect();
    let flag = |q: usize| format!("--{}", rules.questions[q].id);
    // A single-choice answer someone gave must be for the model it reaches (Speech does not
    // stand in for a camera model), and an answer given for every model must fit one of them.
    for (q, question) in rules.questions.iter().enumerate() {
        let given = matches!(
            answers.sources[q],
            crate::answers::Source::Flag | crate::answers::Source::File
        );
        if !one_option_per_model(question) {
            continue;
        }
        let asked = |m: &Model| question.applies(&m.answers.masks);
        for m in &out {
            if let Some(problem) = misplaced(rules, q, &m.answers) {
                let whose = if several {
                    format!("the model {}", m.name)
                } else {
                    format!("a model of this kind ({})", m.name)
                };
                return Err(format!(
                    "{problem} {whose}: {}",
                    instead(rules, q, &m.answers)
                ));
            }
        }
        let shared = answers.masks[q];
        let for_none = out
            .iter()
            .all(|m| !asked(m) || question.options_for(&m.answers.masks) & shared == 0);
        if several
            && given
            && for_none
            && out.iter().any(asked)
            && Some(shared) != question.default
            && !targeted.iter().any(|t| t.question == q)
        {
            return Err(format!(
                "{} {}: no model of the app ({}) is one it is for",
                flag(q),
                question.option_ids(shared).join(","),
                names.join(", ")
            ));
        }
    }
    // Names are how flags and gates reach a model: two alike would be one.
    for (i, m) in out.iter().enumerate() {
        if out[..i].iter().any(|o| o.name == m.name) {
            return Err(format!(
                "two models are named '{}': name them apart",
                m.name
            ));
        }
    }
    Ok(out)
}

/// The models of `seeds` (a name and answers whose `one_per_model` answer is one option), split
/// where an option says so, each with the answers given for every model, as far as they fit it.
fn models_of(rules: &RuleSet, answers: &Answers, seeds: Vec<(String, Answers)>) -> Vec<Model> {
    let Some(q) = creator(rules) else {
        return vec![Model {
            name: "model".to_owned(),
            answers: answers.clone(),
        }];
    };
    let question = &rules.questions[q];
    let mut out = Vec::new();
    for (name, own) in seeds {
        let o = own.masks[q].trailing_zeros() as usize;
        let option = &question.options[o];
        match &option.split {
            Some(split) if split.when.holds(&own.masks) => {
                for part in split.into.iter() {
                    let mut masks = own.masks.clone();
                    masks[q] = 1 << part.option;
                    for &(pq, mask) in part.answers.iter() {
                        masks[pq] = mask;
                    }
                    out.push(Model {
                        name: format!("{name}-{}", part.name),
                        answers: Answers {
                            masks,
                            sources: own.sources.clone(),
                        },
                    });
                }
            }
            _ => out.push(Model { name, answers: own }),
        }
    }
    out
}

/// An answer given once reaches every model whose questions include it: where a question's
/// `ask_if` fails for a model (the model size for a vision model, the model kind for an LLM),
/// that model takes the question's default, as its interview would have; of a multi-choice
/// answer, a model keeps the options that are for it (custom sampling is not a vision
/// model's). One model keeps its answers as given. Run once every answer is in place (those
/// given for some models only too), since one answer decides whether another applies.
/// `placed`: the (model, question) answers given for one model, which stay as given (they
/// are checked where they land).
fn fit_to_models(rules: &RuleSet, placed: &[(usize, usize)], out: &mut [Model]) {
    if out.len() > 1 {
        for (mi, model) in out.iter_mut().enumerate() {
            for (qi, question) in rules.questions.iter().enumerate() {
                let (Some(default), crate::rules::Scope::Model) =
                    (question.default, question.scope)
                else {
                    continue;
                };
                if placed.contains(&(mi, qi)) {
                    continue;
                }
                let masks = &model.answers.masks;
                let applies = question.applies(masks);
                let kept = masks[qi] & question.options_for(masks);
                if !applies || kept == 0 {
                    if model.answers.masks[qi] != default {
                        model.answers.masks[qi] = default;
                        model.answers.sources[qi] = crate::answers::Source::Default;
                    }
                } else {
                    model.answers.masks[qi] = kept;
                }
            }
        }
    }
}

/// A single-choice question each model answers for itself (not the one that makes models):
/// the kind whose option can be given to a model it is not for.
fn one_option_per_model(question: &crate::rules::Question) -> bool {
    question.kind == crate::rules::Kind::Single
        && question.scope == crate::rules::Scope::Model
        && !question.one_per_model
}

/// What to give instead of an option that is not for a model: the options that are.
fn instead(rules: &RuleSet, q: usize, answers: &Answers) -> String {
    let question = &rules.questions[q];
    let own = question.options_for(&answers.masks) & !question.unsure;
    format!(
        "it is for other kinds of model; give one of this model's own ({})",
        question.option_ids(own).join(", ")
    )
}

/// `--QUESTION OPTION is not for` when someone gave model `answers` a single-choice option that
/// is not for it (question `q`, whose own `ask_if` holds).
fn misplaced(rules: &RuleSet, q: usize, answers: &Answers) -> Option<String> {
    let question = &rules.questions[q];
    let chosen = answers.masks[q];
    let by_someone = matches!(
        answers.sources[q],
        crate::answers::Source::Flag | crate::answers::Source::File
    );
    let asked = question.applies(&answers.masks);
    (by_someone && asked && question.options_for(&answers.masks) & chosen == 0).then(|| {
        format!(
            "--{} {} is not for",
            question.id,
            question.option_ids(chosen).join(",")
        )
    })
}

/// For an answer set that is one model as it stands (one option of the question that makes
/// models, not split): `Ok(true)` when its answers may be evaluated as they are, the problem
/// when an option given is not for it, `Ok(false)` when it is several models. Cheaper than
/// [`split_with`] for a batch of one-model lines.
pub fn one_model_as_is(rules: &RuleSet, answers: &Answers) -> Result<bool, String> {
    if let Some(q) = creator(rules) {
        let mask = answers.masks[q];
        if mask.count_ones() != 1 {
            return Ok(false);
        }
        let option = &rules.questions[q].options[mask.trailing_zeros() as usize];
        if option
            .split
            .as_ref()
            .is_some_and(|s| s.when.holds(&answers.masks))
        {
            return Ok(false);
        }
        let name = &option.id;
        for (i, question) in rules.questions.iter().enumerate() {
            if let (true, Some(problem)) =
                (one_option_per_model(question), misplaced(rules, i, answers))
            {
                return Err(format!(
                    "{problem} a model of this kind ({name}): {}",
                    instead(rules, i, answers)
                ));
            }
        }
    }
    Ok(true)
}
