//! The interactive interview: ask, in rule-set order, only the unanswered questions that can
//! still matter. In an app of several models a question about the model is put to each model
//! it can matter for (`For the llm model: ...`), and a question about the app once. Talks to
//! a person only through a [`Prompter`].

use crate::analysis::space;
use crate::answers::{FileModel, Given, Source};
use crate::plan::models::{Model, Targeted};
use crate::prompt::{Ask, PromptError, Prompter};
use crate::rules::{Mask, RuleSet, Scope};

/// Free answer spaces larger than this are not searched; the question is simply asked.
pub const RELEVANCE_LIMIT: u128 = 5_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    /// The question's `ask_if` does not hold for the answers so far.
    NotApplicable,
    /// Whatever the remaining answers, no answer to it changes the recommendation.
    CannotMatter,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub question: usize,
    pub reason: SkipReason,
    /// The model it was skipped for, in an app of several models where it was asked of
    /// another; `None` when it was skipped for the whole app.
    pub model: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interview {
    /// The answers given at the prompts for the whole app.
    pub asked: Given,
    /// The answers given at the prompts for one model of several (source `Prompt`).
    pub asked_for_models: Vec<Targeted>,
    pub skipped: Vec<Skipped>,
}

/// What is known before the first prompt: answers by precedence (flags, the answers file,
/// the model's files), those given for some models only, and the models an answers file
/// lists.
#[derive(Debug, Clone, Copy)]
pub struct Known<'a> {
    pub layers: &'a [(&'a Given, Source)],
    pub targeted: &'a [Targeted],
    pub listed: &'a [FileModel],
}

/// [`interview_app`] with `given` the only answers known.
pub fn interview(
    rules: &RuleSet,
    given: &Given,
    prompter: &mut dyn Prompter,
) -> Result<Interview, PromptError> {
    let layers = [(given, Source::Flag)];
    let known = Known {
        layers: &layers,
        targeted: &[],
        listed: &[],
    };
    interview_app(rules, &known, prompter)
}

/// Ask every question `known` leaves open, in order, skipping those whose `ask_if` fails and
/// those no answer to which can change the recommendation (given the answers so far, with the
/// later open questions free). Skipped questions take their defaults. Once the app has several
/// models, a question about the model is asked of each model that leaves it open, where it can
/// change that model's verdict; a question about the app is asked once, where it can change
/// some model's.
pub fn interview_app(
    rules: &RuleSet,
    known: &Known<'_>,
    prompter: &mut dyn Prompter,
) -> Result<Interview, PromptError> {
    let n = rules.questions.len();
    let mut asked: Given = vec![None; n];
    let mut asked_for_models: Vec<Targeted> = Vec::new();
    let mut skipped = Vec::new();
    let eval = crate::engine::evaluator::Evaluator::new(rules);
    for q in 0..n {
        let given = known.layers.iter().any(|(g, _)| g[q].is_some());
        if given {
            continue;
        }
        let question = &rules.questions[q];
        let models = models_now(rules, known, &asked, &asked_for_models);
        let open: Vec<&Model> = models
            .iter()
            .filter(|m| m.answers.sources[q] == Source::Default)
            .collect();
        if open.is_empty() {
            continue;
        }
        let each = models.len() > 1 && question.scope == Scope::Model && !question.one_per_model;
        if !each {
            let offered = if question.required {
                Ok(question.options_for(&open[0].answers.masks))
            } else {
                worth_asking(&eval, q, &open)
            };
            match offered {
                Ok(offered) => {
                    let answer = prompter.ask(&Ask {
                        question,
                        default: question.default.filter(|d| d & offered != 0),
                        model: None,
                        offered,
                    })?;
                    asked[q] = Some(answer);
                }
                Err(reason) => skipped.push(Skipped {
                    question: q,
                    reason,
                    model: None,
                }),
            }
            continue;
        }
        let mut skips = Vec::new();
        let first = asked_for_models.len();
        for m in &open {
            match worth_asking(&eval, q, std::slice::from_ref(m)) {
                Ok(offered) => {
                    let answer = prompter.ask(&Ask {
                        question,
                        default: question.default.filter(|d| d & offered != 0),
                        model: Some(&m.name),
                        offered,
                    })?;
                    asked_for_models.push(Targeted {
                        model: Some(m.name.clone()),
                        question: q,
                        mask: answer,
                        source: Source::Prompt,
                    });
                }
                Err(reason) => skips.push(Skipped {
                    question: q,
                    reason,
                    model: Some(m.name.clone()),
                }),
            }
        }
        // The same answer from every model is the app's (`--built-in none`, not one per model).
        let answers = &asked_for_models[first..];
        if answers.len() == models.len() && answers.windows(2).all(|w| w[0].mask == w[1].mask) {
            asked[q] = Some(answers[0].mask);
            asked_for_models.truncate(first);
        }
        // Skipped for every model of the app alike: one line for the app.
        if skips.len() == models.len() && skips.windows(2).all(|w| w[0].reason == w[1].reason) {
            skips.truncate(1);
            skips[0].model = None;
        }
        skipped.extend(skips);
    }
    Ok(Interview {
        asked,
        asked_for_models,
        skipped,
    })
}

