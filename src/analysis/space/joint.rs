//! The answer space as classes of joint answers, one dimension per evaluator group. Within a
//! group, answers that bring the same points and exclude the same outcomes are one class,
//! whatever rules they fire, so the class product is far smaller than the product of
//! per-question classes; each class keeps the union of the rules its answers fire, which is
//! all `rules check` needs to tell whether removing a rule could change a verdict.

use std::collections::HashMap;

use super::{Class, classes, test_masks};
use crate::engine;
use crate::engine::evaluator::{Entry, Evaluator, LANES};
use crate::rules::{Mask, RuleSet};

/// One class of joint answers of a group.
#[derive(Debug, Clone)]
pub struct JointClass {
    /// One joint answer of the class, in the order of the dimension's questions.
    pub answers: Vec<Mask>,
    /// How many legal joint answers the class stands for.
    pub weight: u64,
    pub points: [i32; LANES],
    pub excluded: u64,
    /// Every rule that some answer of the class fires.
    pub fired: u64,
}

/// One evaluator group: its questions, each with its own classes, and the joint classes.
#[derive(Debug, Clone)]
pub struct JointDimension {
    pub questions: Vec<usize>,
    pub per_question: Vec<Vec<Class>>,
    pub classes: Vec<JointClass>,
}

/// Call `f(choice)` for every combination of one index below each of `sizes`, the last
/// turning fastest; `f` returns false to stop.
pub(crate) fn odometer(sizes: &[usize], mut f: impl FnMut(&[usize]) -> bool) {
    if sizes.contains(&0) {
        return;
    }
    let mut index = vec![0usize; sizes.len()];
    loop {
        if !f(&index) {
            return;
        }
        let mut d = sizes.len();
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            index[d] += 1;
            if index[d] < sizes[d] {
                break;
            }
            index[d] = 0;
        }
    }
}

/// The joint dimensions of `eval`'s rule set, or `None` when the evaluator is not tabulated
/// or a question has too many legal answers to enumerate.
pub fn dimensions(eval: &Evaluator) -> Option<Vec<JointDimension>> {
    dimensions_with(eval, &vec![None; eval.rules().questions.len()])
}

/// [`dimensions`] with some questions held at one answer (`fixed[q]`).
pub fn dimensions_with(eval: &Evaluator, fixed: &[Option<Mask>]) -> Option<Vec<JointDimension>> {
    let rules = eval.rules();
    let groups = eval.groups()?;
    let mut answers = vec![0 as Mask; rules.questions.len()];
    let mut out = Vec::with_capacity(groups.len());
    for (g, questions) in groups.into_iter().enumerate() {
        let per_question = questions
            .iter()
            .map(|&q| match fixed[q] {
                Some(answer) => Some(vec![Class { answer, weight: 1 }]),
                None => classes(&rules.questions[q], &test_masks(rules, q)),
            })
            .collect::<Option<Vec<_>>>()?;
        let sizes: Vec<usize> = per_question.iter().map(Vec::len).collect();
        let mut index: HashMap<([i32; LANES], u64), usize> = HashMap::new();
        let mut joint: Vec<JointClass> = Vec::new();
        // Per class, how many answers of its example are the question's default: the example
        // with the most defaults reads best ("nothing special here").
        let mut defaults: Vec<usize> = Vec::new();
        let mut failed = false;
        odometer(&sizes, |choice| {
            let mut weight = 1u64;
            for ((&q, classes), &c) in questions.iter().zip(&per_question).zip(choice) {
                answers[q] = classes[c].answer;
                weight = weight.saturating_mul(classes[c].weight);
            }
            let Some(e) = eval.group_entry(g, &answers) else {
                failed = true;
                return false;
            };
            let plain = questions
                .iter()
                .filter(|&&q| rules.questions[q].default == Some(answers[q]))
                .count();
            match index.get(&(e.points, e.excluded)) {
                Some(&i) => {
                    joint[i].weight = joint[i].weight.saturating_add(weight);
                    joint[i].fired |= e.fired;
                    if plain > defaults[i] {
                        defaults[i] = plain;
                        joint[i].answers = questions.iter().map(|&q| answers[q]).collect();
                    }
                }
                None => {
                    index.insert((e.points, e.excluded), joint.len());
                    defaults.push(plain);
                    joint.push(JointClass {
                        answers: questions.iter().map(|&q| answers[q]).collect(),
                        weight,
                        points: e.points,
                        excluded: e.excluded,
                        fired: e.fired,
                    });
                }
            }
            true
        });
        if failed {
            return None;
        }
        out.push(JointDimension {
            questions,
            per_question,
            classes: joint,
        });
    }
    Some(out)
}

