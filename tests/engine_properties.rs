//! Engine properties over random answer sets of the default rules.

use mlstack::analysis::space::MAX_ANSWERS_PER_QUESTION;
use mlstack::engine;
use mlstack::rules::{Mask, RuleSet, default_rules};
use proptest::prelude::*;

fn rules() -> &'static RuleSet {
    static RULES: std::sync::OnceLock<RuleSet> = std::sync::OnceLock::new();
    RULES.get_or_init(default_rules)
}

fn answer_sets() -> impl Strategy<Value = Vec<Mask>> {
    rules()
        .questions
        .iter()
        .map(|q| {
            // Every legal answer (the default rules' largest question has 512).
            let legal = q.legal_answers(MAX_ANSWERS_PER_QUESTION).unwrap();
            (0..legal.len()).prop_map(move |i| legal[i])
        })
        .collect::<Vec<_>>()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// "What drove it" credits each rule once: its rows add up to the winner's and the
    /// runner-up's scores.
    #[test]
    fn what_drove_it_adds_up_to_the_scores(answers in answer_sets()) {
        let r = rules();
        let v = engine::evaluate(r, &answers);
        if let Some(w) = v.winner() {
            let rows = mlstack::analysis::explain::drivers(r, &v);
            prop_assert_eq!(rows.iter().map(|d| d.1).sum::<i32>(), v.scores[w]);
            if let Some(u) = v.runner_up() {
                prop_assert_eq!(rows.iter().map(|d| d.2).sum::<i32>(), v.scores[u]);
            }
        }
    }

    #[test]
    fn evaluation_is_deterministic(answers in answer_sets()) {
        prop_assert_eq!(engine::evaluate(rules(), &answers), engine::evaluate(rules(), &answers));
    }

    #[test]
    fn scores_are_the_sum_of_the_fired_rules_points(answers in answer_sets()) {
        let r = rules();
        let v = engine::evaluate(r, &answers);
        let mut sums = vec![0i32; r.outcomes.len()];
        for (i, rule) in r.rules.iter().enumerate() {
            let fires = rule.when.as_ref().is_none_or(|c| c.holds(&answers));
            prop_assert_eq!(fires, v.fired_rules.contains(&i));
            if fires {
                for &(o, p) in &rule.score {
                    sums[o] += p;
                }
            }
        }
        prop_assert_eq!(sums, v.scores);
    }

    #[test]
    fn an_excluded_outcome_never_wins(answers in answer_sets()) {
        let v = engine::evaluate(rules(), &answers);
        if let Some(w) = v.winner() {
            prop_assert!(!v.is_excluded(w));
            // And it has the best score among those not excluded.
            for &o in &v.ranking {
                prop_assert!(v.scores[o] <= v.scores[w]);
            }
        }
        prop_assert!(v.ranking.iter().all(|&o| !v.is_excluded(o)));
    }

    #[test]
    fn the_verdict_does_not_depend_on_rule_order(answers in answer_sets(), seed in any::<u64>()) {
        let r = rules();
        let mut shuffled = r.clone();
        // A seeded Fisher-Yates shuffle of rules and constraints.
        let mut state = seed | 1;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for i in (1..shuffled.rules.len()).rev() {
            let j = next(i + 1);
            shuffled.rules.to_mut().swap(i, j);
        }
        for i in (1..shuffled.constraints.len()).rev() {
            let j = next(i + 1);
            shuffled.constraints.to_mut().swap(i, j);
        }
        let (a, b) = (engine::evaluate(r, &answers), engine::evaluate(&shuffled, &answers));
        prop_assert_eq!(a.scores, b.scores);
        prop_assert_eq!(a.excluded, b.excluded);
        prop_assert_eq!(a.ranking, b.ranking);
    }
}
