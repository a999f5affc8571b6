//! The answer space as classes of joint answers, one dimension per evaluator group. Within a
//! group, answers that bring the same points and exclude the same outcomes are one class,
//! whatever rules they fire, so the class product is far smaller than the product of
//! per-question classes; each class keeps the union of the rules its answers fire, which is
//! all `rules check` needs to tell whether removing a rule could change a verdict.

use std::collections::hash_map::Entry;

use super::aggregate::{FxSet, Item, Total, aggregate, choice, strides};
use super::cases::{Case, Layout};
use super::prune::{self, Pruning, Reach};
use super::{Class, classes};
use crate::engine;
use crate::engine::evaluator::{Evaluator, LANES, RuleBits};
use crate::rules::Mask;

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
    pub fired: RuleBits,
}

/// One evaluator group: its questions, each with its own classes, and the joint classes.
#[derive(Debug, Clone)]
pub struct JointDimension {
    /// The evaluator's group, and the factors it carries (see [`super::cases`]).
    pub group: usize,
    pub factors: Vec<usize>,
    pub questions: Vec<usize>,
    pub per_question: Vec<Vec<Class>>,
    pub classes: Vec<JointClass>,
}

impl JointDimension {
    /// What the group and the factors it carries contribute for `answers`.
    pub fn entry(&self, eval: &Evaluator, answers: &[Mask]) -> Option<engine::evaluator::Entry> {
        eval.carried_entry(self.group, &self.factors, answers)
    }
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

/// The joint dimensions of `eval`'s rule set, or `None` when the evaluator is not tabulated,
/// a question has too many legal answers to enumerate, or the space splits into cases (see
/// [`spaces`]).
pub fn dimensions(eval: &Evaluator) -> Option<Vec<JointDimension>> {
    let (_, mut spaces) = spaces(eval, &vec![None; eval.rules().questions.len()], None)?;
    if spaces.len() == 1 {
        spaces.pop()
    } else {
        None
    }
}

/// The joint dimensions of each case of the space with some questions held at one answer
/// (`fixed[q]`), and the layout of the cases (see [`super::cases`]); `free_of` is a question
/// never conditioned on. One case when every condition lies within a group.
pub fn spaces(
    eval: &Evaluator,
    fixed: &[Option<Mask>],
    free_of: Option<usize>,
) -> Option<(Layout, Vec<Vec<JointDimension>>)> {
    let layout = Layout::new(eval, fixed, free_of)?;
    let cases = layout.cases(eval.rules())?;
    let all = per_question_classes(eval.rules(), fixed)?;
    let mut memo = Dimensions::new(eval, &all, &layout)?;
    let spaces = cases
        .iter()
        .map(|case| memo.of(case))
        .collect::<Option<Vec<_>>>()?;
    Some((layout, spaces))
}

/// Each question's classes: the one answer of a held question (`fixed[q]`), else its legal
/// answers grouped by every test on it; `None` when a question cannot be enumerated. Worked
/// out once for all the cases of a layout.
fn per_question_classes(
    rules: &crate::rules::RuleSet,
    fixed: &[Option<Mask>],
) -> Option<Vec<Vec<Class>>> {
    let tests = super::all_test_masks(rules);
    (0..rules.questions.len())
        .map(|q| match fixed[q] {
            Some(answer) => Some(vec![Class { answer, weight: 1 }]),
            None => classes(&rules.questions[q], &tests[q]),
        })
        .collect()
}

/// The joint dimensions of the cases of a layout. What a group's dimension reads of a case is
/// the limits on its own questions (which of their classes the case allows) and on the
/// questions of the factors it carries (held at the case's answer): cases that agree there
/// share the dimension, worked out once.
struct Dimensions<'a, 'r> {
    eval: &'a Evaluator<'r>,
    all: &'a [Vec<Class>],
    layout: &'a Layout,
    groups: Vec<Vec<usize>>,
    /// Per group, the questions its dimension reads (a bit per question).
    reads: Vec<Mask>,
    memo: super::aggregate::Map<(usize, Vec<(usize, Mask)>), JointDimension>,
}

impl<'a, 'r> Dimensions<'a, 'r> {
    fn new(eval: &'a Evaluator<'r>, all: &'a [Vec<Class>], layout: &'a Layout) -> Option<Self> {
        let groups = eval.groups()?;
        let factors = eval.factors();
        let reads = groups
            .iter()
            .enumerate()
            .map(|(g, qs)| {
                let carried = layout.carried.get(g).map_or(&[][..], Vec::as_slice);
                qs.iter()
                    .chain(carried.iter().flat_map(|&f| &factors[f]))
                    .fold(0, |m, &q| m | 1 << q)
            })
            .collect();
        Some(Dimensions {
            eval,
            all,
            layout,
            groups,
            reads,
            memo: super::aggregate::Map::default(),
        })
    }

