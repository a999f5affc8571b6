//! The catalogue of bad inputs: each must end with the documented exit code, a message that
//! names the problem, and nothing on stdout.

use std::os::unix::ffi::OsStrExt;

use predicates::prelude::*;

use crate::util::*;

/// A realistic rule file that does not change as the default rules grow: the article rules.
const DEFAULT: &str = include_str!("../fixtures/default-2026-04.yaml");

/// `recommend --format json` on a rule file with these bytes: exit 3, stdout empty.
fn bad_rules(bytes: &[u8], expected: &str) {
    let (_dir, path) = temp_file("rules.yaml", bytes);
    mlstack()
        .args([
            "recommend",
            "--model-type",
            "llm",
            "--format",
            "json",
            "--rules",
        ])
        .arg(&path)
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .code(3)
        .stdout("")
        .stderr(predicate::str::contains(expected));
}

#[test]
fn empty_rule_file() {
    bad_rules(b"", "the rule file is empty");
    bad_rules(b"\n  \n", "the rule file is empty");
}

#[test]
fn non_utf8_rule_file_names_the_position() {
    let mut bytes = b"name: x\noutcomes: [\xff]\n".to_vec();
    bytes.extend_from_slice(b"\n");
    bad_rules(&bytes, "rules.yaml:2:12: the rule file is not valid UTF-8");
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend_from_slice(include_bytes!("../fixtures/tiny.yaml"));
    let (_dir, path) = temp_file("bom.yaml", &bytes);
    mlstack()
        .args(["rules", "validate"])
        .arg(&path)
        .assert()
        .success();
}

#[test]
fn tabs_in_indentation_are_refused_with_a_position() {
    bad_rules(b"name: x\n\toutcomes: []\n", "rules.yaml:");
    bad_rules(b"name: x\n\toutcomes: []\n", "tab");
}

#[test]
fn duplicate_keys_in_a_rule_file() {
    let text = DEFAULT.replacen(
        "name: mlstack-default\n",
        "name: mlstack-default\nname: again\n",
        1,
    );
    bad_rules(
        text.as_bytes(),
        "rules.yaml:16:1: duplicate mapping key `name`",
    );
}

#[test]
fn a_question_with_no_options() {
    let text = include_str!("../fixtures/tiny.yaml").replacen(
        "    options:\n      - id: big\n        label: Big\n      - id: little\n        label: Little\n",
        "    options: []\n",
        1,
    );
    bad_rules(text.as_bytes(), "question `size` has no options");
}

#[test]
fn an_alias_bomb_is_refused() {
    let mut text = String::from("name: x\ndescription: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let prev = format!("*a{}", i - 1);
        text.push_str(&format!(
            "n{i}: &a{i} [{}]\n",
            [prev.as_str(); 10].join(", ")
        ));
    }
    bad_rules(text.as_bytes(), "rules.yaml:2:");
}

#[test]
fn deep_nesting_is_refused() {
    let deep = format!("{}{{size: big}}{}", "{not: ".repeat(5000), "}".repeat(5000));
    let text = include_str!("../fixtures/tiny.yaml").replacen(
        "when: {size: big}",
        &format!("when: {deep}"),
        1,
    );
    bad_rules(text.as_bytes(), "too large or too complex");
}

#[test]
fn oversized_rule_files_are_refused_before_parsing() {
    let mut text = DEFAULT.to_owned();
    text.push_str(&format!(
        "# {}\n",
        "x".repeat(mlstack::rules::MAX_RULE_FILE_BYTES)
    ));
    bad_rules(text.as_bytes(), "larger than the limit of 1048576 bytes");
}

#[test]
fn too_many_rules_are_refused() {
    let mut text = include_str!("../fixtures/tiny.yaml").to_owned();
    let extra: String = (0..4100)
        .map(|i| {
            format!("  - {{id: r{i}, when: {{size: big}}, score: {{large: 1}}, why: w, cite: c}}\n")
        })
        .collect();
    text = text.replacen("rules:\n", &format!("rules:\n{extra}"), 1);
    bad_rules(text.as_bytes(), "at most 4096 are supported");
}

