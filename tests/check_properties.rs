//! `rules check` against a brute-force oracle on random small rule sets: the aggregation (with
//! its pruning of outcomes out of reach and its shifted sums) must find exactly what
//! evaluating every answer set with the tree engine finds.

use std::collections::BTreeMap;

use mlstack::analysis::check::{self, Coverage};
use mlstack::engine;
use mlstack::rules::{Mask, RuleSet, load_rules};
use proptest::prelude::*;

/// A question: single or multi choice, with this many options.
#[derive(Debug, Clone)]
struct Q {
    multi: bool,
    options: usize,
}

/// A rule: when question `q` includes option `o` (and, if given, question `q2` option `o2`),
/// these points.
#[derive(Debug, Clone)]
struct R {
    q: usize,
    o: usize,
    and: Option<(usize, usize)>,
    points: Vec<(usize, i32)>,
}

#[derive(Debug, Clone)]
struct Spec {
    outcomes: usize,
    questions: Vec<Q>,
    rules: Vec<R>,
    /// (question, option, outcome excluded)
    constraints: Vec<(usize, usize, usize)>,
    strong: u32,
    moderate: u32,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        2usize..=5,
        prop::collection::vec((any::<bool>(), 2usize..=3), 2..=4),
    )
        .prop_flat_map(|(outcomes, qs)| {
            let questions: Vec<Q> = qs
                .into_iter()
                .map(|(multi, options)| Q { multi, options })
                .collect();
            let n = questions.len();
            let rule = (
                0..n,
                0usize..3,
                prop::option::of((0..n, 0usize..3)),
                prop::collection::vec((0..outcomes, -3i32..=6), 1..=2),
            )
                .prop_map(|(q, o, and, points)| R { q, o, and, points });
            (
                Just(outcomes),
                Just(questions),
                prop::collection::vec(rule, 1..=7),
                prop::collection::vec((0..n, 0usize..3, 0..outcomes), 0..=2),
                1u32..=4,
            )
                .prop_map(|(outcomes, questions, rules, constraints, strong)| Spec {
                    outcomes,
                    questions,
                    rules,
                    constraints,
                    strong,
                    moderate: strong.div_ceil(2),
                })
        })
}

fn yaml(s: &Spec) -> String {
    let mut y = String::from("name: random\noutcomes:\n");
    for o in 0..s.outcomes {
        y += &format!("  - {{id: o{o}, name: O{o}, summary: s}}\n");
    }
    y += "questions:\n";
    for (i, q) in s.questions.iter().enumerate() {
        let options: Vec<String> = (0..q.options)
            .map(|o| format!("{{id: x{o}, label: X}}"))
            .collect();
        let kind = if q.multi { "multi" } else { "single" };
        y += &format!(
            "  - {{id: q{i}, prompt: Q, kind: {kind}, default: x0, options: [{}]}}\n",
            options.join(", ")
        );
    }
    y += "rules:\n";
    // Options past a question's count fold onto its last one.
    let opt = |q: usize, o: usize| o.min(s.questions[q].options - 1);
    for (i, r) in s.rules.iter().enumerate() {
        let mut when = format!("q{}: x{}", r.q, opt(r.q, r.o));
        if let Some((q2, o2)) = r.and.filter(|&(q2, _)| q2 != r.q) {
            when += &format!(", q{q2}: x{}", opt(q2, o2));
        }
        let mut points: BTreeMap<usize, i32> = BTreeMap::new();
        for &(o, p) in &r.points {
            *points.entry(o).or_default() += p;
        }
        // Zero points are refused by the validator: such entries are dropped.
        let mut score: Vec<String> = points
            .iter()
            .filter(|(_, p)| **p != 0)
            .map(|(o, p)| format!("o{o}: {p}"))
            .collect();
        if score.is_empty() {
            score.push("o0: 1".to_owned());
        }
        y += &format!(
            "  - {{id: r{i}, when: {{{when}}}, score: {{{}}}, why: w, cite: c}}\n",
            score.join(", ")
        );
    }
    if !s.constraints.is_empty() {
        y += "constraints:\n";
        for (i, &(q, o, out)) in s.constraints.iter().enumerate() {
            y += &format!(
                "  - {{id: k{i}, when: {{q{q}: x{}}}, exclude: [o{out}], why: w, source: s}}\n",
                opt(q, o)
            );
        }
    }
    let order: Vec<String> = (0..s.outcomes).map(|o| format!("o{o}")).collect();
    y += &format!(
        "tie_break: [{}]\nconfidence: {{strong: {}, moderate: {}}}\n",
        order.join(", "),
        s.strong,
        s.moderate
    );
    y
}

