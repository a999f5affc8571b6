//! What an inspection proves, as answers to the rule set's questions (source "model"). Only
//! questions and options the rule set has are answered, so a custom rule file without them
//! simply gets fewer answers.

use super::{Converted, Inspection, ModelType};
use crate::answers::Given;
use crate::rules::RuleSet;

/// Bucket edges of the default rules' `model-size` question, in parameters. They sit a little
/// above the round numbers so that models named 1B, 4B and 8B (Gemma 3 1B has 1.0 B
/// parameters, Gemma 3 4B 4.3 B, Llama 3.1 8B 8.0 B) land in the bucket their names give;
/// under 100M is exact (a 100M model is at a keyboard extension's ceiling at 4 bits).
pub const SIZE_EDGES: [(u64, &str); 4] = [
    (100_000_000, "under-100m"),
    (950_000_000, "under-1b"),
    (4_500_000_000, "1b-to-4b"),
    (8_500_000_000, "4b-to-8b"),
];

/// The `model-size` option for a parameter count.
pub fn size_bucket(parameters: u64) -> &'static str {
    SIZE_EDGES
        .iter()
        .find(|(edge, _)| parameters < *edge)
        .map_or("over-8b", |(_, id)| id)
}

/// The answers as `(question id, option ids)`, before they meet a rule set.
pub type ModelAnswers = Vec<(&'static str, Vec<&'static str>)>;

/// What `found` proves, as question ids and option ids.
pub fn proven(found: &Inspection) -> ModelAnswers {
    let mut out: ModelAnswers = Vec::new();
    if let Some(t) = found.model_type {
        out.push(("model-type", vec![t.id()]));
    }
    if let Some(kind) = found.model_kind {
        out.push((
            "model-kind",
            vec![match kind {
                super::ModelKind::NeuralNetwork => "neural-network",
                super::ModelKind::Classical => "classical",
            }],
        ));
    }
    let sized = matches!(
        found.model_type,
        None | Some(ModelType::Llm | ModelType::Vlm | ModelType::Audio)
    );
    if let (true, Some(p)) = (sized, found.parameters) {
        out.push(("model-size", vec![size_bucket(p)]));
    }
    out.push(("converted", vec![found.converted.id()]));
    let mut needs = Vec::new();
    if found.stateful == Some(true) {
        needs.push("kv-cache");
    }
    if found.dynamic_shapes == Some(true) {
        needs.push("dynamic-shapes");
    }
    if !needs.is_empty() {
        out.push(("needs", needs));
    }
    // A converted model's graph is fixed: any decoding loop around it runs in app code.
    if matches!(found.converted, Converted::CoreMl | Converted::CoreAi) {
        out.push(("decoding", vec!["app-code"]));
    }
    out
}

/// The answers `found` proves for `rules`' questions.
pub fn to_answers(rules: &RuleSet, found: &Inspection) -> Given {
    let mut given: Given = vec![None; rules.questions.len()];
    for (question, options) in proven(found) {
        let Some(q) = rules.question_index(question) else {
            continue;
        };
        let question = &rules.questions[q];
        // A rule set written before the under-100m bucket (session 17) takes such a model as
        // under 1B, the bucket it was in then.
        let mask =
            question
                .answer_mask(options.iter().copied())
                .or_else(|e| match options.as_slice() {
                    ["under-100m"] => question.answer_mask(["under-1b"]),
                    _ => Err(e),
                });
        if let Ok(mask) = mask {
            given[q] = Some(mask);
        }
    }
    given
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_sizes_land_in_their_buckets() {
        assert_eq!(size_bucket(24_000_000), "under-100m");
        assert_eq!(size_bucket(124_439_808), "under-1b");
        assert_eq!(size_bucket(494_032_768), "under-1b");
        assert_eq!(size_bucket(999_885_952), "1b-to-4b");
        assert_eq!(size_bucket(4_300_000_000), "1b-to-4b");
        assert_eq!(size_bucket(8_030_261_248), "4b-to-8b");
        assert_eq!(size_bucket(9_240_000_000), "over-8b");
    }

    /// A model under 100M parameters is under 1B for a rule set written before the smaller
    /// bucket, and under 100M for today's.
    #[test]
    fn a_rule_set_without_the_smallest_bucket_gets_the_next_one() {
        let found = Inspection {
            model_type: Some(ModelType::Llm),
            parameters: Some(90_000),
            ..Inspection::default()
        };
        let size_of = |rules: &RuleSet| {
            let q = rules.question_index("model-size").unwrap();
            let mask = to_answers(rules, &found)[q].unwrap();
            rules.questions[q].options[mask.trailing_zeros() as usize]
                .id
                .to_string()
        };
        let before = include_str!("../../tests/fixtures/default-2026-11-30-one-verdict.yaml");
        let before = crate::rules::load_rules("old.yaml", before.as_bytes()).unwrap();
        assert_eq!(size_of(&before), "under-1b");
        assert_eq!(size_of(&crate::rules::default_rules()), "under-100m");
    }

    #[test]
    fn a_stateful_core_ml_model_proves_its_cache_and_app_code_decoding() {
        let found = Inspection {
            converted: Converted::CoreMl,
            stateful: Some(true),
            dynamic_shapes: Some(false),
            ..Inspection::default()
        };
        let p = proven(&found);
        assert!(p.contains(&("needs", vec!["kv-cache"])));
        assert!(p.contains(&("decoding", vec!["app-code"])));
        assert!(p.contains(&("converted", vec!["core-ml"])));
        assert!(p.iter().all(|(q, _)| *q != "model-type"));
    }
}
