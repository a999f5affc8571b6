//! Answers from flags and answers files, merged with the rule set's defaults into one full
//! answer set. Precedence: flags > answers file > the model's files > prompts > defaults.

use std::fmt;

use serde_saphyr::Spanned;

use crate::rules::{self, Mask, OneOrMany, Pairs, RuleSet};

/// Where an answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Flag,
    File,
    /// Read from the model's own files (`--model PATH`).
    Model,
    Prompt,
    /// Not answered: the question's default was assumed.
    Default,
}

/// One answer per question, every question answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answers {
    pub masks: Vec<Mask>,
    pub sources: Vec<Source>,
}

impl Answers {
    /// A bit per question nobody answered that applies to this model (its `ask_if` holds):
    /// the answers a verdict may rest on without anyone giving them. A question that does not
    /// apply is never asked (an LLM assumes no model kind), so it is not one of them.
    pub fn assumed(&self, rules: &crate::rules::RuleSet) -> Mask {
        (0..rules.questions.len())
            .filter(|&q| self.sources[q] == Source::Default)
            .filter(|&q| rules.questions[q].applies(&self.masks))
            .fold(0, |m, q| m | (1 << q))
    }
}

/// All the answers as one run of bytes: a hasher like SipHash (the standard map's, which
/// keeps a hostile batch file from crowding one bucket) costs a fraction as much per byte of
/// one slice as per small value, and a batch's memo hashes every line's answers.
impl std::hash::Hash for Answers {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_usize(self.masks.len());
        let mut bytes = [0u8; 576];
        let mut used = 0;
        for (mask, source) in self.masks.iter().zip(&self.sources) {
            if used + 9 > bytes.len() {
                state.write(&bytes[..used]);
                used = 0;
            }
            bytes[used..used + 8].copy_from_slice(&mask.to_le_bytes());
            bytes[used + 8] = *source as u8;
            used += 9;
        }
        state.write(&bytes[..used]);
    }
}

/// Answers given so far, per question index; `None` where unanswered.
pub use rules::listed::Given;

/// A problem in an answers file, located at the offending key or value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: u64,
    pub column: u64,
    pub message: String,
}

/// The problems of an answers file: every key is checked, so all of them are listed at once.
#[derive(Debug, Clone)]
pub struct AnswersFileError {
    pub file: String,
    pub problems: Vec<Problem>,
}

impl std::error::Error for AnswersFileError {}

impl fmt::Display for AnswersFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.problems.len() > 1 {
            write!(f, "{} problems:", self.problems.len())?;
        }
        let sep = if self.problems.len() > 1 { "\n" } else { "" };
        for p in &self.problems {
            write!(
                f,
                "{sep}{}:{}:{}: {}",
                self.file, p.line, p.column, p.message
            )?;
        }
        Ok(())
    }
}

/// Parse an answers file (YAML or JSON): a mapping from question id to an option id or a
/// list of option ids. Unknown keys and values are errors naming the key.
/// What a file that does not parse most likely is, in words a person can act on, where the
/// parser's own message would mislead: JSON Lines (several answer sets, for `--batch`), or a
/// tab in a line's indentation (reported by the parser at the end of the line before).
fn misread(text: &str) -> Option<Problem> {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    let json_line = |l: &str| l.trim().starts_with('{') && l.trim().ends_with('}');
    if lines.len() > 1 && lines.iter().all(|(_, l)| json_line(l)) {
        return Some(Problem {
            line: lines[1].0 as u64 + 1,
            column: 1,
            message: "this looks like JSON Lines, one answer set per line: give it to --batch \
                      FILE (--answers takes one answer set)"
                .to_owned(),
        });
    }
    let (line, column) = text.lines().enumerate().find_map(|(i, l)| {
        let indent = &l[..l.len() - l.trim_start().len()];
        indent.find('\t').map(|c| (i as u64 + 1, c as u64 + 1))
    })?;
    Some(Problem {
        line,
        column,
        message: "a tab indents this line; YAML indents with spaces only".to_owned(),
    })
}

/// A model an answers file describes under `models:`: its name and its own answers.
pub type FileModel = rules::ListedModel;

/// An answers file: the answers for the app (and every model), and the models it lists.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FileAnswers {
    pub given: Given,
    pub models: Vec<FileModel>,
}

/// [`parse_models`] for a file that lists no models (`models:` is an error naming the key).
pub fn parse_file(rules: &RuleSet, file: &str, bytes: &[u8]) -> Result<Given, AnswersFileError> {
    let parsed = parse_models(rules, file, bytes)?;
    if parsed.models.is_empty() {
        return Ok(parsed.given);
    }
    Err(AnswersFileError {
        file: file.to_owned(),
        problems: vec![Problem {
            line: 1,
            column: 1,
            message: "`models:` lists models, which this reader does not take".to_owned(),
        }],
    })
}

