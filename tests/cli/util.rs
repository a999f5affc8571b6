use std::path::PathBuf;

use assert_cmd::Command;

/// The built binary with a clean environment: no colour or CI settings leak in, and stdin
/// is empty unless a test provides it.
pub fn mlstack() -> Command {
    let mut cmd = Command::cargo_bin("mlstack").expect("binary built");
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .write_stdin("");
    cmd
}

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Write `text` to a temporary file and return it (kept alive by the caller).
pub fn temp_file(name: &str, text: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write temp file");
    (dir, path)
}

pub fn stdout_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(assert.get_output().stdout.clone()).expect("utf-8 stdout")
}

pub fn stderr_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(assert.get_output().stderr.clone()).expect("utf-8 stderr")
}

/// `recommend --format json` with the given flags; returns the parsed document.
pub fn recommend_json(args: &[&str]) -> serde_json::Value {
    let assert = mlstack()
        .arg("recommend")
        .args(args)
        .args(["--format", "json"])
        .assert()
        .success();
    serde_json::from_str(&stdout_of(&assert)).expect("valid JSON on stdout")
}

/// `s` with ANSI escape sequences (CSI) and carriage returns removed: what a reader sees.
pub fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for d in chars.by_ref() {
                    if d.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        if c != '\r' {
            out.push(c);
        }
    }
    out
}

/// The texts of a recommendation's notes (`notes[].text`).
pub fn note_texts(json: &serde_json::Value) -> Vec<&str> {
    json["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["text"].as_str().unwrap())
        .collect()
}
