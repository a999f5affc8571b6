//! Any bytes as a safetensors file: a header or a located error, never a panic, a huge
//! allocation or a read past the bytes given; every tensor it accepts lies inside the data.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mlstack::inspect::safetensors;

fuzz_target!(|data: &[u8]| {
    let len = data.len() as u64;
    match safetensors::parse(data, len) {
        Ok(header) => assert!(header.data_bytes <= len.saturating_sub(8)),
        Err((offset, message)) => {
            assert!(offset <= len.max(8));
            assert!(!message.is_empty());
        }
    }
});