#[test]
fn a_fifo_is_refused_without_waiting_for_a_writer() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("rules.yaml");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    mlstack()
        .args(["recommend", "--model-type", "llm", "--rules"])
        .arg(&fifo)
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .code(3)
        .stdout("")
        .stderr(predicate::str::contains("is not a regular file"));
    mlstack()
        .args(["recommend", "--batch"])
        .arg(&fifo)
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a regular file"));
}

#[test]
fn closed_stdin_for_answers_is_an_empty_answers_file() {
    mlstack()
        .args(["recommend", "--answers", "-", "--format", "json"])
        .write_stdin("")
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("the answers file is empty"));
}

#[test]
fn non_utf8_arguments_are_usage_errors() {
    mlstack()
        .arg("recommend")
        .arg("--model-type")
        .arg(std::ffi::OsStr::from_bytes(b"ll\xffm"))
        .assert()
        .code(2)
        .stdout("");
    mlstack()
        .arg("recommend")
        .arg(std::ffi::OsStr::from_bytes(b"--\xff"))
        .assert()
        .code(2)
        .stdout("");
}

#[test]
fn unknown_flag_values_suggest_the_closest_option() {
    mlstack()
        .args([
            "recommend",
            "--model-type",
            "llm",
            "--hardware",
            "neural-engin",
        ])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("neural-engine"));
}

#[test]
fn json_format_keeps_errors_off_stdout() {
    for args in [
        &["recommend", "--format", "json"][..],
        &[
            "recommend",
            "--format",
            "json",
            "--model-type",
            "llm",
            "--expect",
            "nope",
        ],
        &[
            "questions",
            "--format",
            "json",
            "--rules",
            "/no/such/file.yaml",
        ],
    ] {
        let assert = mlstack().args(args).assert().stdout("");
        assert!(!stderr_of(&assert).is_empty(), "{args:?}");
        assert_ne!(assert.get_output().status.code(), Some(0), "{args:?}");
    }
}

#[test]
fn a_file_that_cannot_be_read_names_the_error() {
    // /proc/self/mem opens but every read fails (EIO), even for root, for whom permission
    // bits do not make a file unreadable.
    mlstack()
        .args([
            "recommend",
            "--model-type",
            "llm",
            "--rules",
            "/proc/self/mem",
        ])
        .assert()
        .code(3)
        .stdout("")
        .stderr(predicate::str::contains(
            "cannot read rule file /proc/self/mem",
        ));
    mlstack()
        .args([
            "recommend",
            "--model-type",
            "llm",
            "--answers",
            "/proc/self/mem",
        ])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "cannot read answers file /proc/self/mem",
        ));
}

#[test]
fn control_characters_in_rule_file_text_are_refused_where_they_are() {
    // A `why` that would set the terminal title and write the clipboard (OSC 52).
    let text = DEFAULT.replacen(
        "why: The prototype-then-export path is for models that are still being prototyped.",
        "why: \"\\e]0;pwned\\a\\e]52;c;aGk=\\a\"",
        1,
    );
    let line = text.lines().position(|l| l.contains("pwned")).unwrap() + 1;
    let (_dir, path) = temp_file("rules.yaml", text.as_bytes());
    let assert = mlstack()
        .args(["rules", "validate"])
        .arg(&path)
        .assert()
        .code(3)
        .stdout("");
    let err = stderr_of(&assert);
    assert!(
        err.contains(&format!(
            "rules.yaml:{line}:10: constraint why contains the control character U+001B"
        )),
        "{err}"
    );
    assert!(
        !err.contains('\u{1b}'),
        "no escape sequence reaches the terminal: {err:?}"
    );
}

#[test]
fn control_characters_in_an_answers_file_never_reach_the_terminal() {
    let (_dir, path) = temp_file("a.yaml", b"model-type: \"\\e]0;pwned\\a\"\n");
    let assert = mlstack()
        .args(["recommend", "--answers"])
        .arg(&path)
        .assert()
        .code(2)
        .stdout("");
    let err = stderr_of(&assert);
    assert!(
        err.contains("\\u{1b}]0;pwned\\u{7}"),
        "shown as escapes: {err}"
    );
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
}

#[test]
fn a_stdout_that_cannot_be_written_has_its_own_exit_code() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("mlstack"))
        .args(["recommend", "--model-type", "llm"])
        .env_clear()
        .stdin(std::process::Stdio::null())
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(74), "not the --expect gate's 1");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot write output"), "{err}");
}
