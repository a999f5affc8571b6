//! `rules diff`: the answer sets whose verdict differs between two rule files. Pure.

use std::collections::HashMap;

use crate::analysis::check::{Coverage, Finding, MAX_ENUMERATED, SAMPLE_SIZE};
use crate::analysis::space::aggregate::{Item, aggregate, choice, strides};
use crate::analysis::space::cases::{self, Layout};
use crate::analysis::space::joint::{Scored, odometer, scored, sum};
use crate::analysis::space::prune::{self, Reach};
use crate::analysis::space::{self, Class, Dimension, Rng};
use crate::engine;
use crate::engine::evaluator::{Evaluator, LANES};
use crate::rules::{Kind, Mask, Question, RuleSet};

/// Why two rule files cannot be compared.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct Incomparable(pub String);

/// A question both files ask, answered over the options both offer.
#[derive(Debug, Clone)]
struct Shared {
    /// The question restricted to the common options.
    common: Question,
    /// For each common option, its bit in the old and in the new file.
    old_bits: Vec<Mask>,
    new_bits: Vec<Mask>,
    old_index: usize,
    new_index: usize,
}

#[derive(Debug, Clone)]
pub struct Change {
    /// Outcome ids; `None` where nothing is possible.
    pub from: Option<String>,
    pub to: Option<String>,
    pub finding: Finding,
}

#[derive(Debug, Clone)]
pub struct DiffReport {
    pub coverage: Coverage,
    /// Answer sets compared.
    pub compared: u128,
    pub changed: u128,
    /// Per (old verdict -> new verdict), most frequent first. Examples are full answer sets
    /// of the old file.
    pub changes: Vec<Change>,
    /// What was not compared: options or questions only one file has.
    pub caveats: Vec<String>,
}

fn map_bits(answer: Mask, bits: &[Mask]) -> Mask {
    bits.iter()
        .enumerate()
        .filter(|(i, _)| answer & (1 << i) != 0)
        .fold(0, |m, (_, b)| m | b)
}

struct Plan<'r> {
    old_eval: Evaluator<'r>,
    new_eval: Evaluator<'r>,
    shared: Vec<Shared>,
    old_fixed: Vec<Mask>,
    new_fixed: Vec<Mask>,
    caveats: Vec<String>,
}

fn plan<'r>(old: &'r RuleSet, new: &'r RuleSet) -> Result<Plan<'r>, Incomparable> {
    let mut caveats = Vec::new();
    let mut shared = Vec::new();
    // Questions only one file asks are held at that file's default.
    let fixed = |rules: &RuleSet, other: &RuleSet, side: &str| -> Result<Vec<Mask>, Incomparable> {
        rules
            .questions
            .iter()
            .map(|q| {
                if other.question_index(&q.id).is_some() {
                    return Ok(0);
                }
                q.default.ok_or_else(|| {
                    Incomparable(format!(
                        "question `{}` is required in the {side} file and absent from the other: the verdicts cannot be compared",
                        q.id
                    ))
                })
            })
            .collect()
    };
    let old_fixed = fixed(old, new, "old")?;
    let new_fixed = fixed(new, old, "new")?;
    for q in old.questions.iter().chain(&new.questions) {
        let in_old = old.question_index(&q.id).is_some();
        let in_new = new.question_index(&q.id).is_some();
        if in_old != in_new
            && !caveats
                .iter()
                .any(|c: &String| c.contains(&format!("`{}`", q.id)))
        {
            let side = if in_old { "old" } else { "new" };
            caveats.push(format!(
                "question `{}` is only in the {side} file; held at its default",
                q.id
            ));
        }
    }
    for (oi, oq) in old.questions.iter().enumerate() {
        let Some(ni) = new.question_index(&oq.id) else {
            continue;
        };
        let nq = &new.questions[ni];
        let mut common = oq.clone();
        common.options.to_mut().clear();
        common.exclusive = 0;
        // One option is an answer to both kinds: a question that became multi choice (or
        // single) is compared over the answers both files accept, one option at a time.
        let mixed = oq.kind != nq.kind;
        if mixed {
            common.kind = Kind::Single;
            caveats.push(format!(
                "question `{}` is {} choice in the old file and {} choice in the new: compared one option at a time",
                oq.id,
                oq.kind.id(),
                nq.kind.id()
            ));
        }
        // A question that makes models in either file is compared one option (one model) at
        // a time: combinations of its options are plans, not one verdict.
        if oq.one_per_model != nq.one_per_model {
            caveats.push(format!(
                "question `{}` is one per model in the {} file: compared one option at a time (several are several models)",
                oq.id,
                if nq.one_per_model { "new" } else { "old" }
            ));
        }
        common.one_per_model = oq.one_per_model || nq.one_per_model;
        let (mut old_bits, mut new_bits) = (Vec::new(), Vec::new());
        for (i, option) in oq.options.iter().enumerate() {
            match nq.option_index(&option.id) {
                Some(j) => {
                    if !mixed && oq.exclusive & (1 << i) != 0 {
                        common.exclusive |= 1 << common.options.len();
                    }
                    common.options.to_mut().push(option.clone());
                    old_bits.push(1 << i);
                    new_bits.push(1 << j);
                }
                None => caveats.push(format!(
                    "option `{}` of `{}` is only in the old file; not compared",
                    option.id, oq.id
                )),
            }
        }
        for option in &nq.options {
            if oq.option_index(&option.id).is_none() {
                caveats.push(format!(
                    "option `{}` of `{}` is only in the new file; not compared",
                    option.id, oq.id
                ));
            }
        }
        if common.options.is_empty() {
            return Err(Incomparable(format!(
                "question `{}` has no option in common between the files",
                oq.id
            )));
        }
        shared.push(Shared {
            common,
            old_bits,
            new_bits,
            old_index: oi,
            new_index: ni,
        });
    }
    Ok(Plan {
        old_eval: Evaluator::new(old),
        new_eval: Evaluator::new(new),
        shared,
        old_fixed,
        new_fixed,
        caveats,
    })
}

