//! Which outcomes a partial sum can no longer bring into the top two, so aggregation can
//! forget their exact points.
//!
//! After some dimensions have been added, the rest can add to outcome `o` at least `lo[o]` and
//! at most `hi[o]`, and may exclude the outcomes in `may_exclude`. An outcome `o` is out of
//! reach when two other outcomes that nothing left can exclude are sure to end above anything
//! `o` can reach, even after one rule is removed (for `rules check`'s "does removing this rule
//! change the verdict": removing a rule lowers an outcome by at most the most points one rule
//! gives it, `fall`, and raises one by at most the most one rule takes from it, `rise`). Such an outcome
//! is never the winner or the runner-up, with or without any one rule, so its points are
//! replaced by one fixed low value: sums that differ only there become one state, and every
//! finding (winners, runners-up, margins, ties, load-bearing rules) stays exact. The outcomes
//! still in reach are then shifted so the highest stands at 0: every finding depends only on
//! differences between outcomes, so sums that differ by a constant become one state too.

use super::joint::Scored;
use crate::engine::evaluator::LANES;

/// Points of an outcome out of reach (far below any real sum: see [`Reach::new`]).
const OUT_OF_REACH: i32 = -(1 << 29);
/// Rule sets whose points add up (in absolute value) past this are not pruned, so the
/// sentinel stays far from every real score.
const MAX_MAGNITUDE: i64 = 1 << 27;

/// The reach of what is left after each dimension of an aggregation.
pub struct Reach {
    /// Per step (after adding dimension `s`): the least and the most the rest can add.
    lo: Vec<[i32; LANES]>,
    hi: Vec<[i32; LANES]>,
    may_exclude: Vec<u64>,
    rise: [i32; LANES],
    fall: [i32; LANES],
    outcomes: usize,
}

impl Reach {
    /// For adding the contributions of `order`'s classes, dimension by dimension; `None` when
    /// the points are too large to prune safely.
    pub fn new(order: &[Vec<Scored>], pruning: Pruning) -> Option<Reach> {
        let Pruning {
            outcomes,
            magnitude,
            rise,
            fall,
        } = pruning;
        // Every rise and fall is at most the magnitude: all sums below stay inside an i32.
        if magnitude > MAX_MAGNITUDE || outcomes > LANES {
            return None;
        }
        let n = order.len();
        let mut lo = vec![[0i32; LANES]; n];
        let mut hi = vec![[0i32; LANES]; n];
        let mut may_exclude = vec![0u64; n];
        // Suffix sums: what dimensions s+1.. can add.
        for s in (0..n.saturating_sub(1)).rev() {
            let dim = &order[s + 1];
            let (mut l, mut h, mut x) = (lo[s + 1], hi[s + 1], may_exclude[s + 1]);
            for o in 0..LANES {
                l[o] += dim.iter().map(|c| c.0[o]).min().unwrap_or(0);
                h[o] += dim.iter().map(|c| c.0[o]).max().unwrap_or(0);
            }
            for c in dim {
                x |= c.1;
            }
            (lo[s], hi[s], may_exclude[s]) = (l, h, x);
        }
        Some(Reach {
            lo,
            hi,
            may_exclude,
            rise,
            fall,
            outcomes,
        })
    }

    /// `sum` after adding dimension `step`, with the outcomes out of reach set to one value.
    pub fn prune(&self, step: usize, mut sum: Scored) -> Scored {
        let (lo, hi, may_exclude) = (&self.lo[step], &self.hi[step], self.may_exclude[step]);
        let (points, excluded) = (&mut sum.0, sum.1);
        // The two outcomes surest to end highest, of those nothing left can exclude, even with
        // one rule removed.
        let mut best: [(i32, usize); 2] = [(i32::MIN, usize::MAX); 2];
        for o in 0..self.outcomes {
            if (excluded | may_exclude) & (1 << o) != 0 {
                continue;
            }
            let low = points[o] + lo[o] - self.fall[o];
            if low > best[0].0 {
                best = [(low, o), best[0]];
            } else if low > best[1].0 {
                best[1] = (low, o);
            }
        }
        if best[1].1 != usize::MAX {
            let bar = best[1].0;
            for o in 0..self.outcomes {
                if o == best[0].1 || o == best[1].1 || excluded & (1 << o) != 0 {
                    continue;
                }
                if points[o] + hi[o] + self.rise[o] < bar {
                    points[o] = OUT_OF_REACH;
                }
            }
        }
        // Only differences between outcomes decide anything: the outcomes still in reach are
        // shifted so the highest is at 0, and sums that differ by a constant meet.
        // (No list of them: this runs for every partial sum of an aggregation.)
        let live =
            |o: usize, points: &[i32; LANES]| excluded & (1 << o) == 0 && points[o] != OUT_OF_REACH;
        if let Some(top) = (0..self.outcomes)
            .filter(|&o| live(o, points))
            .map(|o| points[o])
            .max()
        {
            for o in 0..self.outcomes {
                if live(o, points) {
                    points[o] -= top;
                }
            }
        }
        sum
    }
}

/// What a rule set allows pruning with: its outcomes, the sum of its rules' points in absolute
/// value, and per outcome the most removing one rule can raise it (`rise`) or lower it
/// (`fall`); both 0 where only winners count.
#[derive(Debug, Clone, Copy)]
pub struct Pruning {
    pub outcomes: usize,
    pub magnitude: i64,
    pub rise: [i32; LANES],
    pub fall: [i32; LANES],
}

