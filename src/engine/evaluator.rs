//! A faster form of the engine for evaluating many answer sets (batch mode, `rules check`,
//! the interview's relevance search). Questions that some rule or constraint looks at together
//! are grouped; for each group, every joint answer is evaluated once, up front, into a table
//! entry holding the points it brings each outcome, the rules it fires and the outcomes it
//! excludes. Every rule and constraint then lives inside exactly one group, so one answer set
//! costs one table lookup per group and a few adds. Rule sets whose groups would be too large
//! to tabulate use the tree-walking engine, with the same results.

use crate::engine;
use crate::engine::partition::{Looks, partition};
use crate::rules::{Kind, Mask, RuleSet};

/// Outcomes the compiled form scores in one fixed-size array.
pub const LANES: usize = 16;
/// Words of the rule bit set: the compiled form tracks up to 64 times as many rules.
pub const RULE_WORDS: usize = 4;
/// Most rules the compiled form tracks (one bit each).
pub const MAX_RULES: usize = 64 * RULE_WORDS;
/// Most joint answers one group may tabulate.
pub const MAX_GROUP_ENTRIES: usize = 1 << 20;

/// One bit per rule, for the first [`MAX_RULES`] rules.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleBits(pub [u64; RULE_WORDS]);

impl RuleBits {
    pub fn set(&mut self, rule: usize) {
        self.0[rule / 64] |= 1 << (rule % 64);
    }

    /// Flip the bit of `rule`.
    pub fn toggle(&mut self, rule: usize) {
        self.0[rule / 64] ^= 1 << (rule % 64);
    }

    pub fn contains(&self, rule: usize) -> bool {
        self.0[rule / 64] & (1 << (rule % 64)) != 0
    }

    pub fn is_empty(&self) -> bool {
        self.0 == [0; RULE_WORDS]
    }

    /// OR these bits into `words` (as many words as it has).
    pub fn or_into(&self, words: &mut [u64]) {
        for (w, b) in words.iter_mut().zip(self.0) {
            *w |= b;
        }
    }
}

impl std::ops::BitOr for RuleBits {
    type Output = RuleBits;
    fn bitor(self, other: RuleBits) -> RuleBits {
        RuleBits(std::array::from_fn(|i| self.0[i] | other.0[i]))
    }
}

impl std::ops::BitOrAssign for RuleBits {
    fn bitor_assign(&mut self, other: RuleBits) {
        *self = *self | other;
    }
}

/// What one joint answer of a group contributes: points per outcome, the rules it fires (one
/// bit each) and the outcomes it excludes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Entry {
    // Points and exclusions first: ranking reads only them, in one cache line and a word.
    pub points: [i32; LANES],
    pub excluded: u64,
    pub fired: RuleBits,
}

/// Why a rule set is evaluated by walking its condition trees instead of through tables.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Untabulated {
    #[error("{0} outcomes (the tables hold at most {LANES})")]
    Outcomes(usize),
    #[error("{0} rules (the tables track at most {MAX_RULES})")]
    Rules(usize),
    #[error("points of outcome `{0}` that could add up past what an i32 holds")]
    Magnitude(String),
    #[error("more than {MAX_GROUP_ENTRIES} joint answers to tabulate for {0}")]
    Group(String),
}

/// A group's table: per joint answer, the index of its entry. Two bytes an index keep the
/// tables in cache where they can; a group of more distinct entries takes four.
#[derive(Debug, Clone)]
enum Table {
    Narrow(Vec<u16>),
    Wide(Vec<u32>),
}

impl Table {
    #[inline]
    fn get(&self, index: usize) -> Option<usize> {
        match self {
            Table::Narrow(t) => t.get(index).map(|&k| usize::from(k)),
            Table::Wide(t) => t.get(index).map(|&k| k as usize),
        }
    }
}

