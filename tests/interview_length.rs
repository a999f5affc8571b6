//! How long the interview is: every held-in test of a rule file replayed as a person at the
//! prompts, answering what is asked from the test's answers. Issue 12 asked that the grown
//! rule set keep the interview short; `cargo test --test interview_length -- --nocapture`
//! prints the medians recorded in docs/reference.md.

use mlstack::interview::interview;
use mlstack::prompt::{Ask, PromptError, Prompter};
use mlstack::rules::{Mask, RuleSet, Scope, default_rules, load_rules};

/// Answers each question from a full answer set (for a model, the options that are for it),
/// recording what was asked of whom.
struct Person<'a> {
    rules: &'a RuleSet,
    answers: &'a [Mask],
    asked: Vec<(usize, Option<String>)>,
}

impl Prompter for Person<'_> {
    fn ask(&mut self, ask: &Ask<'_>) -> Result<Mask, PromptError> {
        let q = ask.question;
        let i = self
            .rules
            .question_index(&q.id)
            .expect("a question of the rules");
        self.asked.push((i, ask.model.map(str::to_owned)));
        let answer = self.answers[i] & ask.offered;
        Ok(if answer != 0 {
            answer
        } else {
            ask.default
                .unwrap_or(ask.offered & ask.offered.wrapping_neg())
        })
    }
}

/// What was asked (question, model) in each of `cases` (full answer sets of `rules`).
fn sessions(rules: &RuleSet, cases: &[Vec<Mask>]) -> Vec<Vec<(usize, Option<String>)>> {
    cases
        .iter()
        .map(|answers| {
            let mut person = Person {
                rules,
                answers,
                asked: Vec::new(),
            };
            let nothing_given = vec![None; rules.questions.len()];
            interview(rules, &nothing_given, &mut person).expect("no interruption");
            person.asked
        })
        .collect()
}

/// Questions asked for each of `cases` (full answer sets of `rules`), sorted.
fn lengths(rules: &RuleSet, cases: &[Vec<Mask>]) -> Vec<usize> {
    sorted_lengths(&sessions(rules, cases))
}

/// How many questions each session asked, sorted.
fn sorted_lengths(sessions: &[Vec<(usize, Option<String>)>]) -> Vec<usize> {
    let mut out: Vec<usize> = sessions.iter().map(Vec::len).collect();
    out.sort_unstable();
    out
}

fn median(sorted: &[usize]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2] as f64
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0
    }
}

/// `cases` of `from` carried over to `to` by question and option id; questions `to` adds take
/// their defaults.
fn carry_cases(from: &RuleSet, to: &RuleSet, cases: &[Vec<Mask>]) -> Vec<Vec<Mask>> {
    cases
        .iter()
        .map(|answers| {
            to.questions
                .iter()
                .map(|q| match from.question_index(&q.id) {
                    Some(i) => {
                        let ids = from.questions[i].option_ids(answers[i]);
                        q.answer_mask(ids).expect("same options")
                    }
                    None => q.default.expect("new questions have defaults"),
                })
                .collect()
        })
        .collect()
}

#[test]
fn the_interview_stays_short_as_the_rules_grow() {
    let april = load_rules(
        "default-2026-04.yaml",
        include_str!("fixtures/default-2026-04.yaml").as_bytes(),
    )
    .unwrap();
    let today = default_rules();
    // One model (one model type) and several: a two-model interview asks each question once,
    // for both models, so it is measured on its own.
    let models = |rules: &RuleSet, answers: &[Mask]| {
        rules
            .question_index("model-type")
            .map_or(1, |q| answers[q].count_ones())
    };
    let april_cases: Vec<Vec<Mask>> = april.tests.iter().map(|t| t.answers.to_vec()).collect();
    let (one, several): (Vec<Vec<Mask>>, Vec<Vec<Mask>>) = april_cases
        .into_iter()
        .partition(|a| models(&april, a) == 1);
    let before = lengths(&april, &one);
    let after_same = lengths(&today, &carry_cases(&april, &today, &one));
    let before_several = lengths(&april, &several);
    let several_sessions = sessions(&today, &carry_cases(&april, &today, &several));
    let after_several = sorted_lengths(&several_sessions);
    let all_today: Vec<Vec<Mask>> = today.tests.iter().map(|t| t.answers.to_vec()).collect();
    let all_sessions = sessions(&today, &all_today);
    let after_all = sorted_lengths(&all_sessions);
    println!(
        "questions asked, median over held-in tests of one model: April rules ({} questions) {} over \
         its {} tests; today's rules ({} questions) {} over the same tests; two models: {} -> {} \
         over {} tests; {} over all {} of today's tests",
        april.questions.len(),
        median(&before),
        before.len(),
        today.questions.len(),
        median(&after_same),
        median(&before_several),
        median(&after_several),
        several.len(),
        median(&after_all),
        after_all.len(),
    );
    // Issue 23 split the app into models; the one-model interview must not grow with it: its
    // median stays at most the one-verdict rules' (the pinned fixture of the day before), for
    // the same apps. (Issue 12's eight added questions took it from April's 6 to 10; the
    // proof that a question cannot matter keeps the rest out of the way.)
    let one_verdict = load_rules(
        "default-2026-11-30-one-verdict.yaml",
        include_str!("fixtures/default-2026-11-30-one-verdict.yaml").as_bytes(),
    )
    .unwrap();
    let before_split = lengths(&one_verdict, &carry_cases(&april, &one_verdict, &one));
    println!(
        "one model, same tests, rules before the per-model split: {}",
        median(&before_split)
    );
    // Issue 24 lets a cross-platform runtime win (one engine with Android or desktops, a GGUF
    // or ONNX file in hand), so `portability` and `converted` now matter where they did not:
    // its budget is at most two more questions on the median than before it (10 -> 11 today).
    assert!(
        median(&after_same) <= median(&before_split) + 2.0,
        "{before_split:?} -> {after_same:?}"
    );
    // Two models: a question about the app is asked once, a question about the model at most
    // once per model (and only of a model it can matter for).
    for asked in &several_sessions {
        for (at, (q, model)) in asked.iter().enumerate() {
            assert!(
                !asked[..at].contains(&(*q, model.clone())),
                "asked twice: {asked:?}"
            );
            if today.questions[*q].scope == Scope::App {
                assert!(
                    model.is_none(),
                    "an app question asked per model: {asked:?}"
                );
            }
        }
    }
    // Some question is always skipped (for every model).
    let most_questions = all_sessions
        .iter()
        .map(|asked| {
            let mut questions: Vec<usize> = asked.iter().map(|(q, _)| *q).collect();
            questions.sort_unstable();
            questions.dedup();
            questions.len()
        })
        .max()
        .unwrap();
    assert!(
        most_questions < today.questions.len(),
        "some question is always skipped"
    );
}
