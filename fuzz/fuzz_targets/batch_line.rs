//! Any text as one batch line: the quick way to its answers never panics, and whatever it
//! accepts, the located way accepts with the same answers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mlstack::batch::line;
use mlstack::rules::{RuleSet, default_rules};

fn rules() -> &'static RuleSet {
    static RULES: std::sync::OnceLock<RuleSet> = std::sync::OnceLock::new();
    RULES.get_or_init(default_rules)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(quick) = line::quick(rules(), text) {
        assert_eq!(line::located(rules(), text), Ok(quick), "{text:?}");
    }
});
