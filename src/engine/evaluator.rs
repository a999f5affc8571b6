//! A faster form of the engine for evaluating many answer sets (batch mode, `rules check`,
//! the interview's relevance search). Questions that some rule or constraint looks at together
//! are grouped; for each group, every joint answer is evaluated once, up front, into a table
//! entry holding the points it brings each outcome, the rules it fires and the outcomes it
//! excludes. Every rule and constraint then lives inside exactly one group, so one answer set
//! costs one table lookup per group and a few adds. Rule sets whose groups would be too large
//! to tabulate use the tree-walking engine, with the same results.

use crate::engine;
use crate::rules::{Kind, Mask, RuleSet};

/// Outcomes the compiled form scores in one fixed-size array.
pub const LANES: usize = 8;
/// Most rules the compiled form tracks (one bit each).
const MAX_RULES: usize = 64;
/// Most joint answers one group may tabulate.
const MAX_GROUP_ENTRIES: usize = 1 << 16;

/// What one joint answer of a group contributes: points per outcome, the rules it fires (one
/// bit each) and the outcomes it excludes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Entry {
    pub points: [i32; LANES],
    pub fired: u64,
    pub excluded: u64,
}

#[derive(Debug, Clone)]
struct Group {
    /// (question, stride, single choice): the index is the sum of each answer's code times
    /// its stride, where the code is the option index (single) or the mask itself (multi).
    members: Vec<(usize, usize, bool)>,
    /// Per joint answer, the index of its entry in `entries`: a table of 2-byte indices stays
    /// in cache where one of 48-byte entries would not (`MAX_GROUP_ENTRIES` fits a `u16`).
    table: Vec<u16>,
    /// The distinct entries of the group.
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
struct Compiled {
    groups: Vec<Group>,
    tie_break: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Evaluator<'r> {
    rules: &'r RuleSet,
    compiled: Option<Compiled>,
}

/// Lane-wise wrapping add (kept tiny so it compiles to vector adds).
#[inline(always)]
fn add(a: [i32; LANES], b: [i32; LANES]) -> [i32; LANES] {
    std::array::from_fn(|i| a[i].wrapping_add(b[i]))
}

fn find(parent: &mut [usize], x: usize) -> usize {
    let mut root = x;
    while parent[root] != root {
        root = parent[root];
    }
    parent[x] = root;
    root
}

fn compile(rules: &RuleSet) -> Option<Compiled> {
    let n = rules.questions.len();
    if rules.outcomes.len() > LANES || rules.rules.len() > MAX_RULES {
        return None;
    }
    // Sums must not overflow, so wrapping adds equal the engine's saturating ones.
    let mut magnitude = [0i64; LANES];
    for rule in &rules.rules {
        for &(o, p) in &rule.score {
            magnitude[o] += i64::from(p).abs();
        }
    }
    if magnitude.iter().any(|&m| m > i64::from(i32::MAX)) {
        return None;
    }
    // Group the questions that conditions look at together.
    let mut parent: Vec<usize> = (0..n).collect();
    let conditions = rules
        .rules
        .iter()
        .filter_map(|r| r.when.as_ref())
        .chain(rules.constraints.iter().map(|c| &c.when));
    for c in conditions {
        let qs = c.questions();
        let first = qs.trailing_zeros() as usize;
        for q in (0..n).filter(|&q| qs & (1 << q) != 0) {
            let (a, b) = (find(&mut parent, first), find(&mut parent, q));
            parent[a] = b;
        }
    }
    let mut groups: Vec<Group> = Vec::new();
    let mut group_of = vec![usize::MAX; n];
    for q in 0..n {
        let root = find(&mut parent, q);
        let g = match group_of[root] {
            usize::MAX => {
                groups.push(Group {
                    members: Vec::new(),
                    table: Vec::new(),
                    entries: Vec::new(),
                });
                group_of[root] = groups.len() - 1;
                groups.len() - 1
            }
            g => g,
        };
        group_of[q] = g;
        let question = &rules.questions[q];
        let single = question.kind == Kind::Single;
        let size = if single {
            question.options.len()
        } else {
            1usize.checked_shl(question.options.len() as u32)?
        };
        let members = &mut groups[g].members;
        let stride = members
            .iter()
            .map(|&(mq, _, s)| {
                let o = rules.questions[mq].options.len();
                if s { o } else { 1 << o }
            })
            .product::<usize>();
        if stride.checked_mul(size)? > MAX_GROUP_ENTRIES {
            return None;
        }
        members.push((q, stride, single));
    }
    // Tabulate every joint answer of every group, with only the group's own rules and
    // constraints (a rule without a condition belongs to the first group).
    let mut answers = vec![0 as Mask; n];
    for (g, group) in groups.iter_mut().enumerate() {
        let size = group.members.last().map_or(1, |&(q, stride, single)| {
            let o = rules.questions[q].options.len();
            stride * if single { o } else { 1 << o }
        });
        let own_rules: Vec<usize> = (0..rules.rules.len())
            .filter(|&r| {
                rules.rules[r].when.as_ref().map_or(g == 0, |c| {
                    group_of[c.questions().trailing_zeros() as usize] == g
                })
            })
            .collect();
        let own_constraints: Vec<&crate::rules::Constraint> = rules
            .constraints
            .iter()
            .filter(|c| group_of[c.when.questions().trailing_zeros() as usize] == g)
            .collect();
        let mut distinct: std::collections::HashMap<Entry, u16> = std::collections::HashMap::new();
        group.table = Vec::with_capacity(size);
        for index in 0..size {
            let mut entry = Entry::default();
            for &(q, stride, single) in &group.members {
                let o = rules.questions[q].options.len();
                let code = (index / stride) % if single { o } else { 1 << o };
                answers[q] = if single { 1 << code } else { code as Mask };
            }
            for &r in &own_rules {
                let rule = &rules.rules[r];
                if rule.when.as_ref().is_none_or(|c| c.holds(&answers)) {
                    entry.fired |= 1 << r;
                    for &(o, p) in &rule.score {
                        entry.points[o] += p;
                    }
                }
            }
            for c in &own_constraints {
                if c.when.holds(&answers) {
                    entry.excluded |= c.exclude;
                }
            }
            let next = u16::try_from(group.entries.len()).ok()?;
            let k = *distinct.entry(entry).or_insert_with(|| {
                group.entries.push(entry);
                next
            });
            group.table.push(k);
        }
    }
    Some(Compiled {
        groups,
        tie_break: rules.tie_break.to_vec(),
    })
}

impl<'r> Evaluator<'r> {
    pub fn new(rules: &'r RuleSet) -> Self {
        Evaluator {
            rules,
            compiled: compile(rules),
        }
    }