/// Number of answer sets the dimensions stand for, and number of class combinations.
pub fn sizes(dims: &[JointDimension]) -> (u128, u128) {
    dims.iter().fold((1u128, 1u128), |(answers, classes), d| {
        let weight: u128 = d.classes.iter().map(|c| u128::from(c.weight)).sum();
        (
            answers.saturating_mul(weight),
            classes.saturating_mul(d.classes.len() as u128),
        )
    })
}

/// One combination of classes, as `visit` sees it.
pub struct Combination<'a> {
    /// The dimensions in enumeration order.
    dims: &'a [&'a JointDimension],
    /// The class of each dimension.
    choice: &'a [usize],
    questions: usize,
    pub weight: u64,
    pub points: &'a [i32; LANES],
    pub excluded: u64,
    pub fired: u64,
}

impl Combination<'_> {
    /// A full answer set of the combination (built on demand: only examples need one).
    pub fn answers(&self) -> Vec<Mask> {
        let mut answers = vec![0 as Mask; self.questions];
        for (dim, &c) in self.dims.iter().zip(self.choice) {
            for (&q, &a) in dim.questions.iter().zip(&dim.classes[c].answers) {
                answers[q] = a;
            }
        }
        answers
    }
}

/// Running sums over the first dimensions of a combination, so that turning the odometer
/// re-adds only the dimensions that moved.
#[derive(Clone, Copy, Default)]
struct Prefix {
    points: [i32; LANES],
    excluded: u64,
    fired: u64,
    weight: u64,
}

/// Run `visit` over every combination of classes on up to `threads` threads (the widest
/// dimension is split between them), each with its own state from `init`; returns the
/// states for the caller to merge.
pub fn par_for_each<S: Send>(
    dims: &[JointDimension],
    questions: usize,
    threads: usize,
    init: impl Fn() -> S + Sync,
    visit: impl Fn(&mut S, &Combination) + Sync,
) -> Vec<S> {
    // The widest dimension goes first, so the threads split it evenly.
    let mut order: Vec<&JointDimension> = dims.iter().collect();
    if let Some(widest) = (0..order.len()).max_by_key(|&d| order[d].classes.len()) {
        order.swap(0, widest);
    }
    let order = &order;
    let n = order.first().map_or(1, |d| d.classes.len());
    super::split(n, threads, |range| {
        let mut state = init();
        let mut sizes: Vec<usize> = order.iter().map(|d| d.classes.len()).collect();
        if let Some(first) = sizes.first_mut() {
            *first = range.len();
        }
        let mut prefix = vec![
            Prefix {
                weight: 1,
                ..Prefix::default()
            };
            order.len() + 1
        ];
        let mut choice = vec![0usize; order.len()];
        let mut last = vec![usize::MAX; order.len()];
        odometer(&sizes, |index| {
            // Recompute the sums from the first dimension whose class changed.
            let from = (0..index.len())
                .find(|&d| last[d] != index[d])
                .unwrap_or(index.len());
            for d in from..index.len() {
                let c = if d == 0 {
                    index[0] + range.start
                } else {
                    index[d]
                };
                choice[d] = c;
                last[d] = index[d];
                let class = &order[d].classes[c];
                let mut next = prefix[d];
                for (p, add) in next.points.iter_mut().zip(class.points) {
                    *p = p.wrapping_add(add);
                }
                next.excluded |= class.excluded;
                next.fired |= class.fired;
                next.weight = next.weight.saturating_mul(class.weight);
                prefix[d + 1] = next;
            }
            let total = &prefix[index.len()];
            visit(
                &mut state,
                &Combination {
                    dims: order,
                    choice: &choice,
                    questions,
                    weight: total.weight,
                    points: &total.points,
                    excluded: total.excluded,
                    fired: total.fired,
                },
            );
            true
        });
        state
    })
}

