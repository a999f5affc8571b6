//! Cases: how whole-space analysis stays exact when some conditions look at questions of
//! several evaluator groups (the evaluator's factors).
//!
//! Groups are independent only if every rule and constraint lies within one. A factor (a
//! condition across groups) is carried by one of its groups, the one it is *kept* in; its
//! questions in the other groups are *conditioned on*: the space is split into cases, one per
//! way those questions answer the factor's tests, and within a case the factor depends on its
//! kept group's answers alone. Each case is then analysed as before, with groups independent,
//! and the cases add up to the whole space (they partition it).

use super::classes;
use crate::engine::evaluator::Evaluator;
use crate::rules::{Mask, Question, RuleSet};

/// Where each factor is carried, and what the space is split on.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    /// Per group, the factors it carries.
    pub carried: Vec<Vec<usize>>,
    /// Questions conditioned on, each with the tests its cases are told apart by.
    pub conditioned: Vec<(usize, Vec<Mask>)>,
}

/// One case: for each conditioned question, how its answers must answer its tests.
#[derive(Debug, Clone, Default)]
pub struct Case {
    /// (question, tests, an answer of the case): answers of the case answer every test as
    /// this one does.
    pub limits: Vec<(usize, Vec<Mask>, Mask)>,
}

impl Case {
    /// Whether `answer` to `q` belongs to this case.
    pub fn allows(&self, q: usize, answer: Mask) -> bool {
        self.limits
            .iter()
            .filter(|(p, _, _)| *p == q)
            .all(|(_, tests, example)| {
                tests
                    .iter()
                    .all(|m| (answer & m != 0) == (example & m != 0))
            })
    }
}

/// The tests (question, mask) of the conditions tabulated in each factor of `eval`.
fn factor_tests(rules: &RuleSet, factors: &[Vec<usize>]) -> Vec<Vec<(usize, Mask)>> {
    let masks: Vec<Mask> = factors
        .iter()
        .map(|qs| qs.iter().fold(0, |m, &q| m | 1 << q))
        .collect();
    let mut tests: Vec<Vec<(usize, Mask)>> = vec![Vec::new(); factors.len()];
    let conditions = rules
        .rules
        .iter()
        .filter_map(|r| r.when.as_ref())
        .chain(rules.constraints.iter().map(|c| &c.when));
    for condition in conditions {
        if let Some(f) = masks.iter().position(|&m| m == condition.questions()) {
            condition.for_each_test(&mut |q, mask| {
                if !tests[f].contains(&(q, mask)) {
                    tests[f].push((q, mask));
                }
            });
        }
    }
    tests
}

