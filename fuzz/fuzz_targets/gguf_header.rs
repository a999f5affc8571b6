//! Any bytes as a GGUF file: a header or a located error, never a panic, a hang on absurd
//! counts or an allocation sized by the file's claims; accepted data starts inside the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mlstack::inspect::gguf;

fuzz_target!(|data: &[u8]| {
    let len = data.len() as u64;
    match gguf::parse(std::io::Cursor::new(data), len) {
        Ok(header) => assert!(header.data_start <= len),
        Err((offset, message)) => {
            assert!(offset <= len);
            assert!(!message.is_empty());
        }
    }
});
