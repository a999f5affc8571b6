//! Property tests: the reported flips are right, checked by brute force over random answer
//! sets of the default rules.

use mlstack::analysis::explain::{self, EXHAUSTIVE_ANSWERS};
use mlstack::analysis::space::MAX_ANSWERS_PER_QUESTION;
use mlstack::engine;
use mlstack::rules::{Mask, RuleSet, default_rules};
use proptest::prelude::*;

fn rules() -> &'static RuleSet {
    static RULES: std::sync::OnceLock<RuleSet> = std::sync::OnceLock::new();
    RULES.get_or_init(default_rules)
}

fn tabulated_search() -> &'static explain::FlipSearch<'static> {
    static SEARCH: std::sync::OnceLock<explain::FlipSearch<'static>> = std::sync::OnceLock::new();
    SEARCH.get_or_init(|| explain::FlipSearch::tabulated(rules()))
}

/// A random full answer set: one legal answer per question.
fn answer_sets() -> impl Strategy<Value = Vec<Mask>> {
    let per_question: Vec<_> = rules()
        .questions
        .iter()
        .map(|q| {
            // Every legal answer (the default rules' largest question has 512).
            let legal = q.legal_answers(MAX_ANSWERS_PER_QUESTION).unwrap();
            (0..legal.len()).prop_map(move |i| legal[i])
        })
        .collect();
    per_question
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn the_tabulated_search_finds_the_same_flips(answers in answer_sets()) {
        let r = rules();
        let tabulated = tabulated_search();
        prop_assert!(tabulated.is_tabulated());
        prop_assert_eq!(
            explain::flips_with(r, tabulated, &answers),
            explain::flips(r, &answers)
        );
    }

    #[test]
    fn every_reported_flip_changes_the_winner(answers in answer_sets()) {
        let r = rules();
        let current = engine::winner(r, &answers);
        for flip in explain::flips(r, &answers) {
            let mut changed = answers.clone();
            for c in &flip.changes {
                prop_assert_eq!(answers[c.question], c.from);
                changed[c.question] = c.to;
            }
            let new = engine::winner(r, &changed);
            prop_assert_eq!(new, Some(flip.outcome));
            prop_assert_ne!(new, current);
        }
    }

    #[test]
    fn no_single_question_flip_is_missed(answers in answer_sets()) {
        let r = rules();
        let Some(current) = engine::winner(r, &answers) else { return Ok(()) };
        let flips = explain::flips(r, &answers);
        // A model's type is what the model is: never a flip; nor is a question that does not
        // apply to the model (its `ask_if` fails).
        for (qi, q) in r.questions.iter().enumerate().filter(|(_, q)| !q.one_per_model && q.applies(&answers)) {
            // Brute force: the nearest alternative answer to this question for each new outcome.
            let mut nearest: Vec<Option<u32>> = vec![None; r.outcomes.len()];
            // Only options that are for this model are offered, and never "not sure yet".
            let fits = q.options_for(&answers) & !q.unsure;
            // Every answer of a question small enough to search whole, else every answer one
            // option away (the search's promise for the runtime needs' 512 answers).
            let candidates = q
                .legal_answers(EXHAUSTIVE_ANSWERS)
                .unwrap_or_else(|| q.neighbours(answers[qi]));
            for alt in candidates.into_iter().filter(|a| *a != answers[qi] && a & !fits == 0) {
                let mut changed = answers.clone();
                changed[qi] = alt;
                if let Some(o) = engine::winner(r, &changed) && o != current {
                    let d = q.distance(answers[qi], alt);
                    nearest[o] = Some(nearest[o].map_or(d, |n| n.min(d)));
                }
            }
            for (o, d) in nearest.iter().enumerate() {
                let reported = flips.iter().find(|f| {
                    f.changes.len() == 1 && f.changes[0].question == qi && f.outcome == o
                });
                match (d, reported) {
                    (Some(d), Some(f)) => prop_assert_eq!(f.distance, *d, "nearest first"),
                    (Some(_), None) => prop_assert!(false, "missed {} -> {}", q.id, r.outcomes[o].id),
                    (None, Some(_)) => prop_assert!(false, "invented {} -> {}", q.id, r.outcomes[o].id),
                    (None, None) => {}
                }
            }
        }
    }

    #[test]
    fn pairs_only_when_no_single_change_flips(answers in answer_sets()) {
        let flips = explain::flips(rules(), &answers);
        let singles = flips.iter().filter(|f| f.changes.len() == 1).count();
        let pairs = flips.iter().filter(|f| f.changes.len() == 2).count();
        prop_assert!(singles == 0 || pairs == 0);
        prop_assert!(flips.windows(2).all(|w| (w[0].changes.len(), w[0].distance) <= (w[1].changes.len(), w[1].distance)));
    }

    #[test]
    fn fast_winner_matches_the_full_evaluation(answers in answer_sets()) {
        let r = rules();
        prop_assert_eq!(engine::winner(r, &answers), engine::evaluate(r, &answers).winner());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn compiled_evaluator_matches_the_engine(answers in answer_sets()) {
        let r = rules();
        static EVAL: std::sync::OnceLock<mlstack::engine::evaluator::Evaluator<'static>> = std::sync::OnceLock::new();
        let eval = EVAL.get_or_init(|| mlstack::engine::evaluator::Evaluator::new(rules()));
        prop_assert!(eval.is_compiled());
        prop_assert_eq!(eval.winner(&answers), engine::winner(r, &answers));
        let (mut a, mut b) = ([0i32; 64], [0i32; 64]);
        let (mut fa, mut fb) = ([0u64; 1], [0u64; 1]);
        let ea = eval.score_into(&answers, &mut a, Some(&mut fa));
        let eb = engine::score_into(r, &answers, &mut b, Some(&mut fb));
        prop_assert_eq!((a, fa, ea), (b, fb, eb));
    }
}