/// (old winner, new winner); `None` where nothing is possible.
type VerdictPair = (Option<usize>, Option<usize>);

struct Tally {
    compared: u128,
    changed: u128,
    changes: Vec<(VerdictPair, Finding)>,
    old_answers: Vec<Mask>,
    new_answers: Vec<Mask>,
}

impl Plan<'_> {
    fn tally(&self) -> Tally {
        Tally {
            compared: 0,
            changed: 0,
            changes: Vec::new(),
            old_answers: self.old_fixed.clone(),
            new_answers: self.new_fixed.clone(),
        }
    }

    /// `answers`: one mask per shared question, over its common options.
    fn record(&self, old: &RuleSet, new: &RuleSet, t: &mut Tally, answers: &[Mask], weight: u64) {
        for (s, &a) in self.shared.iter().zip(answers) {
            t.old_answers[s.old_index] = map_bits(a, &s.old_bits);
            t.new_answers[s.new_index] = map_bits(a, &s.new_bits);
        }
        let before = self.old_eval.winner(&t.old_answers);
        let after = self.new_eval.winner(&t.new_answers);
        tally_change(old, new, t, (before, after), u128::from(weight));
    }

    fn questions(&self) -> Vec<&Question> {
        self.shared.iter().map(|s| &s.common).collect()
    }

    /// Set both files' answers to the shared questions `members` from common-option masks.
    fn set(&self, t: &mut Tally, members: &[usize], answers: &[Mask]) {
        for (&s, &a) in members.iter().zip(answers) {
            let shared = &self.shared[s];
            t.old_answers[shared.old_index] = map_bits(a, &shared.old_bits);
            t.new_answers[shared.new_index] = map_bits(a, &shared.new_bits);
        }
    }
}

/// Count one compared class; an example (the old file's answers in `t`) for a new change.
fn tally_change(old: &RuleSet, new: &RuleSet, t: &mut Tally, pair: VerdictPair, weight: u128) {
    let (before, after) = pair;
    {
        fn id(rules: &RuleSet, o: Option<usize>) -> Option<&str> {
            o.map(|o| rules.outcomes[o].id.as_str())
        }
        t.compared += weight;
        if id(old, before) != id(new, after) {
            t.changed += weight;
            match t.changes.iter_mut().find(|(k, _)| *k == (before, after)) {
                Some((_, f)) => f.count += weight,
                None => t.changes.push((
                    (before, after),
                    Finding {
                        count: weight,
                        example: Some(t.old_answers.clone()),
                    },
                )),
            }
        }
    }
}

