//! How long the interview is: every held-in test of a rule file replayed as a person at the
//! prompts, answering what is asked from the test's answers. Issue 12 asked that the grown
//! rule set keep the interview short; `cargo test --test interview_length -- --nocapture`
//! prints the medians recorded in docs/reference.md.

use mlstack::interview::interview;
use mlstack::prompt::{PromptError, Prompter};
use mlstack::rules::{Mask, Question, RuleSet, default_rules, load_rules};

/// Answers each question from a full answer set, counting the questions asked.
struct Person<'a> {
    rules: &'a RuleSet,
    answers: &'a [Mask],
    asked: usize,
}

impl Prompter for Person<'_> {
    fn ask(&mut self, q: &Question, _: Option<Mask>) -> Result<Mask, PromptError> {
        self.asked += 1;
        let i = self
            .rules
            .question_index(&q.id)
            .expect("a question of the rules");
        Ok(self.answers[i])
    }
}

/// Questions asked for each of `cases` (full answer sets of `rules`), sorted.
fn lengths(rules: &RuleSet, cases: &[Vec<Mask>]) -> Vec<usize> {
    let mut out: Vec<usize> = cases
        .iter()
        .map(|answers| {
            let mut person = Person {
                rules,
                answers,
                asked: 0,
            };
            let nothing_given = vec![None; rules.questions.len()];
            interview(rules, &nothing_given, &mut person).expect("no interruption");
            person.asked
        })
        .collect();
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

/// The answers of `from`'s tests carried over to `to` by question and option id; questions
/// `to` adds take their defaults.
fn carry(from: &RuleSet, to: &RuleSet) -> Vec<Vec<Mask>> {
    from.tests
        .iter()
        .map(|t| {
            to.questions
                .iter()
                .map(|q| match from.question_index(&q.id) {
                    Some(i) => {
                        let ids = from.questions[i].option_ids(t.answers[i]);
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
    let april_cases: Vec<Vec<Mask>> = april.tests.iter().map(|t| t.answers.to_vec()).collect();
    let before = lengths(&april, &april_cases);
    let after_same = lengths(&today, &carry(&april, &today));
    let all_today: Vec<Vec<Mask>> = today.tests.iter().map(|t| t.answers.to_vec()).collect();
    let after_all = lengths(&today, &all_today);
    println!(
        "questions asked, median over held-in tests: April rules ({} questions) {} over its {} tests; \
         today's rules ({} questions) {} over the same tests, {} over all {} of today's tests",
        april.questions.len(),
        median(&before),
        before.len(),
        today.questions.len(),
        median(&after_same),
        median(&after_all),
        after_all.len(),
    );
    // Eight questions were added; the proof that a question cannot matter must keep most of
    // them out of the way: at most three more questions, in the median, for the same apps.
    // (The eighth, `converted`, matters for nearly every app; `--model PATH` answers it, and
    // the model type and size, from the model's files.)
    assert!(
        median(&after_same) <= median(&before) + 3.0,
        "{before:?} -> {after_same:?}"
    );
    assert!(
        *after_all.last().unwrap() < today.questions.len(),
        "some question is always skipped"
    );
}