    pub fn rules(&self) -> &'r RuleSet {
        self.rules
    }

    /// Whether the tabulated form applies (otherwise evaluation walks the condition trees).
    pub fn is_compiled(&self) -> bool {
        self.compiled.is_some()
    }

    /// The questions of each group (every question is in exactly one), or `None` when the
    /// tabulated form does not apply.
    pub fn groups(&self) -> Option<Vec<Vec<usize>>> {
        let c = self.compiled.as_ref()?;
        Some(
            c.groups
                .iter()
                .map(|g| g.members.iter().map(|&(q, _, _)| q).collect())
                .collect(),
        )
    }

    /// What group `g` contributes for `answers` (only its own questions are read); `None`
    /// when the tabulated form does not apply or an answer is outside the table.
    pub fn group_entry(&self, g: usize, answers: &[Mask]) -> Option<Entry> {
        self.compiled
            .as_ref()?
            .groups
            .get(g)?
            .entry(answers)
            .copied()
    }

    /// The winner of `answers`; the same as [`engine::winner`].
    pub fn winner(&self, answers: &[Mask]) -> Option<usize> {
        let Some((c, (sums, excluded, _))) = self
            .compiled
            .as_ref()
            .and_then(|c| Some((c, c.totals(answers)?)))
        else {
            return engine::winner(self.rules, answers);
        };
        let mut best: Option<usize> = None;
        for &o in &c.tie_break {
            if excluded & (1 << o) == 0 && best.is_none_or(|b| sums[o] > sums[b]) {
                best = Some(o);
            }
        }
        best
    }

    /// The same as [`engine::score_into`]: add fired rules' points to `scores`, mark them in
    /// `fired`, return the excluded outcomes.
    pub fn score_into(
        &self,
        answers: &[Mask],
        scores: &mut [i32],
        fired: Option<&mut [u64]>,
    ) -> u64 {
        let Some((sums, excluded, fired_rules)) =
            self.compiled.as_ref().and_then(|c| c.totals(answers))
        else {
            return engine::score_into(self.rules, answers, scores, fired);
        };
        for (slot, sum) in scores.iter_mut().zip(sums) {
            *slot = slot.saturating_add(sum);
        }
        if let Some(bits) = fired {
            bits[0] |= fired_rules;
        }
        excluded
    }
}