/// A class of joint answers to the shared questions of one combined group: answers that both
/// files score alike.
struct PairClass {
    answers: Vec<Mask>,
    weight: u64,
    old: Scored,
    new: Scored,
}

/// The shared questions that either file's conditions look at together.
struct PairDimension {
    members: Vec<usize>,
    classes: Vec<PairClass>,
}

fn add(into: &mut Scored, from: &Scored) {
    for (p, q) in into.0.iter_mut().zip(from.0) {
        *p = p.wrapping_add(q);
    }
    into.1 |= from.1;
}

/// The sum of what `groups` (question lists of `eval`'s groups, by index) contribute, with the
/// factors each carries (`carried[g]`, see `space::cases`).
fn contribution(
    eval: &Evaluator,
    groups: &[usize],
    carried: &[Vec<usize>],
    answers: &[Mask],
) -> Option<Scored> {
    let mut sum: Scored = ([0; LANES], 0);
    for &g in groups {
        let factors = carried.get(g).map_or(&[][..], Vec::as_slice);
        let e = eval.carried_entry(g, factors, answers)?;
        add(&mut sum, &(e.points, e.excluded));
    }
    Some(sum)
}

/// One case of both files' layouts: which factors each group carries, per file, and an answer
/// of the case for each shared question it is split on (common options).
struct PairCase<'a> {
    old_carried: &'a [Vec<usize>],
    new_carried: &'a [Vec<usize>],
    examples: Vec<(usize, Mask)>,
}

/// Joint dimensions for both files at once, plus what the groups with no shared question
/// contribute (a constant per file); `None` unless both evaluators are tabulated.
fn pair_dimensions(
    plan: &Plan,
    per_question: &[Vec<Class>],
    case: &PairCase,
) -> Option<(Vec<PairDimension>, Scored, Scored)> {
    let (old_groups, new_groups) = (plan.old_eval.groups()?, plan.new_eval.groups()?);
    let n = plan.shared.len();
    let shared_of = |groups: &[Vec<usize>], old: bool| -> Vec<Vec<usize>> {
        groups
            .iter()
            .map(|qs| {
                (0..n)
                    .filter(|&s| {
                        let sh = &plan.shared[s];
                        qs.contains(if old { &sh.old_index } else { &sh.new_index })
                    })
                    .collect()
            })
            .collect()
    };
    let (old_shared, new_shared) = (shared_of(&old_groups, true), shared_of(&new_groups, false));
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for members in old_shared.iter().chain(&new_shared) {
        for w in members.windows(2) {
            let (a, b) = (root(&mut parent, w[0]), root(&mut parent, w[1]));
            parent[a] = b;
        }
    }
    let mut t = plan.tally();
    for &(s, a) in &case.examples {
        plan.set(&mut t, &[s], &[a]);
    }
    let (mut old_const, mut new_const): (Scored, Scored) = (([0; LANES], 0), ([0; LANES], 0));
    let constant = |shared: &[Vec<usize>]| -> Vec<usize> {
        (0..shared.len())
            .filter(|&g| shared[g].is_empty())
            .collect()
    };
    add(
        &mut old_const,
        &contribution(
            &plan.old_eval,
            &constant(&old_shared),
            case.old_carried,
            &t.old_answers,
        )?,
    );
    add(
        &mut new_const,
        &contribution(
            &plan.new_eval,
            &constant(&new_shared),
            case.new_carried,
            &t.new_answers,
        )?,
    );
    let mut dims = Vec::new();
    for r in 0..n {
        if root(&mut parent, r) != r {
            continue;
        }
        let members: Vec<usize> = (0..n).filter(|&s| root(&mut parent, s) == r).collect();
        let mine = |shared: &[Vec<usize>]| -> Vec<usize> {
            (0..shared.len())
                .filter(|&g| shared[g].first().is_some_and(|&s| members.contains(&s)))
                .collect()
        };
        let (old_mine, new_mine) = (mine(&old_shared), mine(&new_shared));
        let sizes: Vec<usize> = members.iter().map(|&s| per_question[s].len()).collect();
        let mut index: HashMap<(Scored, Scored), usize> = HashMap::new();
        let mut classes: Vec<PairClass> = Vec::new();
        let mut failed = false;
        let mut answers = vec![0 as Mask; members.len()];
        odometer(&sizes, |choice| {
            let mut weight = 1u64;
            for (k, (&s, &c)) in members.iter().zip(choice).enumerate() {
                answers[k] = per_question[s][c].answer;
                weight = weight.saturating_mul(per_question[s][c].weight);
            }
            plan.set(&mut t, &members, &answers);
            let scored =
                contribution(&plan.old_eval, &old_mine, case.old_carried, &t.old_answers).zip(
                    contribution(&plan.new_eval, &new_mine, case.new_carried, &t.new_answers),
                );
            let Some(key) = scored else {
                failed = true;
                return false;
            };
            match index.get(&key) {
                Some(&i) => classes[i].weight = classes[i].weight.saturating_add(weight),
                None => {
                    index.insert(key, classes.len());
                    classes.push(PairClass {
                        answers: answers.clone(),
                        weight,
                        old: key.0,
                        new: key.1,
                    });
                }
            }
            true
        });
        if failed {
            return None;
        }
        dims.push(PairDimension { members, classes });
    }
    Some((dims, old_const, new_const))
}

