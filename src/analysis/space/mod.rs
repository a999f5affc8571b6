//! The answer space of a rule set, for whole-space analysis. Answers that no rule or
//! constraint can tell apart are grouped into classes with a weight (how many answers each
//! stands for), so enumerating classes is exact and much smaller than enumerating answers.

use std::collections::HashMap;

pub mod aggregate;
pub mod cases;
pub mod joint;
pub mod prune;

use crate::rules::{Mask, Question, RuleSet};

/// Questions with more legal answers than this cannot be enumerated (as many as one group of
/// the evaluator may tabulate).
pub const MAX_ANSWERS_PER_QUESTION: usize = crate::engine::evaluator::MAX_GROUP_ENTRIES;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Class {
    /// One answer of the class: the question's default if it is in the class, else the
    /// first in option order.
    pub answer: Mask,
    /// How many legal answers the class stands for.
    pub weight: u64,
}

#[derive(Debug, Clone)]
pub struct Dimension {
    pub question: usize,
    pub classes: Vec<Class>,
}

/// The distinct test masks that the rules and constraints of `rules` apply to question `q`.
pub fn test_masks(rules: &RuleSet, q: usize) -> Vec<Mask> {
    let mut masks = Vec::new();
    each_test(rules, |question, mask| {
        if question == q && !masks.contains(&mask) {
            masks.push(mask);
        }
    });
    masks
}

/// Call `f(question, mask)` for every test of every rule's and constraint's condition.
fn each_test(rules: &RuleSet, mut f: impl FnMut(usize, Mask)) {
    for rule in &rules.rules {
        if let Some(when) = &rule.when {
            when.for_each_test(&mut f);
        }
    }
    for constraint in &rules.constraints {
        constraint.when.for_each_test(&mut f);
    }
}

/// [`test_masks`] of every question, in one pass over the conditions.
pub fn all_test_masks(rules: &RuleSet) -> Vec<Vec<Mask>> {
    let mut masks: Vec<Vec<Mask>> = vec![Vec::new(); rules.questions.len()];
    each_test(rules, |question, mask| {
        if !masks[question].contains(&mask) {
            masks[question].push(mask);
        }
    });
    masks
}

/// The legal answers of `question`, grouped by how they answer every mask in `tests`;
/// `None` when the question has too many legal answers to enumerate.
pub fn classes(question: &Question, tests: &[Mask]) -> Option<Vec<Class>> {
    let legal = question.legal_answers(MAX_ANSWERS_PER_QUESTION)?;
    let mut index: HashMap<Vec<bool>, usize> = HashMap::new();
    let mut out: Vec<Class> = Vec::new();
    for answer in legal {
        let signature: Vec<bool> = tests.iter().map(|m| answer & m != 0).collect();
        match index.get(&signature) {
            Some(&i) => out[i].weight += 1,
            None => {
                index.insert(signature, out.len());
                out.push(Class { answer, weight: 1 });
            }
        }
    }
    // Prefer the default as a class's example: it reads as "nothing special here".
    if let Some(default) = question.default {
        let signature: Vec<bool> = tests.iter().map(|m| default & m != 0).collect();
        if let Some(&i) = index.get(&signature) {
            out[i].answer = default;
        }
    }
    Some(out)
}

/// One dimension per question of `rules`, or `None` if a question cannot be enumerated.
pub fn dimensions(rules: &RuleSet) -> Option<Vec<Dimension>> {
    (0..rules.questions.len())
        .map(|q| {
            classes(&rules.questions[q], &test_masks(rules, q)).map(|classes| Dimension {
                question: q,
                classes,
            })
        })
        .collect()
}

/// Number of answer sets the dimensions stand for, and number of class combinations.
pub fn sizes(dims: &[Dimension]) -> (u128, u128) {
    dims.iter().fold((1u128, 1u128), |(answers, classes), d| {
        let weight: u128 = d.classes.iter().map(|c| u128::from(c.weight)).sum();
        (
            answers.saturating_mul(weight),
            classes.saturating_mul(d.classes.len() as u128),
        )
    })
}