/// Parse an answers file (YAML or JSON): a mapping from question id to an option id or a
/// list of option ids, and optionally `models:`, a list of `{name, <answers of that model>}`.
pub fn parse_models(
    rules: &RuleSet,
    file: &str,
    bytes: &[u8],
) -> Result<FileAnswers, AnswersFileError> {
    let fail = |d: rules::Diagnostic| AnswersFileError {
        file: d.file,
        problems: vec![Problem {
            line: d.line,
            column: d.column,
            message: d.message,
        }],
    };
    let text = rules::decode(file, bytes, "the answers file")
        .map_err(|e| fail(e.diagnostics.into_iter().next().expect("one diagnostic")))?;
    let doc: rules::AnswersDoc = serde_saphyr::from_str_with_options(text, rules::yaml_options())
        .map_err(|e| {
        // Every key whose value has the wrong shape, not only the first.
        let parse = |t: &str| {
            serde_saphyr::from_str_with_options::<Pairs<Spanned<OneOrMany>>>(
                t,
                rules::yaml_options(),
            )
            .map(|_| ())
        };
        if let Some(problem) = misread(text) {
            return AnswersFileError {
                file: file.to_owned(),
                problems: vec![problem],
            };
        }
        let mut found = rules::answers_problems(file, text, &e, parse);
        if found.is_empty() {
            found.push(rules::yaml_error(file, &e));
        }
        let shape = " (an answers file maps question ids to answers, e.g. `model-type: llm`)";
        AnswersFileError {
            file: file.to_owned(),
            problems: found
                .into_iter()
                .map(|d| Problem {
                    line: d.line,
                    column: d.column,
                    message: d.message + shape,
                })
                .collect(),
        }
    })?;
    let located = |problems: Vec<(serde_saphyr::Location, String)>| AnswersFileError {
        file: file.to_owned(),
        problems: problems
            .into_iter()
            .map(|(loc, message)| Problem {
                line: loc.line(),
                column: loc.column(),
                message,
            })
            .collect(),
    };
    let given = given_from_pairs(rules, &doc.pairs).map_err(located)?;
    let models = match &doc.models {
        Some(list) => rules::listed::models_from_list(&rules.questions, list, &given, "at the top")
            .map_err(located)?,
        None => Vec::new(),
    };
    Ok(FileAnswers { given, models })
}

/// Check `question: answer` pairs against the rule set; on error, every problem with the
/// location of the offending key or value (unknown for sources without locations, such as
/// JSON lines).
pub fn given_from_pairs(
    rules: &RuleSet,
    pairs: &Pairs<Spanned<OneOrMany>>,
) -> Result<Given, Vec<(serde_saphyr::Location, String)>> {
    rules::listed::given_from_pairs(&rules.questions, pairs)
}

/// Required questions nobody answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingAnswers {
    /// Question ids, in rule-set order.
    pub questions: Vec<String>,
}

impl fmt::Display for MissingAnswers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let flags: Vec<String> = self.questions.iter().map(|q| format!("--{q}")).collect();
        write!(
            f,
            "missing required answer{}: pass {}",
            if flags.len() == 1 { "" } else { "s" },
            flags.join(" and ")
        )
    }
}

/// Merge answers by precedence (earlier layers win) and fill the rest from defaults.
pub fn resolve(rules: &RuleSet, layers: &[(&Given, Source)]) -> Result<Answers, MissingAnswers> {
    let (answers, missing) = merge_layers(rules, layers);
    if missing.is_empty() {
        Ok(answers)
    } else {
        Err(MissingAnswers { questions: missing })
    }
}

/// [`resolve`] for answers still being collected (the interview's): a question with neither
/// an answer nor a default holds no option.
pub fn merge(rules: &RuleSet, layers: &[(&Given, Source)]) -> Answers {
    merge_layers(rules, layers).0
}

