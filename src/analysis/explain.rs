//! Explaining a verdict: how sure it is, which answers drove it, and what would change it.

use serde::Serialize;

use crate::engine::evaluator::Evaluator;
use crate::engine::{self, Verdict};
use crate::rules::{ConfidenceThresholds, Mask, Question, RuleSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Confidence {
    Strong,
    Moderate,
    CloseCall,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Strong => "strong",
            Confidence::Moderate => "moderate",
            Confidence::CloseCall => "close-call",
        }
    }
}

/// Confidence from the margin alone; with no runner-up (constraints left a single outcome)
/// the verdict is forced, hence strong. [`confidence_from_evidence`] then asks what the lead
/// rests on.
pub fn confidence(verdict: &Verdict, thresholds: ConfidenceThresholds) -> Confidence {
    match verdict.margin() {
        None => Confidence::Strong,
        Some(m) if m >= thresholds.strong as i32 => Confidence::Strong,
        Some(m) if m >= thresholds.moderate as i32 => Confidence::Moderate,
        Some(_) => Confidence::CloseCall,
    }
}

/// Why a verdict the margin calls strong is only moderate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// Without the points of rules that look at answers nobody gave (`questions`, a bit per
    /// question), the lead falls below the strong threshold; `alone`: there is no runner-up
    /// (the only outcome the constraints allow), so it is the winner's own points that do.
    AssumedAnswers { questions: Mask, alone: bool },
    /// The constraints left only this outcome, and ruled out `outcomes` (a bit per outcome),
    /// which scored higher: the verdict is what remains, not what fits best.
    Elimination { outcomes: u64 },
    /// Rules marked `unproven` (indices) take points from the winner: whether it can run the
    /// model at all is still open (a Core ML export that failed, say).
    Unproven { rules: Vec<usize> },
    /// `outcomes` scored at least the strong threshold above the winner and are ruled out
    /// only by constraints that look at answers nobody gave (`questions`): the system model
    /// the user named, dropped by an assumed `--unavailable must-work`.
    RuledOutByAssumed { outcomes: u64, questions: Mask },
}

/// Confidence from what the user actually answered. A verdict the margin calls strong stays
/// strong only when the answers someone gave carry it:
/// - with a runner-up, the lead counting only rules that look at given answers (a rule that
///   looks at an assumed answer may narrow the lead, never widen it) must still reach the
///   strong threshold;
/// - with no runner-up (the only outcome the constraints allow), the winner's own points
///   from given answers (counted the same way) must reach the strong threshold; short of
///   that, no ruled-out outcome may have scored higher than the winner (else it is what the
///   constraints leave, not what fits), and no assumed answer may have given it points
///   (else it rests on them; with none, the given constraints alone decide it).
///
/// And whatever the lead, no rule marked `unproven` may take points from the winner (the
/// answers leave open whether it runs the model at all).
///
/// Otherwise it is moderate, and [`Basis`] says what it rests on. Margins below the strong
/// threshold are left as the margin says: evidence only ever lowers confidence.
/// `assumed`: a bit per question whose answer is a default nobody gave.
pub fn confidence_from_evidence(
    rules: &RuleSet,
    verdict: &Verdict,
    assumed: Mask,
) -> (Confidence, Option<Basis>) {
    let by_margin = confidence(verdict, rules.confidence);
    let Some(winner) = verdict.winner() else {
        return (by_margin, None);
    };
    if by_margin != Confidence::Strong {
        return (by_margin, None);
    }
    let points = |r: usize, o: Option<usize>| rules.rules[r].points_to(o);
    let unproven: Vec<usize> = verdict
        .fired_rules
        .iter()
        .copied()
        .filter(|&r| rules.rules[r].unproven && points(r, Some(winner)) < 0)
        .collect();
    if !unproven.is_empty() {
        return (
            Confidence::Moderate,
            Some(Basis::Unproven { rules: unproven }),
        );
    }
    // With no runner-up, elimination below says the same of every better stack ruled out.
    if verdict.runner_up().is_some()
        && let Some(basis) = ruled_out_by_assumed(rules, verdict, winner, assumed)
    {
        return (Confidence::Moderate, Some(basis));
    }
    let rests_on_assumed = |r: usize| rules.rules[r].questions() & assumed;
    // The lead over `other` (or the winner's own points, with `None`) counting given answers
    // only; and the assumed questions of the rules that widened it.
    let evidence = |other: Option<usize>| -> (i32, Mask) {
        let mut lead = 0;
        let mut leaning = 0;
        for &r in &verdict.fired_rules {
            let d = points(r, Some(winner)) - other.map_or(0, |o| points(r, Some(o)));
            match rests_on_assumed(r) {
                0 => lead += d,
                questions => {
                    lead += d.min(0);
                    if d > 0 {
                        leaning |= questions;
                    }
                }
            }
        }
        (lead, leaning)
    };
    let strong = rules.confidence.strong as i32;
    match verdict.runner_up() {
        Some(runner_up) => {
            let (lead, leaning) = evidence(Some(runner_up));
            if lead >= strong {
                (Confidence::Strong, None)
            } else {
                let basis = Basis::AssumedAnswers {
                    questions: leaning,
                    alone: false,
                };
                (Confidence::Moderate, Some(basis))
            }
        }
        None => {
            let (own, leaning) = evidence(None);
            if own >= strong {
                return (Confidence::Strong, None);
            }
            // Outcomes a fired constraint rules out: the system model dropped for a fallback's
            // standing (`Verdict::without_winner`) is excluded by none, and is no better stack
            // this one won by elimination.
            let constrained = verdict
                .fired_constraints
                .iter()
                .fold(0u64, |m, &c| m | rules.constraints[c].exclude);
            let winner_score = verdict.scores[winner];
            let higher = (0..rules.outcomes.len())
                .filter(|&o| constrained & (1 << o) != 0)
                .filter(|&o| verdict.scores[o] > winner_score)
                .fold(0u64, |m, o| m | (1 << o));
            if higher != 0 {
                let basis = Basis::Elimination { outcomes: higher };
                (Confidence::Moderate, Some(basis))
            } else if leaning == 0 {
                (Confidence::Strong, None)
            } else {
                let basis = Basis::AssumedAnswers {
                    questions: leaning,
                    alone: true,
                };
                (Confidence::Moderate, Some(basis))
            }
        }
    }
}

