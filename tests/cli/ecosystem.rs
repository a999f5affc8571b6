//! Shell completions, the man page, colour, the JSON Schema, Markdown and environment
//! variables.

use predicates::prelude::*;

use crate::util::*;

#[test]
fn bash_completion_lists_a_questions_options() {
    let assert = mlstack().args(["completions", "bash"]).assert().success();
    let script = stdout_of(&assert);
    assert!(
        script.contains("--model-type"),
        "question flags are completed"
    );
    // The completion for --hardware offers its options.
    let line = script
        .lines()
        .find(|l| l.contains("--hardware)"))
        .and_then(|_| script.split("--hardware)").nth(1))
        .expect("a case for --hardware");
    let case: String = line.lines().take(3).collect();
    for option in ["neural-engine", "gpu", "cpu", "any"] {
        assert!(case.contains(option), "{option} in: {case}");
    }
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        mlstack()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("model-type"));
    }
}

#[test]
fn powershell_and_elvish_complete_question_values_too() {
    let ps = stdout_of(
        &mlstack()
            .args(["completions", "powershell"])
            .assert()
            .success(),
    );
    assert!(
        ps.contains(
            "'--hardware' = @(@('neural-engine', 'Neural Engine'), @('gpu', 'GPU'), @('cpu', 'CPU'), @('any', 'No preference'))"
        ),
        "{ps}"
    );
    assert!(ps.contains("[CompletionResultType]::ParameterValue"));
    // The values come before clap's flag completions, which stay as they were.
    assert!(ps.find("$questionValues = @{").unwrap() < ps.find("$completions = @(switch").unwrap());

    let elv = stdout_of(&mlstack().args(["completions", "elvish"]).assert().success());
    assert!(elv.contains("&'--hardware'=[['neural-engine' 'Neural Engine'] ['gpu' 'GPU']"));
    assert!(elv.contains("if (not $value-of-a-flag) { $completions[$command] }"));
    // Where elvish is installed, run the completer (its edit: module stubbed out): after
    // --hardware it offers the options, and elsewhere clap's candidates.
    let Ok(version) = std::process::Command::new("elvish")
        .arg("-version")
        .output()
    else {
        eprintln!("elvish is not installed: the generated completer was checked as text only");
        return;
    };
    assert!(version.status.success());
    let dir = tempfile::tempdir().unwrap();
    let body = elv
        .replace("set edit:completion:arg-completer[mlstack] = ", "var f = ")
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("edit:complex-candidate $text") {
                "        put $text".to_owned()
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let script = format!(
        "fn wcswidth {{|s| count $s }}\n{body}\nput (all [($f mlstack recommend --hardware '')]) | to-lines\necho ---\nput (all [($f mlstack '')]) | to-lines\n"
    );
    std::fs::write(dir.path().join("t.elv"), script).unwrap();
    let out = std::process::Command::new("elvish")
        .arg(dir.path().join("t.elv"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let (values, top) = text.split_once("---").unwrap();
    assert_eq!(
        values.split_whitespace().collect::<Vec<_>>(),
        ["neural-engine", "gpu", "cpu", "any"]
    );
    assert!(
        top.contains("recommend") && top.contains("inspect"),
        "{top}"
    );
}

#[test]
fn man_page_is_one_full_page_with_every_command_and_question_flag() {
    let assert = mlstack().arg("man").assert().success();
    let page = stdout_of(&assert);
    assert!(page.starts_with(".ie") && page.contains(".TH mlstack 1"));
    for needle in [
        ".SS \"mlstack recommend [OPTIONS]",
        ".SS \"mlstack inspect [OPTIONS] <PATH>\"",
        ".SS \"mlstack rules check [OPTIONS] [FILE]\"",
        "\\-\\-model\\-type",
        "neural\\-engine",
        "\\fB\\-\\-model\\fR \\fI<PATH>\\fR",
        ".SH \"EXIT STATUS\"",
        ".SH ENVIRONMENT",
        ".SH EXAMPLES",
        "MLSTACK_RULES",
    ] {
        assert!(page.contains(needle), "the man page lacks {needle}");
    }
    // It names no pages that are not generated.
    assert!(!page.contains("mlstack\\-recommend(1)") && !page.contains("mlstack-recommend(1)"));
    // And man can render it without warnings, where man is installed.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mlstack.1");
    std::fs::write(&file, &page).unwrap();
    if let Ok(out) = std::process::Command::new("man")
        .arg("-l")
        .arg(&file)
        .env("MANWIDTH", "80")
        .env("MAN_KEEP_STDERR", "1")
        .output()
    {
        assert!(out.status.success(), "{out:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "man's warnings");
        assert!(String::from_utf8_lossy(&out.stdout).contains("EXIT STATUS"));
    }
}

pub fn validator() -> (boon::Schemas, boon::SchemaIndex) {
    validator_of("recommend")
}

/// The compiled schema `mlstack schema OF` prints (standalone: nothing fetched).
pub fn validator_of(of: &str) -> (boon::Schemas, boon::SchemaIndex) {
    let assert = mlstack().args(["schema", of]).assert().success();
    let schema: serde_json::Value = serde_json::from_str(&stdout_of(&assert)).unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    let name = format!("{of}.schema.json");
    compiler.add_resource(&name, schema).unwrap();
    let index = compiler.compile(&name, &mut schemas).unwrap();
    (schemas, index)
}

#[test]
fn batch_lines_and_error_records_validate_against_the_batch_schema() {
    let (schemas, index) = validator_of("batch");
    let input = "{\"model-type\": \"llm\"}\n{\"hardwar\": \"gpu\"}\nnot json\n{\"model-type\": [\"vision\", \"llm\"], \"min-os\": \"27\"}\n";
    let assert = mlstack()
        .args(["recommend", "--batch", "-"])
        .write_stdin(input)
        .assert()
        .code(2);
    let out = stdout_of(&assert);
    assert_eq!(out.lines().count(), 4);
    for line in out.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        if let Err(e) = schemas.validate(&v, index) {
            panic!("batch line fails the batch schema: {e:#}\n{line}");
        }
    }
    // Not anything goes: a verdict without its line number, or a record with neither a
    // verdict nor an error, fails.
    let verdict = crate::util::recommend_json(&["--model-type", "llm"]);
    assert!(schemas.validate(&verdict, index).is_err());
    assert!(
        schemas
            .validate(&serde_json::json!({"line": 3}), index)
            .is_err()
    );
}

#[test]
fn the_verdict_schema_is_open_to_added_keys_as_the_policy_says() {
    let (schemas, index) = validator();
    let mut v = crate::util::recommend_json(&["--model-type", "llm"]);
    v["a_key_from_a_later_version"] = serde_json::json!({"x": 1});
    v["recommendation"]["also_new"] = serde_json::json!(true);
    assert!(schemas.validate(&v, index).is_ok());
    // Removing a key is breaking, and the schema says so.
    v.as_object_mut().unwrap().remove("margin");
    assert!(schemas.validate(&v, index).is_err());
}

#[test]
fn real_outputs_validate_against_the_published_schema() {
    let (schemas, index) = validator();
    for args in [
        &["--model-type", "llm"][..],
        &[
            "--model-type",
            "llm",
            "--model-size",
            "under-1b",
            "--battery",
            "critical",
            "--hardware",
            "neural-engine",
        ],
        &["--model-type", "llm", "--platform", "linux"],
        &["--model-type", "vision,llm", "--explain"],
        &["--model-type", "vision,llm", "--min-os", "27", "--explain"],
        &[
            "--model-type",
            "llm",
            "--built-in",
            "foundation-models",
            "--apple-intelligence",
            "yes",
        ],
        // A fallback with its own standing.
        &[
            "--model-type",
            "llm",
            "--built-in",
            "foundation-models",
            "--unavailable",
            "fallback",
        ],
        &[
            "--model-type",
            "audio",
            "--iteration",
            "prototyping",
            "--needs",
            "none",
        ],
    ] {
        let json = recommend_json(args);
        if let Err(e) = schemas.validate(&json, index) {
            panic!("{args:?} does not match the schema: {e}");
        }
    }
    // And the schema is strict enough to catch a renamed key.
    let mut json = recommend_json(&["--model-type", "llm"]);
    let margin = json.as_object_mut().unwrap().remove("margin").unwrap();
    json.as_object_mut()
        .unwrap()
        .insert("margins".into(), margin);
    assert!(schemas.validate(&json, index).is_err());
}

#[test]
fn markdown_is_ready_to_paste() {
    let markdown = ["recommend", "--model-type", "llm", "--format", "markdown"];
    let assert = mlstack().args(markdown).arg("--full").assert().success();
    let out = stdout_of(&assert);
    assert!(
        out.starts_with("### Recommendation: MLX [`mlx`] (strong, margin 5)\n"),
        "{out}"
    );
    assert!(out.contains("| **MLX** | 7 |"));
    assert!(out.contains("#### What would change this"));
    assert!(
        out.contains("- `--background yes` (now `background no`) → Core ML"),
        "{out}"
    );
    assert!(!out.contains('\x1b'));
    // By default, the short report: the reasons that decided it, three flips, no tables.
    let out = stdout_of(&mlstack().args(markdown).assert().success());
    assert!(
        out.contains("\n#### Why\n\n- **+7 MLX**: A generative"),
        "{out}"
    );
    assert!(!out.contains("| **MLX** | 7 |"), "{out}");
    let flips = out.split("#### What would change this\n\n").nth(1).unwrap();
    let flips = flips.split("\n\n").next().unwrap();
    assert_eq!(flips.lines().count(), 3, "{flips}");
    assert!(out.contains("`--full`"), "{out}");
    mlstack()
        .args(["questions", "--format", "markdown"])
        .assert()
        .success()
        .stdout(predicate::str::contains("| --model-type<br>"));
}

#[test]
fn colour_follows_the_flag_then_no_color_then_clicolor_force_then_the_terminal() {
    let first_line = |cmd: &mut assert_cmd::Command| {
        let assert = cmd.assert().success();
        stdout_of(&assert).lines().next().unwrap().to_owned()
    };
    let base = ["recommend", "--model-type", "llm"];
    // A pipe: no colour.
    assert!(!first_line(mlstack().args(base)).contains('\x1b'));
    assert!(
        first_line(mlstack().args(base).args(["--color", "always"]))
            .contains("\x1b[1;32mMLX\x1b[0m")
    );
    assert!(first_line(mlstack().args(base).env("CLICOLOR_FORCE", "1")).contains('\x1b'));
    assert!(
        !first_line(
            mlstack()
                .args(base)
                .env("CLICOLOR_FORCE", "1")
                .env("NO_COLOR", "1")
        )
        .contains('\x1b')
    );
    assert!(
        first_line(
            mlstack()
                .args(base)
                .env("NO_COLOR", "1")
                .args(["--color", "always"])
        )
        .contains('\x1b')
    );
    assert!(
        !first_line(
            mlstack()
                .args(base)
                .env("CLICOLOR_FORCE", "1")
                .args(["--color", "never"])
        )
        .contains('\x1b')
    );
    // Close calls are yellow.
    assert!(
        first_line(mlstack().args([
            "recommend",
            "--model-type",
            "llm",
            "--model-size",
            "under-1b",
            "--battery",
            "critical",
            "--hardware",
            "neural-engine",
            "--color",
            "always"
        ]))
        .contains("\x1b[1;33m")
    );
}

#[test]
fn piped_output_is_stable_and_free_of_escape_codes() {
    let run = || {
        let assert = mlstack()
            .args(["recommend", "--model-type", "vision,llm"])
            .assert()
            .success();
        stdout_of(&assert)
    };
    let (a, b) = (run(), run());
    assert_eq!(a, b);
    assert!(!a.contains('\x1b'));
    assert!(
        a.lines().all(|l| l.chars().count() <= 100),
        "fixed 100-column width in a pipe"
    );
}

#[test]
fn environment_variables_set_rules_and_format_and_show_in_help() {
    mlstack()
        .args(["recommend", "--size", "big"])
        .env("MLSTACK_RULES", fixture("tiny.yaml"))
        .env("MLSTACK_FORMAT", "json")
        .assert()
        .success()
        .stdout(predicate::str::contains("\"id\": \"large\""));
    mlstack()
        .args(["recommend", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("[env: MLSTACK_RULES="))
        .stdout(predicate::str::contains("[env: MLSTACK_FORMAT="));
    // The flag still wins over the environment.
    mlstack()
        .args(["recommend", "--model-type", "llm", "--format", "table"])
        .env("MLSTACK_FORMAT", "json")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("Recommendation:"));
}

#[test]
fn a_stale_mlstack_rules_blocks_nothing_that_does_not_need_the_rules() {
    for args in [
        &["--help"][..],
        &["--version"],
        &["schema"],
        &["man"],
        &["completions", "bash"],
        &["recommend", "--help"],
    ] {
        mlstack()
            .env("MLSTACK_RULES", "/nonexistent.yaml")
            .args(args)
            .assert()
            .success();
    }
    // What does need the rules names the variable.
    mlstack()
        .env("MLSTACK_RULES", "/nonexistent.yaml")
        .args(["recommend", "--model-type", "llm"])
        .assert()
        .code(3)
        .stdout("")
        .stderr(predicate::str::contains("MLSTACK_RULES"));
}

#[test]
fn rules_commands_without_a_file_honour_mlstack_rules() {
    let tiny = fixture("tiny.yaml");
    // Each command's output shows the tiny file, not the embedded rules: its name, or its
    // one test ("big").
    for (sub, mark) in [
        ("validate", "tiny"),
        ("test", "test big"),
        ("check", "tiny"),
    ] {
        let assert = mlstack()
            .env("MLSTACK_RULES", &tiny)
            .args(["rules", sub])
            .assert();
        let out = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
        assert!(out.contains(mark), "rules {sub} used the file: {out}");
    }
}

#[test]
fn empty_variables_mean_unset_and_bad_ones_are_named() {
    mlstack()
        .env("MLSTACK_FORMAT", "")
        .env("MLSTACK_RULES", "")
        .args(["recommend", "--model-type", "llm"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("Recommendation: MLX"));
    mlstack()
        .env("MLSTACK_FORMAT", "jsn")
        .args(["recommend", "--model-type", "llm"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "MLSTACK_FORMAT: `jsn` is not a format",
        ));
    // An explicit --format wins over the variable.
    mlstack()
        .env("MLSTACK_FORMAT", "jsn")
        .args(["recommend", "--model-type", "llm", "--format", "json"])
        .assert()
        .success();
}

/// Every JSON document the tool prints carries `schema_version` and validates against the
/// schema `mlstack schema` prints for it: the happy paths and the documents of failures.
#[test]
fn every_json_document_is_versioned_and_validates_against_its_schema() {
    let fixture = |name: &str| format!("tests/fixtures/{name}");
    let cases: Vec<(&str, Vec<String>, i32)> = vec![
        ("questions", vec!["questions".into()], 0),
        ("sources", vec!["sources".into()], 0),
        ("sources", vec!["sources".into(), "A1".into()], 0),
        ("rules-show", vec!["rules".into(), "show".into()], 0),
        (
            "rules-show",
            vec!["rules".into(), "show".into(), "mlx-is-gpu-not-ane".into()],
            0,
        ),
        ("rules-test", vec!["rules".into(), "test".into()], 0),
        ("rules-validate", vec!["rules".into(), "validate".into()], 0),
        (
            "rules-validate",
            vec![
                "rules".into(),
                "validate".into(),
                fixture("structural-problems.yaml"),
            ],
            3,
        ),
        (
            "rules-check",
            vec![
                "rules".into(),
                "check".into(),
                fixture("check-findings.yaml"),
            ],
            1,
        ),
        (
            "rules-check",
            vec![
                "rules".into(),
                "check".into(),
                fixture("default-2026-04.yaml"),
            ],
            0,
        ),
        (
            "rules-diff",
            vec![
                "rules".into(),
                "diff".into(),
                fixture("tiny.yaml"),
                fixture("tiny-edited.yaml"),
            ],
            0,
        ),
    ];
    for (of, args, code) in cases {
        let (schemas, index) = validator_of(of);
        let assert = mlstack()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(&args)
            .args(["--format", "json"])
            .assert()
            .code(code);
        let doc: serde_json::Value = serde_json::from_str(&stdout_of(&assert))
            .unwrap_or_else(|e| panic!("{args:?}: not JSON: {e}"));
        assert_eq!(doc["schema_version"], 1, "{args:?}");
        if let Err(e) = schemas.validate(&doc, index) {
            panic!("{args:?} fails the {of} schema: {e:#}");
        }
        // The schema is not a formality: the document without its version fails it.
        let mut unversioned = doc.clone();
        unversioned
            .as_object_mut()
            .unwrap()
            .remove("schema_version");
        assert!(schemas.validate(&unversioned, index).is_err(), "{of}");
    }
}
