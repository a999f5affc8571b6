//! The embedded rule set: valid, its own tests and conflict examples pass, and it encodes
//! every part of the article that DESIGN.md requires.

use mlstack::rule_tests;
use mlstack::rules::{DEFAULT_RULES_NAME, DEFAULT_RULES_YAML, default_rules, load_rules};

#[test]
fn the_rules_compiled_at_build_time_equal_a_fresh_parse() {
    let parsed = load_rules(DEFAULT_RULES_NAME, DEFAULT_RULES_YAML.as_bytes())
        .expect("embedded rules are valid");
    assert_eq!(default_rules(), parsed);
}

#[test]
fn every_embedded_test_and_conflict_example_passes() {
    let rules = default_rules();
    assert!(rules.tests.len() >= 25, "at least 25 embedded tests");
    let failures: Vec<String> = rule_tests::run_all(&rules)
        .iter()
        .filter(|r| !r.passed())
        .map(|r| {
            format!(
                "{}: expected {}, got {:?}",
                r.name,
                rules.outcomes[r.expected].id,
                r.got.map(|o| &rules.outcomes[o].id)
            )
        })
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn every_part_of_the_article_is_cited_by_a_rule() {
    let rules = default_rules();
    let cited = |needle: &str| rules.rules.iter().any(|r| r.cite.contains(needle));
    for needle in [
        "Decision checklist, item 1",
        "Decision checklist, item 2",
        "Decision checklist, item 3",
        "Decision checklist, item 4",
        "Decision checklist, item 5",
        "Side by side: Model type",
        "Side by side: Hardware target",
        "Side by side: Iteration speed",
        "Side by side: Distribution",
        "MLX targets the GPU, not the ANE",
        "Use both",
    ] {
        assert!(cited(needle), "no rule cites {needle:?}");
    }
}

#[test]
fn hard_facts_are_constraints_and_caveats_are_notes() {
    let rules = default_rules();
    let constraint = |id: &str, fact: &str| {
        let c = rules
            .constraints
            .iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("{id}"));
        assert!(c.source.contains(fact), "{id} cites {fact}");
    };
    constraint("no-mlx-on-watchos", "A1");
    constraint("no-mlx-on-intel-macs", "A5");
    constraint("no-core-ml-on-linux", "A8");
    constraint("no-gpu-in-ios-background", "J1");
    let note = |id: &str, fact: &str| {
        let n = rules
            .notes
            .iter()
            .find(|n| n.id == id)
            .unwrap_or_else(|| panic!("{id}"));
        assert!(n.cite.contains(fact), "{id} cites {fact}");
    };
    note("mlx-not-in-simulator", "A7");
    note("core-ml-kv-cache-needs-ios-18", "C2f");
    note("no-direct-mlx-to-core-ml-converter", "G3");
}

#[test]
fn the_named_conflicts_are_resolved_in_the_file() {
    let rules = default_rules();
    for id in [
        "battery-critical-llm",
        "stable-bundled-llm",
        "audio-with-custom-sampling",
    ] {
        let c = rules
            .conflicts
            .iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("{id}"));
        assert!(c.why.len() > 40, "{id} says why");
    }
}
