//! `rules validate | test | check | diff` on small rule files built to show each finding.

use predicates::prelude::*;

use crate::util::*;

fn json_of(assert: &assert_cmd::assert::Assert) -> serde_json::Value {
    serde_json::from_str(&stdout_of(assert)).expect("JSON on stdout")
}

#[test]
fn default_rules_pass_check_with_no_problems() {
    let assert = mlstack()
        .args(["rules", "check", "--format", "json"])
        .assert()
        .success();
    let json = json_of(&assert);
    assert_eq!(json["problems"], 0);
    assert_eq!(json["coverage"]["mode"], "exhaustive");
    // One model at a time: `model-type` is one per model, so its answers are single types.
    assert_eq!(json["answer_sets"], 293_570_862_907_392u64);
    // Every tie left in the default rules is declared intentional.
    assert!(
        json["ties"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["declared"] == true)
    );
    let total: u64 = json["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["count"].as_u64().unwrap())
        .sum::<u64>()
        + json["nothing_possible"]["count"].as_u64().unwrap();
    assert_eq!(total, 293_570_862_907_392);
    mlstack()
        .args(["rules", "check"])
        .assert()
        .success()
        .stdout(predicate::str::contains("No problems found."));
}

#[test]
fn check_reports_every_kind_of_finding() {
    let assert = mlstack()
        .args(["rules", "check", "--format", "json"])
        .arg(fixture("check-findings.yaml"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("rules check found 8 problems"));
    let json = json_of(&assert);
    assert_eq!(json["answer_sets"], 8);
    let tie = &json["ties"][0];
    assert_eq!(tie["outcomes"], serde_json::json!(["a", "b"]));
    assert_eq!(tie["count"], 2);
    assert_eq!(tie["declared"], false);
    assert_eq!(tie["example"]["first"], "x");
    assert_eq!(
        json["rules_never_fired"],
        serde_json::json!(["never-fires"])
    );
    assert_eq!(
        json["rules_without_effect"],
        serde_json::json!(["y-likes-b", "m-likes-b", "no-effect"])
    );
    assert_eq!(
        json["questions_without_effect"],
        serde_json::json!(["second"])
    );
    assert_eq!(
        json["outcomes_never_winning"],
        serde_json::json!(["c", "d"])
    );
    assert_eq!(json["nothing_possible"]["count"], 2);
    assert_eq!(json["nothing_possible"]["example"]["third"], "n");
}

/// A rule file with one multi-choice question of `options` options.
fn wide_rules(options: usize) -> (tempfile::TempDir, std::path::PathBuf) {
    let options: String = (0..options)
        .map(|i| format!("      - {{id: o{i}, label: O}}\n"))
        .collect();
    let text = format!(
        "name: wide\noutcomes:\n  - {{id: a, name: A, summary: a}}\n  - {{id: b, name: B, summary: b}}\n\
         questions:\n  - id: tags\n    prompt: Tags?\n    kind: multi\n    required: true\n    options:\n{options}\
         rules:\n  - id: o1-likes-a\n    when: {{tags: o1}}\n    score: {{a: 1}}\n    why: w\n    cite: c\n\
         tie_break: [b, a]\nconfidence: {{strong: 2, moderate: 1}}\n"
    );
    temp_file("wide.yaml", text.as_bytes())
}

#[test]
fn check_goes_over_a_question_of_a_million_answers_whole() {
    // 2^20 - 1 answers (a required multi-choice question takes at least one option): within
    // the tables' limit, so exhaustive; its one problem is the a/b tie it is built with.
    let (_dir, path) = wide_rules(20);
    let assert = mlstack()
        .args(["rules", "check", "--format", "json"])
        .arg(&path)
        .assert()
        .code(1);
    let json = json_of(&assert);
    assert_eq!(json["coverage"]["mode"], "exhaustive");
    assert_eq!(json["answer_sets"], (1u64 << 20) - 1);
    assert_eq!(json["ties"][0]["count"], (1u64 << 19) - 1);
    assert_eq!(json["problems"], 1);
}

#[test]
fn check_past_its_limits_samples_says_why_and_fails() {
    // 2^21 answers to one question: past every limit, so sampled, and that is a problem.
    let (_dir, path) = wide_rules(21);
    let assert = mlstack()
        .args(["rules", "check", "--seed", "7", "--format", "json"])
        .arg(&path)
        .assert()
        .code(1);
    let json = json_of(&assert);
    assert_eq!(json["coverage"]["mode"], "sampled");
    assert_eq!(json["coverage"]["seed"], 7);
    assert_eq!(json["coverage"]["size"], 1_000_000);
    // The tie it is built with, and not having been gone over whole.
    assert_eq!(json["problems"], 2);
    let why = json["coverage"]["why"].as_str().unwrap();
    assert!(why.contains("the question `tags`"), "{why}");
    mlstack()
        .args(["rules", "check", "--seed", "7"])
        .arg(&path)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("NOT EXHAUSTIVE (a problem)"))
        .stdout(predicate::str::contains(
            "more than 1048576 joint answers to tabulate for the question `tags`",
        ))
        .stdout(predicate::str::contains("(seed 7)"));
}

#[test]
fn diff_counts_changed_verdicts_with_examples() {
    let assert = mlstack()
        .args(["rules", "diff", "--format", "json"])
        .arg(fixture("tiny.yaml"))
        .arg(fixture("tiny-edited.yaml"))
        .assert()
        .success();
    let json = json_of(&assert);
    assert_eq!(json["compared"], 2);
    assert_eq!(json["changed"], 1);
    let change = &json["changes"][0];
    assert_eq!(
        (change["from"].as_str(), change["to"].as_str()),
        (Some("small"), Some("large"))
    );
    assert_eq!(change["count"], 1);
    assert_eq!(change["example"]["size"], "little");
    mlstack()
        .args(["rules", "diff", "--fail-on-change"])
        .arg(fixture("tiny.yaml"))
        .arg(fixture("tiny-edited.yaml"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("small -> large: 1 answer set"))
        .stdout(predicate::str::contains(
            "e.g. mlstack recommend --size little",
        ));
}

#[test]
fn diff_of_identical_rules_passes_the_gate() {
    let default = concat!(env!("CARGO_MANIFEST_DIR"), "/rules/default.yaml");
    mlstack()
        .args(["rules", "diff", "--fail-on-change", default, default])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "0 of 293570862907392 answer sets change verdict",
        ));
}

