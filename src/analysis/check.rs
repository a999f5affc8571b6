//! `rules check`: what a rule set does over its whole answer space. Pure: no I/O.

use crate::analysis::space::prune;
use crate::analysis::space::{self, Rng, joint};
use crate::engine;
use crate::engine::evaluator::{Evaluator, LANES, RULE_WORDS};
use crate::rules::{MAX_OUTCOMES, Mask, RuleSet};

/// Spaces with more class combinations than this are sampled instead of enumerated.
pub const MAX_ENUMERATED: u128 = 50_000_000;
/// Answer sets drawn when sampling.
pub const SAMPLE_SIZE: u64 = 1_000_000;

#[derive(Debug, Clone)]
pub enum Coverage {
    /// Every answer set, through `classes` combinations of indistinguishable answers.
    Exhaustive { classes: u128 },
    /// `size` random answer sets drawn with `seed`, because (`why`) the space could not be
    /// gone over whole: a limit was hit, which `rules check` reports as a problem.
    Sampled { size: u64, seed: u64, why: String },
}

/// A count with the first answer set found.
#[derive(Debug, Clone, Default)]
pub struct Finding {
    pub count: u128,
    pub example: Option<Vec<Mask>>,
}

impl Finding {
    /// Count `weight` more answer sets; `example` builds one only if none is kept yet.
    fn add(&mut self, weight: u128, example: &dyn Fn() -> Vec<Mask>) {
        self.count += weight;
        if self.example.is_none() {
            self.example = Some(example());
        }
    }

    fn merge(&mut self, other: Finding) {
        self.count += other.count;
        if self.example.is_none() {
            self.example = other.example;
        }
    }
}

