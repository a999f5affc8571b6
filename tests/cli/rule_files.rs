use predicates::prelude::*;

use crate::util::*;

/// A realistic rule file that does not change as the default rules grow: the article rules.
const DEFAULT: &str = include_str!("../fixtures/default-2026-04.yaml");

/// Run `recommend` on a rule file; expect exit 3, empty stdout and `expected` on stderr.
fn invalid(text: &str, expected: &str) {
    let (_dir, path) = temp_file("rules.yaml", text.as_bytes());
    mlstack()
        .args(["recommend", "--model-type", "llm", "--rules"])
        .arg(&path)
        .assert()
        .code(3)
        .stdout("")
        .stderr(predicate::str::contains(expected));
}

#[test]
fn a_typo_in_an_outcome_reference_gets_file_line_column() {
    let text = DEFAULT.replacen("score: {mlx: 7, both: 7}", "score: {mlxx: 7, both: 7}", 1);
    let line = text.lines().position(|l| l.contains("mlxx")).unwrap() + 1;
    invalid(
        &text,
        &format!("rules.yaml:{line}:13: unknown outcome `mlxx`"),
    );
    invalid(&text, "did you mean `mlx`?");
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let text = DEFAULT
        .replacen("score: {mlx: 7, both: 7}", "score: {mlxx: 7, both: 7}", 1)
        .replacen(
            "      model-type: [vision, audio]\n      ane-compatible",
            "      model-typ: [vision, audio]\n      ane-compatible",
            1,
        );
    invalid(&text, "(2 problems)");
    invalid(&text, "unknown question `model-typ`");
}

#[test]
fn syntax_errors_get_a_location() {
    invalid("name: x\noutcomes: [\n", "rules.yaml:2:");
}

#[test]
fn unknown_keys_are_errors() {
    let text = DEFAULT.replacen(
        "    cite: Decision checklist, item 1\n",
        "    cite: Decision checklist, item 1\n    cites: oops\n",
        1,
    );
    invalid(&text, "unknown field `cites`");
}

#[test]
fn wrong_types_are_errors() {
    let text = DEFAULT.replacen(
        "score: {mlx: 7, both: 7}",
        "score: {mlx: seven, both: 7}",
        1,
    );
    invalid(&text, "rules.yaml:");
    invalid(&text, "i32");
}

#[test]
fn duplicate_ids_are_errors() {
    let text = DEFAULT.replacen(
        "  - id: checklist-3-runtime-control",
        "  - id: checklist-1-generative-llm",
        1,
    );
    invalid(
        &text,
        "duplicate rule/constraint/note id `checklist-1-generative-llm`",
    );
    let text = DEFAULT.replacen("      - id: gpu\n", "      - id: cpu\n", 1);
    invalid(&text, "duplicate option id `cpu`");
}

#[test]
fn unknown_option_references_are_errors() {
    let text = DEFAULT.replacen("      hardware: gpu\n", "      hardware: gpuu\n", 1);
    invalid(&text, "unknown option `gpuu` for question `hardware`");
}

#[test]
fn tests_naming_unknown_answers_or_outcomes_are_errors() {
    let text = DEFAULT.replacen(
        "answers: {model-type: llm}\n    expect: mlx",
        "answers: {model-type: llm, colour: red}\n    expect: mlx",
        1,
    );
    invalid(&text, "unknown question `colour`");
    let text = DEFAULT.replacen(
        "answers: {model-type: llm}\n    expect: mlx",
        "answers: {model-type: llm}\n    expect: tflite",
        1,
    );
    invalid(&text, "unknown outcome `tflite`");
}

#[test]
fn a_required_question_with_a_default_is_an_error() {
    let text = DEFAULT.replacen(
        "    required: true\n",
        "    required: true\n    default: llm\n",
        1,
    );
    invalid(&text, "is required and also has a default");
}

#[test]
fn reserved_question_ids_are_errors() {
    let text = DEFAULT.replacen("  - id: battery\n", "  - id: format\n", 1);
    invalid(&text, "question id `format` is reserved");
}