/// Call `f(answers, weight)` for every combination of classes, with the first dimension
/// limited to `first` (so the work can be split between threads). Questions without a
/// dimension keep their answer from `base`. Stops early when `f` returns false.
pub fn for_each(
    dims: &[Dimension],
    base: &[Mask],
    first: std::ops::Range<usize>,
    mut f: impl FnMut(&[Mask], u64) -> bool,
) {
    if dims.is_empty() {
        f(base, 1);
        return;
    }
    if first.is_empty() {
        return;
    }
    let mut index = vec![0usize; dims.len()];
    index[0] = first.start;
    let mut answers = base.to_vec();
    for (d, dim) in dims.iter().enumerate() {
        answers[dim.question] = dim.classes[index[d]].answer;
    }
    loop {
        let weight = dims
            .iter()
            .zip(&index)
            .fold(1u64, |w, (d, &i)| w.saturating_mul(d.classes[i].weight));
        if !f(&answers, weight) {
            return;
        }
        // Odometer: the last dimension turns fastest.
        let mut d = dims.len();
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            index[d] += 1;
            let end = if d == 0 {
                first.end
            } else {
                dims[d].classes.len()
            };
            if index[d] < end {
                answers[dims[d].question] = dims[d].classes[index[d]].answer;
                break;
            }
            if d == 0 {
                return;
            }
            index[d] = 0;
            answers[dims[d].question] = dims[d].classes[0].answer;
        }
    }
}

/// A small, fast, seedable generator (splitmix64) for sampling answer spaces.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniformly random legal answer to `q`.
    pub fn answer(&mut self, q: &Question) -> Mask {
        let n = q.options.len();
        loop {
            let candidate = match q.kind {
                crate::rules::Kind::Single => 1u64 << (self.next_u64() % n as u64),
                crate::rules::Kind::Multi => {
                    let all = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
                    self.next_u64() & all
                }
            };
            if q.accepts(candidate) {
                return candidate;
            }
        }
    }
}

/// Run `visit` over every class combination on up to `threads` threads, each with its own
/// state from `init`; returns the states, one per thread, for the caller to merge.
pub fn par_for_each<S: Send>(
    dims: &[Dimension],
    base: &[Mask],
    threads: usize,
    init: impl Fn() -> S + Sync,
    visit: impl Fn(&mut S, &[Mask], u64) + Sync,
) -> Vec<S> {
    let n = dims.first().map_or(0, |d| d.classes.len());
    split(n, threads, |range| {
        let mut state = init();
        for_each(dims, base, range, |a, w| {
            visit(&mut state, a, w);
            true
        });
        state
    })
}

/// Split `0..n` into up to `threads` contiguous ranges, run `work` on each in its own thread,
/// and return the results in range order.
pub fn split<S: Send>(
    n: usize,
    threads: usize,
    work: impl Fn(std::ops::Range<usize>) -> S + Sync,
) -> Vec<S> {
    let threads = threads.clamp(1, n.max(1));
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let work = &work;
                s.spawn(move || work((n * t / threads)..(n * (t + 1) / threads)))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("worker thread"))
            .collect()
    })
}

/// Run `work` on each of `0..n` on up to `threads` threads, each taking the next index not
/// yet taken (cases differ in size by orders of magnitude, so fixed ranges leave one thread
/// with most of the work), and return the results in index order.
pub fn each_shared<S: Send>(n: usize, threads: usize, work: impl Fn(usize) -> S + Sync) -> Vec<S> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, S)> = split(threads.clamp(1, n.max(1)), threads, |_| {
        let mut mine = Vec::new();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if i >= n {
                return mine;
            }
            mine.push((i, work(i)));
        }
    })
    .into_iter()
    .flatten()
    .collect();
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, s)| s).collect()
}

/// Put the dimension with the most classes first, so work splits evenly between threads.
pub fn widest_first(dims: &mut [Dimension]) {
    if let Some(widest) = (0..dims.len()).max_by_key(|&d| dims[d].classes.len()) {
        dims.swap(0, widest);
    }
}

/// Whether some change of question `q` alone can change the winner, for some answers to the
/// questions marked `free` (the others held at `base`). `None` when that space is too large
/// to enumerate.
pub fn can_change_winner(
    eval: &crate::engine::evaluator::Evaluator,
    base: &[Mask],
    free: &[bool],
    q: usize,
    limit: u128,
) -> Option<bool> {
    joint::can_change_winner(eval, base, free, q, limit)
        .or_else(|| can_change_winner_per_question(eval, base, free, q, limit))
}