#[test]
fn diff_of_a_reweighted_default_finds_the_moved_verdicts() {
    let text = include_str!("../../rules/default.yaml").replacen(
        "score: {core-ml: 3, mlx-then-core-ml: 3, core-ai: 3, mlx-then-core-ai: 3}\n    why: >-\n      Battery-critical",
        "score: {core-ml: 9, mlx-then-core-ml: 3, core-ai: 3, mlx-then-core-ai: 3}\n    why: >-\n      Battery-critical",
        1,
    );
    let (_dir, path) = temp_file("heavier-battery.yaml", text.as_bytes());
    let assert = mlstack()
        .args(["rules", "diff", "--format", "json"])
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/default.yaml"))
        .arg(&path)
        .assert()
        .success();
    let json = json_of(&assert);
    assert!(json["changed"].as_u64().unwrap() > 0);
    assert!(
        json["changes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["to"] == "core-ml")
    );
}

#[test]
fn diff_compares_a_question_that_became_multi_choice_one_option_at_a_time() {
    // The rules before `portability` took several targets at once (issue 24).
    let text = include_str!("../../rules/default.yaml").replacen(
        "    kind: multi\n    scope: app\n    default: apple-only\n    options:\n      - id: apple-only\n        label: No, Apple platforms only\n        exclusive: true\n",
        "    kind: single\n    scope: app\n    default: apple-only\n    options:\n      - id: apple-only\n        label: No, Apple platforms only\n",
        1,
    )
    // and without the test that answers it twice
    .replacen(
        "platform: [ios, macos], portability: [desktop, android]}",
        "platform: [ios, macos], portability: android}",
        1,
    )
    .replacen(
        "portability: [android, desktop], hardware: cpu",
        "portability: android, hardware: cpu",
        1,
    );
    assert!(text.contains("kind: single\n    scope: app\n    default: apple-only"));
    let (_dir, path) = temp_file("single-portability.yaml", text.as_bytes());
    let assert = mlstack()
        .args(["rules", "diff", "--format", "json"])
        .arg(&path)
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/default.yaml"))
        .assert()
        .success();
    let json = json_of(&assert);
    // One option at a time, the two files agree everywhere.
    assert_eq!(json["changed"], 0, "{json}");
    assert!(json["compared"].as_u64().unwrap() > 0);
    assert!(
        json["caveats"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c.as_str().unwrap().contains(
                "`portability` is single choice in the old file and multi choice in the new"
            )),
        "{json}"
    );
}

#[test]
fn validate_json_lists_every_error_with_its_position() {
    let text = include_str!("../../rules/default.yaml")
        .replacen("score: {mlx: 7}", "score: {mlxx: 7}", 1)
        .replacen("      hardware: gpu\n", "      hardware: gpuu\n", 1);
    let (_dir, path) = temp_file("rules.yaml", text.as_bytes());
    let assert = mlstack()
        .args(["rules", "validate", "--format", "json"])
        .arg(&path)
        .assert()
        .code(3);
    let json = json_of(&assert);
    assert_eq!(json["valid"], false);
    let errors = json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2);
    for e in errors {
        assert!(e["file"].as_str().unwrap().ends_with("rules.yaml"));
        assert!(e["line"].as_u64().unwrap() > 0 && e["column"].as_u64().unwrap() > 0);
        assert!(e["hint"].as_str().unwrap().starts_with("did you mean"));
    }
    let assert = mlstack()
        .args(["rules", "validate", "--format", "json"])
        .assert()
        .success();
    assert_eq!(
        json_of(&assert),
        serde_json::json!({"schema_version": 1, "valid": true, "errors": []})
    );
}