/// The outcomes that scored a strong lead above `winner` and that only constraints looking
/// at assumed answers rule out, with those answers' questions: a verdict that answers nobody
/// gave turned over.
fn ruled_out_by_assumed(
    rules: &RuleSet,
    verdict: &Verdict,
    winner: usize,
    assumed: Mask,
) -> Option<Basis> {
    let (mut outcomes, mut questions) = (0u64, 0 as Mask);
    for o in (0..rules.outcomes.len()).filter(|&o| verdict.is_excluded(o)) {
        // A stack a little ahead (Core AI for a language model, two points up, ruled out by
        // the assumed OS 26 floor) is the margin's business; one a strong lead ahead is a
        // verdict the assumed answers turned over.
        if verdict.scores[o] - verdict.scores[winner] < rules.confidence.strong as i32 {
            continue;
        }
        let excluders = verdict
            .fired_constraints
            .iter()
            .map(|&c| &rules.constraints[c])
            .filter(|c| c.exclude & (1 << o) != 0);
        let mut on_assumed = 0 as Mask;
        let mut all_assumed = true;
        for c in excluders {
            match c.when.questions() & assumed {
                0 => all_assumed = false,
                q => on_assumed |= q,
            }
        }
        if all_assumed && on_assumed != 0 {
            outcomes |= 1 << o;
            questions |= on_assumed;
        }
    }
    (outcomes != 0).then_some(Basis::RuledOutByAssumed {
        outcomes,
        questions,
    })
}

/// One question's answer changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub question: usize,
    pub from: Mask,
    pub to: Mask,
}

/// A change of answers (one question, or two when no single one suffices) that changes the
/// recommendation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlipResult {
    pub changes: Vec<Change>,
    /// The new recommendation.
    pub outcome: usize,
    /// Options added, removed or replaced, summed over the changes.
    pub distance: u32,
}

/// Multi-choice questions with at most this many legal answers are searched exhaustively;
/// larger ones only one option away from the current answer (or at "none of these"). The
/// default rules' platforms (127 answers, where moving the app from one platform to another
/// is two options away) are searched whole; their runtime needs (512) one option at a time,
/// which is what a team weighs ("if we did not need the cache") and four times fewer
/// evaluations at every start-up.
pub const EXHAUSTIVE_ANSWERS: usize = 256;

/// What the flip search needs to know about each question, worked out once per rule set.
#[derive(Debug, Clone)]
pub struct FlipSearch<'r> {
    /// Per question: every legal answer when there are few enough to try them all.
    legal: Vec<Option<Vec<Mask>>>,
    /// Per question: the masks the conditions test it with.
    tests: Vec<Vec<Mask>>,
    /// The questions each condition looks at, for the tree search.
    looks_at: engine::LooksAt,
    /// The tabulated evaluator, for many searches ([`FlipSearch::tabulated`]).
    evaluator: Option<Evaluator<'r>>,
}