/// Every legal answer set.
fn all_answers(rules: &RuleSet) -> Vec<Vec<Mask>> {
    let legal: Vec<Vec<Mask>> = rules
        .questions
        .iter()
        .map(|q| q.legal_answers(1 << 12).unwrap())
        .collect();
    let mut out = vec![Vec::new()];
    for l in &legal {
        out = out
            .into_iter()
            .flat_map(|prefix: Vec<Mask>| {
                l.iter().map(move |&a| {
                    let mut p = prefix.clone();
                    p.push(a);
                    p
                })
            })
            .collect();
    }
    out
}

/// What `rules check` reports, found by evaluating every answer set with the tree engine.
#[derive(Debug, PartialEq)]
struct Oracle {
    wins: Vec<u128>,
    nothing: u128,
    ties: BTreeMap<(usize, usize), u128>,
    close: u128,
    never_fired: Vec<usize>,
    without_effect: Vec<usize>,
    dead_questions: Vec<usize>,
}

fn oracle(rules: &RuleSet) -> Oracle {
    let all = all_answers(rules);
    let mut o = Oracle {
        wins: vec![0; rules.outcomes.len()],
        nothing: 0,
        ties: BTreeMap::new(),
        close: 0,
        never_fired: Vec::new(),
        without_effect: Vec::new(),
        dead_questions: Vec::new(),
    };
    let mut fired = vec![false; rules.rules.len()];
    let mut bearing = vec![false; rules.rules.len()];
    for a in &all {
        let v = engine::evaluate(rules, a);
        for &r in &v.fired_rules {
            fired[r] = true;
        }
        let Some(w) = v.winner() else {
            o.nothing += 1;
            continue;
        };
        o.wins[w] += 1;
        if let Some(r) = v.runner_up() {
            let margin = v.scores[w] - v.scores[r];
            if margin < rules.confidence.moderate as i32 {
                o.close += 1;
            }
            if margin == 0 {
                *o.ties.entry((w, r)).or_default() += 1;
            }
        }
        // Would removing a fired rule change the winner?
        for &r in &v.fired_rules {
            let mut scores = v.scores.clone();
            for &(out, p) in &rules.rules[r].score {
                scores[out] -= p;
            }
            if engine::top_two(rules, &scores, v.excluded).0 != Some(w) {
                bearing[r] = true;
            }
        }
    }
    o.never_fired = (0..fired.len()).filter(|&r| !fired[r]).collect();
    o.without_effect = (0..fired.len())
        .filter(|&r| fired[r] && !bearing[r])
        .collect();
    for q in 0..rules.questions.len() {
        let legal = rules.questions[q].legal_answers(1 << 12).unwrap();
        let matters = all.iter().any(|a| {
            let w = engine::winner(rules, a);
            legal.iter().any(|&alt| {
                let mut b = a.clone();
                b[q] = alt;
                engine::winner(rules, &b) != w
            })
        });
        if !matters {
            o.dead_questions.push(q);
        }
    }
    o
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn check_finds_what_evaluating_every_answer_set_finds(s in spec()) {
        let text = yaml(&s);
        let rules = load_rules("random.yaml", text.as_bytes()).unwrap();
        let report = check::check(&rules, 1, 2);
        prop_assert!(matches!(report.coverage, Coverage::Exhaustive { .. }), "{text}");
        let want = oracle(&rules);
        let ties: BTreeMap<(usize, usize), u128> =
            report.ties.iter().map(|t| (t.outcomes, t.finding.count)).collect();
        let got = Oracle {
            wins: report.wins.clone(),
            nothing: report.nothing_possible.count,
            ties,
            close: report.close_calls,
            never_fired: report.rules_never_fired.clone(),
            without_effect: report.rules_without_effect.clone(),
            dead_questions: report.questions_without_effect.clone(),
        };
        prop_assert_eq!(got, want, "{}", text);
        // Every example shows its finding.
        if let Some(e) = &report.nothing_possible.example {
            prop_assert_eq!(engine::winner(&rules, e), None);
        }
        for t in &report.ties {
            let v = engine::evaluate(&rules, t.finding.example.as_ref().unwrap());
            prop_assert_eq!((v.winner(), v.runner_up()), (Some(t.outcomes.0), Some(t.outcomes.1)));
            prop_assert_eq!(v.margin(), Some(0));
        }
        // And aggregation agrees with visiting every combination, examples and order included.
        let enumerated = check::check_enumerated(&rules, 1).unwrap();
        let examples = |r: &check::CheckReport| {
            let mut e = vec![(None, r.nothing_possible.example.clone())];
            e.extend(r.ties.iter().map(|t| (Some(t.outcomes), t.finding.example.clone())));
            e
        };
        prop_assert_eq!(examples(&report), examples(&enumerated));
    }
}