impl Compiled {
    /// Points per outcome, excluded outcomes and fired rules for one answer set; `None` for
    /// an answer outside the tables (never a legal answer: the caller falls back to the engine).
    #[inline]
    fn totals(&self, answers: &[Mask]) -> Option<([i32; LANES], u64, u64)> {
        let (mut sums, mut excluded, mut fired) = ([0i32; LANES], 0u64, 0u64);
        for group in &self.groups {
            let e = group.entry(answers)?;
            sums = add(sums, e.points);
            fired |= e.fired;
            excluded |= e.excluded;
        }
        Some((sums, excluded, fired))
    }
}

impl Group {
    #[inline]
    fn entry(&self, answers: &[Mask]) -> Option<&Entry> {
        let index: usize = self
            .members
            .iter()
            .map(|&(q, stride, single)| {
                let a = answers[q];
                stride
                    * if single {
                        a.trailing_zeros() as usize
                    } else {
                        a as usize
                    }
            })
            .sum();
        self.table
            .get(index)
            .map(|&k| &self.entries[usize::from(k)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::load_rules;

    /// A rule set of `outcomes` outcomes and one rule per entry of `points` (each scoring the
    /// first outcome when `q` is `x`, the last when it is `y`).
    fn sized(outcomes: usize, points: &[i32]) -> crate::rules::RuleSet {
        let mut yaml = String::from("name: sized\noutcomes:\n");
        for o in 0..outcomes {
            yaml += &format!("  - {{id: o{o}, name: O, summary: s}}\n");
        }
        yaml += "questions:\n  - {id: q, prompt: Q, kind: single, required: true, options: [{id: x, label: X}, {id: y, label: Y}]}\nrules:\n";
        for (i, p) in points.iter().enumerate() {
            let (answer, outcome) = if i % 2 == 0 {
                ("x", 0)
            } else {
                ("y", outcomes - 1)
            };
            yaml += &format!(
                "  - {{id: r{i}, when: {{q: {answer}}}, score: {{o{outcome}: {p}}}, why: w, cite: c}}\n"
            );
        }
        let order: Vec<String> = (0..outcomes).rev().map(|o| format!("o{o}")).collect();
        yaml += &format!(
            "tie_break: [{}]\nconfidence: {{strong: 2, moderate: 1}}\n",
            order.join(", ")
        );
        load_rules("sized.yaml", yaml.as_bytes()).unwrap()
    }

    fn agrees_with_the_engine(rules: &crate::rules::RuleSet) -> bool {
        let eval = Evaluator::new(rules);
        [[1], [2]]
            .iter()
            .all(|a| eval.winner(a) == engine::winner(rules, a))
    }

    /// The default rules (8 outcomes, as many as the lanes) are tabulated; a ninth outcome, a
    /// 65th rule or points whose sum could overflow an `i32` fall back to the engine.
    #[test]
    fn tabulated_exactly_within_its_limits() {
        assert!(Evaluator::new(&crate::rules::default_rules()).is_compiled());
        for (outcomes, rules, compiled) in
            [(8, 2, true), (9, 2, false), (2, 64, true), (2, 65, false)]
        {
            let r = sized(outcomes, &vec![1; rules]);
            assert_eq!(
                Evaluator::new(&r).is_compiled(),
                compiled,
                "{outcomes} outcomes, {rules} rules"
            );
            assert!(agrees_with_the_engine(&r));
        }
        // Magnitudes per outcome: exactly i32::MAX still fits; one more does not.
        let fits = sized(2, &[i32::MAX - 1, -1, 1]);
        assert!(Evaluator::new(&fits).is_compiled());
        for overflow in [[i32::MAX, 1, 1], [i32::MAX, 1, 1].map(|p: i32| -p.abs())] {
            let r = sized(2, &[overflow[0], overflow[1], overflow[2]]);
            assert!(!Evaluator::new(&r).is_compiled(), "{overflow:?}");
            assert!(agrees_with_the_engine(&r));
        }
    }

    /// A group of exactly `MAX_GROUP_ENTRIES` joint answers (a multi-choice question of 16
    /// options) is tabulated; one of twice that is not.
    #[test]
    fn groups_are_tabulated_up_to_their_limit() {
        for (options, compiled) in [(16, true), (17, false)] {
            let ids: Vec<String> = (0..options)
                .map(|i| format!("{{id: o{i}, label: L}}"))
                .collect();
            let yaml = format!(
                "name: wide\noutcomes: [{{id: a, name: A, summary: a}}, {{id: b, name: B, summary: b}}]\n\
questions:\n  - {{id: q, prompt: Q, kind: multi, required: true, options: [{}]}}\n\
rules:\n  - {{id: r, when: {{q: o3}}, score: {{b: 1}}, why: w, cite: c}}\n\
tie_break: [a, b]\nconfidence: {{strong: 2, moderate: 1}}\n",
                ids.join(", ")
            );
            let rules = load_rules("wide.yaml", yaml.as_bytes()).unwrap();
            let eval = Evaluator::new(&rules);
            assert_eq!(eval.is_compiled(), compiled, "{options} options");
            for answer in [1u64, 0b1000, 0b1011] {
                assert_eq!(eval.winner(&[answer]), engine::winner(&rules, &[answer]));
            }
        }
    }

    /// A rule without a condition counts once, however many groups there are.
    #[test]
    fn a_rule_without_a_condition_counts_once() {
        let yaml = "name: groups\noutcomes: [{id: a, name: A, summary: a}, {id: b, name: B, summary: b}]\n\
questions:\n\
  - {id: p, prompt: P, kind: single, required: true, options: [{id: x, label: X}, {id: y, label: Y}]}\n\
  - {id: q, prompt: Q, kind: single, default: x, options: [{id: x, label: X}, {id: y, label: Y}]}\n\
  - {id: r, prompt: R, kind: single, default: x, options: [{id: x, label: X}, {id: y, label: Y}]}\n\
rules:\n\
  - {id: always-b, score: {b: 2}, why: w, cite: c}\n\
  - {id: px-a, when: {p: x}, score: {a: 3}, why: w, cite: c}\n\
  - {id: qy-b, when: {q: y}, score: {b: 1}, why: w, cite: c}\n\
  - {id: ry-a, when: {r: y}, score: {a: 1}, why: w, cite: c}\n\
tie_break: [a, b]\nconfidence: {strong: 2, moderate: 1}\n";
        let rules = load_rules("groups.yaml", yaml.as_bytes()).unwrap();
        let eval = Evaluator::new(&rules);
        assert!(eval.is_compiled());
        assert_eq!(eval.groups().map(|g| g.len()), Some(3));
        for p in [1, 2] {
            for q in [1, 2] {
                for r in [1, 2] {
                    let answers = [p, q, r];
                    let mut scores = [0i32; 8];
                    eval.score_into(&answers, &mut scores, None);
                    assert_eq!(scores[..2], engine::evaluate(&rules, &answers).scores[..]);
                    assert_eq!(eval.winner(&answers), engine::winner(&rules, &answers));
                }
            }
        }
    }

    /// Nested not/any/all, including a negated disjunction, agree with the tree engine on
    /// every answer set.
    #[test]
    fn clause_form_agrees_with_the_tree_on_nested_conditions() {
        let yaml = r#"
name: nested
outcomes: [{id: a, name: A, summary: a}, {id: b, name: B, summary: b}]
questions:
  - {id: p, prompt: P, kind: multi, required: true, options: [{id: x, label: X}, {id: y, label: Y}, {id: z, label: Z}]}
  - {id: q, prompt: Q, kind: single, default: u, options: [{id: u, label: U}, {id: v, label: V}]}
rules:
  - {id: r1, when: {not: {any: [{p: x}, {all: [{p: y}, {q: v}]}]}}, score: {a: 3}, why: w, cite: c}
  - {id: r2, when: {all: [{p: [y, z]}, {not: {q: u}}]}, score: {b: 2}, why: w, cite: c}
  - {id: r3, when: {not: {not: {p: z}}}, score: {a: -1, b: 1}, why: w, cite: c}
constraints:
  - {id: k1, when: {not: {all: [{p: x}, {p: y}]}, q: v}, exclude: [a], why: w, source: s}
tie_break: [a, b]
confidence: {strong: 2, moderate: 1}
"#;
        let rules = load_rules("nested.yaml", yaml.as_bytes()).unwrap();
        let eval = Evaluator::new(&rules);
        assert!(eval.is_compiled());
        for p in 1u64..8 {
            for q in [1u64, 2] {
                let answers = [p, q];
                assert_eq!(
                    eval.winner(&answers),
                    engine::winner(&rules, &answers),
                    "{answers:?}"
                );
            }
        }
    }
}
