use predicates::prelude::*;

use crate::util::*;

#[test]
fn table_shows_what_drove_it_and_what_would_change_it() {
    let assert = mlstack()
        .args(["recommend", "--model-type", "llm", "--full"])
        .assert()
        .success();
    let out = stdout_of(&assert);
    let drove = out.find("What drove it").expect("influence section");
    let change = out.find("What would change this").expect("flips section");
    assert!(drove < change);
    // A model's type is what the model is: another type is another model, never a flip.
    assert!(!out.contains("- --model-type"), "{out}");
    assert!(
        out.contains("--background yes (now background no) -> Core ML"),
        "{out}"
    );
}

#[test]
fn close_call_flips_are_one_step_away() {
    let json = recommend_json(&[
        "--model-type",
        "llm",
        "--model-size",
        "under-1b",
        "--battery",
        "critical",
        "--hardware",
        "neural-engine",
    ]);
    assert_eq!(json["confidence"], "close-call");
    let flips = json["flips"].as_array().unwrap();
    // Dropping the battery constraint (or the Neural Engine target) hands it to MLX.
    assert!(flips.iter().any(|f| f["question"] == "battery"
        && f["to"] == "normal"
        && f["recommendation"] == "mlx"));
    assert_eq!(json["runner_up"], "mlx");
}

#[test]
fn audio_with_custom_sampling_hangs_on_ane_compatibility() {
    let json = recommend_json(&["--model-type", "audio", "--needs", "custom-sampling"]);
    assert_eq!(json["recommendation"]["id"], "mlx");
    // Knowing the model fits the Neural Engine settles it for Core ML (the conflict's other half).
    assert!(
        json["flips"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["question"] == "ane-compatible"
                && f["to"] == "yes"
                && f["recommendation"] == "core-ml")
    );
}

#[test]
fn explain_prints_the_trace_with_failed_conditions() {
    mlstack()
        .args(["recommend", "--model-type", "llm", "--explain"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\nTrace\n"))
        .stdout(predicate::str::contains("checklist-4-battery-critical"))
        .stdout(predicate::str::contains("no-mlx-on-watchos"));
}

#[test]
fn rules_show_prints_readable_conditions() {
    let assert = mlstack()
        .args(["rules", "show", "mlx-is-gpu-not-ane", "--format", "json"])
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_str(&stdout_of(&assert)).unwrap();
    assert_eq!(doc["schema_version"], 1);
    let json = &doc["entries"];
    assert_eq!(json.as_array().unwrap().len(), 1);
    assert_eq!(
        json[0]["when"],
        "model-type includes any of vision, audio and (hardware is neural-engine or battery is critical)"
    );
    assert_eq!(
        json[0]["effect"],
        "+2 core-ml, +2 mlx-then-core-ml, +2 core-ai, +2 mlx-then-core-ai"
    );
    mlstack()
        .args(["rules", "show"])
        .assert()
        .success()
        .stdout(predicate::str::contains("no-gpu-in-ios-background"))
        .stdout(predicate::str::contains("checklist-1-generative-llm"));
}

#[test]
fn rules_show_unknown_id_suggests_one() {
    mlstack()
        .args(["rules", "show", "checklist-1"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "did you mean `checklist-1-generative-llm`?",
        ));
}

#[test]
fn questions_name_the_rules_that_use_them() {
    let assert = mlstack()
        .args(["questions", "--format", "json"])
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&assert)).unwrap();
    let battery = json["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["id"] == "battery")
        .unwrap();
    let used: Vec<&str> = battery["used_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(used.contains(&"checklist-4-battery-critical"), "{used:?}");
}

#[test]
fn explain_is_kept_in_markdown() {
    let assert = mlstack()
        .args([
            "recommend",
            "--model-type",
            "llm",
            "--explain",
            "--format",
            "markdown",
        ])
        .assert()
        .success();
    let out = stdout_of(&assert);
    assert!(out.contains("#### Trace"), "{out}");
    assert!(out.contains("| checklist-1-generative-llm"), "{out}");
    assert!(out.contains("| no: needs is none"), "{out}");
}

#[test]
fn rules_show_lists_plan_rules_in_words() {
    let assert = mlstack()
        .args([
            "rules",
            "show",
            "core-ai-one-runtime-for-both-layers",
            "--format",
            "json",
        ])
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_str(&stdout_of(&assert)).unwrap();
    let e = &doc["entries"][0];
    assert_eq!(e["kind"], "plan rule");
    assert_eq!(e["when"], "a model runs on core-ai");
    assert!(
        e["effect"]
            .as_str()
            .unwrap()
            .starts_with("moves to core-ai every other model where iteration is stable"),
        "{e}"
    );
    assert!(e["cite"].as_str().unwrap().contains("facts Q2"));
}