/// Compare every distinct sum of pair classes, by aggregation: one comparison per distinct
/// pair of sums (each file's points and exclusions), in the order of each pair's first
/// combination, so counts, examples and the order of changes are those of
/// [`compare_enumerated`] on one thread; `None` when the sums are too many to aggregate.
fn compare_aggregated(
    old: &RuleSet,
    new: &RuleSet,
    plan: &Plan,
    dims: &[PairDimension],
    constants: (Scored, Scored),
) -> Option<Tally> {
    let sizes: Vec<usize> = dims.iter().map(|d| d.classes.len()).collect();
    let strides = strides(&sizes);
    let side = |new: bool| -> Vec<Vec<Scored>> {
        dims.iter()
            .map(|d| {
                d.classes
                    .iter()
                    .map(|c| {
                        if new {
                            scored(c.new.0, c.new.1)
                        } else {
                            scored(c.old.0, c.old.1)
                        }
                    })
                    .collect()
            })
            .collect()
    };
    let (old_side, new_side) = (side(false), side(true));
    // The new file's exclusions decide the order; both files prune with it.
    let sequence = prune::sequence(&new_side);
    let items: Vec<Vec<Item<(Scored, Scored), ()>>> = sequence
        .iter()
        .map(|&d| {
            dims[d]
                .classes
                .iter()
                .enumerate()
                .map(|(c, class)| Item {
                    key: (old_side[d][c], new_side[d][c]),
                    weight: class.weight,
                    aux: (),
                })
                .collect()
        })
        .collect();
    let zero = (
        scored(constants.0.0, constants.0.1),
        scored(constants.1.0, constants.1.1),
    );
    // Only winners matter here: outcomes out of reach of the top two are set aside, with no
    // slack for removed rules.
    let reach = |rules: &RuleSet, side: &[Vec<Scored>]| {
        let in_sequence: Vec<Vec<Scored>> = sequence.iter().map(|&d| side[d].clone()).collect();
        Reach::new(&in_sequence, prune::pruning(rules, false))
    };
    let reach = reach(old, &old_side).zip(reach(new, &new_side));
    let in_sequence: Vec<u128> = sequence.iter().map(|&d| strides[d]).collect();
    let totals = aggregate(
        &items,
        &in_sequence,
        zero,
        (),
        |d, a, b| match &reach {
            Some((old_reach, new_reach)) => (
                old_reach.prune(d, sum(&a.0, &b.0)),
                new_reach.prune(d, sum(&a.1, &b.1)),
            ),
            None => (sum(&a.0, &b.0), sum(&a.1, &b.1)),
        },
        |_, _| (),
    )?;
    let mut t = plan.tally();
    for total in totals {
        let (before, after) = total.key;
        let pair = (
            engine::top_two(old, &before.0, before.1).0,
            engine::top_two(new, &after.0, after.1).0,
        );
        if pair.0.map(|o| &old.outcomes[o].id) != pair.1.map(|o| &new.outcomes[o].id) {
            for (dim, c) in dims.iter().zip(choice(&sizes, total.first)) {
                plan.set(&mut t, &dim.members, &dim.classes[c].answers);
            }
        }
        tally_change(old, new, &mut t, pair, total.weight);
    }
    Some(t)
}

