//! The sums of one class per dimension, without visiting every combination of classes.
//!
//! Whole-space questions (`rules check`, `rules diff`, whether a question can still matter)
//! look only at what a combination adds up to: points per outcome and the outcomes excluded.
//! A dynamic programme over the dimensions keeps one state per distinct partial sum (with the
//! number of combinations it stands for, the union of what they fire, and the first of them in
//! enumeration order), so combinations that reach the same sum are carried once. The result is
//! exact: every finding that depends only on the sum is the same as over every combination, and
//! each distinct sum keeps the combination the odometer would have met first, so examples are
//! the ones a plain enumeration gives.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// One class of a dimension, as aggregation sees it.
#[derive(Debug, Clone)]
pub struct Item<K, A> {
    /// What the class contributes (already normalized; see [`aggregate`]'s `add`).
    pub key: K,
    /// How many answer sets the class stands for.
    pub weight: u64,
    /// Carried alongside and merged with `join` where sums meet (the rules a class fires).
    pub aux: A,
}

/// One distinct sum over every dimension.
#[derive(Debug, Clone)]
pub struct Total<K, A> {
    pub key: K,
    /// How many answer sets reach this sum.
    pub weight: u128,
    /// `join` of the `aux` of every combination that reaches this sum.
    pub aux: A,
    /// The first combination (in odometer order over `dims`, the first dimension turning
    /// slowest) that reaches this sum, as its rank: decode it with [`choice`].
    pub first: u128,
}

/// Most distinct partial sums an aggregation keeps (about 150 bytes each) before it gives up.
pub const MAX_STATES: usize = 2_000_000;

/// Every distinct sum of one item per dimension of `dims`, ordered by the first combination
/// that reaches it; `None` when some step holds more than [`MAX_STATES`] distinct sums.
/// `add(d, partial, item)` sums a partial key and an item of dimension `d` (and may normalize
/// the result, so long as two keys it maps to one are alike for every question the caller asks
/// of the totals); `join` merges the `aux` of combinations that meet.
pub fn aggregate<K, A>(
    dims: &[Vec<Item<K, A>>],
    strides: &[u128],
    zero: K,
    unit: A,
    add: impl Fn(usize, &K, &K) -> K,
    join: impl Fn(&A, &A) -> A,
) -> Option<Vec<Total<K, A>>>
where
    K: Eq + Hash,
    A: Clone,
{
    // Ranks are mixed-radix numbers (`strides` per dimension); a partial rank over the
    // dimensions done so far (the others' digits 0) compares as its full extensions do,
    // whatever order the dimensions are added in.
    let mut states: Map<K, Slot<A>> = Map::default();
    states.insert(
        zero,
        Slot {
            weight: 1,
            aux: unit,
            first: 0,
        },
    );
    for (d, (dim, &stride)) in dims.iter().zip(strides).enumerate() {
        let mut next: Map<K, Slot<A>> = Map::default();
        next.reserve(states.len());
        for (key, state) in &states {
            for (c, item) in dim.iter().enumerate() {
                let weight = state.weight * u128::from(item.weight);
                let aux = join(&state.aux, &item.aux);
                let first = state.first + c as u128 * stride;
                match next.entry(add(d, key, &item.key)) {
                    Entry::Occupied(mut slot) => {
                        let slot = slot.get_mut();
                        slot.weight += weight;
                        slot.aux = join(&slot.aux, &aux);
                        slot.first = slot.first.min(first);
                    }
                    Entry::Vacant(slot) => {
                        slot.insert(Slot { weight, aux, first });
                    }
                }
            }
        }
        if next.len() > MAX_STATES {
            return None;
        }
        states = next;
    }
    let mut totals: Vec<Total<K, A>> = states
        .into_iter()
        .map(|(key, s)| Total {
            key,
            weight: s.weight,
            aux: s.aux,
            first: s.first,
        })
        .collect();
    totals.sort_unstable_by_key(|t| t.first);
    Some(totals)
}

/// What a state carries besides its key.
struct Slot<A> {
    weight: u128,
    aux: A,
    first: u128,
}

/// Keys are a handful of small integers: the Fx hash (rustc's) is several times faster on
/// them than SipHash, and nothing here faces keys chosen to collide.
pub type Map<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// A set with the same hash, for the keys the analyses deduplicate.
pub type FxSet<K> = std::collections::HashSet<K, BuildHasherDefault<FxHasher>>;

