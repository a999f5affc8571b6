//! The README's console samples are tests: every `$ mlstack ...` line of a ```console block in
//! README.md, rules/README.md and docs/reference.md runs against the built binary (through
//! `sh`, so pipes into `jq` and `head` work) and must print exactly what the README shows.
//! Samples run from the repository's root, as a reader would run them: the files they name
//! (`examples/`) are there. (The interactive transcript is a ```text block:
//! tests/cli/interactive.rs drives real sessions in a pseudo-terminal.)

use std::path::Path;
use std::process::Command;

struct Sample {
    file: &'static str,
    line: usize,
    command: String,
    expected: String,
}

fn samples(file: &'static str, text: &str) -> Vec<Sample> {
    let mut out = Vec::new();
    let mut in_console = false;
    let mut current: Option<Sample> = None;
    for (i, line) in text.lines().enumerate() {
        if line.starts_with("```") {
            if in_console {
                out.extend(current.take());
            }
            in_console = line == "```console";
            continue;
        }
        if !in_console {
            continue;
        }
        if let Some(command) = line.strip_prefix("$ ") {
            out.extend(current.take());
            current = Some(Sample {
                file,
                line: i + 1,
                command: command.to_owned(),
                expected: String::new(),
            });
        } else if let Some(s) = current.as_mut() {
            s.expected.push_str(line);
            s.expected.push('\n');
        }
    }
    out
}

fn has(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn every_console_sample_prints_what_the_readme_shows() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = Vec::new();
    for file in ["README.md", "rules/README.md", "docs/reference.md"] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        all.extend(samples(file, Box::leak(text.into_boxed_str())));
    }
    assert!(
        all.len() >= 8,
        "the README's samples were found: {}",
        all.len()
    );
    let bin = assert_cmd::cargo::cargo_bin("mlstack");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let jq = has("jq");
    let mut failures = Vec::new();
    for s in &all {
        assert!(
            s.command.contains("mlstack"),
            "{}:{}: not an mlstack sample",
            s.file,
            s.line
        );
        if s.command.contains("| jq") && !jq {
            eprintln!("{}:{}: skipped, jq is not installed", s.file, s.line);
            continue;
        }
        let out = Command::new("sh")
            .args(["-c", &s.command])
            .current_dir(root)
            .env_clear()
            .env("PATH", &path)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let got = String::from_utf8_lossy(&out.stdout);
        if got.trim_end() != s.expected.trim_end() {
            failures.push(format!(
                "{}:{}: $ {}\n--- the README shows\n{}\n--- the binary prints\n{}",
                s.file,
                s.line,
                s.command,
                s.expected.trim_end(),
                got.trim_end()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn install_steps_work_in_a_fresh_home() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let section = &readme[readme.find("## Install").unwrap()..];
    let block = &section[section.find("```sh\n").unwrap() + 6..];
    let block = &block[..block.find("```").unwrap()];
    let home = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("mlstack");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut ran = 0;
    for line in block.lines() {
        // Building from source and opening the pager are not for a test to do.
        if line.starts_with("cargo ") || line.starts_with("man ") || line.is_empty() {
            continue;
        }
        let out = Command::new("sh")
            .args(["-ec", line])
            .env_clear()
            .env("HOME", home.path())
            .env("PATH", &path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "README install step failed: {line}\n{out:?}"
        );
        ran += 1;
    }
    assert!(ran >= 4);
    for file in [
        ".local/share/bash-completion/completions/mlstack",
        ".local/share/man/man1/mlstack.1",
        ".zfunc/_mlstack",
        ".config/fish/completions/mlstack.fish",
    ] {
        let meta = std::fs::metadata(home.path().join(file)).unwrap();
        assert!(meta.len() > 1000, "{file} was written");
    }
}

#[test]
fn the_answers_file_the_readme_shows_is_the_one_in_examples() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let shown = &readme[readme.find("# examples/stack.yaml\n").unwrap()..];
    let shown = &shown[..shown.find("```").unwrap()];
    let file = std::fs::read_to_string(root.join("examples/stack.yaml")).unwrap();
    for line in shown.lines().skip(1) {
        assert!(
            file.lines().any(|l| l == line),
            "examples/stack.yaml lacks {line:?}"
        );
    }
}