/// Compare every combination of pair classes on up to `threads` threads (what the
/// aggregation is tested against).
fn compare_enumerated(
    old: &RuleSet,
    new: &RuleSet,
    plan: &Plan,
    dims: &[PairDimension],
    constants: (Scored, Scored),
    threads: usize,
) -> Tally {
    let widest = (0..dims.len())
        .max_by_key(|&d| dims[d].classes.len())
        .unwrap_or(0);
    let n = dims.get(widest).map_or(1, |d| d.classes.len());
    let parts = space::split(n, threads, |range| {
        let mut t = plan.tally();
        let mut sizes: Vec<usize> = dims.iter().map(|d| d.classes.len()).collect();
        if let Some(w) = sizes.get_mut(widest) {
            *w = range.len();
        }
        odometer(&sizes, |choice| {
            let class = |d: usize, c: usize| {
                &dims[d].classes[if d == widest { c + range.start } else { c }]
            };
            let (mut before, mut after) = constants;
            let mut weight = 1u64;
            for (d, &c) in choice.iter().enumerate() {
                add(&mut before, &class(d, c).old);
                add(&mut after, &class(d, c).new);
                weight = weight.saturating_mul(class(d, c).weight);
            }
            let pair = (
                engine::top_two(old, &before.0, before.1).0,
                engine::top_two(new, &after.0, after.1).0,
            );
            if pair.0.map(|o| &old.outcomes[o].id) != pair.1.map(|o| &new.outcomes[o].id) {
                // Only a change needs the full answers, for its example.
                for (d, &c) in choice.iter().enumerate() {
                    plan.set(&mut t, &dims[d].members, &class(d, c).answers);
                }
            }
            tally_change(old, new, &mut t, pair, u128::from(weight));
            true
        });
        t
    });
    let mut total = plan.tally();
    for part in parts {
        total.compared += part.compared;
        total.changed += part.changed;
        crate::analysis::check::merge_findings(&mut total.changes, part.changes);
    }
    total
}

/// The comparison over pair classes, case by case where a file has conditions across its
/// groups (see `space::cases`): each file's factors are carried by one group, and the shared
/// questions either file conditions on split the space. `None` when a file is not tabulated,
/// a case's sums are too many to aggregate, or (enumerating) its combinations too many.
fn compare_joint(
    old: &RuleSet,
    new: &RuleSet,
    plan: &Plan,
    per_question: &[Vec<Class>],
    threads: usize,
    method: Method,
) -> Option<(Tally, Coverage)> {
    // Questions only one file asks are held; the rest are free.
    let held = |fixed: &[Mask], rules: &RuleSet, old_side: bool| -> Vec<Option<Mask>> {
        (0..rules.questions.len())
            .map(|q| {
                let shared = plan
                    .shared
                    .iter()
                    .any(|s| q == if old_side { s.old_index } else { s.new_index });
                (!shared).then_some(fixed[q])
            })
            .collect()
    };
    let old_layout = Layout::new(&plan.old_eval, &held(&plan.old_fixed, old, true), None)?;
    let new_layout = Layout::new(&plan.new_eval, &held(&plan.new_fixed, new, false), None)?;
    // What each file splits on, over the common options of each shared question.
    let mut split: Vec<(usize, Vec<Mask>)> = Vec::new();
    for (layout, old_side) in [(&old_layout, true), (&new_layout, false)] {
        for (q, masks) in &layout.conditioned {
            let Some(s) = plan
                .shared
                .iter()
                .position(|s| *q == if old_side { s.old_index } else { s.new_index })
            else {
                continue;
            };
            let bits = if old_side {
                &plan.shared[s].old_bits
            } else {
                &plan.shared[s].new_bits
            };
            let common: Vec<Mask> = masks.iter().map(|&m| back_bits(m, bits)).collect();
            cases::split_on(&mut split, s, common);
        }
    }
    split.sort_by_key(|(s, _)| *s);
    let cases = cases::cases_of(&split, &plan.questions())?;
    let mut total = plan.tally();
    let mut classes = 0u128;
    for case in &cases {
        let mine: Vec<Vec<Class>> = per_question
            .iter()
            .enumerate()
            .map(|(s, cs)| {
                cs.iter()
                    .filter(|c| case.allows(s, c.answer))
                    .cloned()
                    .collect()
            })
            .collect();
        let pair_case = PairCase {
            old_carried: &old_layout.carried,
            new_carried: &new_layout.carried,
            examples: case.limits.iter().map(|&(s, _, a)| (s, a)).collect(),
        };
        let (dims, old_const, new_const) = pair_dimensions(plan, &mine, &pair_case)?;
        let combinations = dims
            .iter()
            .fold(1u128, |c, d| c.saturating_mul(d.classes.len() as u128));
        classes = classes.saturating_add(combinations);
        let constants = (old_const, new_const);
        let part = match method {
            Method::Enumerated => (combinations <= MAX_ENUMERATED)
                .then(|| compare_enumerated(old, new, plan, &dims, constants, threads))?,
            _ => compare_aggregated(old, new, plan, &dims, constants)?,
        };
        total.compared += part.compared;
        total.changed += part.changed;
        crate::analysis::check::merge_findings(&mut total.changes, part.changes);
    }
    Some((total, Coverage::Exhaustive { classes }))
}