/// [`can_change_winner`] over per-question classes (for evaluators that are not tabulated).
pub fn can_change_winner_per_question(
    eval: &crate::engine::evaluator::Evaluator,
    base: &[Mask],
    free: &[bool],
    q: usize,
    limit: u128,
) -> Option<bool> {
    let rules = eval.rules();
    let mine = classes(&rules.questions[q], &test_masks(rules, q))?;
    if mine.len() < 2 {
        return Some(false);
    }
    let mut others = Vec::new();
    for (o, is_free) in free.iter().enumerate() {
        if *is_free && o != q {
            others.push(Dimension {
                question: o,
                classes: classes(&rules.questions[o], &test_masks(rules, o))?,
            });
        }
    }
    if sizes(&others).1.saturating_mul(mine.len() as u128) > limit {
        return None;
    }
    let mut found = false;
    let mut work = base.to_vec();
    let n = others.first().map_or(0, |d| d.classes.len());
    for_each(&others, base, 0..n, |answers, _| {
        work.copy_from_slice(answers);
        let mut first: Option<Option<usize>> = None;
        for class in &mine {
            work[q] = class.answer;
            let w = eval.winner(&work);
            match first {
                None => first = Some(w),
                Some(f) if f != w => {
                    found = true;
                    return false;
                }
                Some(_) => {}
            }
        }
        true
    });
    Some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn findings() -> RuleSet {
        crate::rules::load_rules(
            "check-findings.yaml",
            include_bytes!("../../../tests/fixtures/check-findings.yaml"),
        )
        .unwrap()
    }

    /// A multi-choice question of three options (`r` in a copy of the findings fixture made
    /// multi-choice) split by one test: the 4 answers holding `n` and the 3 without.
    #[test]
    fn classes_group_answers_by_the_tests_and_prefer_the_default() {
        let mut rules = findings();
        let q = &mut rules.questions.to_mut()[2];
        q.kind = crate::rules::Kind::Multi;
        let copy = q.options[0].clone();
        q.options.to_mut().push(copy);
        q.default = Some(0b100);
        let classes = classes(&rules.questions[2], &[0b010]).unwrap();
        assert_eq!(
            classes,
            [
                Class {
                    answer: 0b100,
                    weight: 3
                },
                Class {
                    answer: 0b010,
                    weight: 4
                }
            ]
        );
        // No test: one class of every legal answer.
        let one = super::classes(&rules.questions[2], &[]).unwrap();
        assert_eq!(
            one,
            [Class {
                answer: 0b100,
                weight: 7
            }]
        );
    }

    fn dims() -> Vec<Dimension> {
        let class = |answer, weight| Class { answer, weight };
        vec![
            Dimension {
                question: 0,
                classes: vec![class(1, 2), class(2, 3)],
            },
            Dimension {
                question: 2,
                classes: vec![class(4, 5), class(8, 1), class(16, 7)],
            },
        ]
    }

    #[test]
    fn sizes_multiply_weights_and_classes() {
        assert_eq!(sizes(&dims()), (5 * 13, 2 * 3));
        assert_eq!(sizes(&[]), (1, 1));
    }

    /// Every combination once, in odometer order, with the product of its weights; the first
    /// dimension limited to its range; other questions kept from `base`; stopping on request.
    #[test]
    fn for_each_visits_every_combination_once() {
        let base = [0, 99, 0];
        let mut seen = Vec::new();
        for_each(&dims(), &base, 0..2, |a, w| {
            seen.push((a.to_vec(), w));
            true
        });
        let expect: Vec<(Vec<Mask>, u64)> = [(1, 2), (2, 3)]
            .iter()
            .flat_map(|&(a0, w0)| {
                [(4, 5), (8, 1), (16, 7)].map(move |(a2, w2)| (vec![a0, 99, a2], w0 * w2))
            })
            .collect();
        assert_eq!(seen, expect);
        let mut second_half = Vec::new();
        for_each(&dims(), &base, 1..2, |a, _| {
            second_half.push(a.to_vec());
            true
        });
        assert_eq!(
            second_half,
            [vec![2, 99, 4], vec![2, 99, 8], vec![2, 99, 16]]
        );
        let mut count = 0;
        for_each(&dims(), &base, 0..2, |_, _| {
            count += 1;
            count < 4
        });
        assert_eq!(count, 4);
        let mut empty = Vec::new();
        for_each(&[], &base, 0..0, |a, w| {
            empty.push((a.to_vec(), w));
            true
        });
        assert_eq!(empty, [(base.to_vec(), 1)]);
        for_each(&dims(), &base, 1..1, |_, _| {
            panic!("an empty range visits nothing")
        });
    }

    #[test]
    fn split_covers_the_range_in_order_with_at_most_n_threads() {
        let ranges = split(10, 3, |r| r);
        assert_eq!(ranges, [0..3, 3..6, 6..10]);
        assert_eq!(split(2, 8, |r| r), [0..1, 1..2]);
        assert_eq!(split(0, 4, |r| r.len()), vec![0]);
        let sums = par_for_each(&dims(), &[0, 0, 0], 2, || 0u64, |s, _, w| *s += w);
        assert_eq!(sums, [2 * 13, 3 * 13]);
    }

    #[test]
    fn the_widest_dimension_goes_first() {
        let mut d = dims();
        widest_first(&mut d);
        assert_eq!(d[0].question, 2);
        assert_eq!(d[1].question, 0);
    }

    /// Random answers are legal, and every option turns up.
    #[test]
    fn random_answers_are_legal_and_reach_every_option() {
        let rules = crate::rules::default_rules();
        let mut rng = Rng::new(3);
        for q in &rules.questions {
            let mut union = 0;
            // Enough draws for the exclusive "none of these" of a multi-choice question of ten
            // options (one legal answer in 512).
            for _ in 0..6000 {
                let a = rng.answer(q);
                assert!(q.accepts(a), "{}: {a:b}", q.id);
                union |= a;
            }
            assert_eq!(union, (1u64 << q.options.len()) - 1, "{}", q.id);
        }
        assert_ne!(Rng::new(1).next_u64(), Rng::new(2).next_u64());
    }

    /// In the findings fixture `second` only feeds a rule that never matters; `first` decides.
    #[test]
    fn whether_a_question_can_change_the_winner() {
        let rules = findings();
        let eval = crate::engine::evaluator::Evaluator::new(&rules);
        let base = vec![1, 1, 1];
        let free = vec![true; 3];
        for check in [can_change_winner, can_change_winner_per_question] {
            assert_eq!(check(&eval, &base, &free, 0, u128::MAX), Some(true));
            assert_eq!(check(&eval, &base, &free, 1, u128::MAX), Some(false));
            assert_eq!(check(&eval, &base, &free, 2, u128::MAX), Some(true));
        }
        // Held at `first: y`, `third` still matters (y with n rules everything out).
        let held = [false, true, true];
        assert_eq!(
            can_change_winner_per_question(&eval, &[2, 1, 1], &held, 2, u128::MAX),
            Some(true)
        );
        // Held at `first: x`, `third` does not: m ties a with b (a wins the tie), n leaves a.
        assert_eq!(
            can_change_winner_per_question(&eval, &[1, 1, 1], &held, 2, u128::MAX),
            Some(false)
        );
        // Too many combinations for the limit: no answer. The limit is inclusive: exactly as
        // many combinations as it allows are tried.
        assert_eq!(
            can_change_winner_per_question(&eval, &base, &free, 0, 1),
            None
        );
        let combinations: u128 = (0..3)
            .map(|q| {
                classes(&rules.questions[q], &test_masks(&rules, q))
                    .unwrap()
                    .len() as u128
            })
            .product();
        assert!(combinations > 1);
        assert_eq!(
            can_change_winner_per_question(&eval, &base, &free, 0, combinations),
            Some(true)
        );
        assert_eq!(
            can_change_winner_per_question(&eval, &base, &free, 0, combinations - 1),
            None
        );
    }

    /// The generator is splitmix64 exactly (Steele, Lea and Flood; the reference outputs for
    /// seed 0), so `rules check --seed N` samples the same answer sets in every version.
    #[test]
    fn the_generator_is_splitmix64() {
        let mut rng = Rng::new(0);
        let first: Vec<u64> = (0..4).map(|_| rng.next_u64()).collect();
        assert_eq!(
            first,
            [
                0xE220_A839_7B1D_CDAF,
                0x6E78_9E6A_A1B9_65F4,
                0x06C4_5D18_8009_454F,
                0xF88B_B8A8_724C_81EC
            ]
        );
    }

    #[test]
    fn all_test_masks_are_each_questions_test_masks() {
        let rules = crate::rules::default_rules();
        let all = all_test_masks(&rules);
        assert_eq!(all.len(), rules.questions.len());
        for (q, masks) in all.iter().enumerate() {
            assert_eq!(masks, &test_masks(&rules, q), "question {q}");
        }
        assert!(all.iter().any(|m| m.len() > 1));
    }
}
