//! Every command reads well at 40, 80 and 120 columns: run in a real pseudo-terminal of each
//! width, no line is wider than the terminal unless it is a single word
//! that no width could hold, and long ids stay whole (tables fall back to lists when their
//! columns cannot fit side by side).

use crate::util::strip_ansi;
use std::process::Command;

/// `mlstack ARGS` in a pseudo-terminal `cols` wide; its output with colour codes removed.
/// The pty comes from rexpect (openpty through nix), so this runs wherever the tests do, macOS
/// included; `stty cols` is POSIX, where util-linux `script -c` was not.
fn at_width(cols: u16, args: &str) -> String {
    let bin = assert_cmd::cargo::cargo_bin("mlstack");
    let inner = format!(
        "stty cols {cols} rows 60 && exec '{}' {args}",
        bin.display()
    );
    let mut cmd = Command::new("sh");
    cmd.args(["-c", &inner])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TERM", "xterm-256color")
        .env("CI", "true")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    let mut session = rexpect::session::spawn_command(cmd, Some(60_000)).expect("spawn in a pty");
    // Errors count too: the terminal shows whatever the command wrote, whatever its exit code.
    let text = session.exp_eof().expect("the command ends");
    // rexpect hands each byte over as one char (Latin-1): put the UTF-8 back together.
    let bytes: Vec<u8> = text
        .chars()
        .map(|c| u8::try_from(u32::from(c)).expect("one byte per char"))
        .collect();
    strip_ansi(&String::from_utf8_lossy(&bytes))
}

#[test]
fn every_command_fits_40_80_and_120_columns() {
    let commands = [
        "questions",
        "sources",
        "rules show",
        // The April rule file: the same report, in a fraction of the default rules' time.
        "rules check tests/fixtures/default-2026-04.yaml",
        "rules diff tests/fixtures/default-2026-04.yaml rules/default.yaml",
        "recommend --model-type llm,vision --explain",
        // The short default report, one model and two, and a cross-platform verdict.
        "recommend --model-type llm",
        "recommend --model-type vision,llm",
        "recommend --model-type llm --portability android",
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
        // The terminal's width took effect: lines use the room a wide terminal gives.
        let widest = show.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        assert!(
            widest > usize::from(cols) * 3 / 4,
            "at {cols}: widest line {widest}"
        );
        assert!(
            show.contains("small-generative-model-on-the-neural-engine"),
            "at {cols}"
        );
    }
}