/// `mask` (a file's option bits) as common-option bits, given each common option's bit there.
fn back_bits(mask: Mask, bits: &[Mask]) -> Mask {
    bits.iter()
        .enumerate()
        .filter(|(_, b)| mask & **b != 0)
        .fold(0, |acc, (i, _)| acc | 1 << i)
}

/// Compare every answer set (or `SAMPLE_SIZE` drawn with `seed` when the space is too large).
pub fn diff(
    old: &RuleSet,
    new: &RuleSet,
    seed: u64,
    threads: usize,
) -> Result<DiffReport, Incomparable> {
    diff_with(old, new, seed, threads, Method::Aggregated)
}

/// How [`diff_with`] goes over the space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    /// Distinct sums of joint classes of both files (what `diff` does).
    Aggregated,
    /// Every combination of joint classes: the reference the tests hold the aggregation to.
    #[cfg_attr(not(test), allow(dead_code))]
    Enumerated,
    /// Every combination of per-question classes (what untabulated rule sets get).
    PerQuestion,
}

fn diff_with(
    old: &RuleSet,
    new: &RuleSet,
    seed: u64,
    threads: usize,
    method: Method,
) -> Result<DiffReport, Incomparable> {
    let plan = plan(old, new)?;
    let questions = plan.questions();
    // Classes must be indistinguishable to both files.
    let dims: Option<Vec<Dimension>> = plan
        .shared
        .iter()
        .enumerate()
        .map(|(d, s)| {
            let back = |masks: Vec<Mask>, bits: &[Mask]| -> Vec<Mask> {
                masks.into_iter().map(|m| back_bits(m, bits)).collect()
            };
            let mut tests = back(space::test_masks(old, s.old_index), &s.old_bits);
            tests.extend(back(space::test_masks(new, s.new_index), &s.new_bits));
            space::classes(&s.common, &tests).map(|classes| Dimension {
                question: d,
                classes,
            })
        })
        .collect();
    let per_question: Option<Vec<Vec<Class>>> = dims
        .as_ref()
        .map(|d| d.iter().map(|d| d.classes.clone()).collect());
    let joint = per_question
        .as_deref()
        .filter(|_| method != Method::PerQuestion)
        .and_then(|pq| compare_joint(old, new, &plan, pq, threads, method));
    let classes = dims
        .as_ref()
        .map(|d| space::sizes(d).1)
        .filter(|&classes| classes <= MAX_ENUMERATED);
    let n = plan.shared.len();
    let (tally, coverage) = match (joint, dims, classes) {
        (Some(done), _, _) => done,
        (None, Some(mut dims), Some(classes)) => {
            space::widest_first(&mut dims);
            let parts = space::par_for_each(
                &dims,
                &vec![0 as Mask; n],
                threads,
                || plan.tally(),
                |t, a, w| plan.record(old, new, t, a, w),
            );
            let mut total = plan.tally();
            for part in parts {
                total.compared += part.compared;
                total.changed += part.changed;
                crate::analysis::check::merge_findings(&mut total.changes, part.changes);
            }
            (total, Coverage::Exhaustive { classes })
        }
        (None, _, _) => {
            let mut rng = Rng::new(seed);
            let mut t = plan.tally();
            let mut answers = vec![0 as Mask; n];
            for _ in 0..SAMPLE_SIZE {
                for (a, q) in answers.iter_mut().zip(&questions) {
                    *a = rng.answer(q);
                }
                plan.record(old, new, &mut t, &answers, 1);
            }
            (
                t,
                Coverage::Sampled {
                    size: SAMPLE_SIZE,
                    seed,
                    why: match plan.old_eval.untabulated().or(plan.new_eval.untabulated()) {
                        Some(why) => format!("a rule file has {why}"),
                        None => format!(
                            "the answers' contributions add up to more than {} distinct sums",
                            space::aggregate::MAX_STATES
                        ),
                    } + &format!(
                        ", and there are more than {MAX_ENUMERATED} combinations of per-question classes"
                    ),
                },
            )
        }
    };
    let id = |rules: &RuleSet, o: Option<usize>| o.map(|o| rules.outcomes[o].id.to_string());
    let mut changes: Vec<Change> = tally
        .changes
        .into_iter()
        .map(|((a, b), finding)| Change {
            from: id(old, a),
            to: id(new, b),
            finding,
        })
        .collect();
    changes.sort_by_key(|c| std::cmp::Reverse(c.finding.count));
    Ok(DiffReport {
        coverage,
        compared: tally.compared,
        changed: tally.changed,
        changes,
        caveats: plan.caveats,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::load_rules;

    fn load(name: &str, yaml: &str) -> RuleSet {
        load_rules(name, yaml.as_bytes()).unwrap()
    }

    /// Joint classes across both files find exactly the changes per-question classes find.
    #[test]
    fn joint_classes_find_what_per_question_classes_find() {
        let april = include_str!("../../tests/fixtures/default-2026-04.yaml");
        let heavier = april.replacen(
            "score: {core-ml: 3, both: 3, mlx-then-core-ml: 3}",
            "score: {core-ml: 9, both: 3, mlx-then-core-ml: 3}",
            1,
        );
        let pairs = [
            (april.to_owned(), heavier),
            (
                include_str!("../../tests/fixtures/tiny.yaml").to_owned(),
                include_str!("../../tests/fixtures/tiny-edited.yaml").to_owned(),
            ),
            (
                april.to_owned(),
                include_str!("../../rules/default.yaml").to_owned(),
            ),
        ];
        for (a, b) in &pairs {
            let (old, new) = (load("old.yaml", a), load("new.yaml", b));
            let joint = diff_with(&old, &new, 1, 2, Method::Aggregated).unwrap();
            let per_question = diff_with(&old, &new, 1, 2, Method::PerQuestion).unwrap();
            // The aggregation against every combination in odometer order: the same changes
            // in the same order, with the same examples.
            let enumerated = diff_with(&old, &new, 1, 1, Method::Enumerated).unwrap();
            let all = |r: &DiffReport| {
                r.changes
                    .iter()
                    .map(|c| {
                        (
                            c.from.clone(),
                            c.to.clone(),
                            c.finding.count,
                            c.finding.example.clone(),
                        )
                    })
                    .collect::<Vec<_>>()
            };
            assert_eq!(all(&joint), all(&enumerated));
            assert_eq!(
                (joint.compared, joint.changed),
                (enumerated.compared, enumerated.changed)
            );
            assert!(matches!(joint.coverage, Coverage::Exhaustive { .. }));
            assert!(matches!(per_question.coverage, Coverage::Exhaustive { .. }));
            assert_eq!(joint.compared, per_question.compared);
            assert_eq!(joint.changed, per_question.changed);
            let counts = |r: &DiffReport| {
                let mut c: Vec<_> = r
                    .changes
                    .iter()
                    .map(|c| (c.from.clone(), c.to.clone(), c.finding.count))
                    .collect();
                c.sort();
                c
            };
            assert_eq!(counts(&joint), counts(&per_question));
            for change in &joint.changes {
                let example = change.finding.example.as_ref().unwrap();
                let name = |r: &RuleSet, o: Option<usize>| o.map(|o| r.outcomes[o].id.to_string());
                assert_eq!(name(&old, engine::winner(&old, example)), change.from);
            }
        }
        assert!(
            diff_with(
                &load("a", &pairs[0].0),
                &load("b", &pairs[0].1),
                1,
                2,
                Method::Aggregated
            )
            .unwrap()
            .changed
                > 0
        );
    }
}