/// The options to offer for question `q` when it is worth asking of some of `models` (it
/// applies to them and an answer can change one's verdict, with the later questions each
/// leaves open free), else why not.
fn worth_asking(
    eval: &crate::engine::evaluator::Evaluator,
    q: usize,
    models: &[&Model],
) -> Result<Mask, SkipReason> {
    let question = &eval.rules().questions[q];
    let applicable: Vec<&&Model> = models
        .iter()
        .filter(|m| {
            question.applies(&m.answers.masks) && question.options_for(&m.answers.masks) != 0
        })
        .collect();
    if applicable.is_empty() {
        return Err(SkipReason::NotApplicable);
    }
    let mut offered = 0;
    let mut matters = question.required;
    for m in &applicable {
        let masks = &m.answers.masks;
        offered |= question.options_for(masks);
        if !matters {
            let free: Vec<bool> = (0..masks.len())
                .map(|i| i >= q && m.answers.sources[i] == Source::Default)
                .collect();
            matters =
                space::can_change_winner(eval, masks, &free, q, RELEVANCE_LIMIT) != Some(false);
        }
    }
    if matters {
        Ok(offered)
    } else {
        Err(SkipReason::CannotMatter)
    }
}

/// The app's models as the answers so far make them (one, named `model`, while the question
/// that makes models is still open).
fn models_now(
    rules: &RuleSet,
    known: &Known<'_>,
    asked: &Given,
    asked_for_models: &[Targeted],
) -> Vec<Model> {
    let mut layers = known.layers.to_vec();
    layers.push((asked, Source::Prompt));
    let answers = crate::answers::merge(rules, &layers);
    let targeted: Vec<Targeted> = known
        .targeted
        .iter()
        .chain(asked_for_models)
        .cloned()
        .collect();
    // Answers that do not fit the models yet are reported once the interview is over.
    let models = crate::plan::models::split_with(rules, &answers, &targeted, known.listed)
        .unwrap_or_else(|_| crate::plan::models::split(rules, &answers));
    if models.is_empty() {
        vec![Model {
            name: "model".to_owned(),
            answers,
        }]
    } else {
        models
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::default_rules;

    /// Answers from a script, recording which questions were asked.
    struct Scripted {
        answers: Vec<(&'static str, Vec<&'static str>)>,
        asked: Vec<String>,
    }

    impl Prompter for Scripted {
        fn ask(&mut self, ask: &Ask<'_>) -> Result<Mask, PromptError> {
            let (q, default) = (ask.question, ask.default);
            self.asked.push(match ask.model {
                Some(name) => format!("{}:{name}", q.id),
                None => q.id.to_string(),
            });
            match self.answers.iter().find(|(id, _)| *id == q.id) {
                Some((_, values)) => Ok(q.answer_mask(values.iter().copied()).unwrap()),
                None => default.ok_or(PromptError::InputEnded {
                    question: q.id.to_string(),
                    reason: "script has no answer".into(),
                }),
            }
        }
    }

    fn run(
        given: &[(&str, &[&str])],
        script: Vec<(&'static str, Vec<&'static str>)>,
    ) -> (Interview, Vec<String>) {
        let rules = default_rules();
        let mut g: Given = vec![None; rules.questions.len()];
        for (id, values) in given {
            let q = rules.question_index(id).unwrap();
            g[q] = Some(
                rules.questions[q]
                    .answer_mask(values.iter().copied())
                    .unwrap(),
            );
        }
        let mut p = Scripted {
            answers: script,
            asked: Vec::new(),
        };
        let interview = interview(&rules, &g, &mut p).unwrap();
        (interview, p.asked)
    }

    #[test]
    fn answered_questions_are_not_asked_again() {
        let (_, asked) = run(&[("model-type", &["llm"]), ("hardware", &["gpu"])], vec![]);
        assert!(!asked.contains(&"model-type".to_owned()));
        assert!(!asked.contains(&"hardware".to_owned()));
    }

    #[test]
    fn ane_compatibility_is_asked_for_a_small_generative_model_only() {
        let rules = default_rules();
        let q = rules.question_index("ane-compatible").unwrap();
        // Under 1B parameters a generative model can earn the Neural Engine: ask.
        let (_, asked) = run(
            &[],
            vec![
                ("model-type", vec!["llm"]),
                ("model-size", vec!["under-1b"]),
            ],
        );
        assert!(asked.contains(&"ane-compatible".to_owned()), "{asked:?}");
        // At 4B to 8B no answer to it changes the verdict: skipped, and said why.
        let (interview, asked) = run(
            &[],
            vec![
                ("model-type", vec!["llm"]),
                ("model-size", vec!["4b-to-8b"]),
            ],
        );
        assert!(!asked.contains(&"ane-compatible".to_owned()), "{asked:?}");
        assert!(interview.skipped.contains(&Skipped {
            question: q,
            reason: SkipReason::CannotMatter,
            model: None,
        }));
        // For a model the question does not describe, `ask_if` rules it out.
        let (interview, _) = run(&[], vec![("model-type", vec!["other"])]);
        assert!(interview.skipped.contains(&Skipped {
            question: q,
            reason: SkipReason::NotApplicable,
            model: None,
        }));
    }

    #[test]
    fn questions_that_cannot_matter_are_skipped() {
        // On Linux only MLX survives the Apple-stack constraints: only a model already in a
        // cross-platform format, an engine shared with Android, a need MLX cannot meet (an
        // app extension, which no language model of 100M parameters or more fits; devices
        // older than its GPU floor) or a model too small for item 1's reasons (under 100M)
        // can change the verdict, and how often the model changes: one engine with a desktop
        // build makes MLX and llama.cpp a close call (session 18), which iteration's points
        // settle. The built-in frameworks, the floor, the compute unit and the rest are skipped.
        let (interview, asked) = run(
            &[("platform", &["linux"])],
            vec![("model-type", vec!["llm"])],
        );
        assert_eq!(
            asked,
            [
                "model-type",
                "model-size",
                "converted",
                "iteration",
                "needs",
                "portability"
            ]
        );
        assert!(
            interview
                .skipped
                .iter()
                .any(|s| s.reason == SkipReason::CannotMatter)
        );
    }

    #[test]
    fn an_app_of_two_models_is_asked_about_each_model_and_about_the_app_once() {
        let (interview, asked) = run(
            &[],
            vec![
                ("model-type", vec!["vision", "llm"]),
                ("hardware", vec!["neural-engine"]),
            ],
        );
        let rules = default_rules();
        // The model size is the language model's question only; the vision model is not asked.
        assert!(asked.contains(&"model-size:llm".to_owned()), "{asked:?}");
        assert!(!asked.iter().any(|a| a.starts_with("model-size:vision")));
        assert!(interview.skipped.contains(&Skipped {
            question: rules.question_index("model-size").unwrap(),
            reason: SkipReason::NotApplicable,
            model: Some("vision".to_owned()),
        }));
        // The compute unit is asked of each model; the platforms once, for the app.
        assert!(asked.contains(&"hardware:llm".to_owned()), "{asked:?}");
        assert!(asked.contains(&"hardware:vision".to_owned()), "{asked:?}");
        assert_eq!(asked.iter().filter(|a| *a == "platform").count(), 1);
        assert!(!asked.iter().any(|a| a.starts_with("platform:")));
        // Both said the Neural Engine: that is the app's answer, not one per model.
        let hardware = rules.question_index("hardware").unwrap();
        assert!(interview.asked[hardware].is_some());
        assert!(
            !interview
                .asked_for_models
                .iter()
                .any(|t| t.question == hardware)
        );
    }

    #[test]
    fn a_model_with_its_own_answer_is_not_asked_again() {
        let rules = default_rules();
        let q = rules.question_index("hardware").unwrap();
        let kinds = rules.question_index("model-type").unwrap();
        let mut given: Given = vec![None; rules.questions.len()];
        given[kinds] = Some(
            rules.questions[kinds]
                .answer_mask(["vision", "llm"])
                .unwrap(),
        );
        let targeted = [Targeted {
            model: Some("vision".to_owned()),
            question: q,
            mask: rules.questions[q].answer_mask(["neural-engine"]).unwrap(),
            source: Source::Flag,
        }];
        let layers = [(&given, Source::Flag)];
        let known = Known {
            layers: &layers,
            targeted: &targeted,
            listed: &[],
        };
        let mut p = Scripted {
            answers: vec![("hardware", vec!["gpu"])],
            asked: Vec::new(),
        };
        let interview = interview_app(&rules, &known, &mut p).unwrap();
        assert!(
            p.asked.contains(&"hardware:llm".to_owned()),
            "{:?}",
            p.asked
        );
        assert!(
            !p.asked.contains(&"hardware:vision".to_owned()),
            "{:?}",
            p.asked
        );
        assert_eq!(
            interview.asked[q], None,
            "one model's answer, not the app's"
        );
    }

    #[test]
    fn interruption_propagates() {
        struct CtrlC;
        impl Prompter for CtrlC {
            fn ask(&mut self, _: &Ask<'_>) -> Result<Mask, PromptError> {
                Err(PromptError::Interrupted)
            }
        }
        let rules = default_rules();
        let g: Given = vec![None; rules.questions.len()];
        assert!(matches!(
            interview(&rules, &g, &mut CtrlC),
            Err(PromptError::Interrupted)
        ));
    }
}
