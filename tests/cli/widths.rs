//! Every command reads well at 40, 80 and 120 columns: run in a real pseudo-terminal (through
//! `script`) of each width, no line is wider than the terminal unless it is a single word
//! that no width could hold, and long ids stay whole (tables fall back to lists when their
//! columns cannot fit side by side).

use std::process::Command;

fn strip_ansi(s: &str) -> String {
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

/// `mlstack ARGS` in a pseudo-terminal `cols` wide; its output with colour codes removed.
fn at_width(cols: u16, args: &str) -> String {
    let bin = assert_cmd::cargo::cargo_bin("mlstack");
    let inner = format!("stty cols {cols} rows 60; {} {args}", bin.display());
    let out = Command::new("script")
        .args(["-qec", &inner, "/dev/null"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TERM", "xterm-256color")
        .env("CI", "true")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("script(1) runs");
    // Errors count too: script(1) passes the terminal's output through whatever the exit code.
    strip_ansi(&String::from_utf8_lossy(&out.stdout))
}

#[test]
fn every_command_fits_40_80_and_120_columns() {
    let commands = [
        "questions",
        "rules show",
        // The April rule file: the same report, in a fraction of the default rules' time.
        "rules check tests/fixtures/default-2026-04.yaml",
        "rules diff tests/fixtures/default-2026-04.yaml rules/default.yaml",
        "recommend --model-type llm,vision --explain",
        "recommend --model-type llm --platform watchos,linux",
        "inspect /nonexistent-model",
    ];
    for cols in [40u16, 80, 120] {
        for args in commands {
            let text = at_width(cols, args);
            for line in text.lines() {
                let wide = line.chars().count() > usize::from(cols);
                let one_long_word = line
                    .split_whitespace()
                    .any(|w| w.chars().count() + 6 > usize::from(cols));
                assert!(
                    !wide || one_long_word,
                    "mlstack {args} at {cols} columns: a line of {} columns:\n{line}",
                    line.chars().count()
                );
            }
        }
        // Ids are never broken across lines.
        let questions = at_width(cols, "questions");
        assert!(
            questions.contains("checklist-1-generative-llm"),
            "at {cols}"
        );
        let show = at_width(cols, "rules show");
        assert!(
            show.contains("small-generative-model-on-the-neural-engine"),
            "at {cols}"
        );
    }
}
