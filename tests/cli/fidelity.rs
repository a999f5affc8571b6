//! The article's verdicts survive the rule set's growth: with the questions added since
//! (OS 27, built-in frameworks, classical ML) at their defaults, no verdict of the April 2026
//! rule file (kept as a fixture) changes, over its whole answer space.

use crate::util::{fixture, mlstack, stdout_of};

#[test]
fn no_verdict_of_the_article_rules_moves_at_the_new_questions_defaults() {
    let new_rules = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/default.yaml");
    let assert = mlstack()
        .args(["rules", "diff", "--fail-on-change", "--format", "json"])
        .arg(fixture("default-2026-04.yaml"))
        .arg(new_rules)
        .assert()
        .success();
    let diff: serde_json::Value = serde_json::from_str(&stdout_of(&assert)).unwrap();
    assert_eq!(diff["coverage"]["mode"], "exhaustive");
    assert_eq!(
        diff["compared"], 54_425_088u64,
        "the article rules' whole space"
    );
    assert_eq!(diff["changed"], 0, "{:#}", diff["changes"]);
    let held: Vec<&str> = diff["caveats"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c.as_str())
        .collect();
    for question in ["min-os", "built-in", "apple-intelligence", "model-kind"] {
        assert!(
            held.iter().any(|c| c.contains(&format!("`{question}`"))),
            "{question} held at its default: {held:?}"
        );
    }
}

#[test]
fn the_fixture_still_gives_the_article_verdicts() {
    // The fixture is the article rule file as it was: its own tests still pass.
    mlstack()
        .args(["rules", "test"])
        .arg(fixture("default-2026-04.yaml"))
        .assert()
        .success();
}
