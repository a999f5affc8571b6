//! `rules diff`: the answer sets whose verdict differs between two rule files. Pure.

use crate::check::{Coverage, Finding, MAX_ENUMERATED, SAMPLE_SIZE};
use crate::evaluator::Evaluator;
use crate::rules::{Mask, Question, RuleSet};
use crate::space::{self, Dimension, Rng};

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
        if oq.kind != nq.kind {
            return Err(Incomparable(format!(
                "question `{}` is single choice in one file and multi choice in the other",
                oq.id
            )));
        }
        let mut common = oq.clone();
        common.options.clear();
        common.exclusive = 0;
        let (mut old_bits, mut new_bits) = (Vec::new(), Vec::new());
        for (i, option) in oq.options.iter().enumerate() {
            match nq.option_index(&option.id) {
                Some(j) => {
                    if oq.exclusive & (1 << i) != 0 {
                        common.exclusive |= 1 << common.options.len();
                    }
                    common.options.push(option.clone());
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
        fn id(rules: &RuleSet, o: Option<usize>) -> Option<&str> {
            o.map(|o| rules.outcomes[o].id.as_str())
        }
        t.compared += u128::from(weight);
        if id(old, before) != id(new, after) {
            t.changed += u128::from(weight);
            match t.changes.iter_mut().find(|(k, _)| *k == (before, after)) {
                Some((_, f)) => f.count += u128::from(weight),
                None => t.changes.push((
                    (before, after),
                    Finding {
                        count: u128::from(weight),
                        example: Some(t.old_answers.clone()),
                    },
                )),
            }
        }
    }

    fn questions(&self) -> Vec<&Question> {
        self.shared.iter().map(|s| &s.common).collect()
    }
}

/// Compare every answer set (or `SAMPLE_SIZE` drawn with `seed` when the space is too large).
pub fn diff(
    old: &RuleSet,
    new: &RuleSet,
    seed: u64,
    threads: usize,
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
                masks
                    .into_iter()
                    .map(|m| {
                        bits.iter()
                            .enumerate()
                            .filter(|(_, b)| m & **b != 0)
                            .fold(0, |acc, (i, _)| acc | 1 << i)
                    })
                    .collect()
            };
            let mut tests = back(space::test_masks(old, s.old_index), &s.old_bits);
            tests.extend(back(space::test_masks(new, s.new_index), &s.new_bits));
            space::classes(&s.common, &tests).map(|classes| Dimension {
                question: d,
                classes,
            })
        })
        .collect();
    let classes = dims
        .as_ref()
        .map(|d| space::sizes(d).1)
        .filter(|&classes| classes <= MAX_ENUMERATED);
    let n = plan.shared.len();
    let (tally, coverage) = match (dims, classes) {
        (Some(mut dims), Some(classes)) => {
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
                crate::check::merge_findings(&mut total.changes, part.changes);
            }
            (total, Coverage::Exhaustive { classes })
        }
        _ => {
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
                },
            )
        }
    };
    let id = |rules: &RuleSet, o: Option<usize>| o.map(|o| rules.outcomes[o].id.clone());
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