/// The questions no single change of which alters any verdict, over the whole space.
///
/// For question `q` of group `g`, every joint answer of `g` paired with the same answer
/// but another class of `q` gives a pair of contributions; `q` matters exactly when, for
/// some pair, some combination of the other groups' classes picks a different winner.
pub fn questions_without_effect(eval: &Evaluator, dims: &[JointDimension]) -> Vec<usize> {
    let mut dead: Vec<usize> = dims
        .iter()
        .flat_map(|d| &d.questions)
        .copied()
        .filter(|&q| !matters(eval, dims, q))
        .collect();
    dead.sort_unstable();
    dead
}

/// Whether some change of question `q` alone can change the winner, with the questions not
/// marked `free` held at their answers in `base`; `None` when the evaluator is not tabulated
/// or the free space has more than `limit` class combinations.
pub fn can_change_winner(
    eval: &Evaluator,
    base: &[Mask],
    free: &[bool],
    q: usize,
    limit: u128,
) -> Option<bool> {
    let fixed: Vec<Option<Mask>> = base
        .iter()
        .zip(free)
        .enumerate()
        .map(|(i, (&a, &f))| (!f && i != q).then_some(a))
        .collect();
    let dims = dimensions_with(eval, &fixed)?;
    if sizes(&dims).1 > limit {
        return None;
    }
    Some(matters(eval, &dims, q))
}

/// Whether some change of `q` alone changes the winner somewhere in the space of `dims`.
///
/// For `q` in group `g`, every joint answer of `g` paired with the same answer but another
/// class of `q` gives a pair of contributions; `q` matters exactly when, for some pair, some
/// combination of the other groups' classes picks a different winner.
fn matters(eval: &Evaluator, dims: &[JointDimension], q: usize) -> bool {
    let rules = eval.rules();
    let Some((g, dim, k)) = dims.iter().enumerate().find_map(|(g, d)| {
        let k = d.questions.iter().position(|&p| p == q)?;
        Some((g, d, k))
    }) else {
        return false;
    };
    let mut answers = vec![0 as Mask; rules.questions.len()];
    let mut pairs: Vec<(Entry, Entry)> = Vec::new();
    let sizes: Vec<usize> = dim.per_question.iter().map(Vec::len).collect();
    odometer(&sizes, |choice| {
        for ((&p, classes), &c) in dim.questions.iter().zip(&dim.per_question).zip(choice) {
            answers[p] = classes[c].answer;
        }
        let Some(here) = eval.group_entry(g, &answers) else {
            return true;
        };
        for (alt, class) in dim.per_question[k].iter().enumerate() {
            if alt == choice[k] {
                continue;
            }
            answers[q] = class.answer;
            if let Some(there) = eval.group_entry(g, &answers) {
                let differs = (here.points, here.excluded) != (there.points, there.excluded);
                let pair = (unfired(here), unfired(there));
                if differs && !pairs.contains(&pair) {
                    pairs.push(pair);
                }
            }
        }
        answers[q] = dim.per_question[k][choice[k]].answer;
        true
    });
    pairs
        .iter()
        .any(|(a, b)| some_other_combination_differs(rules, dims, g, a, b))
}

/// Only points and exclusions decide a winner.
fn unfired(e: Entry) -> Entry {
    Entry { fired: 0, ..e }
}