/// How a search evaluates changed answers: the rules that look at the changed questions
/// re-evaluated, or one table lookup per group. One lives on the stack per question searched:
/// boxing the larger variant would only add an allocation.
#[allow(clippy::large_enum_variant)]
enum Probe<'a, 'r> {
    Tree(engine::Partial<'r>),
    Table(&'a Evaluator<'r>),
}

impl Probe<'_, '_> {
    fn winner(&self, answers: &[Mask]) -> Option<usize> {
        match self {
            Probe::Tree(partial) => partial.winner(answers),
            Probe::Table(evaluator) => evaluator.winner(answers),
        }
    }
}

impl<'r> FlipSearch<'r> {
    /// For one search or a few: evaluations re-evaluate the rules that look at the changed
    /// questions (building the tables would cost more than the search).
    pub fn new(rules: &RuleSet) -> Self {
        FlipSearch {
            evaluator: None,
            // A model's type is what the model is: changing it describes another model, not
            // an answer this team could give, so it is never a flip.
            legal: rules
                .questions
                .iter()
                .map(|q| match q.one_per_model {
                    true => Some(Vec::new()),
                    false => q.legal_answers(EXHAUSTIVE_ANSWERS),
                })
                .collect(),
            tests: crate::analysis::space::all_test_masks(rules),
            looks_at: engine::LooksAt::new(rules),
        }
    }

    /// For many searches (a batch): the evaluator's tables are built once (milliseconds), and
    /// then each evaluation is a lookup per group, a few dozen times faster.
    pub fn tabulated(rules: &'r RuleSet) -> Self {
        FlipSearch {
            evaluator: Some(Evaluator::new(rules)),
            ..FlipSearch::new(rules)
        }
    }

    pub fn is_tabulated(&self) -> bool {
        self.evaluator.is_some()
    }

    /// The tabulated evaluator, when the search has one.
    pub fn evaluator(&self) -> Option<&Evaluator<'r>> {
        self.evaluator.as_ref()
    }

    /// The probe for answer sets that differ from `answers` in the questions of `varying`.
    fn probe<'a>(&'a self, rules: &'r RuleSet, answers: &[Mask], varying: u64) -> Probe<'a, 'r> {
        match &self.evaluator {
            Some(evaluator) => Probe::Table(evaluator),
            None => Probe::Tree(engine::Partial::new(
                rules,
                &self.looks_at,
                answers,
                varying,
            )),
        }
    }

    fn alternatives(&self, q: &Question, qi: usize, current: Mask) -> Vec<Mask> {
        match &self.legal[qi] {
            Some(all) => all.iter().copied().filter(|&m| m != current).collect(),
            None => q.neighbours(current),
        }
    }
}

/// Keep, per new outcome, only the changes at the smallest distance.
fn keep_nearest(found: &mut Vec<FlipResult>, candidate: FlipResult) {
    let same = |f: &FlipResult| f.outcome == candidate.outcome;
    match found.iter().filter(|f| same(f)).map(|f| f.distance).min() {
        Some(d) if d < candidate.distance => {}
        Some(d) if d > candidate.distance => {
            found.retain(|f| !same(f));
            found.push(candidate);
        }
        _ => found.push(candidate),
    }
}

/// The smallest answer changes that change the recommendation, nearest first: every
/// single-question change that flips it (per question and new outcome, the nearest answers);
/// only if there is none, changes to two questions one step each.
pub fn flips(rules: &RuleSet, answers: &[Mask]) -> Vec<FlipResult> {
    flips_with(rules, &FlipSearch::new(rules), answers)
}

