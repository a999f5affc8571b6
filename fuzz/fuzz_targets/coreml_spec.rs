//! Any bytes as a Core ML spec (protocol buffers), and as `config.json` / `metadata.json`:
//! a reading or a located error, never a panic or unbounded recursion.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mlstack::inspect::{config, coreml};

fuzz_target!(|data: &[u8]| {
    if let Err(e) = coreml::parse_spec(data, 0) {
        assert!(e.offset <= data.len() as u64);
    }
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = config::read(&value);
        let _ = coreml::metadata_spec(&value);
    }
});
