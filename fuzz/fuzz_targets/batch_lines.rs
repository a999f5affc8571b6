//! Any bytes as batch input: never a panic, one output line per non-blank input line, each a
//! JSON document with its line number.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mlstack::rules::{RuleSet, default_rules};

fn rules() -> &'static RuleSet {
    static RULES: std::sync::OnceLock<RuleSet> = std::sync::OnceLock::new();
    RULES.get_or_init(default_rules)
}

fuzz_target!(|data: &[u8]| {
    let r = rules();
    let flags = vec![None; r.questions.len()];
    let mut out = Vec::new();
    let full = mlstack::batch::Detail::Full { with_trace: false };
    let summary = mlstack::batch::run(r, &flags, data, &mut out, 1, &full).expect("in-memory I/O");
    let text = String::from_utf8(out).expect("output is UTF-8");
    assert_eq!(text.lines().count() as u64, summary.lines);
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("each line is JSON");
        assert!(v["line"].is_u64());
    }
});