/// [`flips`] with the per-rule-set work already done (for many answer sets).
pub fn flips_with<'r>(
    rules: &'r RuleSet,
    search: &FlipSearch<'r>,
    answers: &[Mask],
) -> Vec<FlipResult> {
    // From "nothing is possible", a flip is any change that makes an outcome possible.
    let current = match &search.evaluator {
        Some(evaluator) => evaluator.winner(answers),
        None => engine::winner(rules, answers),
    };
    let mut work = answers.to_vec();
    let mut out = Vec::new();
    for (qi, q) in rules.questions.iter().enumerate() {
        // A question that does not apply to this model (its `ask_if` fails: the model kind of
        // an LLM) is no answer a team with this model could give.
        if !q.applies(answers) {
            continue;
        }
        let mut found = Vec::new();
        // Answers no condition can tell apart share a verdict: evaluate each kind once.
        let tests = &search.tests[qi];
        let mut seen: Vec<(u64, Option<usize>)> = Vec::new();
        let partial = search.probe(rules, answers, 1 << qi);
        // Only options that are for this model (a camera model is never offered Speech), and
        // never "not sure yet": forgetting an answer changes no app.
        let fits = q.options_for(answers) & !q.unsure;
        for alt in search
            .alternatives(q, qi, answers[qi])
            .into_iter()
            .filter(|&alt| alt & !fits == 0)
            // From "no stack fits", only relaxations: adding a requirement makes nothing
            // possible.
            .filter(|&alt| current.is_some() || q.is_relaxation(answers[qi], alt))
        {
            work[qi] = alt;
            let signature = (tests.len() <= 64).then(|| {
                tests
                    .iter()
                    .enumerate()
                    .fold(0u64, |m, (i, t)| m | (u64::from(alt & t != 0) << i))
            });
            let winner = match signature.and_then(|sig| seen.iter().find(|(s, _)| *s == sig)) {
                Some(&(_, w)) => w,
                None => {
                    let w = partial.winner(&work);
                    if let Some(sig) = signature {
                        seen.push((sig, w));
                    }
                    w
                }
            };
            if let Some(o) = winner
                && Some(o) != current
            {
                keep_nearest(
                    &mut found,
                    FlipResult {
                        changes: vec![Change {
                            question: qi,
                            from: answers[qi],
                            to: alt,
                        }],
                        outcome: o,
                        distance: q.distance(answers[qi], alt),
                    },
                );
            }
        }
        work[qi] = answers[qi];
        out.extend(found);
    }
    if out.is_empty() {
        let fixed = |q: &Question| q.one_per_model || !q.applies(answers);
        for (q1, first) in rules
            .questions
            .iter()
            .enumerate()
            .filter(|(_, q)| !fixed(q))
        {
            for (q2, second) in rules
                .questions
                .iter()
                .enumerate()
                .skip(q1 + 1)
                .filter(|(_, q)| !fixed(q))
            {
                let mut found = Vec::new();
                let partial = search.probe(rules, answers, (1 << q1) | (1 << q2));
                let (fits1, fits2) = (
                    first.options_for(answers) & !first.unsure,
                    second.options_for(answers) & !second.unsure,
                );
                for a1 in first
                    .neighbours(answers[q1])
                    .into_iter()
                    .filter(|a| a & !fits1 == 0)
                {
                    work[q1] = a1;
                    for a2 in second
                        .neighbours(answers[q2])
                        .into_iter()
                        .filter(|a| a & !fits2 == 0)
                    {
                        work[q2] = a2;
                        if let Some(o) = partial.winner(&work)
                            && Some(o) != current
                        {
                            keep_nearest(
                                &mut found,
                                FlipResult {
                                    changes: vec![
                                        Change {
                                            question: q1,
                                            from: answers[q1],
                                            to: a1,
                                        },
                                        Change {
                                            question: q2,
                                            from: answers[q2],
                                            to: a2,
                                        },
                                    ],
                                    outcome: o,
                                    distance: first.distance(answers[q1], a1)
                                        + second.distance(answers[q2], a2),
                                },
                            );
                        }
                    }
                    work[q2] = answers[q2];
                }
                work[q1] = answers[q1];
                out.extend(found);
            }
        }
    }
    let rank = |o: usize| rules.tie_break.iter().position(|&t| t == o);
    out.sort_by_cached_key(|f| {
        (
            f.changes.len(),
            f.distance,
            f.changes.iter().map(|c| c.question).collect::<Vec<_>>(),
            rank(f.outcome),
            f.changes
                .iter()
                .map(|c| c.to.trailing_zeros())
                .collect::<Vec<_>>(),
        )
    });
    out
}

/// How much one question's answer contributed to the winner and to the runner-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Influence {
    pub question: usize,
    pub for_winner: i32,
    pub for_runner_up: i32,
}

/// The fired rules' points for the winner and the runner-up, per set of questions the rules
/// look at (`questions`, a bit per question; 0 for rules without a condition): each rule
/// counts once, so the points add up to the scores. Strongest first.
pub fn drivers(rules: &RuleSet, verdict: &Verdict) -> Vec<(Mask, i32, i32)> {
    let Some(winner) = verdict.winner() else {
        return Vec::new();
    };
    let runner_up = verdict.runner_up();
    let mut rows: Vec<(Mask, i32, i32)> = Vec::new();
    for &r in &verdict.fired_rules {
        let rule = &rules.rules[r];
        let (w, ru) = (rule.points_to(Some(winner)), rule.points_to(runner_up));
        let questions = rule.questions();
        match rows.iter_mut().find(|row| row.0 == questions) {
            Some(row) => {
                row.1 += w;
                row.2 += ru;
            }
            None => rows.push((questions, w, ru)),
        }
    }
    rows.retain(|&(_, w, r)| w != 0 || r != 0);
    rows.sort_by_key(|&(q, w, r)| (std::cmp::Reverse(w - r), q));
    rows
}

