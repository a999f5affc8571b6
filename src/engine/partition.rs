//! Which questions the evaluator tabulates together.
//!
//! Questions that one condition looks at share a group, so that each rule and constraint can
//! be tabulated within one group. A group's table has a row per joint answer, so groups are
//! capped; when the conditions would join more questions than the cap allows, some conditions
//! are left spanning groups and get tables of their own (factors). Whole-space analysis then
//! splits the space into cases on how a factor's questions outside one group answer its tests
//! (`analysis::space::cases`), so the partition should leave as few such cases as it can.
//! Joining greedily in one fixed order can cut the wrong conditions, so several orders are
//! tried and the partition with the fewest cases (then the fewest factors) wins. With no group
//! past the cap every order gives the connected components of the conditions.

use crate::rules::{Kind, Mask, Question};

/// One condition as partitioning sees it: the questions it looks at and its tests.
pub struct Looks {
    pub questions: Mask,
    pub tests: Vec<(usize, Mask)>,
}

/// The group of each question (numbered in order of their first question), with no group's
/// joint answers (the product of `sizes`) above `limit`. `sizes[q]` is the number of codes of
/// question `q` (`None`: too many to count, never joined).
pub fn partition(
    questions: &[Question],
    sizes: &[Option<usize>],
    conditions: &[Looks],
    limit: usize,
) -> Vec<usize> {
    let n = sizes.len();
    let product = |c: &Looks| -> u128 {
        (0..n)
            .filter(|&q| c.questions & (1 << q) != 0)
            .map(|q| sizes[q].map_or(u128::MAX, |s| s as u128))
            .fold(1u128, u128::saturating_mul)
    };
    let written: Vec<usize> = (0..conditions.len()).collect();
    let mut smallest_first = written.clone();
    smallest_first.sort_by_key(|&c| product(&conditions[c]));
    let mut largest_first = smallest_first.clone();
    largest_first.reverse();
    let orders = [
        written.clone(),
        smallest_first,
        largest_first,
        written.into_iter().rev().collect(),
    ];
    let mut best: Option<((u128, usize), Vec<usize>)> = None;
    for order in &orders {
        let groups = join(sizes, conditions, order, limit);
        let cost = cases(questions, conditions, &groups);
        if best.as_ref().is_none_or(|(c, _)| cost < *c) {
            best = Some((cost, groups));
        }
    }
    best.map(|(_, groups)| groups).unwrap_or_default()
}

fn find(parent: &mut [usize], x: usize) -> usize {
    let mut root = x;
    while parent[root] != root {
        root = parent[root];
    }
    parent[x] = root;
    root
}

/// Join each condition's questions, conditions taken in `order`, wherever the joined group
/// stays within `limit`.
fn join(
    sizes: &[Option<usize>],
    conditions: &[Looks],
    order: &[usize],
    limit: usize,
) -> Vec<usize> {
    let n = sizes.len();
    let mut parent: Vec<usize> = (0..n).collect();
    let mut size: Vec<Option<usize>> = sizes.to_vec();
    for &c in order {
        let qs: Vec<usize> = (0..n)
            .filter(|&q| conditions[c].questions & (1 << q) != 0)
            .collect();
        for pair in qs.windows(2) {
            let (ra, rb) = (find(&mut parent, pair[0]), find(&mut parent, pair[1]));
            if ra == rb {
                continue;
            }
            let joined = size[ra]
                .zip(size[rb])
                .and_then(|(x, y)| x.checked_mul(y))
                .filter(|&s| s <= limit);
            if let Some(s) = joined {
                parent[ra] = rb;
                size[rb] = Some(s);
            }
        }
    }
    let mut number = vec![usize::MAX; n];
    let mut next = 0;
    (0..n)
        .map(|q| {
            let root = find(&mut parent, q);
            if number[root] == usize::MAX {
                number[root] = next;
                next += 1;
            }
            number[root]
        })
        .collect()
}

/// About how many ways `question`'s answers can answer `masks` (exact for single choice and
/// for multiple choice of up to 12 options; otherwise a bound).
fn signatures(question: &Question, masks: &[Mask]) -> u128 {
    let o = question.options.len();
    let answers: Box<dyn Iterator<Item = Mask>> = match question.kind {
        Kind::Single => Box::new((0..o).map(|i| 1 << i)),
        Kind::Multi if o <= 12 => Box::new(1..(1 << o)),
        Kind::Multi => return 1u128 << masks.len().min(100),
    };
    let mut seen: Vec<Vec<bool>> = Vec::new();
    for a in answers {
        let s: Vec<bool> = masks.iter().map(|m| a & m != 0).collect();
        if !seen.contains(&s) {
            seen.push(s);
        }
    }
    seen.len() as u128
}

/// How many cases whole-space analysis would split the space into with `groups` (each
/// condition across groups kept in the group that makes the fewest), and how many conditions
/// span groups. Mirrors `analysis::space::cases::Layout` with nothing held.
fn cases(questions: &[Question], conditions: &[Looks], groups: &[usize]) -> (u128, usize) {
    let n = groups.len();
    let mut conditioned: Vec<Vec<Mask>> = vec![Vec::new(); n];
    let mut spanning = 0;
    for c in conditions {
        let qs: Vec<usize> = (0..n).filter(|&q| c.questions & (1 << q) != 0).collect();
        let mut touched: Vec<usize> = qs.iter().map(|&q| groups[q]).collect();
        touched.sort_unstable();
        touched.dedup();
        if touched.len() < 2 {
            continue;
        }
        spanning += 1;
        let masks = |q: usize| -> Vec<Mask> {
            c.tests
                .iter()
                .filter(|(p, _)| *p == q)
                .map(|&(_, m)| m)
                .collect()
        };
        let outside = |k: usize| -> u128 {
            qs.iter()
                .filter(|&&q| groups[q] != k)
                .map(|&q| signatures(&questions[q], &masks(q)))
                .fold(1u128, u128::saturating_mul)
        };
        let kept = touched
            .iter()
            .copied()
            .min_by_key(|&k| outside(k))
            .unwrap_or(0);
        for &q in qs.iter().filter(|&&q| groups[q] != kept) {
            for m in masks(q) {
                if !conditioned[q].contains(&m) {
                    conditioned[q].push(m);
                }
            }
        }
    }
    let total = (0..n)
        .filter(|&q| !conditioned[q].is_empty())
        .map(|q| signatures(&questions[q], &conditioned[q]))
        .fold(1u128, u128::saturating_mul);
    (total, spanning)
}