#[test]
fn test_json_shows_expected_got_and_rationale_of_failures() {
    let text = include_str!("../../rules/default.yaml").replacen(
        "answers: {model-type: llm}\n    expect: mlx",
        "answers: {model-type: llm}\n    expect: core-ml",
        1,
    );
    let (_dir, path) = temp_file("rules.yaml", text.as_bytes());
    let assert = mlstack()
        .args(["rules", "test", "--format", "json"])
        .arg(&path)
        .assert()
        .code(1);
    let json = json_of(&assert);
    assert_eq!(json["failed"], 1);
    let failed: Vec<&serde_json::Value> = json["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["passed"] == false)
        .collect();
    assert_eq!(failed[0]["name"], "llm alone");
    assert_eq!(failed[0]["expected"], "core-ml");
    assert_eq!(failed[0]["got"], "mlx");
    let rationale = failed[0]["rationale"].as_array().unwrap();
    assert!(
        rationale
            .iter()
            .any(|r| r["rule"] == "checklist-1-generative-llm" && r["points"] == 7)
    );
}

#[test]
fn a_failing_test_of_several_models_names_each_models_rules_and_a_misfit_answer() {
    let text = include_str!("../../rules/default.yaml")
        .replacen(
            "      - {name: chat, model-type: llm, hardware: gpu}\n    expect: core-ml+mlx",
            "      - {name: chat, model-type: llm, hardware: gpu}\n    expect: core-ml",
            1,
        )
        .replacen(
            "{name: dictation, model-type: audio, built-in: speech}",
            "{name: dictation, model-type: vision, built-in: speech}",
            1,
        );
    let (_dir, path) = temp_file("rules.yaml", text.as_bytes());
    let assert = mlstack()
        .args(["rules", "test", "--format", "json"])
        .arg(&path)
        .assert()
        .code(1);
    let json = json_of(&assert);
    assert_eq!(json["failed"], 2, "{json}");
    let case = |name: &str| {
        json["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap()
            .clone()
    };
    let scanner = case("a receipt scanner on the neural engine beside a chat llm on the gpu");
    assert_eq!(scanner["got"], "core-ml+mlx");
    assert_eq!(
        scanner["models"],
        serde_json::json!([{"name": "scanner", "got": "core-ml"}, {"name": "chat", "got": "mlx"}])
    );
    let rationale = scanner["rationale"].as_array().unwrap();
    assert!(rationale.iter().any(|r| r["model"] == "chat"
        && r["rule"] == "checklist-1-generative-llm"
        && r["outcome"] == "mlx"));
    assert!(
        rationale
            .iter()
            .any(|r| r["model"] == "scanner" && r["outcome"] == "core-ml")
    );
    let dictation =
        case("dictation through apple's speech framework beside a 1-4b summarizer of our own");
    assert_eq!(dictation["got"], serde_json::Value::Null);
    assert_eq!(
        dictation["problem"],
        "`built-in: speech` under the model dictation is not for it: it is for other kinds of model; give one of this model's own (none, vision)"
    );
    let table = mlstack()
        .args(["rules", "test"])
        .arg(&path)
        .assert()
        .code(1);
    let out = stdout_of(&table);
    assert!(out.contains("        chat gets mlx\n"), "{out}");
    assert!(
        out.contains("        chat: +7 mlx (checklist-1-generative-llm)"),
        "{out}"
    );
    assert!(
        out.contains("FAIL  test dictation through apple's speech framework beside a 1-4b summarizer of our own: `built-in: speech` under the model dictation"),
        "{out}"
    );
}

#[test]
fn a_test_lists_models_as_an_answers_file_does_and_problems_are_located() {
    let text = include_str!("../../rules/default.yaml").replacen(
        "      - {name: chat, model-type: llm, hardware: gpu}\n",
        "      - {name: chat, model-type: llm, hardware: gpu, platform: ios}\n      - {name: chat, model-type: audio}\n",
        1,
    );
    let line = text
        .lines()
        .position(|l| l.contains("hardware: gpu, platform: ios}"))
        .unwrap()
        + 1;
    let (_dir, path) = temp_file("rules.yaml", text.as_bytes());
    let assert = mlstack()
        .args(["rules", "validate"])
        .arg(&path)
        .assert()
        .code(3);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        err.contains(&format!(
            "rules.yaml:{line}:54: `platform` is the app's answer: give it in `answers`, not under a model"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "rules.yaml:{}:16: two models are named 'chat'",
            line + 1
        )),
        "{err}"
    );
    assert!(
        err.contains("the rule set is invalid (2 problems)"),
        "{err}"
    );
}

/// A plan rule no test of several models shows applying fails `rules check`, and one whose
/// pattern names a stack that never wins is reported as never applying.
#[test]
fn check_reports_plan_rules_the_tests_do_not_show() {
    let path = fixture("plan-rules.yaml");
    let assert = mlstack()
        .args(["rules", "check", "--format", "json"])
        .arg(&path)
        .assert()
        .code(1);
    let json = json_of(&assert);
    let plan = json["plan_rules"].as_array().unwrap();
    assert_eq!(plan[0]["id"], "a-and-b");
    assert_eq!(plan[0]["applies_in"], "both kinds");
    assert_eq!(plan[0]["not_in"], serde_json::Value::Null);
    assert_eq!(plan[1]["unreachable_pattern"], 0);
    assert_eq!(plan[1]["applies_in"], serde_json::Value::Null);
    assert_eq!(plan[1]["not_in"], "both kinds");
    // One missing test for the first rule, the second rule that cannot apply; and of the
    // one-model space, x-is-a (it changes no verdict: a wins the tie-break) and outcome c.
    assert_eq!(json["problems"], 4);
    let table = mlstack()
        .args(["rules", "check"])
        .arg(&path)
        .assert()
        .code(1);
    let out = stdout_of(&table);
    assert!(
        out.contains("- plan rule a-and-b: applies in test 'both kinds'; no test of several models shows it not applying (add one)"),
        "{out}"
    );
    assert!(
        out.contains("- plan rule c-and-a: never applies: no answer set gives a model a stack its pattern 1 names"),
        "{out}"
    );
}

#[test]
fn one_answer_set_is_singular() {
    let text = b"name: one\noutcomes: [{id: a, name: A, summary: a}, {id: b, name: B, summary: b}]\nquestions: [{id: q, prompt: Q?, kind: single, default: x, options: [{id: x, label: X}]}]\nrules: [{id: r, when: {q: x}, score: {a: 1}, why: w, cite: c}]\ntie_break: [a, b]\nconfidence: {strong: 2, moderate: 1}\n";
    let (_dir, path) = temp_file("one.yaml", text);
    mlstack()
        .args(["rules", "check"])
        .arg(&path)
        .assert()
        .stdout(predicate::str::contains("one: checked all 1 answer set ("));
}

/// A rule file with a `sources:` section must define every fact id its cites name; one
/// without keeps its cites as free text.
#[test]
fn cites_must_name_defined_sources_when_the_file_has_them() {
    let tiny = include_str!("../fixtures/tiny.yaml");
    // No sources: any cite is free text.
    let free = tiny.replace("cite: common sense", "cite: facts Z9");
    let (_dir, path) = temp_file("free.yaml", free.as_bytes());
    mlstack()
        .args(["rules", "validate"])
        .arg(&path)
        .assert()
        .success();
    // With sources: Z9 must be one of them, at the cite's position, with a suggestion.
    let sourced = format!(
        "{free}sources:\n  - {{id: Z8, claim: A claim., reference: 'https://example.org/z8', date: 2026-11}}\n"
    );
    let (_dir, path) = temp_file("sourced.yaml", sourced.as_bytes());
    let assert = mlstack()
        .args(["rules", "validate"])
        .arg(&path)
        .assert()
        .code(3)
        .stdout("");
    let err = stderr_of(&assert);
    assert!(
        err.contains(
            "sourced.yaml:25:11: the cite names fact `Z9`, which `sources:` does not define"
        ),
        "{err}"
    );
    assert!(err.contains("did you mean `Z8`?"), "{err}");
    let fixed = sourced.replace("cite: facts Z9", "cite: facts Z8");
    let (_dir, path) = temp_file("fixed.yaml", fixed.as_bytes());
    mlstack()
        .args(["rules", "validate"])
        .arg(&path)
        .assert()
        .success();
}

/// `mlstack sources` prints every cited fact with its claim and where to read it; the JSON
/// validates against its schema; an unknown id is a usage error with a suggestion.
#[test]
fn sources_open_every_cited_fact() {
    let assert = mlstack()
        .args(["sources", "--format", "json"])
        .assert()
        .success();
    let doc = json_of(&assert);
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["as_of"], "2026-11-30");
    assert!(
        doc["article"]["title"]
            .as_str()
            .unwrap()
            .starts_with("MLX vs Core ML")
    );
    let sources = doc["sources"].as_array().unwrap();
    // Every fact id the embedded rules cite has a claim; every one with a reference is a
    // specific page (a path after the host), not a site's front page.
    for s in sources {
        assert!(!s["claim"].as_str().unwrap().is_empty(), "{s}");
        if let Some(r) = s["reference"].as_str() {
            let path = r
                .split("://")
                .nth(1)
                .and_then(|r| r.split_once('/'))
                .map(|p| p.1);
            assert!(path.is_some_and(|p| !p.is_empty()), "{r}");
        }
    }
    let l2 = sources.iter().find(|s| s["id"] == "L2").expect("L2");
    assert!(
        l2["cited_by"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "core-ai-needs-os-27")
    );
    mlstack()
        .args(["sources", "l2", "C2f"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Core AI requires OS 27"))
        .stdout(predicate::str::contains("stateful-models.md"));
    mlstack()
        .args(["sources", "L99"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "no source `L99` in mlstack-default; did you mean",
        ));
    // A range as the cites write it opens every id in it.
    let assert = mlstack()
        .args(["sources", "T1-T5", "--format", "json"])
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_str(&stdout_of(&assert)).unwrap();
    let ids: Vec<&str> = doc["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["T1", "T2", "T3", "T4", "T5"]);
}

/// `concerns` names outcomes of the file, at least one.
#[test]
fn a_note_concerns_known_outcomes() {
    let tiny = include_str!("../fixtures/tiny.yaml");
    let with = |concerns: &str| {
        tiny.replace(
            "tie_break:",
            &format!("notes:\n  - {{id: n, text: t, cite: c, concerns: {concerns}}}\ntie_break:"),
        )
    };
    let (_dir, path) = temp_file("ok.yaml", with("[small]").as_bytes());
    mlstack()
        .args(["rules", "validate"])
        .arg(&path)
        .assert()
        .success();
    for (bad, message) in [("[smal]", "smal"), ("[]", "concerns no outcome")] {
        let (_dir, path) = temp_file("bad.yaml", with(bad).as_bytes());
        mlstack()
            .args(["rules", "validate"])
            .arg(&path)
            .assert()
            .code(3)
            .stderr(predicate::str::contains(message));
    }
}

/// The guide to the rule language ships in the binary, and validation hints point to it.
#[test]
fn the_rule_guide_is_in_the_binary_and_hints_point_to_it() {
    mlstack()
        .args(["rules", "guide"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("# The mlstack rule language"))
        .stdout(predicate::str::contains("| `sources` | no |"));
    let bad = include_str!("../fixtures/tiny.yaml")
        .replace("    name: Small\n", "    name: Small\n    colour: red\n");
    let (_dir, path) = temp_file("bad.yaml", bad.as_bytes());
    mlstack()
        .args(["rules", "validate"])
        .arg(&path)
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "`mlstack rules guide` lists the keys of each entry",
        ))
        .stderr(predicate::str::contains("README").not());
}
