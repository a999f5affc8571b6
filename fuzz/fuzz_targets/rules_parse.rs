//! The fast rule-file target: any bytes through parsing, structural recovery and validation
//! only (no evaluation), so many more inputs a second reach the parser; a file it refuses has
//! at least one located diagnostic, and every diagnostic's location is inside the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mlstack::rules::load_rules;

fuzz_target!(|data: &[u8]| {
    if let Err(invalid) = load_rules("fuzz.yaml", data) {
        assert!(!invalid.diagnostics.is_empty());
        // Lines as YAML counts them: a lone carriage return breaks a line too.
        let breaks = data
            .iter()
            .enumerate()
            .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && data.get(i + 1) != Some(&b'\n')))
            .count();
        let lines = breaks as u64 + 1;
        for d in &invalid.diagnostics {
            assert!(d.line <= lines.max(1), "line {} of {lines}", d.line);
        }
    }
});