/// Per question, the points of the fired rules that look at it, for the winner and for the
/// runner-up; a rule that looks at several questions counts toward each. Strongest first.
pub fn influence(rules: &RuleSet, verdict: &Verdict) -> Vec<Influence> {
    influence_of(&drivers(rules, verdict), rules.questions.len())
}

/// [`influence`] from the rows of [`drivers`] (a row's points count toward each question it
/// looks at), for a caller that has them already.
pub fn influence_of(drivers: &[(Mask, i32, i32)], questions: usize) -> Vec<Influence> {
    let mut out: Vec<Influence> = (0..questions)
        .map(|question| {
            let (for_winner, for_runner_up) = drivers
                .iter()
                .filter(|(mask, _, _)| mask & (1 << question) != 0)
                .fold((0, 0), |(w, r), &(_, dw, dr)| (w + dw, r + dr));
            Influence {
                question,
                for_winner,
                for_runner_up,
            }
        })
        .filter(|i| i.for_winner != 0 || i.for_runner_up != 0)
        .collect();
    out.sort_by_key(|i| {
        (
            std::cmp::Reverse(i.for_winner - i.for_runner_up),
            i.question,
        )
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A verdict whose winner leads the runner-up by `margin` (or stands alone).
    fn verdict(margin: Option<i32>) -> Verdict {
        Verdict {
            scores: vec![10, 10 - margin.unwrap_or(0)],
            excluded: if margin.is_none() { 0b10 } else { 0 },
            fired_rules: Vec::new(),
            fired_constraints: Vec::new(),
            notes: Vec::new(),
            ranking: if margin.is_none() {
                vec![0]
            } else {
                vec![0, 1]
            },
        }
    }

    #[test]
    fn confidence_follows_the_thresholds_at_their_edges() {
        let t = ConfidenceThresholds {
            strong: 5,
            moderate: 2,
        };
        let at = |m| confidence(&verdict(m), t);
        assert_eq!(at(None), Confidence::Strong, "a forced verdict");
        assert_eq!(at(Some(6)), Confidence::Strong);
        assert_eq!(at(Some(5)), Confidence::Strong);
        assert_eq!(at(Some(4)), Confidence::Moderate);
        assert_eq!(at(Some(2)), Confidence::Moderate);
        assert_eq!(at(Some(1)), Confidence::CloseCall);
        assert_eq!(at(Some(0)), Confidence::CloseCall);
    }

    fn flip(question: usize, outcome: usize, distance: u32) -> FlipResult {
        FlipResult {
            changes: vec![Change {
                question,
                from: 1,
                to: 2,
            }],
            outcome,
            distance,
        }
    }

    /// Per new outcome only the nearest changes stay: a farther one is dropped, an equally
    /// near one joins, a nearer one replaces them; other outcomes are kept apart.
    #[test]
    fn only_the_nearest_changes_per_outcome_are_kept() {
        let mut found = vec![flip(0, 1, 2)];
        keep_nearest(&mut found, flip(1, 1, 3));
        assert_eq!(found, [flip(0, 1, 2)]);
        keep_nearest(&mut found, flip(2, 1, 2));
        assert_eq!(found, [flip(0, 1, 2), flip(2, 1, 2)]);
        keep_nearest(&mut found, flip(3, 2, 5));
        keep_nearest(&mut found, flip(4, 1, 1));
        assert_eq!(found, [flip(3, 2, 5), flip(4, 1, 1)]);
    }

    /// `b` needs both `p` and `q` at `y`, `c` needs `r` to hold `m` and `n`; `a` wins
    /// otherwise (`r` adds points to `a`, `p` to nobody).
    const PAIRS: &str = r#"
name: pairs
outcomes:
  - {id: a, name: A, summary: a}
  - {id: b, name: B, summary: b}
  - {id: c, name: C, summary: c}
questions:
  - {id: p, prompt: P, kind: single, required: true, options: [{id: x, label: X}, {id: y, label: Y}]}
  - {id: q, prompt: Q, kind: single, default: x, options: [{id: x, label: X}, {id: y, label: Y}]}
  - {id: r, prompt: R, kind: multi, default: [m], options: [{id: m, label: M}, {id: n, label: N}, {id: o, label: O}]}
rules:
  - {id: base, score: {a: 1}, why: w, cite: c}
  - {id: both, when: {all: [{p: y}, {q: y}]}, score: {b: 2}, why: w, cite: c}
  - {id: r-m, when: {r: m}, score: {a: 2, c: 1}, why: w, cite: c}
  - {id: r-n, when: {r: n}, score: {c: 1}, why: w, cite: c}
  - {id: r-mn, when: {all: [{r: m}, {r: n}]}, score: {c: 2}, why: w, cite: c}
tie_break: [a, b, c]
confidence: {strong: 3, moderate: 1}
"#;

    fn pairs() -> RuleSet {
        crate::rules::load_rules("pairs.yaml", PAIRS.as_bytes()).unwrap()
    }

    /// With p=x, q=x, r=[m]: a scores 3 and c 1. Adding n to r gives c 1+1+2 = 4 against
    /// a's 3: a one-question flip at distance 1. With r's rules taking points only from c,
    /// nothing single flips, but p and q to y together do (b 2 against a 1): distance 2.
    #[test]
    fn single_flips_and_the_pair_when_none_is_single() {
        let r = pairs();
        assert!(!FlipSearch::new(&r).is_tabulated());
        assert!(FlipSearch::tabulated(&r).is_tabulated());
        for search in [FlipSearch::new(&r), FlipSearch::tabulated(&r)] {
            let single = flips_with(&r, &search, &[0b01, 0b01, 0b001]);
            assert_eq!(
                single,
                [FlipResult {
                    changes: vec![Change {
                        question: 2,
                        from: 0b001,
                        to: 0b011
                    }],
                    outcome: 2,
                    distance: 1,
                }]
            );
        }
        // Two questions that only matter together: no single change flips, the pair does.
        let both = crate::rules::load_rules(
            "both.yaml",
            PAIRS
                // Each of p and q alone only ties b with a (a wins the tie): each rule looks at
                // one question, so the pair search must let both vary.
                .replace(
                    "{id: both, when: {all: [{p: y}, {q: y}]}, score: {b: 2}, why: w, cite: c}",
                    "{id: p-y, when: {p: y}, score: {b: 1}, why: w, cite: c}\n  - {id: q-y, when: {q: y}, score: {b: 1}, why: w, cite: c}",
                )
                .replace("{id: r-", "{id: unused-r-")
                .replace(
                    "when: {r: m}, score: {a: 2, c: 1}",
                    "when: {r: m}, score: {c: -1}",
                )
                .replace(
                    "when: {r: n}, score: {c: 1}",
                    "when: {r: n}, score: {c: -1}",
                )
                .replace("score: {c: 2}", "score: {c: -1}")
                .as_bytes(),
        )
        .unwrap();
        for search in [FlipSearch::new(&both), FlipSearch::tabulated(&both)] {
            let pair = flips_with(&both, &search, &[0b01, 0b01, 0b100]);
            assert_eq!(
                pair,
                [FlipResult {
                    changes: vec![
                        Change {
                            question: 0,
                            from: 0b01,
                            to: 0b10
                        },
                        Change {
                            question: 1,
                            from: 0b01,
                            to: 0b10
                        },
                    ],
                    outcome: 1,
                    distance: 2,
                }]
            );
        }
    }

    /// (question, points to the winner, points to the runner-up) per influencing question.
    fn influence_of(r: &RuleSet, v: &Verdict) -> Vec<(usize, i32, i32)> {
        influence(r, v)
            .iter()
            .map(|i| (i.question, i.for_winner, i.for_runner_up))
            .collect()
    }

    /// Points per question for the winner and the runner-up, strongest lead first; a rule
    /// counts toward every question it looks at, an unconditional one toward none.
    #[test]
    fn influence_adds_each_fired_rules_points_to_the_questions_it_looks_at() {
        let r = pairs();
        // p=y, q=y, r=[m, n]: a 1+2 = 3, b 2, c 1+1+2 = 4: c wins, a runs up.
        let v = engine::evaluate(&r, &[0b10, 0b10, 0b011]);
        assert_eq!((v.winner(), v.runner_up()), (Some(2), Some(0)));
        let found = influence_of(&r, &v);
        // r: c gets 1 (r-m) + 1 (r-n) + 2 (r-mn), a gets 2 (r-m). p and q: only b's rule.
        assert_eq!(found, [(2, 4, 2)]);
        // Nothing possible: no influence.
        let mut none = v.clone();
        none.ranking.clear();
        assert!(influence(&r, &none).is_empty());
        // p=y, q=y, r=[o]: b 2 beats a 1; p and q each bring b its 2 points.
        let v = engine::evaluate(&r, &[0b10, 0b10, 0b100]);
        let found = influence_of(&r, &v);
        assert_eq!(found, [(0, 2, 0), (1, 2, 0)]);
    }

    /// The order is the lead each question gives the winner over the runner-up, not the
    /// points alone: `t` (3 to 0) comes before `s` (4 to 2).
    #[test]
    fn influence_is_ordered_by_the_lead_it_gives() {
        let yaml = r#"
name: lead
outcomes: [{id: a, name: A, summary: a}, {id: b, name: B, summary: b}]
questions:
  - {id: s, prompt: S, kind: single, required: true, options: [{id: x, label: X}, {id: y, label: Y}]}
  - {id: t, prompt: T, kind: single, default: x, options: [{id: x, label: X}, {id: y, label: Y}]}
rules:
  - {id: s-x, when: {s: x}, score: {a: 4, b: 2}, why: w, cite: c}
  - {id: t-x, when: {t: x}, score: {a: 3}, why: w, cite: c}
tie_break: [a, b]
confidence: {strong: 3, moderate: 1}
"#;
        let r = crate::rules::load_rules("lead.yaml", yaml.as_bytes()).unwrap();
        let v = engine::evaluate(&r, &[0b01, 0b01]);
        let found = influence_of(&r, &v);
        assert_eq!(found, [(1, 3, 0), (0, 4, 2)]);
    }

    #[test]
    fn confidence_names_match_the_json() {
        for c in [
            Confidence::Strong,
            Confidence::Moderate,
            Confidence::CloseCall,
        ] {
            assert_eq!(
                serde_json::to_value(c).unwrap(),
                serde_json::Value::from(c.as_str())
            );
        }
        assert_eq!(Confidence::CloseCall.as_str(), "close-call");
    }

    /// Three outcomes; `size` and `iteration` score `a`, `team` scores `b`, `platform`
    /// rules `b` and `c` out. Thresholds: strong 4, moderate 2.
    const EVIDENCE: &str = r#"
name: t
outcomes:
  - {id: a, name: A, summary: a}
  - {id: b, name: B, summary: b}
  - {id: c, name: C, summary: c}
questions:
  - {id: size, prompt: S?, kind: single, default: big, options: [{id: big, label: B}, {id: small, label: S}]}
  - {id: iteration, prompt: I?, kind: single, default: stable, options: [{id: stable, label: S}, {id: fast, label: F}]}
  - {id: team, prompt: T?, kind: single, default: none, options: [{id: none, label: N}, {id: big, label: B}, {id: huge, label: H}]}
  - {id: platform, prompt: P?, kind: single, default: phone, options: [{id: phone, label: P}, {id: watch, label: W}]}
rules:
  - {id: size-big, when: {size: big}, score: {a: 3}, why: w, cite: c}
  - {id: stable, when: {iteration: stable}, score: {a: 2}, why: w, cite: c}
  - {id: team-big, when: {team: big}, score: {b: 1}, why: w, cite: c}
  - {id: team-huge, when: {team: huge}, score: {b: 9}, why: w, cite: c}
constraints:
  - {id: watch, when: {platform: watch}, exclude: [b, c], why: w, source: s}
tie_break: [a, b, c]
confidence: {strong: 4, moderate: 2}
"#;

    /// Confidence and basis for the answers `given` (question, option); the others assumed.
    fn evidence_of(given: &[(&str, &str)]) -> (Confidence, Option<Basis>) {
        let rules = crate::rules::load_rules("t.yaml", EVIDENCE.as_bytes()).unwrap();
        let mut masks: Vec<Mask> = rules.questions.iter().map(|q| q.default.unwrap()).collect();
        let mut assumed: Mask = (1 << masks.len()) - 1;
        for (id, value) in given {
            let q = rules.question_index(id).unwrap();
            masks[q] = rules.questions[q].answer_mask([*value]).unwrap();
            assumed &= !(1 << q);
        }
        let verdict = engine::evaluate(&rules, &masks);
        confidence_from_evidence(&rules, &verdict, assumed)
    }

    /// A rule marked unproven that takes points from the winner keeps it from strong,
    /// whatever the lead; one that takes points only from a loser changes nothing.
    #[test]
    fn an_unproven_penalty_on_the_winner_caps_it_at_moderate() {
        let rules_with = |score: &str| {
            let yaml = EVIDENCE.replace(
                "{id: team-big, when: {team: big}, score: {b: 1}, why: w, cite: c}",
                &format!("{{id: team-big, when: {{team: big}}, score: {score}, unproven: true, why: w, cite: c}}"),
            );
            crate::rules::load_rules("u.yaml", yaml.as_bytes()).unwrap()
        };
        let masks = |r: &RuleSet| -> Vec<Mask> {
            let mut m: Vec<Mask> = r.questions.iter().map(|q| q.default.unwrap()).collect();
            m[2] = r.questions[2].answer_mask(["big"]).unwrap();
            m
        };
        // a: 3 + 2 - 1 = 4 against b's -2: strong by the margin and by the answers given.
        let r = rules_with("{a: -1, b: -2}");
        let v = engine::evaluate(&r, &masks(&r));
        assert_eq!(v.winner(), Some(0));
        assert_eq!(
            confidence_from_evidence(&r, &v, 0),
            (
                Confidence::Moderate,
                Some(Basis::Unproven { rules: vec![2] })
            )
        );
        // Only the loser pays: strong.
        let r = rules_with("{b: -2}");
        let v = engine::evaluate(&r, &masks(&r));
        assert_eq!(
            confidence_from_evidence(&r, &v, 0),
            (Confidence::Strong, None)
        );
    }

    #[test]
    fn a_lead_counts_only_what_was_answered() {
        let size = 1 << 0;
        let iteration = 1 << 1;
        // 3 + 2 over c's 0, both answers given: strong.
        let given = [("size", "big"), ("iteration", "stable")];
        assert_eq!(evidence_of(&given), (Confidence::Strong, None));
        // The same verdict with `iteration` assumed: 3 given points are under 4.
        let assumed_iteration = Some(Basis::AssumedAnswers {
            questions: iteration,
            alone: false,
        });
        assert_eq!(
            evidence_of(&[("size", "big")]),
            (Confidence::Moderate, assumed_iteration.clone())
        );
        // Nothing given: both rules rest on defaults.
        assert_eq!(
            evidence_of(&[]),
            (
                Confidence::Moderate,
                Some(Basis::AssumedAnswers {
                    questions: size | iteration,
                    alone: false,
                })
            )
        );
        // The runner-up's points count against the lead: 5 - 1 = 4, strong at the threshold.
        let rules_b = [("size", "big"), ("iteration", "stable"), ("team", "big")];
        assert_eq!(evidence_of(&rules_b), (Confidence::Strong, None));
        // Below strong by the margin, evidence changes nothing.
        assert_eq!(
            evidence_of(&[("size", "small"), ("iteration", "stable")]),
            (Confidence::Moderate, None)
        );
    }

    #[test]
    fn a_forced_verdict_is_strong_only_when_nothing_better_was_ruled_out() {
        // On the watch only `a` remains; `b` scored 9 and was ruled out: elimination.
        let given = [("platform", "watch"), ("team", "huge"), ("size", "big")];
        assert_eq!(
            evidence_of(&given),
            (
                Confidence::Moderate,
                Some(Basis::Elimination { outcomes: 0b010 })
            )
        );
        // The same, but a's own answered points reach the strong threshold: what was ruled
        // out does not matter (an LLM on Linux is MLX whatever Core AI would have scored).
        let given = [
            ("platform", "watch"),
            ("team", "huge"),
            ("size", "big"),
            ("iteration", "stable"),
        ];
        assert_eq!(evidence_of(&given), (Confidence::Strong, None));
        // Nothing better ruled out, but part of a's points come from the assumed iteration:
        // moderate, resting on it.
        let given = [("platform", "watch"), ("size", "big")];
        assert_eq!(
            evidence_of(&given),
            (
                Confidence::Moderate,
                Some(Basis::AssumedAnswers {
                    questions: 0b10,
                    alone: true,
                })
            )
        );
        // The same with that answer given against it: no assumed points, strong.
        let given = [
            ("platform", "watch"),
            ("size", "big"),
            ("iteration", "fast"),
        ];
        assert_eq!(evidence_of(&given), (Confidence::Strong, None));
        // Nothing better ruled out, but a's points come from defaults: moderate.
        assert_eq!(
            evidence_of(&[("platform", "watch")]),
            (
                Confidence::Moderate,
                Some(Basis::AssumedAnswers {
                    questions: 0b11,
                    alone: true,
                })
            )
        );
        // A forced verdict with no points at all rests on no assumption: the constraints
        // given decide it.
        let given = [
            ("platform", "watch"),
            ("size", "small"),
            ("iteration", "fast"),
        ];
        assert_eq!(evidence_of(&given), (Confidence::Strong, None));
    }
}