/// The merged answers, and the ids of the questions that have no answer and no default.
fn merge_layers(rules: &RuleSet, layers: &[(&Given, Source)]) -> (Answers, Vec<String>) {
    let mut masks = Vec::with_capacity(rules.questions.len());
    let mut sources = Vec::with_capacity(rules.questions.len());
    let mut missing = Vec::new();
    for (q, question) in rules.questions.iter().enumerate() {
        let given = layers
            .iter()
            .find_map(|(given, source)| given[q].map(|mask| (mask, *source)));
        match given.or(question.default.map(|d| (d, Source::Default))) {
            Some((mask, source)) => {
                masks.push(mask);
                sources.push(source);
            }
            None => {
                missing.push(question.id.to_string());
                masks.push(0);
                sources.push(Source::Default);
            }
        }
    }
    (Answers { masks, sources }, missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> RuleSet {
        rules::default_rules()
    }

    fn hash_of(answers: &Answers) -> u64 {
        use std::hash::{BuildHasher, BuildHasherDefault};
        BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(answers)
    }

    /// Equal answers hash equal, however long (past the 64 answers one write holds); a
    /// different answer or source changes the hash.
    #[test]
    fn answers_hash_by_every_mask_and_source() {
        for len in [0, 1, 17, 63, 64, 65, 200] {
            let a = Answers {
                masks: (0..len).map(|i| 1 << (i % 7)).collect(),
                sources: (0..len)
                    .map(|i| [Source::Flag, Source::File, Source::Default][i % 3])
                    .collect(),
            };
            assert_eq!(hash_of(&a), hash_of(&a.clone()), "{len} answers");
            for i in (0..len).step_by(16).chain(len.checked_sub(1)) {
                let mut mask = a.clone();
                mask.masks[i] ^= 0b1000_0000;
                assert_ne!(hash_of(&a), hash_of(&mask), "{len} answers, mask {i}");
                let mut source = a.clone();
                source.sources[i] = Source::Model;
                assert_ne!(hash_of(&a), hash_of(&source), "{len} answers, source {i}");
            }
        }
    }

    #[test]
    fn flags_beat_files_beat_defaults() {
        let r = rules();
        let hw = r.question_index("hardware").unwrap();
        let mt = r.question_index("model-type").unwrap();
        let mut flags: Given = vec![None; r.questions.len()];
        let mut file: Given = vec![None; r.questions.len()];
        flags[hw] = Some(r.questions[hw].answer_mask(["gpu"]).unwrap());
        file[hw] = Some(r.questions[hw].answer_mask(["cpu"]).unwrap());
        file[mt] = Some(r.questions[mt].answer_mask(["llm"]).unwrap());
        let a = resolve(&r, &[(&flags, Source::Flag), (&file, Source::File)]).unwrap();
        assert_eq!(a.masks[hw], flags[hw].unwrap());
        assert_eq!(a.sources[hw], Source::Flag);
        assert_eq!(a.sources[mt], Source::File);
        let battery = r.question_index("battery").unwrap();
        assert_eq!(a.sources[battery], Source::Default);
        assert_eq!(Some(a.masks[battery]), r.questions[battery].default);
    }

    #[test]
    fn booleans_answer_yes_no_questions() {
        let r = crate::rules::default_rules();
        let text = "model-type: llm\nane-compatible: true\nbackground: false\n";
        let given = parse_file(&r, "a.yaml", text.as_bytes()).unwrap();
        let q = |id: &str| r.question_index(id).unwrap();
        let option = |id: &str, mask: Mask| r.questions[q(id)].option_ids(mask);
        assert_eq!(
            option("ane-compatible", given[q("ane-compatible")].unwrap()),
            ["yes"]
        );
        assert_eq!(
            option("background", given[q("background")].unwrap()),
            ["no"]
        );
        // Not for a question whose options are not yes and no.
        let err = parse_file(&r, "a.yaml", b"model-type: true\n").unwrap_err();
        assert!(err.to_string().contains("`true` is not an option"), "{err}");
    }

    #[test]
    fn missing_required_answers_are_all_named() {
        let r = rules();
        let none: Given = vec![None; r.questions.len()];
        let err = resolve(&r, &[(&none, Source::Flag)]).unwrap_err();
        assert_eq!(err.questions, ["model-type"]);
        assert_eq!(
            err.to_string(),
            "missing required answer: pass --model-type"
        );
    }

    /// A rule set with a question whose options include `yes` but not `no`, one with `yes`,
    /// `no` and `true`, and a multi-choice question.
    fn odd_options() -> RuleSet {
        let text = "name: odd\noutcomes:\n  - {id: a, name: A, summary: A.}\n  - {id: b, name: B, summary: B.}\n\
questions:\n\
  - {id: sure, prompt: Sure?, kind: single, default: maybe, options: [{id: yes, label: Y}, {id: maybe, label: M}]}\n\
  - {id: odd, prompt: Odd?, kind: single, default: no, options: [{id: yes, label: Y}, {id: no, label: N}, {id: 'true', label: T}]}\n\
  - {id: many, prompt: Many?, kind: multi, default: [x], options: [{id: x, label: X}, {id: y, label: Y}]}\n\
rules:\n  - {id: r, when: {sure: yes}, score: {a: 1}, why: W., cite: C}\n\
tie_break: [a, b]\nconfidence: {strong: 2, moderate: 1}\n";
        rules::load_rules("odd.yaml", text.as_bytes()).expect("valid rules")
    }

    #[test]
    fn booleans_become_yes_and_no_only_where_both_are_options_and_true_is_not() {
        let r = odd_options();
        // `sure` has `yes` but no `no`: `true` is not translated.
        let err = parse_file(&r, "a.yaml", b"sure: true\n").unwrap_err();
        assert!(err.to_string().contains("`true` is not an option"), "{err}");
        // `odd` has an option called `true`: it is taken as written.
        let given = parse_file(&r, "a.yaml", b"odd: true\n").unwrap();
        assert_eq!(r.questions[1].option_ids(given[1].unwrap()), ["true"]);
        let given = parse_file(&r, "a.yaml", b"odd: false\n");
        assert!(given.is_err(), "`false` is not translated either");
    }

    #[test]
    fn one_problem_is_one_line_and_several_are_counted() {
        let one = AnswersFileError {
            file: "a.yaml".into(),
            problems: vec![Problem {
                line: 2,
                column: 3,
                message: "bad".into(),
            }],
        };
        assert_eq!(one.to_string(), "a.yaml:2:3: bad");
        let two = AnswersFileError {
            file: "a.yaml".into(),
            problems: vec![one.problems[0].clone(), one.problems[0].clone()],
        };
        assert_eq!(
            two.to_string(),
            "2 problems:\na.yaml:2:3: bad\na.yaml:2:3: bad"
        );
    }

    #[test]
    fn every_bad_key_is_reported_where_it_is() {
        let r = odd_options();
        let err = parse_file(&r, "a.yaml", b"sur: yes\nsure: [yes]\nmany: [x, z]\n").unwrap_err();
        let found: Vec<(u64, u64, &str)> = err
            .problems
            .iter()
            .map(|p| (p.line, p.column, p.message.as_str()))
            .collect();
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!((found[0].0, found[0].1), (1, 1));
        assert!(
            found[0].2.contains("unknown question `sur`"),
            "{}",
            found[0].2
        );
        assert!(
            found[0].2.contains("did you mean `sure`?"),
            "{}",
            found[0].2
        );
        assert_eq!((found[1].0, found[1].1), (2, 7));
        assert!(
            found[1].2.contains("takes a single option"),
            "{}",
            found[1].2
        );
        // The unknown list item itself, not the list.
        assert_eq!((found[2].0, found[2].1), (3, 11));
        assert!(
            found[2].2.contains("`z` is not an option"),
            "{}",
            found[2].2
        );
        let given = parse_file(&r, "a.yaml", b"many: [y, x]\nsure: yes\n").unwrap();
        assert_eq!(given, vec![Some(1), None, Some(0b11)]);
    }

    #[test]
    fn the_first_layer_that_answers_wins_and_only_defaults_are_marked_default() {
        let r = odd_options();
        let first: Given = vec![None, Some(0b010), None];
        let second: Given = vec![Some(0b01), Some(0b001), None];
        let a = resolve(&r, &[(&first, Source::Flag), (&second, Source::Model)]).unwrap();
        assert_eq!(a.masks, vec![0b01, 0b010, 0b01]);
        assert_eq!(
            a.sources,
            vec![Source::Model, Source::Flag, Source::Default]
        );
    }

    #[test]
    fn several_missing_answers_are_joined() {
        let err = MissingAnswers {
            questions: vec!["a".into(), "b".into()],
        };
        assert_eq!(
            err.to_string(),
            "missing required answers: pass --a and --b"
        );
    }

    #[test]
    fn answers_file_values_are_checked() {
        let r = rules();
        let err = parse_file(&r, "a.yaml", b"needs: [none, kv-cache]\n").unwrap_err();
        assert_eq!(err.problems.len(), 1);
        let problem = &err.problems[0];
        assert_eq!((problem.line, problem.column), (1, 8));
        assert!(
            problem.message.contains("cannot be combined"),
            "{}",
            problem.message
        );
        let given = parse_file(&r, "a.yaml", b"ane-compatible: yes\nbackground: no\n").unwrap();
        let q = r.question_index("ane-compatible").unwrap();
        assert_eq!(r.questions[q].option_ids(given[q].unwrap()), ["yes"]);
    }
}
