//! A batch line's answers, two ways. Most lines of a grid are the plain shape — a JSON object
//! of `question: option` or `question: [options]`, every id known and written without
//! escapes — and [`quick`] reads their keys and option ids in place: no copies, no locations,
//! no intermediate list of pairs. Anything else (an unknown question or option, a boolean or
//! a number, an escaped string, a list for a single-choice question, not JSON) gets `None`
//! there and goes the [`located`] way, which accepts every shape the answers language allows
//! and says exactly what is wrong. For every line `quick` accepts, its answers are
//! `located`'s (tested below, and fuzzed by `fuzz/fuzz_targets/batch_line.rs`).

use std::fmt;

use serde::Deserializer as _;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use serde_saphyr::Spanned;

use crate::answers::{self, Given};
use crate::rules::{Kind, Mask, OneOrMany, Pairs, Question, RuleSet};

/// A line's answers: the app's, and the models it lists (`models`, as in an answers file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineAnswers {
    pub given: Given,
    pub models: Vec<answers::FileModel>,
}

/// A line's answers, or what is wrong with the line.
pub fn answers(rules: &RuleSet, text: &str) -> Result<LineAnswers, String> {
    match quick(rules, text) {
        Some(given) => Ok(LineAnswers {
            given,
            models: Vec::new(),
        }),
        None => located_with_models(rules, text),
    }
}

/// A line's answers the located way: every shape the answers language allows, and a message
/// naming each problem.
pub fn located(rules: &RuleSet, text: &str) -> Result<Given, String> {
    let pairs: Pairs<Spanned<OneOrMany>> = serde_json::from_str(text).map_err(|e| {
        format!("not a JSON object of answers ({e}); expected e.g. {{\"model-type\": \"llm\"}}")
    })?;
    answers::given_from_pairs(rules, &pairs).map_err(|problems| {
        let messages: Vec<String> = problems.into_iter().map(|(_, m)| m).collect();
        messages.join("; ")
    })
}

/// [`located`], and a line that lists its models (`"models": [{"name": ..., ...}]`) read as
/// an answers file reads them.
fn located_with_models(rules: &RuleSet, text: &str) -> Result<LineAnswers, String> {
    let plain = located(rules, text);
    let lists_models = plain.is_err()
        && serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text)
            .is_ok_and(|object| object.contains_key("models"));
    if !lists_models {
        return plain.map(|given| LineAnswers {
            given,
            models: Vec::new(),
        });
    }
    let parsed = answers::parse_models(rules, "line", text.as_bytes()).map_err(|e| {
        e.problems
            .iter()
            .map(|p| format!("column {}: {}", p.column, p.message))
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    Ok(LineAnswers {
        given: parsed.given,
        models: parsed.models,
    })
}

/// The answers of a plain line, or `None` to take the located way.
pub fn quick(rules: &RuleSet, text: &str) -> Option<Given> {
    let mut json = serde_json::Deserializer::from_str(text);
    let given = json.deserialize_map(Line(rules)).ok()?;
    json.end().ok()?;
    Some(given)
}

/// The line: each key a question of `rules`, each value its answer.
struct Line<'r>(&'r RuleSet);

impl<'de> Visitor<'de> for Line<'_> {
    type Value = Given;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping of question ids to option ids")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Given, A::Error> {
        let rules = self.0;
        let mut given: Given = vec![None; rules.questions.len()];
        while let Some(key) = map.next_key::<&'de str>()? {
            let q = rules
                .question_index(key)
                .ok_or_else(|| de::Error::custom("unknown question"))?;
            // A later key for the same question wins, as on the located way.
            given[q] = Some(map.next_value_seed(Answer(&rules.questions[q]))?);
        }
        Ok(given)
    }
}

/// One question's answer: an option id, or a list of them for a multi-choice question.
struct Answer<'q>(&'q Question);