/// Merge per-key findings from another thread into `into`.
pub(crate) fn merge_findings<K: PartialEq>(into: &mut Vec<(K, Finding)>, from: Vec<(K, Finding)>) {
    for (key, f) in from {
        match into.iter_mut().find(|(k, _)| *k == key) {
            Some((_, mine)) => mine.merge(f),
            None => into.push((key, f)),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Tie {
    pub outcomes: (usize, usize),
    pub declared: bool,
    pub finding: Finding,
}

#[derive(Debug, Clone)]
pub struct CheckReport {
    pub coverage: Coverage,
    /// Answer sets the space holds (or the sample size).
    pub answer_sets: u128,
    /// Answer sets each outcome wins.
    pub wins: Vec<u128>,
    /// Answer sets where constraints exclude every outcome.
    pub nothing_possible: Finding,
    /// Answer sets whose two best outcomes score the same, per pair (winner, runner-up).
    pub ties: Vec<Tie>,
    /// Answer sets decided by a margin below the `moderate` threshold (ties included).
    pub close_calls: u128,
    pub rules_never_fired: Vec<usize>,
    /// Rules that fire somewhere, but whose removal would change no verdict.
    pub rules_without_effect: Vec<usize>,
    pub questions_without_effect: Vec<usize>,
    pub outcomes_never_winning: Vec<usize>,
}

impl CheckReport {
    /// Findings that make `rules check` fail.
    pub fn problems(&self) -> usize {
        usize::from(matches!(self.coverage, Coverage::Sampled { .. }))
            + self.ties.iter().filter(|t| !t.declared).count()
            + self.rules_never_fired.len()
            + self.rules_without_effect.len()
            + self.questions_without_effect.len()
            + self.outcomes_never_winning.len()
    }
}

/// Per-thread tallies, merged at the end.
#[derive(Debug, Clone)]
struct Tally {
    wins: Vec<u128>,
    nothing: Finding,
    ties: Vec<((usize, usize), Finding)>,
    close: u128,
    fired: Vec<u64>,
    /// Rules shown to change some verdict when removed.
    load_bearing: Vec<u64>,
    /// Reused for each answer set: the rules that fired.
    scratch: Vec<u64>,
}

impl Tally {
    fn new(rules: &RuleSet) -> Self {
        // At least the words of the tabulated form's rule bits, which it hands over whole.
        let words = rules.rules.len().div_ceil(64).max(RULE_WORDS);
        Tally {
            wins: vec![0; rules.outcomes.len()],
            nothing: Finding::default(),
            ties: Vec::new(),
            close: 0,
            fired: vec![0; words],
            load_bearing: vec![0; words],
            scratch: vec![0; words],
        }
    }

    fn record(&mut self, eval: &Evaluator, rules: &RuleSet, answers: &[Mask], weight: u64) {
        let mut scores = [0i32; MAX_OUTCOMES];
        let mut fired = std::mem::take(&mut self.scratch);
        fired.fill(0);
        let excluded = eval.score_into(answers, &mut scores, Some(&mut fired));
        for (acc, f) in self.fired.iter_mut().zip(&fired) {
            *acc |= f;
        }
        self.tally_verdict(
            rules,
            &|| answers.to_vec(),
            u128::from(weight),
            &fired,
            &mut scores,
            excluded,
        );
        self.scratch = fired;
    }

    /// One combination of joint classes: its points and exclusions are already summed.
    fn record_combination(&mut self, rules: &RuleSet, c: &joint::Combination) {
        let mut scores = [0i32; MAX_OUTCOMES];
        scores[..c.points.len()].copy_from_slice(c.points);
        c.fired.or_into(&mut self.fired);
        self.tally_verdict(
            rules,
            &|| c.answers(),
            u128::from(c.weight),
            &c.fired.0,
            &mut scores,
            c.excluded,
        );
    }

    fn tally_verdict(
        &mut self,
        rules: &RuleSet,
        example: &dyn Fn() -> Vec<Mask>,
        weight: u128,
        fired: &[u64],
        scores: &mut [i32],
        excluded: u64,
    ) {
        let (winner, runner_up) = engine::top_two(rules, scores, excluded);
        let Some(w) = winner else {
            self.nothing.add(weight, example);
            return;
        };
        self.wins[w] += weight;
        if let Some(r) = runner_up {
            let margin = scores[w] - scores[r];
            if margin < rules.confidence.moderate as i32 {
                self.close += weight;
            }
            if margin == 0 {
                match self.ties.iter_mut().find(|(pair, _)| *pair == (w, r)) {
                    Some((_, f)) => f.add(weight, example),
                    None => {
                        let mut f = Finding::default();
                        f.add(weight, example);
                        self.ties.push(((w, r), f));
                    }
                }
            }
        }
        // Would removing a fired rule change the winner? Only rules not yet shown to matter.
        for (word, bits) in fired.iter().enumerate() {
            let mut pending = bits & !self.load_bearing[word];
            while pending != 0 {
                let bit = pending.trailing_zeros() as usize;
                pending &= pending - 1;
                let rule = &rules.rules[word * 64 + bit];
                for &(o, p) in &rule.score {
                    scores[o] = scores[o].saturating_sub(p);
                }
                if engine::top_two(rules, scores, excluded).0 != Some(w) {
                    self.load_bearing[word] |= 1 << bit;
                }
                for &(o, p) in &rule.score {
                    scores[o] = scores[o].saturating_add(p);
                }
            }
        }
    }

    /// The threads' tallies as one.
    fn merged(rules: &RuleSet, parts: Vec<Tally>) -> Tally {
        let mut tally = Tally::new(rules);
        for t in parts {
            tally.merge(t);
        }
        tally
    }

    fn merge(&mut self, other: Tally) {
        for (a, b) in self.wins.iter_mut().zip(other.wins) {
            *a += b;
        }
        self.nothing.merge(other.nothing);
        merge_findings(&mut self.ties, other.ties);
        self.close += other.close;
        for (a, b) in self.fired.iter_mut().zip(other.fired) {
            *a |= b;
        }
        for (a, b) in self.load_bearing.iter_mut().zip(other.load_bearing) {
            *a |= b;
        }
    }
}

fn bits_clear(words: &[u64], n: usize) -> Vec<usize> {
    (0..n)
        .filter(|i| words[i / 64] & (1 << (i % 64)) == 0)
        .collect()
}

fn finish(
    rules: &RuleSet,
    tally: Tally,
    coverage: Coverage,
    answer_sets: u128,
    questions_without_effect: Vec<usize>,
) -> CheckReport {
    let never = bits_clear(&tally.fired, rules.rules.len());
    let no_effect = bits_clear(&tally.load_bearing, rules.rules.len())
        .into_iter()
        .filter(|r| !never.contains(r))
        .collect();
    let mut ties: Vec<Tie> = tally
        .ties
        .into_iter()
        .map(|((a, b), finding)| Tie {
            outcomes: (a, b),
            declared: rules.declared_tie(a, b),
            finding,
        })
        .collect();
    ties.sort_by_key(|t| std::cmp::Reverse(t.finding.count));
    CheckReport {
        coverage,
        answer_sets,
        outcomes_never_winning: (0..rules.outcomes.len())
            .filter(|&o| tally.wins[o] == 0)
            .collect(),
        wins: tally.wins,
        nothing_possible: tally.nothing,
        ties,
        close_calls: tally.close,
        rules_never_fired: never,
        rules_without_effect: no_effect,
        questions_without_effect,
    }
}

/// Analyse the whole answer space of `rules` (or a sample of `SAMPLE_SIZE` answer sets drawn
/// with `seed` when it is too large), using up to `threads` threads.
pub fn check(rules: &RuleSet, seed: u64, threads: usize) -> CheckReport {
    let eval = Evaluator::new(rules);
    let why = match eval.untabulated() {
        Some(why) => format!("the rule set has {why}, so it cannot be tabulated"),
        None => match joint::spaces(&eval, &vec![None; rules.questions.len()], None) {
            None => format!(
                "the rule set has a question of more than {} legal answers, so its joint classes cannot be listed",
                space::MAX_ANSWERS_PER_QUESTION
            ),
            Some((layout, spaces)) => match check_joint(rules, &eval, &layout, &spaces, threads) {
                Some(report) => return report,
                None => format!(
                    "its groups' contributions add up to more than {} distinct sums",
                    space::aggregate::MAX_STATES
                ),
            },
        },
    };
    check_per_question(rules, &eval, seed, threads, why)
}

/// The check over per-question classes, for rule sets the evaluator cannot tabulate (or
/// sampled, when even those are too many).
/// `why`: why the joint classes could not be aggregated, said when sampling.
fn check_per_question(
    rules: &RuleSet,
    eval: &Evaluator,
    seed: u64,
    threads: usize,
    why: String,
) -> CheckReport {
    let dims = space::dimensions(rules);
    let enumerable = dims
        .as_ref()
        .map(|d| space::sizes(d))
        .filter(|(_, classes)| *classes <= MAX_ENUMERATED);
    match (dims, enumerable) {
        (Some(mut dims), Some((answer_sets, classes))) => {
            space::widest_first(&mut dims);
            let tallies = space::par_for_each(
                &dims,
                &vec![0 as Mask; rules.questions.len()],
                threads,
                || Tally::new(rules),
                |tally, answers, weight| tally.record(eval, rules, answers, weight),
            );
            let tally = Tally::merged(rules, tallies);
            let base = vec![0 as Mask; rules.questions.len()];
            let free = vec![true; rules.questions.len()];
            let dead = (0..rules.questions.len())
                .filter(|&q| {
                    space::can_change_winner_per_question(eval, &base, &free, q, u128::MAX)
                        == Some(false)
                })
                .collect();
            finish(
                rules,
                tally,
                Coverage::Exhaustive { classes },
                answer_sets,
                dead,
            )
        }
        (dims, _) => {
            let also = if dims.is_some() {
                format!("more than {MAX_ENUMERATED} combinations of per-question classes")
            } else {
                format!(
                    "a question of more than {} legal answers",
                    space::MAX_ANSWERS_PER_QUESTION
                )
            };
            sample(eval, rules, seed, format!("{why}, and it has {also}"))
        }
    }
}

/// The exhaustive check over joint classes (a tabulated evaluator's groups), by aggregation:
/// one verdict per distinct sum of the groups' contributions, however many combinations of
/// classes reach it.
/// `None` when the sums are too many to aggregate.
fn check_joint(
    rules: &RuleSet,
    eval: &Evaluator,
    layout: &space::cases::Layout,
    spaces: &[Vec<joint::JointDimension>],
    threads: usize,
) -> Option<CheckReport> {
    // Cases shared between threads, one at a time; their tallies merge in case order, so
    // findings keep the examples and ties the order one thread would give.
    let parts = space::each_shared(spaces.len(), threads, |case| {
        let mut tally = Tally::new(rules);
        let dims = &spaces[case];
        let (answer_sets, classes) = joint::sizes(dims);
        let order = joint::enumeration_order(dims);
        // In order of each sum's first combination: findings keep the examples, and ties
        // the order, that enumerating every combination gives.
        // Outcomes out of reach of the top two, even with one rule removed, are set aside.
        for total in joint::totals(&order, Some(prune::pruning(rules, true)))? {
            let mut scores = [0i32; MAX_OUTCOMES];
            scores[..LANES].copy_from_slice(&total.key.0);
            total.aux.or_into(&mut tally.fired);
            tally.tally_verdict(
                rules,
                &|| joint::example(&order, rules.questions.len(), total.first),
                total.weight,
                &total.aux.0,
                &mut scores,
                total.key.1,
            );
        }
        Some((tally, answer_sets, classes))
    });
    let (mut answer_sets, mut classes) = (0u128, 0u128);
    let mut tallies = Vec::with_capacity(parts.len());
    for part in parts {
        let (tally, a, c) = part?;
        answer_sets = answer_sets.saturating_add(a);
        classes = classes.saturating_add(c);
        tallies.push(tally);
    }
    let tally = Tally::merged(rules, tallies);
    let dead = joint::questions_without_effect_in(eval, layout, spaces)?;
    Some(finish(
        rules,
        tally,
        Coverage::Exhaustive { classes },
        answer_sets,
        dead,
    ))
}

/// [`check`] by visiting every combination of joint classes, on up to `threads` threads:
/// what the aggregation is tested against.
pub fn check_enumerated(rules: &RuleSet, threads: usize) -> Option<CheckReport> {
    let eval = Evaluator::new(rules);
    let (layout, spaces) = joint::spaces(&eval, &vec![None; rules.questions.len()], None)?;
    let (mut answer_sets, mut classes) = (0u128, 0u128);
    let mut tallies = Vec::new();
    for dims in &spaces {
        let (a, c) = joint::sizes(dims);
        answer_sets = answer_sets.saturating_add(a);
        classes = classes.saturating_add(c);
        tallies.extend(joint::par_for_each(
            dims,
            rules.questions.len(),
            threads,
            || Tally::new(rules),
            |tally, c| tally.record_combination(rules, c),
        ));
    }
    let tally = Tally::merged(rules, tallies);
    let dead = joint::questions_without_effect_in(&eval, &layout, &spaces)?;
    Some(finish(
        rules,
        tally,
        Coverage::Exhaustive { classes },
        answer_sets,
        dead,
    ))
}

fn sample(eval: &Evaluator, rules: &RuleSet, seed: u64, why: String) -> CheckReport {
    let mut rng = Rng::new(seed);
    let mut tally = Tally::new(rules);
    let mut matters = vec![false; rules.questions.len()];
    let mut answers = vec![0 as Mask; rules.questions.len()];
    for _ in 0..SAMPLE_SIZE {
        for (q, question) in rules.questions.iter().enumerate() {
            answers[q] = rng.answer(question);
        }
        tally.record(eval, rules, &answers, 1);
        // One random alternative per question not yet shown to matter.
        let w = eval.winner(&answers);
        for q in 0..rules.questions.len() {
            if matters[q] {
                continue;
            }
            let keep = answers[q];
            answers[q] = rng.answer(&rules.questions[q]);
            matters[q] = eval.winner(&answers) != w;
            answers[q] = keep;
        }
    }
    let dead = (0..rules.questions.len())
        .filter(|&q| !matters[q])
        .collect();
    finish(
        rules,
        tally,
        Coverage::Sampled {
            size: SAMPLE_SIZE,
            seed,
            why,
        },
        u128::from(SAMPLE_SIZE),
        dead,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{default_rules, load_rules};

    fn same(a: &CheckReport, b: &CheckReport) {
        assert_eq!(a.answer_sets, b.answer_sets);
        assert_eq!(a.wins, b.wins);
        assert_eq!(a.nothing_possible.count, b.nothing_possible.count);
        assert_eq!(a.close_calls, b.close_calls);
        let ties = |r: &CheckReport| {
            let mut t: Vec<_> = r
                .ties
                .iter()
                .map(|t| (t.outcomes, t.finding.count))
                .collect();
            t.sort();
            t
        };
        assert_eq!(ties(a), ties(b));
        assert_eq!(a.rules_never_fired, b.rules_never_fired);
        assert_eq!(a.rules_without_effect, b.rules_without_effect);
        assert_eq!(a.questions_without_effect, b.questions_without_effect);
        assert_eq!(a.outcomes_never_winning, b.outcomes_never_winning);
    }

    /// Joint classes (merged by what a group contributes) give exactly the per-question
    /// findings, on rule sets with and without problems.
    #[test]
    fn joint_classes_find_what_per_question_classes_find() {
        let fixtures = [
            include_str!("../../tests/fixtures/default-2026-04.yaml"),
            include_str!("../../tests/fixtures/check-findings.yaml"),
            include_str!("../../tests/fixtures/tiny.yaml"),
        ];
        for yaml in fixtures {
            let rules = load_rules("fixture.yaml", yaml.as_bytes()).unwrap();
            let eval = Evaluator::new(&rules);
            let none = vec![None; rules.questions.len()];
            let (layout, spaces) = joint::spaces(&eval, &none, None).expect("tabulated");
            let classes: u128 = spaces.iter().map(|d| joint::sizes(d).1).sum();
            let joint = check_joint(&rules, &eval, &layout, &spaces, 2).expect("aggregated");
            let per_question = check_per_question(&rules, &eval, 1, 2, String::new());
            assert!(matches!(per_question.coverage, Coverage::Exhaustive { .. }));
            same(&joint, &per_question);
            // `check` itself takes the joint classes when they can be enumerated.
            let Coverage::Exhaustive { classes: used } = check(&rules, 1, 2).coverage else {
                panic!("sampled")
            };
            assert_eq!(used, classes);
        }
    }

    /// A rule set whose conditions join evaluator groups (tabulated as factors) is checked
    /// exhaustively, case by case, with exactly the findings of per-question classes and of
    /// visiting every combination; `extra`, which only a factor reads, still matters.
    #[test]
    fn conditions_across_groups_are_checked_exactly_case_by_case() {
        let rules = load_rules(
            "factors.yaml",
            include_str!("../../tests/fixtures/factors.yaml").as_bytes(),
        )
        .unwrap();
        let eval = Evaluator::new(&rules);
        assert!(eval.factors().len() >= 2);
        let none = vec![None; rules.questions.len()];
        let (layout, spaces) = joint::spaces(&eval, &none, None).expect("tabulated");
        assert!(spaces.len() > 1, "{layout:?}");
        assert!(joint::dimensions(&eval).is_none());
        let report = check(&rules, 1, 2);
        assert!(matches!(report.coverage, Coverage::Exhaustive { .. }));
        let per_question = check_per_question(&rules, &eval, 1, 2, String::new());
        assert!(matches!(per_question.coverage, Coverage::Exhaustive { .. }));
        same(&report, &per_question);
        same(&report, &check_enumerated(&rules, 2).expect("tabulated"));
        assert_eq!(report.questions_without_effect, [5], "only `ignored`");
        // Every legal answer set counted once: multi-choice answers are never empty.
        assert_eq!(report.answer_sets, 1023 * 1023 * 63 * 3 * 2 * 2);
    }

    /// Aggregation finds exactly what visiting every combination finds: the same counts,
    /// the same examples, the ties in the same order.
    #[test]
    fn aggregation_finds_what_enumeration_finds_with_the_same_examples() {
        let fixtures = [
            include_str!("../../tests/fixtures/default-2026-04.yaml"),
            include_str!("../../tests/fixtures/default-2026-11-os27.yaml"),
            include_str!("../../tests/fixtures/check-findings.yaml"),
            include_str!("../../tests/fixtures/tiny.yaml"),
            include_str!("../../rules/default.yaml"),
        ];
        for yaml in fixtures {
            let rules = load_rules("fixture.yaml", yaml.as_bytes()).unwrap();
            let aggregated = check(&rules, 1, 2);
            let enumerated = check_enumerated(&rules, 2).expect("tabulated");
            same(&aggregated, &enumerated);
            let examples = |r: &CheckReport| {
                let mut e = vec![r.nothing_possible.example.clone()];
                e.extend(
                    r.ties
                        .iter()
                        .map(|t| Some((t.outcomes, t.finding.example.clone())))
                        .map(|t| {
                            t.map(|(o, e)| {
                                let mut v = vec![o.0 as Mask, o.1 as Mask];
                                v.extend(e.unwrap_or_default());
                                v
                            })
                        }),
                );
                e
            };
            assert_eq!(
                examples(&aggregated),
                examples(&enumerated),
                "{}",
                rules.name
            );
        }
    }

    /// A rule set past the old limits: 12 outcomes, and five ten-option questions looked at
    /// together (a group of 100,000 joint answers, every one scoring differently, so its
    /// table needs four-byte indices). `check` goes over it whole, and finds what visiting
    /// every combination of per-question classes finds.
    #[test]
    fn twelve_outcomes_and_a_group_of_100000_entries_are_checked_exhaustively() {
        let mut yaml = String::from("name: wide\noutcomes:\n");
        for o in 0..12 {
            yaml += &format!("  - {{id: o{o}, name: O{o}, summary: s}}\n");
        }
        yaml += "questions:\n";
        let options: Vec<String> = (0..10).map(|j| format!("{{id: x{j}, label: X}}")).collect();
        for i in 1..=5 {
            yaml += &format!(
                "  - {{id: q{i}, prompt: Q, kind: single, default: x0, options: [{}]}}\n",
                options.join(", ")
            );
        }
        let extra: Vec<String> = (0..7).map(|k| format!("{{id: e{k}, label: E}}")).collect();
        yaml += &format!(
            "  - {{id: extra, prompt: E, kind: single, required: true, options: [{}]}}\n",
            extra.join(", ")
        );
        yaml += "rules:\n";
        // Question i's option j gives outcome i j points: each lane spells one answer.
        for i in 1..=5 {
            for j in 1..10 {
                yaml += &format!(
                    "  - {{id: q{i}-x{j}, when: {{q{i}: x{j}}}, score: {{o{i}: {j}}}, why: w, cite: c}}\n"
                );
            }
        }
        yaml += "  - {id: all-nine, when: {q1: x9, q2: x9, q3: x9, q4: x9, q5: x9}, score: {o0: 100}, why: w, cite: c}\n";
        for k in 0..6 {
            yaml += &format!(
                "  - {{id: extra-e{k}, when: {{extra: e{k}}}, score: {{o{}: 5}}, why: w, cite: c}}\n",
                6 + k
            );
        }
        yaml += "constraints:\n  - {id: no-low, when: {extra: e6}, exclude: [o1, o2], why: w, source: s}\n";
        let order: Vec<String> = (0..12).map(|o| format!("o{o}")).collect();
        yaml += &format!(
            "tie_break: [{}]\nconfidence: {{strong: 2, moderate: 1}}\n",
            order.join(", ")
        );
        let rules = load_rules("wide.yaml", yaml.as_bytes()).unwrap();
        let eval = Evaluator::new(&rules);
        assert!(eval.is_compiled());
        assert!(
            eval.group_sizes().contains(&100_000),
            "{:?}",
            eval.group_sizes()
        );
        let report = check(&rules, 1, 2);
        let Coverage::Exhaustive { classes } = report.coverage else {
            panic!("sampled: {:?}", report.coverage)
        };
        assert_eq!(classes, 700_000);
        assert_eq!(report.answer_sets, 700_000);
        assert!(report.outcomes_never_winning.is_empty(), "{report:?}");
        let per_question = check_per_question(&rules, &eval, 1, 2, String::new());
        same(&report, &per_question);
    }

    const FINDINGS: &str = include_str!("../../tests/fixtures/check-findings.yaml");

    /// Everything `check-findings.yaml` is built to show, counted by hand: first x/y, second
    /// p/r, third m/n; x gives a 2, y and m give b 2 each, p gives c 1; y with n excludes all.
    fn assert_findings(report: &CheckReport, rules: &RuleSet) {
        assert_eq!(report.answer_sets, 8);
        assert_eq!(report.wins, [4, 2, 0, 0]);
        assert_eq!(report.nothing_possible.count, 2);
        let example = report
            .nothing_possible
            .example
            .as_ref()
            .expect("an example");
        assert_eq!(engine::winner(rules, example), None);
        assert_eq!(report.ties.len(), 1);
        let tie = &report.ties[0];
        assert_eq!(
            (tie.outcomes, tie.declared, tie.finding.count),
            ((0, 1), false, 2)
        );
        let verdict = engine::evaluate(rules, tie.finding.example.as_ref().unwrap());
        assert_eq!(verdict.margin(), Some(0));
        // The two ties are the only answers decided by less than the `moderate` margin.
        assert_eq!(report.close_calls, 2);
        assert_eq!(report.rules_never_fired, [3]);
        // b wins with y whether or not y's or m's 2 points count; c's point never matters.
        assert_eq!(report.rules_without_effect, [1, 2, 4]);
        assert_eq!(report.questions_without_effect, [1]);
        assert_eq!(report.outcomes_never_winning, [2, 3]);
        assert_eq!(report.problems(), 1 + 1 + 3 + 1 + 2);
    }

    #[test]
    fn every_finding_is_counted_as_worked_out_by_hand() {
        let rules = load_rules("check-findings.yaml", FINDINGS.as_bytes()).unwrap();
        for threads in [1, 2, 3] {
            let report = check(&rules, 1, threads);
            assert!(matches!(
                report.coverage,
                Coverage::Exhaustive { classes: 8 }
            ));
            assert_findings(&report, &rules);
            let eval = Evaluator::new(&rules);
            assert_findings(
                &check_per_question(&rules, &eval, 1, threads, String::new()),
                &rules,
            );
        }
    }

    /// 64 rules give `a` a point each on `x`, the 65th gives `b` 100: only it and `y`'s rule
    /// change a verdict, so the bit sets past the first 64 rules must be read right.
    #[test]
    fn rules_past_the_sixty_fourth_are_tracked() {
        let mut yaml = String::from(
            "name: many\noutcomes:\n  - {id: a, name: A, summary: a}\n  - {id: b, name: B, summary: b}\n\
questions:\n  - {id: q, prompt: Q?, kind: single, required: true, options: [{id: x, label: X}, {id: y, label: Y}]}\n\
rules:\n",
        );
        for i in 0..64 {
            yaml +=
                &format!("  - {{id: r{i}, when: {{q: x}}, score: {{a: 1}}, why: w, cite: c}}\n");
        }
        yaml += "  - {id: heavy, when: {q: x}, score: {b: 100}, why: w, cite: c}\n";
        yaml += "  - {id: on-y, when: {q: y}, score: {a: 1}, why: w, cite: c}\n";
        yaml += "tie_break: [b, a]\nconfidence: {strong: 2, moderate: 1}\n";
        let rules = load_rules("many.yaml", yaml.as_bytes()).unwrap();
        for report in [
            check(&rules, 1, 2),
            check_per_question(&rules, &Evaluator::new(&rules), 1, 1, String::new()),
        ] {
            assert_eq!(report.rules_never_fired, Vec::<usize>::new());
            assert_eq!(report.rules_without_effect, (0..64).collect::<Vec<_>>());
            assert_eq!(report.wins, [1, 1]);
        }
    }

    #[test]
    fn a_declared_tie_is_not_a_problem() {
        let declared =
            format!("{FINDINGS}\nintentional_ties:\n  - between: [a, b]\n    reason: r\n");
        let rules = load_rules("declared.yaml", declared.as_bytes()).unwrap();
        let report = check(&rules, 1, 2);
        assert!(report.ties[0].declared);
        assert_eq!(report.problems(), 7);
    }

    #[test]
    fn a_sample_finds_the_same_problems_in_proportion() {
        let rules = load_rules("check-findings.yaml", FINDINGS.as_bytes()).unwrap();
        let eval = Evaluator::new(&rules);
        let report = sample(&eval, &rules, 7, "a reason".into());
        assert!(matches!(
            report.coverage,
            Coverage::Sampled {
                size: SAMPLE_SIZE,
                seed: 7,
                ..
            }
        ));
        assert_eq!(report.answer_sets, u128::from(SAMPLE_SIZE));
        // Each of the 8 answer sets is drawn about 125,000 times.
        let near = |count: u128, eighths: u128| {
            let expected = u128::from(SAMPLE_SIZE) * eighths / 8;
            count.abs_diff(expected) < 5_000
        };
        assert!(
            near(report.wins[0], 4) && near(report.wins[1], 2),
            "{:?}",
            report.wins
        );
        assert_eq!(&report.wins[2..], [0, 0]);
        assert!(near(report.nothing_possible.count, 2));
        assert!(near(report.ties[0].finding.count, 2));
        assert!(near(report.close_calls, 2));
        assert_eq!(report.rules_never_fired, [3]);
        assert_eq!(report.rules_without_effect, [1, 2, 4]);
        assert_eq!(report.questions_without_effect, [1]);
        assert_eq!(report.outcomes_never_winning, [2, 3]);
    }

    #[test]
    fn findings_merge_their_counts_and_keep_the_first_example() {
        let mut into = vec![(
            1,
            Finding {
                count: 2,
                example: None,
            },
        )];
        merge_findings(
            &mut into,
            vec![
                (
                    1,
                    Finding {
                        count: 3,
                        example: Some(vec![7]),
                    },
                ),
                (
                    2,
                    Finding {
                        count: 5,
                        example: Some(vec![8]),
                    },
                ),
            ],
        );
        merge_findings(
            &mut into,
            vec![(
                1,
                Finding {
                    count: 1,
                    example: Some(vec![9]),
                },
            )],
        );
        let found: Vec<(i32, u128, Option<Vec<Mask>>)> = into
            .into_iter()
            .map(|(k, f)| (k, f.count, f.example))
            .collect();
        assert_eq!(found, [(1, 6, Some(vec![7])), (2, 5, Some(vec![8]))]);
        let mut f = Finding::default();
        f.add(4, &|| vec![1]);
        f.add(6, &|| vec![2]);
        assert_eq!((f.count, f.example), (10, Some(vec![1])));
    }

    #[test]
    fn the_default_rules_are_checked_exhaustively_over_joint_classes() {
        let rules = default_rules();
        let report = check(&rules, 1, 2);
        assert!(matches!(report.coverage, Coverage::Exhaustive { .. }));
        assert_eq!(report.problems(), 0);
    }
}
