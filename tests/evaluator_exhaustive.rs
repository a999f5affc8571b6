//! The tabulated evaluator equals the tree engine over the whole answer space of the default
//! rules (12.5 trillion answer sets), exhaustively, in two steps:
//!
//! 1. Every table entry is right: for every evaluator group and every legal joint answer of
//!    its questions, the entry's points, fired rules and exclusions are what the rule and
//!    constraint conditions give (walking the condition trees), up to a per-group constant
//!    that accounts for unconditional rules; and every condition reads the questions of one
//!    group only. So for every answer set the tables sum to what the tree engine adds up.
//! 2. Every verdict is right: the answer space is visited as combinations of joint classes
//!    (answers within a class bring identical entries, hence by step 1 identical tree
//!    contributions), and for every combination the evaluator's winner equals
//!    `engine::winner` on an answer set of it.

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
    let group_of = |c: &Condition| -> Option<usize> {
        let qs = c.questions();
        groups
            .iter()
            .position(|g| g.iter().any(|&q| qs & (1 << q) != 0))
    };
    // Every condition reads one group's questions only.
    let conditions = rules
        .rules
        .iter()
        .filter_map(|r| r.when.as_ref())
        .chain(rules.constraints.iter().map(|c| &c.when));
    for c in conditions {
        let g = group_of(c).expect("a condition reads some question");
        let inside: u64 = groups[g].iter().map(|&q| 1u64 << q).sum();
        assert_eq!(c.questions() & !inside, 0, "a condition spans two groups");
    }
    let mut offsets_points = [0i32; LANES];
    let mut offsets_fired = RuleBits::default();
    let xor = |a: RuleBits, b: RuleBits| RuleBits(std::array::from_fn(|i| a.0[i] ^ b.0[i]));
    let mut entries_checked = 0usize;
    for (g, questions) in groups.iter().enumerate() {
        let mut offset: Option<([i32; LANES], RuleBits, u64)> = None;
        for answers in joint_answers(&rules, questions) {
            let entry = eval
                .group_entry(g, &answers)
                .expect("a legal answer has an entry");
            // What the trees give for the rules and constraints of this group.
            let (mut points, mut fired, mut excluded) = ([0i32; LANES], RuleBits::default(), 0u64);
            for (i, r) in rules.rules.iter().enumerate() {
                let Some(c) = &r.when else { continue };
                if group_of(c) == Some(g) && c.holds(&answers) {
                    fired.set(i);
                    for &(o, p) in &r.score {
                        points[o] += p;
                    }
                }
            }
            for c in &rules.constraints {
                if group_of(&c.when) == Some(g) && c.when.holds(&answers) {
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
                "group {g}, answers {answers:?}"
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
    let dims = joint::dimensions(&eval).expect("the default rules are tabulated");
    let (answer_sets, classes) = joint::sizes(&dims);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let results = joint::par_for_each(
        &dims,
        rules.questions.len(),
        threads,
        || (0u64, 0u128),
        |(visited, covered), c| {
            let answers = c.answers();
            assert_eq!(
                eval.winner(&answers),
                engine::winner(&rules, &answers),
                "answers {answers:?}"
            );
            *visited += 1;
            *covered += u128::from(c.weight);
        },
    );
    let visited: u64 = results.iter().map(|r| r.0).sum();
    let covered: u128 = results.iter().map(|r| r.1).sum();
    assert_eq!(u128::from(visited), classes);
    assert_eq!(covered, answer_sets, "every answer set is covered once");
    assert_eq!(answer_sets, 4_300_354_437_120);
}
