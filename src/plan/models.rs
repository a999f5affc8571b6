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

/// The models of `answers`, in option order. A rule set without a `one_per_model` question,
/// or an answer with one option, is one model with the answers as they are.
pub fn split(rules: &RuleSet, answers: &Answers) -> Vec<Model> {
    let Some(q) = creator(rules) else {
        return vec![Model {
            name: "model".to_owned(),
            answers: answers.clone(),
        }];
    };
    let question = &rules.questions[q];
    let mut out = Vec::new();
    for (o, option) in question.options.iter().enumerate() {
        if answers.masks[q] & (1 << o) == 0 {
            continue;
        }
        let mut own = answers.clone();
        own.masks[q] = 1 << o;
        match &option.split {
            Some(split) if split.when.holds(&own.masks) => {
                for part in split.into.iter() {
                    let mut masks = own.masks.clone();
                    masks[q] = 1 << part.option;
                    for &(pq, mask) in part.answers.iter() {
                        masks[pq] = mask;
                    }
                    out.push(Model {
                        name: format!("{}-{}", option.id, part.name),
                        answers: Answers {
                            masks,
                            sources: own.sources.clone(),
                        },
                    });
                }
            }
            _ => out.push(Model {
                name: option.id.to_string(),
                answers: own,
            }),
        }
    }
    // An answer given once reaches every model whose questions include it: where a question's
    // `ask_if` fails for a model (the model size for a vision model, the model kind for an LLM),
    // that model takes the question's default, as its interview would have.
    if out.len() > 1 {
        for model in &mut out {
            for (qi, question) in rules.questions.iter().enumerate() {
                let applies = question
                    .ask_if
                    .as_ref()
                    .is_none_or(|c| c.holds(&model.answers.masks));
                if let (false, Some(default)) = (applies, question.default)
                    && question.scope == crate::rules::Scope::Model
                {
                    model.answers.masks[qi] = default;
                    model.answers.sources[qi] = crate::answers::Source::Default;
                }
            }
        }
    }
    out
}

/// The masks of `answers` with the `one_per_model` question's answer left as it is: for a
/// one-model app, its name (`llm`).
pub fn name_of(rules: &RuleSet, masks: &[Mask]) -> String {
    match creator(rules) {
        Some(q) => rules.questions[q].option_ids(masks[q]).join("+"),
        None => "model".to_owned(),
    }
}
