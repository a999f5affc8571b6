//! Engine benchmarks: `cargo bench`. Medians go in CONTRIBUTING.md's performance table.

use divan::{Bencher, black_box};
use mlstack::analysis::space::Rng;
use mlstack::analysis::{check, explain};
use mlstack::engine;
use mlstack::engine::evaluator::Evaluator;
use mlstack::rules::{
    DEFAULT_RULES_NAME, DEFAULT_RULES_YAML, Mask, RuleSet, default_rules, load_rules,
};

fn main() {
    divan::main();
}

/// 1,024 random answer sets of the default rules, cycled through by the benchmarks.
fn answer_sets(rules: &RuleSet) -> Vec<Vec<Mask>> {
    let mut rng = Rng::new(42);
    (0..1024)
        .map(|_| rules.questions.iter().map(|q| rng.answer(q)).collect())
        .collect()
}

/// Evaluations with the tree-walking engine (what one `recommend` and its flips use):
/// the winners of 1,024 answer sets per iteration; divan reports items per second.
#[divan::bench]
fn evaluate_winner_tree(bencher: Bencher) {
    let rules = default_rules();
    let sets = answer_sets(&rules);
    bencher
        .counter(divan::counter::ItemsCount::new(sets.len()))
        .bench_local(|| {
            sets.iter()
                .map(|a| engine::winner(black_box(&rules), black_box(a)).unwrap_or(9))
                .sum::<usize>()
        });
}

/// The same with the tabulated evaluator (what batch, `rules check` and the interview use).
#[divan::bench]
fn evaluate_winner_compiled(bencher: Bencher) {
    let rules = default_rules();
    let eval = Evaluator::new(&rules);
    assert!(eval.is_compiled());
    let sets = answer_sets(&rules);
    bencher
        .counter(divan::counter::ItemsCount::new(sets.len()))
        .bench_local(|| {
            sets.iter()
                .map(|a| black_box(&eval).winner(black_box(a)).unwrap_or(9))
                .sum::<usize>()
        });
}

/// Compiling the default rules into the evaluator's form.
#[divan::bench]
fn compile_evaluator(bencher: Bencher) {
    let rules = default_rules();
    bencher.bench_local(|| Evaluator::new(black_box(&rules)).is_compiled());
}

/// One full evaluation: scores, fired rules, exclusions, notes and ranking.
#[divan::bench]
fn evaluate_full(bencher: Bencher) {
    let rules = default_rules();
    let sets = answer_sets(&rules);
    let mut i = 0;
    bencher.bench_local(|| {
        i = (i + 1) & 1023;
        engine::evaluate(black_box(&rules), black_box(&sets[i]))
    });
}

/// Parse, validate and compile the default rules from YAML (what `--rules FILE` costs).
#[divan::bench]
fn load_default_rules_from_yaml() -> RuleSet {
    load_rules(DEFAULT_RULES_NAME, black_box(DEFAULT_RULES_YAML.as_bytes())).unwrap()
}

/// Build the embedded default rules (compiled at build time; what plain `mlstack` costs).
#[divan::bench]
fn build_embedded_default_rules() -> RuleSet {
    default_rules()
}

/// All flips of one answer set.
#[divan::bench]
fn flips(bencher: Bencher) {
    let rules = default_rules();
    let sets = answer_sets(&rules);
    let mut i = 0;
    bencher.bench_local(|| {
        i = (i + 1) & 1023;
        explain::flips(black_box(&rules), black_box(&sets[i]))
    });
}

/// All flips of one answer set with the evaluator's tables built (as a batch does).
#[divan::bench]
fn flips_tabulated(bencher: Bencher) {
    let rules = default_rules();
    let search = explain::FlipSearch::tabulated(&rules);
    let sets = answer_sets(&rules);
    let mut i = 0;
    bencher.bench_local(|| {
        i = (i + 1) & 1023;
        explain::flips_with(black_box(&rules), &search, black_box(&sets[i]))
    });
}

/// `rules check` of the default rules: the whole answer space, by aggregation.
#[divan::bench(sample_count = 10)]
fn check_default_rules_full_space() -> check::CheckReport {
    let rules = default_rules();
    check::check(black_box(&rules), 1, 2)
}