/// The order to add dimensions in (indices into `dims`): the ones that can exclude outcomes
/// first, so that what is left soon excludes nothing and the outcomes ahead can be counted on,
/// then the rest; the smaller first within each, so the largest comes last, when nothing is
/// left to add and pruning is sharpest.
pub fn sequence(dims: &[Vec<Scored>]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..dims.len()).collect();
    order.sort_by_key(|&d| (dims[d].iter().all(|c| c.1 == 0), dims[d].len()));
    order
}

/// The pruning of `rules`: `removals` when findings ask whether removing a rule changes a
/// verdict (`rules check`), otherwise only winners count (`rules diff`).
pub fn pruning(rules: &crate::rules::RuleSet, removals: bool) -> Pruning {
    let (mut rise, mut fall) = ([0i32; LANES], [0i32; LANES]);
    let mut magnitude = 0i64;
    for rule in &rules.rules {
        for &(o, p) in &rule.score {
            magnitude += i64::from(p).abs();
            if removals && o < LANES {
                fall[o] = fall[o].max(p);
                rise[o] = rise[o].max(p.saturating_neg());
            }
        }
    }
    Pruning {
        outcomes: rules.outcomes.len(),
        magnitude,
        rise,
        fall,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lanes(v: &[i32]) -> [i32; LANES] {
        let mut a = [0; LANES];
        a[..v.len()].copy_from_slice(v);
        a
    }

    /// Three outcomes; what is left can add 0..=2 to each. Outcome 2 at 0 can reach 2, 3 with
    /// one rule removed: out of reach of outcomes 0 and 1 at 10 (or at 10 and 4), not of 10
    /// and 3.
    #[test]
    fn an_outcome_two_others_surely_beat_is_set_aside() {
        let rest = vec![(lanes(&[0, 0, 0]), 0), (lanes(&[2, 2, 2]), 0)];
        let order = vec![vec![(lanes(&[0, 0, 0]), 0)], rest];
        // One rule can take 1 point from outcome 0 or 1 (fall), or give 2 one back (rise 1).
        let reach = Reach::new(
            &order,
            Pruning {
                outcomes: 3,
                magnitude: 100,
                rise: lanes(&[0, 0, 1]),
                fall: lanes(&[0, 0, 0]),
            },
        )
        .unwrap();
        let pruned = reach.prune(0, (lanes(&[10, 10, 0]), 0));
        assert_eq!(pruned.0[..3], [0, 0, OUT_OF_REACH]);
        assert_eq!(
            reach.prune(0, (lanes(&[10, 4, 0]), 0)).0[..3],
            [0, -6, OUT_OF_REACH]
        );
        let kept = reach.prune(0, (lanes(&[10, 3, 0]), 0));
        assert_eq!(kept.0[..3], [0, -7, -10]);
        // After the last dimension nothing is left to add: only a removal keeps 2 in reach.
        assert_eq!(reach.prune(1, (lanes(&[3, 3, 2]), 0)).0[..3], [0, 0, -1]);
        assert_eq!(
            reach.prune(1, (lanes(&[3, 3, 1]), 0)).0[..3],
            [0, 0, OUT_OF_REACH]
        );
    }

    /// An outcome the rest may still exclude cannot be counted on to stay ahead.
    /// What one removal can take from the outcomes ahead counts against them.
    #[test]
    fn a_fall_keeps_an_outcome_in_reach() {
        let order = vec![vec![(lanes(&[0, 0, 0]), 0)]];
        let mut pruning = Pruning {
            outcomes: 3,
            magnitude: 100,
            rise: [0; LANES],
            fall: [0; LANES],
        };
        let before = Reach::new(&order, pruning).unwrap();
        assert_eq!(
            before.prune(0, (lanes(&[10, 5, 4]), 0)).0[..3],
            [0, -5, OUT_OF_REACH]
        );
        pruning.fall = lanes(&[0, 1, 0]);
        let after = Reach::new(&order, pruning).unwrap();
        assert_eq!(after.prune(0, (lanes(&[10, 5, 4]), 0)).0[..3], [0, -5, -6]);
    }

    #[test]
    fn outcomes_that_may_yet_be_excluded_guarantee_nothing() {
        let rest = vec![(lanes(&[0, 0, 0]), 0), (lanes(&[0, 0, 0]), 0b010)];
        let order = vec![vec![(lanes(&[0, 0, 0]), 0)], rest];
        let mut pruning = Pruning {
            outcomes: 3,
            magnitude: 100,
            rise: [0; LANES],
            fall: [0; LANES],
        };
        let reach = Reach::new(&order, pruning).unwrap();
        assert_eq!(reach.prune(0, (lanes(&[10, 10, 0]), 0)).0[..3], [0, 0, -10]);
        // Sums that differ by a constant meet; excluded outcomes keep their 0.
        assert_eq!(
            reach.prune(0, (lanes(&[7, 3, 0]), 0b100)),
            reach.prune(0, (lanes(&[9, 5, 0]), 0b100))
        );
        assert_eq!(
            reach.prune(0, (lanes(&[7, 3, 0]), 0b100)).0[..3],
            [0, -4, 0]
        );
        // Too large to prune safely: no reach at all.
        pruning.magnitude = MAX_MAGNITUDE + 1;
        assert!(Reach::new(&order, pruning).is_none());
    }
}
