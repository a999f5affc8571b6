//! Any bytes as a rule file: loading must never panic; a rule set that loads must evaluate,
//! explain and tabulate without panicking, and the tabulated evaluator must agree with the
//! engine.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mlstack::engine::evaluator::Evaluator;
use mlstack::rules::{Mask, load_rules};
use mlstack::analysis::explain;
use mlstack::engine;

fuzz_target!(|data: &[u8]| {
    let Ok(rules) = load_rules("fuzz.yaml", data) else {
        return;
    };
    // Every question at its default, or its first option when it has none.
    let answers: Vec<Mask> = rules.questions.iter().map(|q| q.default.unwrap_or(1)).collect();
    let verdict = engine::evaluate(&rules, &answers);
    let eval = Evaluator::new(&rules);
    assert_eq!(eval.winner(&answers), verdict.winner());
    let _ = explain::flips(&rules, &answers);
    let _ = explain::influence(&rules, &verdict);
    for t in &rules.tests {
        assert_eq!(eval.winner(&t.answers), engine::winner(&rules, &t.answers));
    }
});