#[test]
fn missing_and_directory_rule_paths_exit_3() {
    mlstack()
        .args([
            "recommend",
            "--model-type",
            "llm",
            "--rules",
            "/no/such/rules.yaml",
        ])
        .assert()
        .code(3)
        .stdout("")
        .stderr(predicate::str::contains(
            "cannot read rule file /no/such/rules.yaml: no such file",
        ));
    let dir = tempfile::tempdir().unwrap();
    mlstack()
        .args(["recommend", "--model-type", "llm", "--rules"])
        .arg(dir.path())
        .assert()
        .code(3)
        .stderr(predicate::str::contains("is a directory"));
}

#[test]
fn a_custom_rule_file_brings_its_own_flags() {
    let assert = mlstack()
        .args(["recommend", "--rules"])
        .arg(fixture("tiny.yaml"))
        .args(["--size", "big", "--format", "json"])
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&assert)).unwrap();
    assert_eq!(json["recommendation"]["id"], "large");
    assert_eq!(json["rules"]["name"], "tiny");
    // The default rules' flags are not there.
    mlstack()
        .args(["recommend", "--rules"])
        .arg(fixture("tiny.yaml"))
        .args(["--size", "big", "--model-type", "llm"])
        .assert()
        .code(2);
    mlstack()
        .args(["recommend", "--help", "--rules"])
        .arg(fixture("tiny.yaml"))
        .assert()
        .success()
        .stdout(predicate::str::contains("--size <VALUE>"));
}

#[test]
fn rules_validate_and_test_on_the_default_rules() {
    mlstack()
        .args(["rules", "validate"])
        .assert()
        .success()
        .stdout(predicate::str::contains("valid ("));
    mlstack()
        .args(["rules", "test"])
        .assert()
        .success()
        .stdout(predicate::str::contains(" 0 failed"));
}

#[test]
fn rules_test_fails_with_exit_1_and_shows_expected_and_got() {
    let text = DEFAULT.replacen(
        "answers: {model-type: llm}\n    expect: mlx",
        "answers: {model-type: llm}\n    expect: core-ml",
        1,
    );
    let (_dir, path) = temp_file("rules.yaml", text.as_bytes());
    mlstack()
        .args(["rules", "test"])
        .arg(&path)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "FAIL  test llm alone: expected core-ml, got mlx",
        ));
}

#[test]
fn an_alias_that_repeats_an_option_id_is_an_error() {
    let text = DEFAULT.replacen(
        "      - id: neural-engine\n",
        "      - id: neural-engine\n        aliases: [gpu]\n",
        1,
    );
    let line = text
        .lines()
        .position(|l| l.contains("aliases: [gpu]"))
        .unwrap()
        + 1;
    invalid(
        &text,
        &format!(
            "rules.yaml:{line}:19: alias `gpu` of option `neural-engine` already names option `gpu`"
        ),
    );
}

#[test]
fn every_structural_problem_is_reported_at_once() {
    let path = fixture("structural-problems.yaml");
    let assert = mlstack()
        .args(["rules", "validate", "--format", "json"])
        .arg(&path)
        .assert()
        .code(3);
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&assert)).unwrap();
    let errors = json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 3, "{json}");
    assert_eq!(
        (errors[0]["line"].as_u64(), errors[0]["column"].as_u64()),
        (Some(6), Some(5))
    );
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `colour`")
    );
    assert_eq!(errors[1]["line"], 19);
    assert_eq!(errors[2]["line"], 26);
    // The table says the same, each with a hint.
    let assert = mlstack()
        .args(["rules", "validate"])
        .arg(&path)
        .assert()
        .code(3);
    let err = stderr_of(&assert);
    assert!(
        err.contains("structural-problems.yaml:6:5: unknown field `colour`"),
        "{err}"
    );
    assert!(err.contains("structural-problems.yaml:19:16:"), "{err}");
    assert!(err.contains("hint:"), "{err}");
}

#[test]
fn a_rule_file_with_a_lone_carriage_return_gets_its_first_problem_only() {
    // Found by the rules_parse fuzz target: YAML breaks lines at a lone \r, str::lines does
    // not, so blanking by lines would miss the problem's entry.
    let assert = mlstack()
        .args(["rules", "validate", "--format", "json"])
        .arg(fixture("lone-cr-rules.yaml"))
        .assert()
        .code(3);
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&assert)).unwrap();
    let errors = json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{json}");
}
