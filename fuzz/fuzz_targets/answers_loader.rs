//! Any bytes as an answers file for the default rules: never a panic; accepted answers are
//! legal answers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mlstack::answers::parse_file;
use mlstack::rules::{RuleSet, default_rules};

fn rules() -> &'static RuleSet {
    static RULES: std::sync::OnceLock<RuleSet> = std::sync::OnceLock::new();
    RULES.get_or_init(default_rules)
}

fuzz_target!(|data: &[u8]| {
    let r = rules();
    if let Ok(given) = parse_file(r, "fuzz.yaml", data) {
        for (q, answer) in given.iter().enumerate() {
            if let Some(mask) = answer {
                assert!(r.questions[q].accepts(*mask));
            }
        }
    }
});
