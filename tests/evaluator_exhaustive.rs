//! The tabulated evaluator equals the tree engine over the whole answer space of the default
//! rules (4.3 trillion answer sets), exhaustively, in two steps:
//!
//! 1. Every table entry is right: for every evaluator table (a group, or a factor for the
//!    conditions across groups) and every legal joint answer of its questions, the entry's
//!    points, fired rules and exclusions are what the rule and constraint conditions
//!    tabulated there give (walking the condition trees), up to a per-table constant that
//!    accounts for unconditional rules; and every condition has exactly one table. So for
//!    every answer set the tables sum to what the tree engine adds up.
//! 2. Every verdict is right: a verdict depends only on what the tables add up to (points per
//!    outcome and exclusions), which by step 1 is what the trees add up to. The space is
//!    aggregated, case by case, into every distinct sum with the answer sets that reach it;
//!    for each sum, the evaluator's winner and `engine::winner` on an answer set reaching it
//!    both equal the winner the sum gives, and the sums cover every answer set once.

use mlstack::analysis::space::joint;
use mlstack::engine;
use mlstack::engine::evaluator::{Evaluator, LANES, RuleBits};
use mlstack::rules::{Condition, Mask, default_rules};

/// Every combination of one legal answer per question of `questions`, as full answer sets
/// (other questions at their first legal answer).
fn joint_answers(rules: &mlstack::rules::RuleSet, questions: &[usize]) -> Vec<Vec<Mask>> {
    let base: Vec<Mask> = rules
        .questions
        .iter()
        .map(|q| q.legal_answers(1 << 16).unwrap()[0])
        .collect();
    let mut out = vec![base];
    for &q in questions {
        let legal = rules.questions[q].legal_answers(1 << 16).unwrap();
        out = out
            .into_iter()
            .flat_map(|a| {
                legal.iter().map(move |&m| {
                    let mut a = a.clone();
                    a[q] = m;
                    a
                })
            })
            .collect();
    }
    out
}

#[test]
fn every_table_entry_is_what_the_condition_trees_give() {
    let rules = default_rules();
    let eval = Evaluator::new(&rules);
    let groups = eval.groups().expect("the default rules are tabulated");
    let factors = eval.factors();
    // Tables: the groups (every question in one), then the factors (one per set of questions
    // of a condition across groups).
    let tables: Vec<(bool, usize, &Vec<usize>)> = groups
        .iter()
        .enumerate()
        .map(|(g, qs)| (false, g, qs))
        .chain(factors.iter().enumerate().map(|(f, qs)| (true, f, qs)))
        .collect();
    let mask = |qs: &[usize]| -> u64 { qs.iter().map(|&q| 1u64 << q).sum() };
    // The table a condition is tabulated in: the group holding all its questions, else the
    // factor of exactly its questions.
    let home = |c: &Condition| -> Option<usize> {
        let qs = c.questions();
        tables.iter().position(|(factor, _, t)| {
            if *factor {
                mask(t) == qs
            } else {
                qs & !mask(t) == 0
            }
        })
    };
    // Every condition has a table.
    let conditions = rules
        .rules
        .iter()
        .filter_map(|r| r.when.as_ref())
        .chain(rules.constraints.iter().map(|c| &c.when));
    for c in conditions {
        assert!(home(c).is_some(), "a condition without a table");
    }
    assert!(
        !factors.is_empty(),
        "the default rules have conditions across groups"
    );
    let mut offsets_points = [0i32; LANES];
    let mut offsets_fired = RuleBits::default();
    let xor = |a: RuleBits, b: RuleBits| RuleBits(std::array::from_fn(|i| a.0[i] ^ b.0[i]));
    let mut entries_checked = 0usize;
    for (t, &(factor, index, questions)) in tables.iter().enumerate() {
        let mut offset: Option<([i32; LANES], RuleBits, u64)> = None;
        for answers in joint_answers(&rules, questions) {
            let entry = if factor {
                eval.factor_entry(index, &answers)
            } else {
                eval.group_entry(index, &answers)
            }
            .expect("a legal answer has an entry");
            // What the trees give for the rules and constraints of this table.
            let (mut points, mut fired, mut excluded) = ([0i32; LANES], RuleBits::default(), 0u64);
            for (i, r) in rules.rules.iter().enumerate() {
                let Some(c) = &r.when else { continue };
                if home(c) == Some(t) && c.holds(&answers) {
                    fired.set(i);
                    for &(o, p) in &r.score {
                        points[o] += p;
                    }
                }
            }
            for c in &rules.constraints {
                if home(&c.when) == Some(t) && c.when.holds(&answers) {
                    excluded |= c.exclude;
                }
            }
            let mut diff = [0i32; LANES];
            for o in 0..LANES {
                diff[o] = entry.points[o] - points[o];
            }
            let this = (diff, xor(entry.fired, fired), entry.excluded ^ excluded);
            assert_eq!(
                *offset.get_or_insert(this),
                this,
                "table {t}, answers {answers:?}"
            );
            entries_checked += 1;
        }
        let (diff, fired, excluded) = offset.unwrap();
        assert_eq!(excluded, 0, "every constraint has a condition");
        for o in 0..LANES {
            offsets_points[o] += diff[o];
        }
        assert!(
            (0..rules.rules.len()).all(|r| !(offsets_fired.contains(r) && fired.contains(r))),
            "an unconditional rule counted twice"
        );
        offsets_fired |= fired;
    }
    // What the offsets add up to is exactly the unconditional rules.
    let mut always = [0i32; LANES];
    let mut always_fired = RuleBits::default();
    for (i, r) in rules
        .rules
        .iter()
        .enumerate()
        .filter(|(_, r)| r.when.is_none())
    {
        always_fired.set(i);
        for &(o, p) in &r.score {
            always[o] += p;
        }
    }
    assert_eq!(offsets_points, always);
    assert_eq!(offsets_fired, always_fired);
    assert!(
        entries_checked > 10_000,
        "{entries_checked} joint answers checked"
    );
}

#[test]
fn every_verdict_of_the_whole_space_is_the_tree_engines() {
    let rules = default_rules();
    let eval = Evaluator::new(&rules);
    let none = vec![None; rules.questions.len()];
    let (_, spaces) = joint::spaces(&eval, &none, None).expect("the default rules are tabulated");
    let (mut answer_sets, mut covered, mut sums) = (0u128, 0u128, 0usize);
    for dims in &spaces {
        answer_sets += joint::sizes(dims).0;
        let order = joint::enumeration_order(dims);
        for total in joint::totals(&order, None).expect("the sums can be aggregated") {
            let answers = joint::example(&order, rules.questions.len(), total.first);
            let by_sum = engine::top_two(&rules, &total.key.0, total.key.1).0;
            assert_eq!(eval.winner(&answers), by_sum, "answers {answers:?}");
            assert_eq!(
                engine::winner(&rules, &answers),
                by_sum,
                "answers {answers:?}"
            );
            covered += total.weight;
            sums += 1;
        }
    }
    assert_eq!(covered, answer_sets, "every answer set is covered once");
    assert!(sums > 100_000, "{sums} distinct sums");
    assert_eq!(answer_sets, 293_570_862_907_392);
}
