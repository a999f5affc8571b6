//! The interactive interview: ask, in rule-set order, only the unanswered questions that can
//! still matter. Talks to a person only through a [`Prompter`].

use crate::analysis::space;
use crate::answers::Given;
use crate::prompt::{PromptError, Prompter};
use crate::rules::{Mask, RuleSet};

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
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interview {
    /// The answers given at the prompts.
    pub asked: Given,
    pub skipped: Vec<Skipped>,
}

/// Ask every question `given` leaves open, in order, skipping those whose `ask_if` fails and
/// those no answer to which can change the recommendation (given the answers so far, with the
/// later open questions free). Skipped questions take their defaults.
pub fn interview(
    rules: &RuleSet,
    given: &Given,
    prompter: &mut dyn Prompter,
) -> Result<Interview, PromptError> {
    let n = rules.questions.len();
    let mut current = given.clone();
    let mut asked: Given = vec![None; n];
    let mut skipped = Vec::new();
    let eval = crate::engine::evaluator::Evaluator::new(rules);
    for q in 0..n {
        if current[q].is_some() {
            continue;
        }
        let question = &rules.questions[q];
        let base: Vec<Mask> = (0..n)
            .map(|i| current[i].or(rules.questions[i].default).unwrap_or(0))
            .collect();
        if !question.required {
            if !question.applies(&base) {
                skipped.push(Skipped {
                    question: q,
                    reason: SkipReason::NotApplicable,
                });
                continue;
            }
            let free: Vec<bool> = (0..n).map(|i| i >= q && current[i].is_none()).collect();
            // Each model of the app is evaluated alone: a question matters when it can change
            // any model's verdict.
            let cannot_matter = per_model(rules, &base).iter().all(|masks| {
                space::can_change_winner(&eval, masks, &free, q, RELEVANCE_LIMIT) == Some(false)
            });
            if cannot_matter {
                skipped.push(Skipped {
                    question: q,
                    reason: SkipReason::CannotMatter,
                });
                continue;
            }
        }
        let answer = prompter.ask(question, question.default)?;
        current[q] = Some(answer);
        asked[q] = Some(answer);
    }
    Ok(Interview { asked, skipped })
}

/// The answer sets of the models `base` describes (one per option of the `one_per_model`
/// question, split options in parts); `base` itself when the rule set has no such question.
fn per_model(rules: &RuleSet, base: &[Mask]) -> Vec<Vec<Mask>> {
    let answers = crate::answers::Answers {
        masks: base.to_vec(),
        sources: vec![crate::answers::Source::Default; base.len()],
    };
    crate::plan::models::split(rules, &answers)
        .into_iter()
        .map(|m| m.answers.masks)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{Question, default_rules};

    /// Answers from a script, recording which questions were asked.
    struct Scripted {
        answers: Vec<(&'static str, Vec<&'static str>)>,
        asked: Vec<String>,
    }

    impl Prompter for Scripted {
        fn ask(&mut self, q: &Question, default: Option<Mask>) -> Result<Mask, PromptError> {
            self.asked.push(q.id.to_string());
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
            reason: SkipReason::CannotMatter
        }));
        // For a model the question does not describe, `ask_if` rules it out.
        let (interview, _) = run(&[], vec![("model-type", vec!["other"])]);
        assert!(interview.skipped.contains(&Skipped {
            question: q,
            reason: SkipReason::NotApplicable
        }));
    }

    #[test]
    fn questions_that_cannot_matter_are_skipped() {
        // On Linux only MLX survives the Apple-stack constraints: only a model already in a
        // cross-platform format, or an engine shared with Android, can change the verdict.
        let (interview, asked) = run(
            &[("platform", &["linux"])],
            vec![("model-type", vec!["llm"])],
        );
        assert_eq!(asked, ["model-type", "converted", "portability"]);
        assert!(
            interview
                .skipped
                .iter()
                .any(|s| s.reason == SkipReason::CannotMatter)
        );
    }

    #[test]
    fn interruption_propagates() {
        struct CtrlC;
        impl Prompter for CtrlC {
            fn ask(&mut self, _: &Question, _: Option<Mask>) -> Result<Mask, PromptError> {
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
