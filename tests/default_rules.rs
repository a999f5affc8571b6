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
                r.expected
                    .as_ref()
                    .map_or_else(|| "none".to_owned(), |p| mlstack::plan::id(&rules, p)),
                r.got.as_ref().map(|p| mlstack::plan::id(&rules, p))
            )
        })
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn every_part_of_the_article_is_cited_by_a_rule() {
    let rules = default_rules();
    // Rules about one model, and rules about the app's plan (the use-both pattern is one).
    let cited = |needle: &str| {
        rules.rules.iter().any(|r| r.cite.contains(needle))
            || rules.plan.rules.iter().any(|r| r.cite.contains(needle))
    };
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
        "os-27-llm-core-ai-or-mlx",
        "os-27-item-3-split",
        "os-27-perception-core-ai-or-core-ml",
        "os-27-background-core-ml",
        "built-in-precedence",
    ] {
        let c = rules
            .conflicts
            .iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("{id}"));
        assert!(c.why.len() > 40, "{id} says why");
    }
}

/// Where a framework the OS ships covers the job and nothing rules it out, it is the verdict:
/// its points are a precedence over every reason about how to ship a model (rule file,
/// scoring conventions). A language model (an LLM, or a VLM's) is covered only by Foundation
/// Models, or by Translation when it is a translator (session 16): next to one, a task
/// framework (Vision, Speech, ...) never takes the verdict from a stack the LLM can use. Checked over the whole answer space (joint classes keep the model type's `llm`
/// and the built-in framework apart, since both change the built-in outcome's points).
#[test]
fn built_in_wins_exactly_where_it_covers_the_job() {
    use mlstack::analysis::space::{self, joint};
    use mlstack::engine::evaluator::Evaluator;
    use mlstack::engine::top_two;

    let rules = default_rules();
    let built_in = rules.outcome_index("built-in").expect("built-in outcome");
    let model_type = rules.question_index("model-type").unwrap();
    let framework = rules.question_index("built-in").unwrap();
    let llm = rules.questions[model_type].option_index("llm").unwrap();
    let vlm = rules.questions[model_type].option_index("vlm").unwrap();
    let system_model = rules.questions[framework]
        .option_index("foundation-models")
        .unwrap();
    let translation = rules.questions[framework]
        .option_index("translation")
        .unwrap();
    let eval = Evaluator::new(&rules);
    // The model type and the framework are held at each of their classes in turn (answers in a
    // class do the same under every condition) and the rest of the space is aggregated into
    // its distinct sums, case by case.
    let classes_of = |q: usize| {
        space::classes(&rules.questions[q], &space::test_masks(&rules, q)).expect("enumerable")
    };
    let llm_bits = (1u64 << llm) | (1 << vlm);
    let all = (1u64 << rules.outcomes.len()) - 1;
    // Whether a model type has a language model is the same for every answer of its class.
    let model_types = classes_of(model_type);
    let tests = space::test_masks(&rules, model_type);
    for answer in rules.questions[model_type].legal_answers(64).unwrap() {
        let class = model_types
            .iter()
            .find(|c| {
                tests
                    .iter()
                    .all(|m| (c.answer & m != 0) == (answer & m != 0))
            })
            .unwrap();
        assert_eq!(class.answer & llm_bits != 0, answer & llm_bits != 0);
    }
    let (mut covering, mut lost, mut partial_won) = (0u128, 0u128, 0u128);
    let mut example: Option<Vec<u64>> = None;
    for mt in &model_types {
        for fw in classes_of(framework) {
            let mut fixed = vec![None; rules.questions.len()];
            fixed[model_type] = Some(mt.answer);
            fixed[framework] = Some(fw.answer);
            let weight = u128::from(mt.weight) * u128::from(fw.weight);
            let has_llm = mt.answer & llm_bits != 0;
            // Foundation Models writes text, and Translation writes a translator's (session 16):
            // either may take a language model's place.
            let is_system_model = fw.answer == 1 << system_model || fw.answer == 1 << translation;
            assert!(!is_system_model || fw.weight == 1);
            let (_, spaces) = joint::spaces(&eval, &fixed, None).expect("tabulated");
            for dims in &spaces {
                let order = joint::enumeration_order(dims);
                for total in joint::totals(&order, None).expect("aggregated") {
                    let (points, excluded) = total.key;
                    if excluded & (1 << built_in) != 0 {
                        continue;
                    }
                    let wins = top_two(&rules, &points, excluded).0 == Some(built_in);
                    let mut miss = || {
                        example.get_or_insert_with(|| {
                            joint::example(&order, rules.questions.len(), total.first)
                        });
                    };
                    if !has_llm || is_system_model {
                        covering += total.weight * weight;
                        if !wins {
                            lost += total.weight * weight;
                            miss();
                        }
                    } else if wins && excluded | (1 << built_in) != all {
                        partial_won += total.weight * weight;
                        miss();
                    }
                }
            }
        }
    }
    assert!(covering > 0, "built-in is possible somewhere");
    assert_eq!(
        lost, 0,
        "built-in covers the job but lost, e.g. {example:?}"
    );
    assert_eq!(
        partial_won, 0,
        "a task framework won next to an LLM, e.g. {example:?}"
    );
}

#[test]
fn os_27_facts_are_constraints_and_notes() {
    let rules = default_rules();
    let has = |id: &str, fact: &str| {
        let cite = rules
            .constraints
            .iter()
            .find(|c| c.id == id)
            .map(|c| &c.source)
            .or_else(|| rules.notes.iter().find(|n| n.id == id).map(|n| &n.cite))
            .unwrap_or_else(|| panic!("{id}"));
        assert!(cite.contains(fact), "{id} cites {fact}");
    };
    has("core-ai-needs-os-27", "L2");
    has("mlx-needs-ios-17", "A1");
    has("core-ai-is-for-neural-networks", "L9");
    has("system-model-needs-apple-intelligence", "M1");
    has("core-ai-not-in-simulator", "L7");
    has("core-ai-compute-unit-is-a-preference", "L20");
    has("ios-27-0-correctness", "L32");
    has("core-ai-converts-pytorch-only", "L14");
    has("background-inference-entitlement", "L34");
    has("foundation-models-limits", "M9");
}

/// Issue 23: each plan rule has a test of the rule file where it applies and one of an app with
/// several models where it does not.
#[test]
fn every_plan_rule_has_a_test_where_it_applies_and_one_where_it_does_not() {
    use mlstack::answers::{Answers, Source};
    use mlstack::plan::{compose, models};
    let rules = default_rules();
    assert!(!rules.plan.rules.is_empty());
    let mut applies = vec![Vec::new(); rules.plan.rules.len()];
    let mut not = vec![Vec::new(); rules.plan.rules.len()];
    for t in rules.tests.iter() {
        let answers = Answers {
            masks: t.answers.to_vec(),
            sources: vec![Source::File; t.answers.len()],
        };
        let split = models::split(&rules, &answers);
        if split.len() < 2 {
            continue;
        }
        let composed = compose::compose(&rules, split);
        for r in 0..rules.plan.rules.len() {
            if composed.applied.iter().any(|a| a.rule == r) {
                applies[r].push(t.name.to_string());
            } else {
                not[r].push(t.name.to_string());
            }
        }
    }
    for (r, rule) in rules.plan.rules.iter().enumerate() {
        assert!(!applies[r].is_empty(), "no test where {} applies", rule.id);
        assert!(
            !not[r].is_empty(),
            "no test of several models where {} does not apply",
            rule.id
        );
    }
}