    /// The joint dimensions of `case`, one per group.
    fn of(&mut self, case: &Case) -> Option<Vec<JointDimension>> {
        let mut dims = Vec::with_capacity(self.groups.len());
        for (g, questions) in self.groups.iter().enumerate() {
            let key: Vec<(usize, Mask)> = case
                .limits
                .iter()
                .filter(|(q, _, _)| self.reads[g] & 1 << q != 0)
                .map(|(q, _, example)| (*q, *example))
                .collect();
            let dim = match self.memo.entry((g, key)) {
                Entry::Occupied(e) => e.get().clone(),
                Entry::Vacant(e) => e
                    .insert(dimension_in(
                        self.eval,
                        self.all,
                        self.layout,
                        case,
                        g,
                        questions.clone(),
                    )?)
                    .clone(),
            };
            dims.push(dim);
        }
        Some(dims)
    }
}

/// The joint dimension of group `g` (its `questions`) in one case, from each question's
/// classes (`all`, see [`per_question_classes`]; a held question has one).
fn dimension_in(
    eval: &Evaluator,
    all: &[Vec<Class>],
    layout: &Layout,
    case: &Case,
    g: usize,
    questions: Vec<usize>,
) -> Option<JointDimension> {
    let rules = eval.rules();
    // Conditioned questions read by the groups carrying factors hold an answer of the case
    // (their own group then enumerates only answers of the case, so any it leaves there does
    // too), held questions their answer.
    let mut answers: Vec<Mask> = all
        .iter()
        .map(|cs| cs.first().map_or(0, |c| c.answer))
        .collect();
    for (q, _, example) in &case.limits {
        answers[*q] = *example;
    }
    let per_question: Vec<Vec<Class>> = questions
        .iter()
        .map(|&q| {
            all[q]
                .iter()
                .filter(|c| case.allows(q, c.answer))
                .cloned()
                .collect()
        })
        .collect();
    let mut dim = JointDimension {
        group: g,
        factors: layout.carried.get(g).cloned().unwrap_or_default(),
        questions,
        per_question,
        classes: Vec::new(),
    };
    let questions = &dim.questions;
    let sizes: Vec<usize> = dim.per_question.iter().map(Vec::len).collect();
    let mut index: super::aggregate::Map<([i32; LANES], u64), usize> =
        super::aggregate::Map::default();
    let mut joint: Vec<JointClass> = Vec::new();
    // Per class, how many answers of its example are the question's default: the example
    // with the most defaults reads best ("nothing special here").
    let mut defaults: Vec<usize> = Vec::new();
    let mut failed = false;
    odometer(&sizes, |choice| {
        let mut weight = 1u64;
        for ((&q, classes), &c) in questions.iter().zip(&dim.per_question).zip(choice) {
            answers[q] = classes[c].answer;
            weight = weight.saturating_mul(classes[c].weight);
        }
        let Some(e) = dim.entry(eval, &answers) else {
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
    dim.classes = joint;
    Some(dim)
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

/// Points per outcome and the outcomes excluded: all that decides a winner.
pub type Scored = ([i32; LANES], u64);

/// `points` with the lanes of excluded outcomes zeroed: points there can never count, and
/// sums that differ only there then meet in one state of an aggregation.
pub fn scored(mut points: [i32; LANES], excluded: u64) -> Scored {
    for (l, p) in points.iter_mut().enumerate() {
        if excluded & (1 << l) != 0 {
            *p = 0;
        }
    }
    (points, excluded)
}

/// The sum of two contributions, normalized as [`scored`] does.
pub fn sum(a: &Scored, b: &Scored) -> Scored {
    let points = std::array::from_fn(|l| a.0[l].wrapping_add(b.0[l]));
    scored(points, a.1 | b.1)
}

/// The order in which the space is enumerated: the widest dimension swapped to the front (so
/// threads can split it), the others in place. Examples are the first combination in it.
pub fn enumeration_order(dims: &[JointDimension]) -> Vec<&JointDimension> {
    let mut order: Vec<&JointDimension> = dims.iter().collect();
    if let Some(widest) = (0..order.len()).max_by_key(|&d| order[d].classes.len()) {
        order.swap(0, widest);
    }
    order
}

/// Every distinct sum of one class per dimension of `order`, with the rules its
/// combinations fire, by aggregation (see [`aggregate`]; ranks are over `order`, the first
/// dimension most significant); `None` past its limit. With `pruning`, outcomes that can no
/// longer make the top two are set aside as the sums grow.
pub fn totals(
    order: &[&JointDimension],
    pruning: Option<Pruning>,
) -> Option<Vec<Total<Scored, RuleBits>>> {
    let sizes: Vec<usize> = order.iter().map(|d| d.classes.len()).collect();
    let strides = strides(&sizes);
    let mut contributions: Vec<Vec<Scored>> = order
        .iter()
        .map(|d| {
            d.classes
                .iter()
                .map(|c| scored(c.points, c.excluded))
                .collect()
        })
        .collect();
    let sequence = prune::sequence(&contributions);
    let in_sequence: Vec<Vec<Scored>> = sequence
        .iter()
        .map(|&d| std::mem::take(&mut contributions[d]))
        .collect();
    let items: Vec<Vec<Item<Scored, RuleBits>>> = sequence
        .iter()
        .zip(&in_sequence)
        .map(|(&d, keys)| {
            order[d]
                .classes
                .iter()
                .zip(keys)
                .map(|(c, &key)| Item {
                    key,
                    weight: c.weight,
                    aux: c.fired,
                })
                .collect()
        })
        .collect();
    let reach = pruning.and_then(|p| Reach::new(&in_sequence, p));
    let strides: Vec<u128> = sequence.iter().map(|&d| strides[d]).collect();
    aggregate(
        &items,
        &strides,
        ([0; LANES], 0),
        RuleBits::default(),
        |d, a, b| match &reach {
            Some(reach) => reach.prune(d, sum(a, b)),
            None => sum(a, b),
        },
        |a, b| *a | *b,
    )
}

/// The answer set of the combination of rank `first` over `order` (see [`totals`]).
pub fn example(order: &[&JointDimension], questions: usize, first: u128) -> Vec<Mask> {
    let sizes: Vec<usize> = order.iter().map(|d| d.classes.len()).collect();
    let mut answers = vec![0 as Mask; questions];
    for (dim, c) in order.iter().zip(choice(&sizes, first)) {
        for (&q, &a) in dim.questions.iter().zip(&dim.classes[c].answers) {
            answers[q] = a;
        }
    }
    answers
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
    pub fired: RuleBits,
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
    fired: RuleBits,
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
    let order = &enumeration_order(dims);
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
/// some pair, some combination of the other groups' classes picks a different winner. Where
/// the space splits into cases, `q` matters if it does within some case; a question the cases
/// are split on is looked at again in cases where it is free (see [`super::cases`]).
/// `None` when the other groups' sums are too many to aggregate.
pub fn questions_without_effect(eval: &Evaluator) -> Option<Vec<usize>> {
    let none = vec![None; eval.rules().questions.len()];
    let (layout, cases) = spaces(eval, &none, None)?;
    questions_without_effect_in(eval, &layout, &cases)
}

/// [`questions_without_effect`] over the cases [`spaces`] gave with nothing held (a caller
/// that has them already saves building them again).
pub fn questions_without_effect_in(
    eval: &Evaluator,
    layout: &Layout,
    cases: &[Vec<JointDimension>],
) -> Option<Vec<usize>> {
    let n = eval.rules().questions.len();
    let none = vec![None; n];
    let mut alive = vec![false; n];
    // First every case against drawn sums of the other groups (which show nearly every
    // question that matters), then, for the questions not shown yet, every sum.
    for drawn in [true, false] {
        for dims in cases {
            for (g, dim) in dims.iter().enumerate() {
                if dim.questions.iter().all(|&q| alive[q]) {
                    continue;
                }
                // What the other groups can add up to, once per group and only when needed.
                let mut others = if drawn {
                    Others::drawn(dims, g)
                } else {
                    Others::new(dims, g)
                };
                for &q in &dim.questions {
                    // A question the cases split on is looked at over all its answers below.
                    let later = !drawn && layout.conditions(q);
                    if !alive[q] && !later && matters(eval, dims, q, &mut others)? {
                        alive[q] = true;
                    }
                }
            }
        }
    }
    for (q, alive) in alive.iter_mut().enumerate() {
        if !*alive && layout.conditions(q) {
            *alive = matters_in_a_case(eval, &none, q, u128::MAX)?;
        }
    }
    Some((0..n).filter(|&q| !alive[q]).collect())
}

/// Whether `q` matters in some case of the space with `fixed` held, in cases never split on
/// `q`, built one at a time until one shows it; `None` past `limit` class combinations in a
/// case, or when sums are too many to aggregate.
fn matters_in_a_case(
    eval: &Evaluator,
    fixed: &[Option<Mask>],
    q: usize,
    limit: u128,
) -> Option<bool> {
    let layout = Layout::new(eval, fixed, Some(q))?;
    let all = per_question_classes(eval.rules(), fixed)?;
    let mut memo = Dimensions::new(eval, &all, &layout)?;
    for case in layout.cases(eval.rules())? {
        let dims = memo.of(&case)?;
        if sizes(&dims).1 > limit {
            return None;
        }
        let Some(g) = dims.iter().position(|d| d.questions.contains(&q)) else {
            continue;
        };
        if matters(eval, &dims, q, &mut Others::new(&dims, g))? {
            return Some(true);
        }
    }
    Some(false)
}

/// Whether some change of question `q` alone can change the winner, with the questions not
/// marked `free` held at their answers in `base`; `None` when the evaluator is not tabulated,
/// a case of the free space has more than `limit` class combinations, or too many sums to
/// aggregate.
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
    // Case by case, stopping at the first that shows `q` matters; the limit bounds each case
    // (a space of one case is what it bounded before conditions across groups).
    matters_in_a_case(eval, &fixed, q, limit)
}

/// Combinations of the other groups' classes, drawn at random, tried one by one before their
/// sums are aggregated: a question that matters is nearly always shown within these.
const FIRST_COMBINATIONS: usize = 2048;

/// Drawn sums every new pair is tried against as soon as it is found.
const QUICK_SUMS: usize = 8;

/// What the dimensions other than `g` can add up to: some combinations drawn at random, then
/// (only if those show nothing) every distinct sum.
struct Others<'d> {
    dims: Vec<&'d JointDimension>,
    first: Vec<Scored>,
    all: Option<Option<Vec<Scored>>>,
    /// Only the drawn sums: "not shown" reads as no (a first pass over many cases).
    drawn_only: bool,
}

impl<'d> Others<'d> {
    fn new(dims: &'d [JointDimension], g: usize) -> Self {
        let dims: Vec<&JointDimension> = dims
            .iter()
            .enumerate()
            .filter(|&(d, _)| d != g)
            .map(|(_, d)| d)
            .collect();
        // A fixed seed: the findings never depend on it, only how soon they are found.
        let mut rng = super::Rng::new(g as u64);
        let draws = if dims.iter().any(|d| d.classes.is_empty()) {
            0
        } else {
            FIRST_COMBINATIONS
        };
        let first = (0..draws)
            .map(|_| {
                dims.iter().fold(([0; LANES], 0), |total, dim| {
                    let class = &dim.classes[(rng.next_u64() % dim.classes.len() as u64) as usize];
                    sum(&total, &scored(class.points, class.excluded))
                })
            })
            .collect();
        Others {
            dims,
            first,
            all: None,
            drawn_only: false,
        }
    }

    /// [`Others::new`] that looks only at the drawn sums.
    fn drawn(dims: &'d [JointDimension], g: usize) -> Self {
        Others {
            drawn_only: true,
            ..Others::new(dims, g)
        }
    }

    /// Whether some sum `s` of the other dimensions has `differs(s)`; `None` when the sums
    /// are too many to aggregate and none of the drawn ones has it.
    fn any(&mut self, differs: impl Fn(&Scored) -> bool) -> Option<bool> {
        if self.first.iter().any(&differs) {
            return Some(true);
        }
        if self.drawn_only {
            return Some(false);
        }
        let dims = &self.dims;
        let all = self
            .all
            .get_or_insert_with(|| Some(totals(dims, None)?.into_iter().map(|t| t.key).collect()));
        Some(all.as_ref()?.iter().any(differs))
    }
}

/// Whether some change of `q` alone changes the winner somewhere in the space of `dims`,
/// given `others`, the sums the dimensions other than `q`'s can add up to.
///
/// For `q` in group `g`, every joint answer of `g` paired with the same answer but another
/// class of `q` gives a pair of contributions; `q` matters exactly when, for some pair, some
/// sum of the other groups' classes picks a different winner.
fn matters(
    eval: &Evaluator,
    dims: &[JointDimension],
    q: usize,
    others: &mut Others,
) -> Option<bool> {
    let rules = eval.rules();
    let Some((dim, k)) = dims.iter().find_map(|d| {
        let k = d.questions.iter().position(|&p| p == q)?;
        Some((d, k))
    }) else {
        return Some(false);
    };
    // Questions outside the group (conditioned on, or held) keep an answer of the space.
    let mut answers = dims
        .iter()
        .fold(vec![0 as Mask; rules.questions.len()], |mut a, d| {
            if let Some(class) = d.classes.first() {
                for (&p, &x) in d.questions.iter().zip(&class.answers) {
                    a[p] = x;
                }
            }
            a
        });
    // Pairs of contributions that differ once normalized (points on excluded outcomes never
    // count), each once; most questions are shown to matter by one of the first pairs against
    // one of the first few drawn sums of the other groups, before any set is built.
    let quick = &others.first[..others.first.len().min(QUICK_SUMS)];
    let differs = |a: &Scored, b: &Scored, o: &Scored| {
        let (with_a, with_b) = (sum(a, o), sum(b, o));
        engine::top_two(rules, &with_a.0, with_a.1).0
            != engine::top_two(rules, &with_b.0, with_b.1).0
    };
    let mut pairs: FxSet<(Scored, Scored)> = FxSet::default();
    let sizes: Vec<usize> = dim.per_question.iter().map(Vec::len).collect();
    let mut shown = false;
    odometer(&sizes, |choice| {
        for ((&p, classes), &c) in dim.questions.iter().zip(&dim.per_question).zip(choice) {
            answers[p] = classes[c].answer;
        }
        let Some(here) = dim.entry(eval, &answers) else {
            return true;
        };
        let here = scored(here.points, here.excluded);
        for (alt, class) in dim.per_question[k].iter().enumerate() {
            if alt == choice[k] {
                continue;
            }
            answers[q] = class.answer;
            if let Some(there) = dim.entry(eval, &answers) {
                let there = scored(there.points, there.excluded);
                if here != there && pairs.insert((here, there)) {
                    shown = quick.iter().any(|o| differs(&here, &there, o));
                    if shown {
                        return false;
                    }
                }
            }
        }
        answers[q] = dim.per_question[k][choice[k]].answer;
        true
    });
    if shown {
        return Some(true);
    }
    let pairs: Vec<(Scored, Scored)> = pairs.into_iter().collect();
    others.any(|o| pairs.iter().any(|(a, b)| differs(a, b, o)))
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
        // Conditions across groups: relevance is worked out case by case.
        agree(
            &fixture(include_str!("../../../tests/fixtures/factors.yaml")),
            25,
            4,
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
        assert_eq!(questions_without_effect(&eval), Some(vec![1]));
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
            .map(|c| (c.weight, c.answers.clone(), c.fired.0[0]))
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