impl Layout {
    /// The layout for an analysis with the questions of `fixed` held at one answer; with
    /// `free_of`, that question is never conditioned on (the factors it is in are kept in its
    /// group), so that all its answers meet in each case. `None` when `eval` is not tabulated
    /// or a question has too many answers to enumerate.
    pub fn new(eval: &Evaluator, fixed: &[Option<Mask>], free_of: Option<usize>) -> Option<Self> {
        let rules = eval.rules();
        let groups = eval.groups()?;
        let mut group_of = vec![0usize; rules.questions.len()];
        for (g, qs) in groups.iter().enumerate() {
            for &q in qs {
                group_of[q] = g;
            }
        }
        let factors = eval.factors();
        let tests = factor_tests(rules, &factors);
        // How many joint answers of per-question classes each group has: the largest group
        // is the dearest to condition on.
        let breadth: Vec<u128> = groups
            .iter()
            .map(|qs| {
                qs.iter()
                    .filter(|&&q| fixed[q].is_none())
                    .map(|&q| {
                        classes(&rules.questions[q], &super::test_masks(rules, q))
                            .map_or(u128::MAX, |c| c.len() as u128)
                    })
                    .fold(1u128, u128::saturating_mul)
            })
            .collect();
        let mut layout = Layout {
            carried: vec![Vec::new(); groups.len()],
            conditioned: Vec::new(),
        };
        for (f, qs) in factors.iter().enumerate() {
            let mut free: Vec<usize> = qs
                .iter()
                .filter(|&&q| fixed[q].is_none())
                .map(|&q| group_of[q])
                .collect();
            free.sort_unstable();
            free.dedup();
            let masks_of = |q: usize| -> Vec<Mask> {
                tests[f]
                    .iter()
                    .filter(|(p, _)| *p == q)
                    .map(|&(_, m)| m)
                    .collect()
            };
            // How many cases conditioning on the factor's questions outside group `k` makes.
            let cases_outside = |k: usize| -> Option<u128> {
                qs.iter()
                    .filter(|&&q| fixed[q].is_none() && group_of[q] != k)
                    .map(|&q| classes(&rules.questions[q], &masks_of(q)).map(|c| c.len() as u128))
                    .try_fold(1u128, |n, c| c.map(|c| n.saturating_mul(c)))
            };
            let kept = match free.len() {
                0 => group_of[qs[0]],
                1 => free[0],
                _ => match free_of.filter(|q| qs.contains(q) && fixed[*q].is_none()) {
                    Some(q) => group_of[q],
                    None => {
                        let mut best = (u128::MAX, 0u128, free[0]);
                        for &k in &free {
                            let cost = (cases_outside(k)?, u128::MAX - breadth[k], k);
                            if cost < best {
                                best = cost;
                            }
                        }
                        best.2
                    }
                },
            };
            layout.carried[kept].push(f);
            for &q in qs {
                if fixed[q].is_some() || group_of[q] == kept {
                    continue;
                }
                split_on(&mut layout.conditioned, q, masks_of(q));
            }
        }
        layout.conditioned.sort_by_key(|(q, _)| *q);
        Some(layout)
    }

    /// Every case of the layout, in odometer order (the last conditioned question turning
    /// fastest); one empty case when nothing is conditioned on. `None` when a conditioned
    /// question has too many answers to enumerate.
    pub fn cases(&self, rules: &RuleSet) -> Option<Vec<Case>> {
        cases_of(
            &self.conditioned,
            &rules.questions.iter().collect::<Vec<_>>(),
        )
    }

    /// Whether `q` is conditioned on.
    pub fn conditions(&self, q: usize) -> bool {
        self.conditioned.iter().any(|(p, _)| *p == q)
    }
}

/// Add `masks` to the tests question `q` is split on in `conditioned`, each once.
pub fn split_on(conditioned: &mut Vec<(usize, Vec<Mask>)>, q: usize, masks: Vec<Mask>) {
    match conditioned.iter_mut().find(|(p, _)| *p == q) {
        Some((_, have)) => {
            for m in masks {
                if !have.contains(&m) {
                    have.push(m);
                }
            }
        }
        None => conditioned.push((q, masks)),
    }
}

/// Every case of splitting on `conditioned` ((question, tests), by index into `questions`),
/// in odometer order (the last question turning fastest); one empty case when it is empty.
/// `rules diff` splits on the questions both files share, over their common options. `None`
/// when a question has too many answers to enumerate.
pub fn cases_of(conditioned: &[(usize, Vec<Mask>)], questions: &[&Question]) -> Option<Vec<Case>> {
    let per_question: Vec<Vec<Mask>> = conditioned
        .iter()
        .map(|(q, masks)| {
            classes(questions[*q], masks).map(|cs| cs.into_iter().map(|c| c.answer).collect())
        })
        .collect::<Option<_>>()?;
    let sizes: Vec<usize> = per_question.iter().map(Vec::len).collect();
    let mut out = Vec::new();
    super::joint::odometer(&sizes, |choice| {
        out.push(Case {
            limits: conditioned
                .iter()
                .zip(&per_question)
                .zip(choice)
                .map(|(((q, masks), answers), &c)| (*q, masks.clone(), answers[c]))
                .collect(),
        });
        true
    });
    Some(out)
}
