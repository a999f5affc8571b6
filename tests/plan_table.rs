//! Issue 23's old → new table: for apps of two model types, one verdict for the whole app (the
//! rules of the day before, `fixtures/default-2026-11-30-one-verdict.yaml`) against today's plan
//! (each model its own verdict, composed). Over a grid of the answers that decide most apps,
//! every change is counted by (old verdict, new plan) and pinned in
//! `fixtures/plan-table.txt`; `docs/plan-migration.md` gives each row's reason. A change of the
//! rules that moves a row fails here: regenerate with `UPDATE_PLAN_TABLE=1 cargo test --test
//! plan_table` and say why in the doc (`PLAN_TABLE_EXAMPLES=1 ... -- --nocapture` prints an
//! example answer set for each row).

use std::collections::BTreeMap;

use mlstack::answers::{Answers, Source};
use mlstack::engine;
use mlstack::plan::{self, compose, models};
use mlstack::rules::{Mask, RuleSet, default_rules, load_rules};

fn old_rules() -> RuleSet {
    load_rules(
        "default-2026-11-30-one-verdict.yaml",
        include_str!("fixtures/default-2026-11-30-one-verdict.yaml").as_bytes(),
    )
    .unwrap()
}

/// The grid: (question, options) tried in every combination, the other questions at defaults.
const GRID: &[(&str, &[&[&str]])] = &[
    ("min-os", &[&["17"], &["26"], &["27"]]),
    ("iteration", &[&["stable"], &["frequent"], &["prototyping"]]),
    ("hardware", &[&["any"], &["neural-engine"], &["gpu"]]),
    ("battery", &[&["normal"], &["critical"]]),
    ("ane-compatible", &[&["unknown"], &["yes"], &["no"]]),
    (
        "needs",
        &[&["none"], &["custom-sampling"], &["dynamic-shapes"]],
    ),
    ("platform", &[&["ios"], &["ios", "macos"]]),
];

const TYPES: &[&str] = &["llm", "vlm", "vision", "audio", "classifier", "other"];

fn table() -> (u64, BTreeMap<(String, String), u64>) {
    let old = old_rules();
    let new = default_rules();
    let defaults =
        |r: &RuleSet| -> Vec<Mask> { r.questions.iter().map(|q| q.default.unwrap_or(0)).collect() };
    let set = |r: &RuleSet, masks: &mut Vec<Mask>, q: &str, ids: &[&str]| {
        let i = r.question_index(q).unwrap();
        masks[i] = r.questions[i].answer_mask(ids.iter().copied()).unwrap();
    };
    let mut total = 0;
    let mut changes = BTreeMap::new();
    let sizes: Vec<usize> = GRID.iter().map(|(_, o)| o.len()).collect();
    for (a, first) in TYPES.iter().enumerate() {
        for second in &TYPES[a + 1..] {
            let mut idx = vec![0usize; GRID.len()];
            loop {
                let mut om = defaults(&old);
                let mut nm = defaults(&new);
                set(&old, &mut om, "model-type", &[first, second]);
                set(&new, &mut nm, "model-type", &[first, second]);
                for (g, (q, options)) in GRID.iter().enumerate() {
                    set(&old, &mut om, q, options[idx[g]]);
                    set(&new, &mut nm, q, options[idx[g]]);
                }
                total += 1;
                let was = match engine::winner(&old, &om) {
                    Some(o) => match old.outcomes[o].id.as_str() {
                        "both" => "core-ml+mlx".to_owned(),
                        "core-ai-and-mlx" => "mlx+core-ai".to_owned(),
                        id => id.to_owned(),
                    },
                    None => "none".to_owned(),
                };
                let answers = Answers {
                    sources: vec![Source::Flag; nm.len()],
                    masks: nm,
                };
                let composed = compose::compose(&new, models::split(&new, &answers));
                let now = plan::stacks(&new, &composed.entries)
                    .map_or_else(|| "none".to_owned(), |s| plan::id(&new, &s));
                if was != now {
                    if std::env::var_os("PLAN_TABLE_EXAMPLES").is_some()
                        && !changes.contains_key(&(was.clone(), now.clone()))
                    {
                        let grid: Vec<String> = GRID
                            .iter()
                            .zip(&idx)
                            .map(|((q, o), &i)| format!("--{q} {}", o[i].join(",")))
                            .collect();
                        println!(
                            "{was} -> {now}: --model-type {first},{second} {}",
                            grid.join(" ")
                        );
                    }
                    *changes.entry((was, now)).or_insert(0) += 1;
                }
                // Next combination of the grid.
                let mut g = 0;
                while g < GRID.len() {
                    idx[g] += 1;
                    if idx[g] < sizes[g] {
                        break;
                    }
                    idx[g] = 0;
                    g += 1;
                }
                if g == GRID.len() {
                    break;
                }
            }
        }
    }
    (total, changes)
}

#[test]
fn the_old_to_new_table_is_the_pinned_one() {
    let (total, changes) = table();
    let changed: u64 = changes.values().sum();
    let mut text = format!(
        "# {total} two-type answer sets of the grid; {changed} changed ({:.1}%)\n",
        changed as f64 * 100.0 / total as f64
    );
    let mut rows: Vec<_> = changes.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for ((was, now), n) in rows {
        text.push_str(&format!("{n:>6} {was} -> {now}\n"));
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/plan-table.txt");
    if std::env::var_os("UPDATE_PLAN_TABLE").is_some() {
        std::fs::write(path, &text).unwrap();
    }
    let pinned = std::fs::read_to_string(path).unwrap_or_default();
    assert_eq!(pinned, text, "the table moved: see the file's doc comment");
}