#[derive(Debug, Clone)]
struct Group {
    /// (question, stride, single choice): the index is the sum of each answer's code times
    /// its stride, where the code is the option index (single) or the mask itself (multi).
    members: Vec<(usize, usize, bool)>,
    /// Per joint answer, the index of its entry in `entries`: a table of 2-byte indices stays
    /// in cache where one of 104-byte entries would not.
    table: Table,
    /// The distinct entries of the group.
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
struct Compiled {
    /// Every question is in exactly one group.
    groups: Vec<Group>,
    /// Tables of conditions whose questions are in several groups (see `partition`).
    factors: Vec<Group>,
    tie_break: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Evaluator<'r> {
    rules: &'r RuleSet,
    compiled: Result<Compiled, Untabulated>,
}

/// Lane-wise wrapping add (kept tiny so it compiles to vector adds).
#[inline(always)]
fn add(a: [i32; LANES], b: [i32; LANES]) -> [i32; LANES] {
    std::array::from_fn(|i| a[i].wrapping_add(b[i]))
}

fn compile(rules: &RuleSet) -> Result<Compiled, Untabulated> {
    let n = rules.questions.len();
    if rules.outcomes.len() > LANES {
        return Err(Untabulated::Outcomes(rules.outcomes.len()));
    }
    if rules.rules.len() > MAX_RULES {
        return Err(Untabulated::Rules(rules.rules.len()));
    }
    // Sums must not overflow, so wrapping adds equal the engine's saturating ones.
    let mut magnitude = [0i64; LANES];
    for rule in &rules.rules {
        for &(o, p) in &rule.score {
            magnitude[o] += i64::from(p).abs();
        }
    }
    if let Some(o) = magnitude.iter().position(|&m| m > i64::from(i32::MAX)) {
        return Err(Untabulated::Magnitude(rules.outcomes[o].id.to_string()));
    }
    // Group the questions that conditions look at together (see `partition`); a condition
    // whose questions the limit kept in several groups gets a table of its own (a factor).
    let size_of = |q: usize| -> Option<usize> {
        let question = &rules.questions[q];
        if question.kind == Kind::Single {
            Some(question.options.len())
        } else {
            u32::try_from(question.options.len())
                .ok()
                .and_then(|o| 1usize.checked_shl(o))
        }
    };
    let sizes: Vec<Option<usize>> = (0..n).map(size_of).collect();
    let looks: Vec<Looks> = rules
        .rules
        .iter()
        .filter_map(|r| r.when.as_ref())
        .chain(rules.constraints.iter().map(|c| &c.when))
        .map(|c| {
            let mut tests = Vec::new();
            c.for_each_test(&mut |q, m| tests.push((q, m)));
            Looks {
                questions: c.questions(),
                tests,
            }
        })
        .collect();
    let conditions: Vec<Mask> = looks.iter().map(|l| l.questions).collect();
    let group_of = partition(&rules.questions, &sizes, &looks, MAX_GROUP_ENTRIES);
    let named = |qs: &mut dyn Iterator<Item = usize>| -> Untabulated {
        let ids: Vec<String> = qs.map(|q| format!("`{}`", rules.questions[q].id)).collect();
        let what = if ids.len() == 1 {
            "question"
        } else {
            "questions looked at together"
        };
        Untabulated::Group(format!("the {what} {}", ids.join(", ")))
    };
    // A question too large to tabulate on its own names itself.
    if let Some(q) = (0..n).find(|&q| sizes[q].is_none_or(|s| s > MAX_GROUP_ENTRIES)) {
        return Err(named(&mut std::iter::once(q)));
    }
    let groups_n = group_of.iter().copied().max().map_or(0, |g| g + 1);
    let mut groups: Vec<Group> = (0..groups_n)
        .map(|g| Group::over(rules, (0..n).filter(|&q| group_of[q] == g)))
        .collect();
    // Factors: one per distinct set of questions of a condition that spans groups.
    let spans = |mask: Mask| {
        let mut gs = (0..n)
            .filter(|&q| mask & (1 << q) != 0)
            .map(|q| group_of[q]);
        let first = gs.next();
        gs.any(|g| Some(g) != first)
    };
    let mut factor_masks: Vec<Mask> = Vec::new();
    for &mask in &conditions {
        if spans(mask) && !factor_masks.contains(&mask) {
            factor_masks.push(mask);
        }
    }
    let mut factors: Vec<Group> = Vec::with_capacity(factor_masks.len());
    for &mask in &factor_masks {
        let members = (0..n).filter(|&q| mask & (1 << q) != 0);
        let factor = Group::over(rules, members);
        if factor.size(rules) > MAX_GROUP_ENTRIES {
            return Err(named(&mut (0..n).filter(|&q| mask & (1 << q) != 0)));
        }
        factors.push(factor);
    }
    // Where each rule and constraint is tabulated: its factor, or the group of its questions
    // (a rule without a condition belongs to the first group).
    let home = |mask: Option<Mask>| -> (bool, usize) {
        match mask {
            None => (false, 0),
            Some(m) => match factor_masks.iter().position(|&f| f == m) {
                Some(f) => (true, f),
                None => (false, group_of[m.trailing_zeros() as usize]),
            },
        }
    };
    let rule_home: Vec<(bool, usize)> = rules
        .rules
        .iter()
        .map(|r| home(r.when.as_ref().map(|c| c.questions())))
        .collect();
    let constraint_home: Vec<(bool, usize)> = rules
        .constraints
        .iter()
        .map(|c| home(Some(c.when.questions())))
        .collect();
    let mut answers = vec![0 as Mask; n];
    for (is_factor, tables) in [(false, &mut groups), (true, &mut factors)] {
        for (g, group) in tables.iter_mut().enumerate() {
            let own_rules: Vec<usize> = (0..rules.rules.len())
                .filter(|&r| rule_home[r] == (is_factor, g))
                .collect();
            let own_constraints: Vec<usize> = (0..rules.constraints.len())
                .filter(|&c| constraint_home[c] == (is_factor, g))
                .collect();
            group.tabulate(rules, &own_rules, &own_constraints, &mut answers);
        }
    }
    Ok(Compiled {
        groups,
        factors,
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
        self.compiled.is_ok()
    }

    /// How many distinct entries each group's table holds (empty when not tabulated).
    pub fn group_sizes(&self) -> Vec<usize> {
        self.compiled
            .as_ref()
            .map(|c| c.groups.iter().map(|g| g.entries.len()).collect())
            .unwrap_or_default()
    }

    /// Why the tabulated form does not apply, if it does not.
    pub fn untabulated(&self) -> Option<&Untabulated> {
        self.compiled.as_ref().err()
    }

    /// The questions of each group (every question is in exactly one), or `None` when the
    /// tabulated form does not apply.
    pub fn groups(&self) -> Option<Vec<Vec<usize>>> {
        let c = self.compiled.as_ref().ok()?;
        Some(
            c.groups
                .iter()
                .map(|g| g.members.iter().map(|&(q, _, _)| q).collect())
                .collect(),
        )
    }

    /// The questions of each factor: a table for the conditions whose questions are in
    /// several groups (empty when every condition lies within a group, or not tabulated).
    pub fn factors(&self) -> Vec<Vec<usize>> {
        self.compiled
            .as_ref()
            .map(|c| {
                c.factors
                    .iter()
                    .map(|f| f.members.iter().map(|&(q, _, _)| q).collect())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// What factor `f` contributes for `answers` (only its own questions are read).
    pub fn factor_entry(&self, f: usize, answers: &[Mask]) -> Option<Entry> {
        self.compiled
            .as_ref()
            .ok()?
            .factors
            .get(f)?
            .entry(answers)
            .copied()
    }

    /// What group `g` and the factors `carried` (see [`Evaluator::factors`]) contribute
    /// together for `answers`: the group's entry with each factor's points added, exclusions
    /// and fired rules joined.
    pub fn carried_entry(&self, g: usize, carried: &[usize], answers: &[Mask]) -> Option<Entry> {
        let mut e = self.group_entry(g, answers)?;
        for &f in carried {
            let more = self.factor_entry(f, answers)?;
            e.points = add(e.points, more.points);
            e.excluded |= more.excluded;
            e.fired |= more.fired;
        }
        Some(e)
    }

    /// What group `g` contributes for `answers` (only its own questions are read); `None`
    /// when the tabulated form does not apply or an answer is outside the table.
    pub fn group_entry(&self, g: usize, answers: &[Mask]) -> Option<Entry> {
        self.compiled
            .as_ref()
            .ok()?
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
            .ok()
            .and_then(|c| Some((c, c.totals::<false>(answers)?)))
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
        let Some(c) = self.compiled.as_ref().ok() else {
            return engine::score_into(self.rules, answers, scores, fired);
        };
        let totals = match fired {
            Some(bits) => c
                .totals::<true>(answers)
                .map(|(sums, excluded, fired_rules)| {
                    fired_rules.or_into(bits);
                    (sums, excluded)
                }),
            None => c
                .totals::<false>(answers)
                .map(|(sums, excluded, _)| (sums, excluded)),
        };
        let Some((sums, excluded)) = totals else {
            return engine::score_into(self.rules, answers, scores, None);
        };
        for (slot, sum) in scores.iter_mut().zip(sums) {
            *slot = slot.saturating_add(sum);
        }
        excluded
    }
}

impl Compiled {
    /// Points per outcome, excluded outcomes and (with `FIRED`) fired rules for one answer
    /// set; `None` for an answer outside the tables (never a legal answer: the caller falls
    /// back to the engine).
    #[inline]
    fn totals<const FIRED: bool>(&self, answers: &[Mask]) -> Option<([i32; LANES], u64, RuleBits)> {
        let (mut sums, mut excluded, mut fired) = ([0i32; LANES], 0u64, RuleBits::default());
        for group in self.groups.iter().chain(&self.factors) {
            let e = group.entry(answers)?;
            sums = add(sums, e.points);
            if FIRED {
                fired |= e.fired;
            }
            excluded |= e.excluded;
        }
        Some((sums, excluded, fired))
    }
}

/// A rule's or a constraint's condition, as [`Group::tabulate`] keeps it.
#[derive(Debug, Clone, Copy)]
enum Check {
    Rule(usize),
    Constraint(usize),
}

/// A condition over the members it reads: (member, stride) for each, whether it holds for
/// every joint answer of those members alone, and whether it holds for the current one.
struct Truth {
    check: Check,
    parts: Vec<(usize, usize)>,
    truth: Vec<bool>,
    holds: bool,
}

impl Group {
    /// An empty table over `members` (in question order).
    fn over(rules: &RuleSet, members: impl Iterator<Item = usize>) -> Group {
        let mut group = Group {
            members: Vec::new(),
            table: Table::Narrow(Vec::new()),
            entries: Vec::new(),
        };
        let mut stride = 1usize;
        for q in members {
            let question = &rules.questions[q];
            let single = question.kind == Kind::Single;
            group.members.push((q, stride, single));
            let o = question.options.len();
            stride = stride.saturating_mul(if single { o } else { 1usize << o.min(63) });
        }
        group
    }

    /// How many joint answers the table has (saturating).
    fn size(&self, rules: &RuleSet) -> usize {
        self.members.iter().fold(1usize, |s, &(q, _, single)| {
            let o = rules.questions[q].options.len();
            s.saturating_mul(if single { o } else { 1usize << o.min(63) })
        })
    }

    /// Evaluate the rules `own_rules` and constraints `own_constraints` for every joint answer.
    ///
    /// Each condition is evaluated once per joint answer of the questions it reads (a small
    /// truth table), not once per joint answer of the group; the group's answers are then
    /// counted through like an odometer, and only the conditions that read a question that
    /// just changed are looked up again, so the entry is kept up to date rather than rebuilt.
    fn tabulate(
        &mut self,
        rules: &RuleSet,
        own_rules: &[usize],
        own_constraints: &[usize],
        answers: &mut [Mask],
    ) {
        let size = self.size(rules);
        let radix: Vec<usize> = self
            .members
            .iter()
            .map(|&(q, _, single)| {
                let o = rules.questions[q].options.len();
                if single { o } else { 1 << o }
            })
            .collect();
        let answer = |m: usize, code: usize| -> Mask {
            if self.members[m].2 {
                1 << code
            } else {
                code as Mask
            }
        };
        let conditions: Vec<(Option<&crate::rules::Condition>, Check)> = own_rules
            .iter()
            .map(|&r| (rules.rules[r].when.as_ref(), Check::Rule(r)))
            .chain(
                own_constraints
                    .iter()
                    .map(|&c| (Some(&rules.constraints[c].when), Check::Constraint(c))),
            )
            .collect();
        let mut checks: Vec<Truth> = Vec::with_capacity(conditions.len());
        // The conditions that read each member.
        let mut readers: Vec<Vec<usize>> = vec![Vec::new(); self.members.len()];
        for (i, &(cond, check)) in conditions.iter().enumerate() {
            let read = cond.map_or(0, |c| c.questions());
            let mut parts: Vec<(usize, usize)> = Vec::new();
            let mut sub_size = 1usize;
            for (m, &(q, _, _)) in self.members.iter().enumerate() {
                if read & (1 << q) != 0 {
                    parts.push((m, sub_size));
                    sub_size *= radix[m];
                    readers[m].push(i);
                }
            }
            let truth: Vec<bool> = (0..sub_size)
                .map(|sub| {
                    for &(m, stride) in &parts {
                        answers[self.members[m].0] = answer(m, (sub / stride) % radix[m]);
                    }
                    cond.is_none_or(|c| c.holds(answers))
                })
                .collect();
            checks.push(Truth {
                check,
                parts,
                truth,
                holds: false,
            });
        }
        let mut codes = vec![0usize; self.members.len()];
        let mut entry = Entry::default();
        let mut distinct: crate::analysis::space::aggregate::Map<Entry, u32> =
            crate::analysis::space::aggregate::Map::default();
        let mut table: Vec<u32> = Vec::with_capacity(size);
        let mut last: Option<u32> = None;
        for index in 0..size {
            // The members that changed since the previous joint answer: all of them at first,
            // then the odometer's lowest digits.
            let changed = if index == 0 {
                self.members.len()
            } else {
                let mut m = 0;
                loop {
                    codes[m] += 1;
                    if codes[m] < radix[m] {
                        break m + 1;
                    }
                    codes[m] = 0;
                    m += 1;
                }
            };
            let mut touched = index == 0;
            let mut constraints_moved = false;
            for read in &readers[..changed] {
                for &i in read {
                    let t = &mut checks[i];
                    let sub: usize = t.parts.iter().map(|&(m, stride)| codes[m] * stride).sum();
                    let holds = t.truth[sub];
                    if holds == t.holds {
                        continue;
                    }
                    t.holds = holds;
                    touched = true;
                    match t.check {
                        Check::Rule(r) => {
                            entry.fired.toggle(r);
                            for &(o, p) in &rules.rules[r].score {
                                entry.points[o] += if holds { p } else { -p };
                            }
                        }
                        Check::Constraint(_) => constraints_moved = true,
                    }
                }
            }
            if index == 0 {
                // Conditions that read no member (rules without a condition) hold throughout.
                for t in checks.iter_mut().filter(|t| t.parts.is_empty()) {
                    t.holds = t.truth[0];
                    if let (true, Check::Rule(r)) = (t.holds, t.check) {
                        entry.fired.set(r);
                        for &(o, p) in &rules.rules[r].score {
                            entry.points[o] += p;
                        }
                    }
                }
                constraints_moved = true;
            }
            if constraints_moved {
                entry.excluded = checks
                    .iter()
                    .filter(|t| t.holds)
                    .filter_map(|t| match t.check {
                        Check::Constraint(c) => Some(rules.constraints[c].exclude),
                        Check::Rule(_) => None,
                    })
                    .fold(0, |a, b| a | b);
            }
            let k = match (touched, last) {
                (false, Some(k)) => k,
                _ => {
                    // At most MAX_GROUP_ENTRIES distinct entries: the index fits a u32.
                    let next = self.entries.len() as u32;
                    *distinct.entry(entry).or_insert_with(|| {
                        self.entries.push(entry);
                        next
                    })
                }
            };
            last = Some(k);
            table.push(k);
        }
        self.table = if self.entries.len() <= 1 << 16 {
            Table::Narrow(table.into_iter().map(|k| k as u16).collect())
        } else {
            Table::Wide(table)
        };
    }

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
        self.table.get(index).map(|k| &self.entries[k])
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

    /// The default rules are tabulated; a 17th outcome, a 257th rule or points whose sum
    /// could overflow an `i32` fall back to the engine, and say why.
    #[test]
    fn tabulated_exactly_within_its_limits() {
        assert!(Evaluator::new(&crate::rules::default_rules()).is_compiled());
        for (outcomes, rules, compiled) in [
            (16, 2, true),
            (17, 2, false),
            (2, 256, true),
            (2, 257, false),
        ] {
            let r = sized(outcomes, &vec![1; rules]);
            assert_eq!(
                Evaluator::new(&r).is_compiled(),
                compiled,
                "{outcomes} outcomes, {rules} rules"
            );
            assert!(agrees_with_the_engine(&r));
            let why = Evaluator::new(&r).untabulated().map(ToString::to_string);
            match (outcomes, rules) {
                (17, _) => assert_eq!(
                    why.as_deref(),
                    Some("17 outcomes (the tables hold at most 16)")
                ),
                (_, 257) => assert_eq!(
                    why.as_deref(),
                    Some("257 rules (the tables track at most 256)")
                ),
                _ => assert_eq!(why, None),
            }
        }
        // Rule bits past the first word are kept: the 256th rule (on `y`) fires.
        let r = sized(2, &[1; 256]);
        let mut bits = [0u64; RULE_WORDS];
        Evaluator::new(&r).score_into(&[2], &mut [0; 2], Some(&mut bits));
        assert_eq!(bits[3] >> 63, 1);
        assert_eq!(bits[0] & 1, 0);
        // Magnitudes per outcome: exactly i32::MAX still fits; one more does not.
        let fits = sized(2, &[i32::MAX - 1, -1, 1]);
        assert!(Evaluator::new(&fits).is_compiled());
        for overflow in [[i32::MAX, 1, 1], [i32::MAX, 1, 1].map(|p: i32| -p.abs())] {
            let r = sized(2, &[overflow[0], overflow[1], overflow[2]]);
            assert!(!Evaluator::new(&r).is_compiled(), "{overflow:?}");
            assert!(agrees_with_the_engine(&r));
        }
    }

    /// A group of exactly `MAX_GROUP_ENTRIES` joint answers (a multi-choice question of 20
    /// options) is tabulated; one of twice that is not, and the reason names the question.
    #[test]
    fn groups_are_tabulated_up_to_their_limit() {
        assert_eq!(MAX_GROUP_ENTRIES, 1 << 20);
        for (options, compiled) in [(20, true), (21, false)] {
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
            if !compiled {
                assert!(eval.untabulated().unwrap().to_string().contains("`q`"));
            }
            for answer in [1u64, 0b1000, 0b1011] {
                assert_eq!(eval.winner(&[answer]), engine::winner(&rules, &[answer]));
            }
        }
    }

    /// Conditions whose questions the limit keeps in different groups get tables of their
    /// own (factors), and every answer set scores as the tree engine scores it.
    #[test]
    fn conditions_across_full_groups_get_factors_that_agree_with_the_engine() {
        let rules = load_rules(
            "factors.yaml",
            include_str!("../../tests/fixtures/factors.yaml").as_bytes(),
        )
        .unwrap();
        let eval = Evaluator::new(&rules);
        assert!(eval.is_compiled());
        // `kind` and `size` fill a group between them, so some conditions on them get factors.
        let groups = eval.groups().unwrap();
        assert!(groups.len() >= 2, "{groups:?}");
        assert!(!groups.iter().any(|g| g.contains(&0) && g.contains(&1)));
        assert!(eval.factors().len() >= 2, "{:?}", eval.factors());
        let mut rng = crate::analysis::space::Rng::new(5);
        for _ in 0..3000 {
            let answers: Vec<Mask> = rules.questions.iter().map(|q| rng.answer(q)).collect();
            let mut scores = [0i32; 3];
            let mut fired = [0u64; RULE_WORDS];
            let excluded = eval.score_into(&answers, &mut scores, Some(&mut fired));
            let tree = engine::evaluate(&rules, &answers);
            assert_eq!(scores[..], tree.scores[..], "{answers:?}");
            assert_eq!(eval.winner(&answers), engine::winner(&rules, &answers));
            let mut tree_fired = [0u64; RULE_WORDS];
            let tree_excluded =
                engine::score_into(&rules, &answers, &mut [0; 3], Some(&mut tree_fired));
            assert_eq!(
                (excluded, fired),
                (tree_excluded, tree_fired),
                "{answers:?}"
            );
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