#[derive(Default)]
pub struct FxHasher {
    hash: u64,
}

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }
    fn write_i32(&mut self, n: i32) {
        self.add(u64::from(n as u32));
    }
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// The strides of ranks over dimensions of `sizes`, the first most significant.
pub fn strides(sizes: &[usize]) -> Vec<u128> {
    let mut out = vec![1u128; sizes.len()];
    for d in (0..sizes.len().saturating_sub(1)).rev() {
        out[d] = out[d + 1] * sizes[d + 1] as u128;
    }
    out
}

/// The class of each dimension in the combination of rank `first` over dimensions of `sizes`.
pub fn choice(sizes: &[usize], mut first: u128) -> Vec<usize> {
    let mut out = vec![0; sizes.len()];
    for (slot, &size) in out.iter_mut().zip(sizes).rev() {
        let size = size as u128;
        *slot = (first % size) as usize;
        first /= size;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::space::joint::odometer;

    fn items(keys: &[i32]) -> Vec<Item<i32, u8>> {
        keys.iter()
            .enumerate()
            .map(|(i, &key)| Item {
                key,
                weight: i as u64 + 1,
                aux: 1 << i,
            })
            .collect()
    }

    /// Against a plain enumeration: the same sums, weights, unions and first combinations.
    #[test]
    fn the_same_as_visiting_every_combination() {
        let dims = vec![items(&[0, 1, 2]), items(&[5, 4]), items(&[0, 0, 1, 3])];
        let sizes: Vec<usize> = dims.iter().map(Vec::len).collect();
        let totals = aggregate(
            &dims,
            &strides(&sizes),
            0,
            0u8,
            |_, a, b| a + b,
            |a, b| a | b,
        )
        .unwrap();
        let mut seen: Vec<(i32, u128, u8, Vec<usize>)> = Vec::new();
        odometer(&sizes, |c| {
            let key: i32 = c.iter().zip(&dims).map(|(&i, d)| d[i].key).sum();
            let weight: u128 = c
                .iter()
                .zip(&dims)
                .map(|(&i, d)| u128::from(d[i].weight))
                .product();
            let aux = c.iter().zip(&dims).fold(0, |a, (&i, d)| a | d[i].aux);
            match seen.iter_mut().find(|s| s.0 == key) {
                Some(s) => {
                    s.1 += weight;
                    s.2 |= aux;
                }
                None => seen.push((key, weight, aux, c.to_vec())),
            }
            true
        });
        let got: Vec<(i32, u128, u8, Vec<usize>)> = totals
            .iter()
            .map(|t| (t.key, t.weight, t.aux, choice(&sizes, t.first)))
            .collect();
        assert_eq!(got, seen);
    }

    #[test]
    fn no_dimensions_is_one_empty_sum() {
        let totals = aggregate::<i32, ()>(&[], &[], 0, (), |_, a, b| a + b, |_, _| ()).unwrap();
        assert_eq!(totals.len(), 1);
        assert_eq!((totals[0].weight, totals[0].first), (1, 0));
        assert_eq!(choice(&[], 0), Vec::<usize>::new());
    }

    /// Past `MAX_STATES` distinct sums the aggregation says so instead of running on.
    #[test]
    fn too_many_distinct_sums_is_none() {
        let wide: Vec<Item<u64, ()>> = (0..1500u64)
            .map(|key| Item {
                key,
                weight: 1,
                aux: (),
            })
            .collect();
        // 1500 x 1500 distinct sums (keys in base 1500) is more than MAX_STATES.
        let scaled: Vec<Item<u64, ()>> = wide
            .iter()
            .map(|i| Item {
                key: i.key * 1500,
                ..i.clone()
            })
            .collect();
        const { assert!(1500 * 1500 > MAX_STATES) };
        let sums = |dims: &[Vec<Item<u64, ()>>]| {
            aggregate(dims, &[1500, 1], 0, (), |_, a, b| a + b, |_, _| ())
        };
        assert!(sums(&[wide.clone(), scaled]).is_none());
        // The same sizes with sums that meet stay well within it.
        assert_eq!(sums(&[wide.clone(), wide]).map(|t| t.len()), Some(2999));
    }

    #[test]
    fn ranks_decode_most_significant_first() {
        assert_eq!(choice(&[3, 2, 4], 0), [0, 0, 0]);
        assert_eq!(choice(&[3, 2, 4], 1), [0, 0, 1]);
        assert_eq!(choice(&[3, 2, 4], 4), [0, 1, 0]);
        assert_eq!(choice(&[3, 2, 4], 23), [2, 1, 3]);
    }
}