/// Whether some combination of the classes of every dimension but `g`, added to `a` and to
/// `b`, picks different winners.
fn some_other_combination_differs(
    rules: &RuleSet,
    dims: &[JointDimension],
    g: usize,
    a: &Entry,
    b: &Entry,
) -> bool {
    let others: Vec<&JointDimension> = dims
        .iter()
        .enumerate()
        .filter(|&(d, _)| d != g)
        .map(|(_, d)| d)
        .collect();
    let sizes: Vec<usize> = others.iter().map(|d| d.classes.len()).collect();
    let mut found = false;
    odometer(&sizes, |choice| {
        let (mut with_a, mut with_b) = (a.points, b.points);
        let (mut excl_a, mut excl_b) = (a.excluded, b.excluded);
        for (dim, &c) in others.iter().zip(choice) {
            let class = &dim.classes[c];
            for l in 0..LANES {
                with_a[l] = with_a[l].wrapping_add(class.points[l]);
                with_b[l] = with_b[l].wrapping_add(class.points[l]);
            }
            excl_a |= class.excluded;
            excl_b |= class.excluded;
        }
        found =
            engine::top_two(rules, &with_a, excl_a).0 != engine::top_two(rules, &with_b, excl_b).0;
        !found
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::space::{Rng, can_change_winner_per_question};
    use crate::rules::{default_rules, load_rules};

    /// Random answered/free splits of `rules`: joint and per-question classes agree on
    /// whether each free question can change the verdict.
    fn agree(rules: &crate::rules::RuleSet, cases: usize, seed: u64) {
        let eval = Evaluator::new(rules);
        let n = rules.questions.len();
        let mut rng = Rng::new(seed);
        for _ in 0..cases {
            let base: Vec<Mask> = rules.questions.iter().map(|q| rng.answer(q)).collect();
            let cut = (rng.next_u64() % n as u64) as usize;
            let free: Vec<bool> = (0..n)
                .map(|i| i >= cut && !rng.next_u64().is_multiple_of(3))
                .collect();
            for q in (0..n).filter(|&q| free[q]) {
                let joint = can_change_winner(&eval, &base, &free, q, u128::MAX);
                let per_question = can_change_winner_per_question(&eval, &base, &free, q, 300_000);
                if per_question.is_some() {
                    assert_eq!(
                        joint, per_question,
                        "question {q}, base {base:?}, free {free:?}"
                    );
                }
            }
        }
    }

    fn fixture(yaml: &str) -> crate::rules::RuleSet {
        load_rules("fixture.yaml", yaml.as_bytes()).unwrap()
    }

    /// The fast counterpart of the whole-space test below, on small rule sets.
    #[test]
    fn relevance_agrees_on_small_rule_sets() {
        agree(
            &fixture(include_str!("../../../tests/fixtures/check-findings.yaml")),
            60,
            1,
        );
        agree(
            &fixture(include_str!("../../../tests/fixtures/tiny.yaml")),
            10,
            2,
        );
        agree(
            &fixture(include_str!("../../../tests/fixtures/default-2026-04.yaml")),
            25,
            3,
        );
    }

    /// The findings fixture: `second` has no effect anywhere; the space is 8 answer sets in 8
    /// combinations; each combination's answers are one legal answer per question.
    #[test]
    fn the_findings_fixture_over_joint_classes() {
        let rules = fixture(include_str!("../../../tests/fixtures/check-findings.yaml"));
        let eval = Evaluator::new(&rules);
        let dims = dimensions(&eval).unwrap();
        assert_eq!(sizes(&dims), (8, 8));
        assert_eq!(questions_without_effect(&eval, &dims), [1]);
        let seen = std::sync::Mutex::new(Vec::new());
        let weights = par_for_each(
            &dims,
            3,
            2,
            || 0u64,
            |w, c| {
                *w += c.weight;
                seen.lock().unwrap().push(c.answers());
            },
        );
        assert_eq!(weights.iter().sum::<u64>(), 8);
        let mut seen = seen.into_inner().unwrap();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 8);
        assert!(
            seen.iter()
                .all(|a| a.iter().zip(&rules.questions).all(|(&m, q)| q.accepts(m)))
        );
        // A limit below the space's size gives no answer; the limit is inclusive.
        assert_eq!(can_change_winner(&eval, &[1, 1, 1], &[true; 3], 0, 1), None);
        assert_eq!(can_change_winner(&eval, &[1, 1, 1], &[true; 3], 0, 7), None);
        assert_eq!(
            can_change_winner(&eval, &[1, 1, 1], &[true; 3], 0, 8),
            Some(true)
        );
    }

    /// Two yes/no-like questions (`p`, or the default `q`) and the given rules.
    fn two_questions(rules: &str) -> crate::rules::RuleSet {
        fixture(&format!(
            r#"
name: examples
outcomes:
  - {{id: a, name: A, summary: a}}
  - {{id: b, name: B, summary: b}}
questions:
  - id: one
    prompt: One?
    kind: single
    default: q
    options: [{{id: p, label: P}}, {{id: q, label: Q}}]
  - id: two
    prompt: Two?
    kind: single
    default: q
    options: [{{id: p, label: P}}, {{id: q, label: Q}}]
rules:
{rules}
  - id: b-always
    score: {{b: 1}}
    why: w
    cite: c
tie_break: [a, b]
confidence: {{strong: 2, moderate: 1}}
"#
        ))
    }

    /// The classes of the group of questions `one` and `two`: (weight, example, fired rules).
    fn pair_classes(rules: &crate::rules::RuleSet) -> Vec<(u64, Vec<Mask>, u64)> {
        let eval = Evaluator::new(rules);
        let dims = dimensions(&eval).unwrap();
        let group = dims.iter().find(|d| d.questions == [0, 1]).unwrap();
        let mut classes: Vec<_> = group
            .classes
            .iter()
            .map(|c| (c.weight, c.answers.clone(), c.fired))
            .collect();
        classes.sort();
        classes
    }

    /// Joint answers that do the same are one class: its example is the member with the most
    /// default answers ("nothing special here"; of members with as many, the first in option
    /// order, so examples are the same from run to run), and it fires every rule any member
    /// fires (what "removal changes no verdict" needs).
    #[test]
    fn a_joint_class_shows_its_most_default_member_and_fires_what_its_members_fire() {
        let (p, q) = (0b01, 0b10);
        // (p, p), (p, q) and (q, p) all fire `either-p`: one class of weight 3.
        let either = two_questions(
            "  - {id: either-p, when: {any: [{one: p}, {two: p}]}, score: {a: 1}, why: w, cite: c}",
        );
        assert_eq!(
            pair_classes(&either),
            [(1, vec![q, q], 0b10), (3, vec![p, q], 0b11)]
        );
        // (p, q) and (q, p) score the same through different rules; `both-p` puts the two
        // questions in one group and sets (p, p) apart.
        let each = two_questions(
            "  - {id: one-p, when: {one: p}, score: {a: 1}, why: w, cite: c}
  - {id: two-p, when: {two: p}, score: {a: 1}, why: w, cite: c}
  - {id: both-p, when: {one: p, two: p}, score: {b: 1}, why: w, cite: c}",
        );
        assert_eq!(
            pair_classes(&each),
            [
                (1, vec![p, p], 0b1111),
                (1, vec![q, q], 0b1000),
                (2, vec![p, q], 0b1011)
            ]
        );
    }

    /// Whether a question can change the verdict is the same through joint classes as
    /// through per-question classes, for random answered/free splits.
    #[test]
    fn relevance_agrees_with_per_question_classes() {
        let old = load_rules(
            "old.yaml",
            include_str!("../../../tests/fixtures/default-2026-04.yaml").as_bytes(),
        )
        .unwrap();
        let new = default_rules();
        agree(&old, 200, 7);
        agree(&new, 40, 7);
    }
}