impl Answer<'_> {
    fn mask<'a, E: de::Error>(&self, ids: impl IntoIterator<Item = &'a str>) -> Result<Mask, E> {
        let ids: Vec<&str> = ids.into_iter().collect();
        // `true` and `false` may stand for `yes` and `no`: the located way decides.
        if ids.iter().any(|&id| id == "true" || id == "false") {
            return Err(E::custom("a boolean-like id"));
        }
        self.0
            .answer_mask(ids)
            .map_err(|_| E::custom("not a legal answer"))
    }
}

impl<'de> DeserializeSeed<'de> for Answer<'_> {
    type Value = Mask;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Mask, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Answer<'_> {
    type Value = Mask;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an option id or a list of option ids, without escapes")
    }

    fn visit_borrowed_str<E: de::Error>(self, id: &'de str) -> Result<Mask, E> {
        self.mask([id])
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Mask, A::Error> {
        if self.0.kind == Kind::Single {
            return Err(de::Error::custom("a list for a single-choice question"));
        }
        let mut ids: Vec<&'de str> = Vec::new();
        while let Some(id) = seq.next_element::<&'de str>()? {
            ids.push(id);
        }
        self.mask(ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::default_rules;

    fn located(rules: &RuleSet, text: &str) -> Option<Given> {
        super::located(rules, text).ok()
    }

    /// Plain lines take the quick way with the located way's answers; every other shape is
    /// declined, whether the located way accepts it (booleans, escapes) or not.
    #[test]
    fn plain_lines_are_quick_and_agree_and_the_rest_are_declined() {
        let rules = default_rules();
        let plain = [
            r#"{}"#,
            r#"{"model-type": "llm"}"#,
            r#" { "model-type" : ["llm", "vision"], "hardware": "gpu" } "#,
            r#"{"model-type": "llm", "model-type": "vision"}"#,
            r#"{"min-os": "macos14"}"#,
        ];
        for line in plain {
            let expected = located(&rules, line).unwrap_or_else(|| panic!("{line}"));
            assert_eq!(quick(&rules, line), Some(expected), "{line}");
        }
        let declined = [
            r#"{"ane-compatible": true}"#,
            r#"{"ane-compatible": "true"}"#,
            r#"{"model-type": "ll\u006d"}"#,
            r#"{"model-typ\u0065": "llm"}"#,
            r#"{"hardware": ["gpu"]}"#,
            r#"{"model-type": []}"#,
            r#"{"model-type": "llama"}"#,
            r#"{"model-kind": "llm"}"#,
            r#"{"min-os": 26}"#,
            r#"{"model-type": null}"#,
            r#"{"model-type": {"llm": 1}}"#,
            r#"{"model-type": "llm"} x"#,
            r#"["model-type", "llm"]"#,
            r#"{"model-type": "llm""#,
            "",
        ];
        for line in declined {
            assert_eq!(quick(&rules, line), None, "{line}");
        }
        // Of those, the located way accepts the boolean, the escaped ones and the number.
        for line in &declined[..4] {
            assert!(located(&rules, line).is_some(), "{line}");
        }
    }

    /// Random answer sets of the default rules, written as a grid would write them: all quick,
    /// all the located way's answers.
    #[test]
    fn random_plain_lines_agree_with_the_located_way() {
        let rules = default_rules();
        let mut rng = crate::analysis::space::Rng::new(5);
        for _ in 0..500 {
            let mut line = serde_json::Map::new();
            for q in rules.questions.iter() {
                if rng.next_u64().is_multiple_of(3) {
                    continue;
                }
                let ids: Vec<&str> = q.option_ids(rng.answer(q));
                let value = match q.kind {
                    Kind::Single => serde_json::Value::from(ids[0]),
                    Kind::Multi => serde_json::Value::from(ids),
                };
                line.insert(q.id.to_string(), value);
            }
            let text = serde_json::Value::Object(line).to_string();
            let expected = located(&rules, &text);
            assert!(expected.is_some(), "{text}");
            assert_eq!(quick(&rules, &text), expected, "{text}");
        }
    }
}