/// The default rules grown by `questions` single-choice questions of `options` options, each
/// option but the first giving one outcome as many points as its number: the space of class
/// combinations grows `options^questions` times (what `bench/grow_rules.py` writes for the
/// whole-process figures).
fn grown(questions: usize, options: usize) -> RuleSet {
    let outcomes = [
        "core-ml",
        "mlx",
        "core-ai",
        "both",
        "built-in",
        "mlx-then-core-ml",
    ];
    let (mut new_questions, mut new_rules) = (String::new(), String::new());
    for i in 0..questions {
        new_questions += &format!(
            "  - id: grow-{i}\n    prompt: Grown question {i}?\n    kind: single\n    default: g0\n    options:\n"
        );
        for k in 0..options {
            new_questions += &format!("      - id: g{k}\n        label: G{k}\n");
        }
        for k in 1..options {
            let outcome = outcomes[(i + k) % outcomes.len()];
            new_rules += &format!(
                "  - id: grow-{i}-g{k}\n    when: {{grow-{i}: g{k}}}\n    score: {{{outcome}: {k}}}\n    why: grown\n    cite: grown\n"
            );
        }
    }
    let text = DEFAULT_RULES_YAML
        .replacen("\nrules:\n", &format!("\n{new_questions}\nrules:\n"), 1)
        .replacen(
            "\nconstraints:\n",
            &format!("\n{new_rules}\nconstraints:\n"),
            1,
        );
    load_rules("grown.yaml", text.as_bytes()).expect("the grown rules load")
}

/// `rules check` over 4x and 100x the default rules' space of class combinations.
#[divan::bench(args = [(1, 4), (2, 10)], sample_count = 10)]
fn check_grown_space(bencher: Bencher, (questions, options): (usize, usize)) {
    let rules = grown(questions, options);
    bencher.bench_local(|| {
        let report = check::check(black_box(&rules), 1, 2);
        assert!(matches!(
            report.coverage,
            check::Coverage::Exhaustive { .. }
        ));
        report
    });
}

/// `rules diff` of the default rules against themselves, and of the grown rules (4x, 100x).
#[divan::bench(args = [(0, 0), (1, 4), (2, 10)], sample_count = 10)]
fn diff_against_itself(bencher: Bencher, (questions, options): (usize, usize)) {
    let rules = if questions == 0 {
        default_rules()
    } else {
        grown(questions, options)
    };
    bencher.bench_local(|| mlstack::analysis::diff::diff(black_box(&rules), &rules, 1, 2).unwrap());
}

/// Batch mode end to end (parse, evaluate, full report with flips, serialize), both cores:
/// 2,000 JSON lines per iteration, written to a sink.
#[divan::bench(sample_count = 20)]
fn batch_end_to_end(bencher: Bencher) {
    let rules = default_rules();
    // Only answer sets with a verdict: the others are error records, much cheaper.
    let sets: Vec<Vec<Mask>> = answer_sets(&rules)
        .into_iter()
        .filter(|a| engine::winner(&rules, a).is_some())
        .collect();
    let input: String = (0..2000)
        .map(|i| {
            let a = &sets[i % sets.len()];
            let fields: Vec<String> = rules
                .questions
                .iter()
                .enumerate()
                .map(|(q, question)| {
                    let ids: Vec<String> = question
                        .option_ids(a[q])
                        .iter()
                        .map(|s| format!("{s:?}"))
                        .collect();
                    format!("{:?}: [{}]", question.id, ids.join(", "))
                })
                .collect();
            format!("{{{}}}\n", fields.join(", "))
        })
        .collect();
    // Single-choice answers must be strings, not lists: rewrite them.
    let input = fix_single(&rules, &input);
    let flags = vec![None; rules.questions.len()];
    bencher
        .counter(divan::counter::ItemsCount::new(2000usize))
        .bench_local(|| {
            let summary = mlstack::batch::run(
                &rules,
                &flags,
                input.as_bytes(),
                &mut std::io::sink(),
                2,
                &mlstack::batch::Detail::Full { with_trace: false },
            )
            .unwrap();
            assert_eq!(summary.failed, 0);
            summary
        });
}

fn fix_single(rules: &RuleSet, input: &str) -> String {
    let mut out = input.to_owned();
    for q in rules
        .questions
        .iter()
        .filter(|q| q.kind == mlstack::rules::Kind::Single)
    {
        for o in &q.options {
            out = out.replace(
                &format!("{:?}: [{:?}]", q.id, o.id),
                &format!("{:?}: {:?}", q.id, o.id),
            );
        }
    }
    out
}
