//! Output formats for a [`Report`](crate::report::Report). Rendering only formats.

pub mod json;
pub mod markdown;
pub mod model;
pub mod safe;
pub mod table;

/// Output format of `recommend` and friends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Tables for people reading a terminal.
    #[default]
    Table,
    /// One versioned JSON document, for other tools.
    Json,
    /// Markdown, for pasting into a design document or a pull request.
    Markdown,
}

use crate::report::{Assumed, Exclusion, Flip, Reason, Report};

/// How much of a verdict the human formats (table, Markdown) show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Detail {
    /// One screen: the verdict and what to do, the reasons that decided it, the nearest
    /// answers that would change it, the notes on the recommended stack, the assumed answers
    /// in a line, and where the knowledge comes from.
    #[default]
    Brief,
    /// Everything (`--full`; `--explain` adds the trace): scores, every reason, what was
    /// ruled out and why, what drove it, every flip, every assumed answer.
    Full,
}

/// The reasons a one-screen report shows for a model; fewer per model in an app of several.
pub const BRIEF_REASONS: usize = 3;
/// The flips a one-screen report shows for a model.
pub const BRIEF_FLIPS: usize = 3;

/// The fallback line when the answers ask for one and the constraints rule out every stack of
/// one's own (`Report::fallback_ruled_out`).
pub const NO_FALLBACK: &str = "Where it is unavailable: no stack of your own fits these \
answers (each is ruled out: --full), so there is nothing to fall back to; hide the feature \
there.";

/// A verdict's standing in words: "strong, margin 4", "strong, the only outcome the
/// constraints allow", or "no stack fits these answers".
pub fn standing(report: &Report) -> String {
    match report.confidence {
        None => "no stack fits these answers".to_owned(),
        Some(c) => standing_of(c, report.margin),
    }
}

/// A fallback's standing, as a verdict's: "moderate, margin 2".
pub fn fallback_standing(f: &crate::report::Fallback) -> String {
    standing_of(f.confidence, f.margin)
}

fn standing_of(c: crate::analysis::explain::Confidence, margin: Option<i32>) -> String {
    match margin {
        Some(m) => format!("{}, margin {m}", c.as_str()),
        None => format!("{}, the only outcome the constraints allow", c.as_str()),
    }
}

/// The display name of an outcome id (`names`: id and name of every outcome).
pub fn outcome_name<'a>(names: &'a [(&'a str, &'a str)], id: &'a str) -> &'a str {
    names.iter().find(|(i, _)| *i == id).map_or(id, |(_, n)| *n)
}

/// The fired rules as people read them: per rule, "+7 MLX"-style points for the outcomes
/// still possible (points for ruled-out outcomes stay in the JSON but would only distract),
/// and the rule's first reason; rules that only scored ruled-out outcomes are left out.
pub fn reasons<'a>(
    report: &'a Report<'a>,
    names: &[(&str, &str)],
) -> Vec<(Vec<String>, &'a Reason<'a>)> {
    let ruled_out = |id: &str| report.scores.iter().any(|s| s.excluded && s.outcome == id);
    report
        .rationale
        .chunk_by(|a, b| a.rule == b.rule)
        .filter_map(|group| {
            let points: Vec<String> = group
                .iter()
                .filter(|r| !ruled_out(r.outcome))
                .map(|r| format!("{:+} {}", r.points, outcome_name(names, r.outcome)))
                .collect();
            (!points.is_empty()).then(|| (points, &group[0]))
        })
        .collect()
}

/// What the one-screen report shows of one model, worked out once for the table and Markdown.
pub struct Brief<'a> {
    /// The reasons that decided it ([`deciding_reasons`]): 3, or 2 per model in an app of
    /// several.
    pub reasons: Vec<(Vec<String>, &'a Reason<'a>)>,
    /// "Ruled out: ..." ([`ruled_out_line`]).
    pub ruled_out: Option<String>,
    /// The nearest flips ([`nearest_flips`]).
    pub flips: Vec<&'a Flip<'a>>,
    /// The assumed answers in one line of at most `width` columns, those that mattered first.
    pub assumed: Option<String>,
}

/// [`Brief`] of `report`; `several`: the app has several models.
pub fn brief<'a>(
    report: &'a Report<'a>,
    names: &[(&str, &str)],
    several: bool,
    width: u16,
) -> Brief<'a> {
    let n = if several {
        BRIEF_REASONS - 1
    } else {
        BRIEF_REASONS
    };
    let flips = nearest_flips(report, BRIEF_FLIPS);
    let assumed = assumed_brief(report, &flips, width);
    Brief {
        reasons: deciding_reasons(report, names, n),
        ruled_out: ruled_out_line(report, names),
        flips,
        assumed,
    }
}

/// What would change the plan, for the first screen of an app of several models: each model's
/// nearest flip, one line per change of answers with every model it moves. The flags name the
/// model for its own answers (`--iteration vision=frequent`).
pub fn plan_changes<'a>(
    app: &'a crate::report::app::AppReport<'a>,
    names: &[(&str, &str)],
) -> Vec<PlanChange<'a>> {
    let mut changes: Vec<PlanChange<'a>> = Vec::new();
    for m in &app.models {
        let Some(f) = nearest_flips(&m.report, 1).into_iter().next() else {
            continue;
        };
        let (flags, now) = flip_text_for(f, Some((&m.name, &m.report)));
        let moved = (
            m.name.as_str(),
            outcome_name(names, f.recommendation).to_owned(),
        );
        // An app-wide change (`--min-os 27`) that moves several models is one line.
        match changes
            .iter_mut()
            .find(|c| c.flags == flags && c.now == now)
        {
            Some(c) => c.moves.push(moved),
            None => changes.push(PlanChange {
                flags,
                now,
                moves: vec![moved],
            }),
        }
    }
    changes
}

/// One line of "What would change the plan": the flags, the answers they replace, and each
/// model it moves with the stack it moves to.
pub struct PlanChange<'a> {
    pub flags: String,
    pub now: String,
    pub moves: Vec<(&'a str, String)>,
}

impl PlanChange<'_> {
    /// `llm: Core AI; vision: Core AI`, each model's name through `name` (Markdown escapes it).
    pub fn moves_text(&self, name: impl Fn(&str) -> String) -> String {
        self.moves
            .iter()
            .map(|(model, target)| format!("{}: {target}", name(model)))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The `n` reasons that decided a verdict, as [`reasons`] gives them: the rules that gave the
/// recommended outcome points, by those points, and in the last place the heaviest other
/// reason: points for another outcome still possible (what the verdict had to beat) or
/// against the winner, when there is one.
pub fn deciding_reasons<'a>(
    report: &'a Report<'a>,
    names: &[(&str, &str)],
    n: usize,
) -> Vec<(Vec<String>, &'a Reason<'a>)> {
    let winner = report.recommendation.as_ref().map(|r| r.id);
    let ruled_out = |id: &str| report.scores.iter().any(|s| s.excluded && s.outcome == id);
    let of_rule = |rule: &'a str| report.rationale.iter().filter(move |r| r.rule == rule);
    let to_winner = |rule: &'a str| -> i32 {
        of_rule(rule)
            .filter(|r| Some(r.outcome) == winner)
            .map(|r| r.points)
            .sum()
    };
    // Points against the winner count as much as points for another outcome.
    let to_others = |rule: &'a str| -> i32 {
        of_rule(rule)
            .filter(|r| !ruled_out(r.outcome))
            .map(|r| r.points.abs())
            .max()
            .unwrap_or(0)
    };
    // What a rule gave the winner over the runner-up: a reason both got alike decides nothing.
    let lead = |rule: &'a str| -> i32 {
        let to_runner_up: i32 = of_rule(rule)
            .filter(|r| Some(r.outcome) == report.runner_up)
            .map(|r| r.points)
            .sum();
        to_winner(rule) - to_runner_up
    };
    let (mut for_winner, mut others): (Vec<_>, Vec<_>) = reasons(report, names)
        .into_iter()
        .partition(|(_, first)| to_winner(first.rule) > 0);
    for_winner.sort_by_key(|(_, first)| -to_winner(first.rule));
    others.sort_by_key(|(_, first)| -to_others(first.rule));
    let keep = if others.is_empty() {
        n
    } else {
        n.saturating_sub(1).max(1)
    };
    // When the heaviest reasons gave the runner-up as much, the one that set the winner apart
    // takes the last place kept (Core AI over Core ML on OS 27, where item 2 gives both 5).
    if keep > 0
        && for_winner.len() > keep
        && !for_winner[..keep].iter().any(|(_, f)| lead(f.rule) > 0)
    {
        let best =
            (keep..for_winner.len()).max_by_key(|&i| (lead(for_winner[i].1.rule), -(i as i64)));
        if let Some(i) = best.filter(|&i| lead(for_winner[i].1.rule) > 0) {
            for_winner.swap(keep - 1, i);
        }
    }
    for_winner.truncate(keep);
    let room = n.saturating_sub(for_winner.len());
    for_winner.extend(others.into_iter().take(room));
    for_winner
}

/// The `n` nearest flips: changes of one answer before changes of two, then the smallest
/// change first, one per question first (so three release numbers do not crowd out every
/// other answer), in the order the report lists them otherwise.
pub fn nearest_flips<'a>(report: &'a Report<'a>, n: usize) -> Vec<&'a Flip<'a>> {
    let mut order: Vec<(usize, &Flip)> = report.flips.iter().enumerate().collect();
    order.sort_by_key(|(i, f)| (f.also.len(), f.distance, *i));
    let mut picked: Vec<(usize, &Flip)> = Vec::with_capacity(n);
    for (i, f) in &order {
        if picked.len() < n && !picked.iter().any(|(_, p)| p.question == f.question) {
            picked.push((*i, f));
        }
    }
    // Then more of the same questions, but not another value that leads where one shown
    // already does (`--converted gguf` and `--converted tensorflow`, both to Core ML): --full
    // lists those.
    for (i, f) in &order {
        if picked.len() < n
            && !picked.iter().any(|(j, p)| {
                j == i || (p.question == f.question && p.recommendation == f.recommendation)
            })
        {
            picked.push((*i, f));
        }
    }
    picked.sort_by_key(|(i, f)| (f.also.len(), f.distance, *i));
    picked.into_iter().map(|(_, f)| f).collect()
}

/// The flips a report shows: the nearest few on one screen, all of them with `--full`.
pub fn flips_shown<'a>(report: &'a Report<'a>, detail: Detail) -> Vec<&'a Flip<'a>> {
    match detail {
        Detail::Brief => nearest_flips(report, BRIEF_FLIPS),
        Detail::Full => report.flips.iter().collect(),
    }
}

/// The one-screen report's line of assumed answers, those that mattered (drove the verdict or
/// change in one of the `shown` flips) first.
pub fn assumed_brief(report: &Report, shown: &[&Flip], width: u16) -> Option<String> {
    assumed_line(
        "Assumed (not answered): ",
        &report.assumed,
        |q| mattered(report, shown, q),
        width,
    )
}

/// Assumed answers in one line of at most `width` columns after `head`: "Assumed (not
/// answered): iteration stable, min-os 26 and 14 more (--full lists them)". Those for which
/// `first` holds come first. `None` when nothing was assumed.
pub fn assumed_line(
    head: &str,
    assumed: &[Assumed],
    first: impl Fn(&str) -> bool,
    width: u16,
) -> Option<String> {
    if assumed.is_empty() {
        return None;
    }
    let mut items: Vec<(bool, String)> = assumed
        .iter()
        .map(|a| {
            (
                !first(a.question),
                format!("{} {}", a.question, a.value.to_flag_value()),
            )
        })
        .collect();
    items.sort_by_key(|(later, _)| *later);
    let total = items.len();
    let more = |left: usize| format!(" and {left} more (--full lists them)");
    let mut line = head.to_owned();
    for (k, (_, item)) in items.iter().enumerate() {
        let left_after = total - k - 1;
        let candidate = if k == 0 {
            format!("{line}{item}")
        } else {
            format!("{line}, {item}")
        };
        let tail = if left_after == 0 {
            0
        } else {
            more(left_after).chars().count()
        };
        // The first item always goes in; a later one only if the line, with what follows
        // it, still fits.
        if k > 0 && candidate.chars().count() + tail > usize::from(width) {
            return Some(format!("{line}{}", more(total - k)));
        }
        line = candidate;
    }
    Some(line)
}

/// The app's assumed answers (app-level questions) in one line, those that mattered to a
/// model's verdict first.
pub fn app_assumed_line(app: &crate::report::app::AppReport, width: u16) -> Option<String> {
    assumed_line(
        "Assumed for the app (not answered): ",
        &app.assumed,
        |q| {
            app.models.iter().any(|m| {
                let shown = nearest_flips(&m.report, BRIEF_FLIPS);
                mattered(&m.report, &shown, q)
            })
        },
        width,
    )
}

/// Whether question `q` mattered to a model's verdict: an assumed answer to it drove the
/// verdict apart from the runner-up, or a shown flip changes it.
pub fn mattered(report: &Report, shown: &[&Flip], q: &str) -> bool {
    let drove = report
        .drivers
        .iter()
        .any(|d| d.questions.contains(&q) && d.winner_points != d.runner_up_points);
    drove
        || shown
            .iter()
            .any(|f| f.question == q || f.also.iter().any(|c| c.question == q))
}

/// "Ruled out: Core AI; MLX now, Core AI later" (the outcomes the constraints removed, in
/// the scores' order), or `None` when none was.
pub fn ruled_out_line(report: &Report, names: &[(&str, &str)]) -> Option<String> {
    let out: Vec<&str> = report
        .scores
        .iter()
        .filter(|s| s.excluded)
        .map(|s| outcome_name(names, s.outcome))
        .collect();
    (!out.is_empty()).then(|| format!("Ruled out: {}", out.join("; ")))
}

/// The exclusions as people read them: one entry per constraint, with the names of every
/// outcome it rules out ("Core AI / Core AI + MLX") and its reason.
pub fn exclusions<'a>(
    excluded: &'a [Exclusion<'a>],
    names: &[(&str, &str)],
) -> Vec<(String, &'a Exclusion<'a>)> {
    excluded
        .chunk_by(|a, b| a.rule == b.rule)
        .map(|group| {
            let outcomes: Vec<&str> = group
                .iter()
                .map(|e| outcome_name(names, e.outcome))
                .collect();
            (outcomes.join(" / "), &group[0])
        })
        .collect()
}

/// [`exclusions`] for a report where nothing fits: the constraints that rule out the most
/// outcomes first (the one that decides it rules out every stack), the rest in file order.
pub fn exclusions_widest_first<'a>(
    excluded: &'a [Exclusion<'a>],
    names: &[(&str, &str)],
) -> Vec<(String, &'a Exclusion<'a>)> {
    let mut groups = exclusions(excluded, names);
    // A stable sort: constraints that rule out as many keep their file order.
    groups.sort_by_key(|(_, e)| {
        std::cmp::Reverse(excluded.iter().filter(|x| x.rule == e.rule).count())
    });
    groups
}

/// The `--explain` trace as tables: per section title, rows of (id, condition, whether it
/// applied and why not, effect).
pub fn trace_rows(report: &Report) -> Vec<(&'static str, Vec<Vec<String>>)> {
    let Some(trace) = &report.trace else {
        return Vec::new();
    };
    [
        ("Rules", &trace.rules),
        ("Constraints", &trace.constraints),
        ("Notes", &trace.notes),
    ]
    .into_iter()
    .map(|(title, entries)| {
        let rows = entries
            .iter()
            .map(|e| {
                let applies = match &e.failed {
                    None if e.applies => "yes".to_owned(),
                    Some(failed) => format!("no: {failed}"),
                    None => "no".to_owned(),
                };
                vec![
                    e.id.to_owned(),
                    e.condition.clone(),
                    applies,
                    e.effect.clone(),
                ]
            })
            .collect();
        (title, rows)
    })
    .collect()
}

/// A flip as the flags that make it ("--a x --b y") and the answers it changes ("a w, b z").
pub fn flip_text(f: &Flip) -> (String, String) {
    flip_text_for(f, None)
}

/// [`flip_text`] for one model of an app of several (`model`: its name and its own questions):
/// a change of its own answer is written as a flag for it alone (`--hardware vision=gpu`).
pub fn flip_text_for(f: &Flip, model: Option<(&str, &Report)>) -> (String, String) {
    // `vision=stable` for the model's own answer, the value alone for the app's.
    let value = |question: &str, value: &crate::report::AnswerValue| match model {
        Some((name, report)) if report.answers.0.iter().any(|(id, _)| *id == question) => {
            format!("{name}={}", value.to_flag_value())
        }
        _ => value.to_flag_value(),
    };
    let changes = std::iter::once((f.question, &f.from, &f.to))
        .chain(f.also.iter().map(|c| (c.question, &c.from, &c.to)));
    let (mut flags, mut now) = (Vec::new(), Vec::new());
    for (question, from, to) in changes {
        flags.push(format!("--{question} {}", value(question, to)));
        now.push(format!("{question} {}", value(question, from)));
    }
    (flags.join(" "), now.join(", "))
}

#[cfg(test)]
mod tests {
    use crate::answers::{Answers, Source};
    use crate::rules::{Text, load_rules};

    /// Defence in depth: a rule set built in code, past validation, with escape sequences in
    /// every kind of text, renders with no control character but our own colour codes.
    #[test]
    fn text_that_bypassed_validation_is_escaped_in_every_human_format() {
        let yaml = include_str!("../../tests/fixtures/default-2026-04.yaml");
        let mut rules = load_rules("rules.yaml", yaml.as_bytes()).unwrap();
        let evil = "\u{1b}]52;c;cHduZWQ=\u{7}\u{1b}[31m";
        let spoil = |text: &mut Text| *text = format!("{text}{evil}").into();
        for o in rules.outcomes.to_mut() {
            spoil(&mut o.name);
            spoil(&mut o.summary);
        }
        for r in rules.rules.to_mut() {
            spoil(&mut r.why);
            spoil(&mut r.cite);
        }
        for c in rules.constraints.to_mut() {
            spoil(&mut c.why);
            spoil(&mut c.source);
        }
        for n in rules.notes.to_mut() {
            spoil(&mut n.text);
        }
        spoil(&mut rules.name);
        rules.close_call = Some(evil.into());
        let names = crate::report::outcome_names(&rules);
        for case in [
            &[("model-type", "llm")][..],
            &[
                ("model-type", "llm"),
                ("battery", "critical"),
                ("hardware", "neural-engine"),
            ],
            &[("model-type", "vision"), ("platform", "linux")],
        ] {
            let mut masks: Vec<u64> = rules
                .questions
                .iter()
                .map(|q| q.default.unwrap_or(0))
                .collect();
            for (id, value) in case {
                let q = rules.question_index(id).unwrap();
                masks[q] = rules.questions[q].answer_mask([*value]).unwrap();
            }
            let answers = Answers {
                sources: vec![Source::Flag; masks.len()],
                masks,
            };
            let verdict = crate::engine::evaluate(&rules, &answers.masks);
            let report = crate::report::build(&rules, &answers, &verdict, true);
            let app = crate::report::app::AppReport::single(&rules, "model".into(), report);
            for color in [false, true] {
                let mut out = Vec::new();
                super::table::write(&mut out, &app, &names, 100, color, super::Detail::Full)
                    .unwrap();
                let text = String::from_utf8(out).unwrap();
                assert!(text.contains("\\u{1b}]52"), "the text is kept, escaped");
                let ours = text
                    .replace("\u{1b}[1;32m", "")
                    .replace("\u{1b}[1;33m", "")
                    .replace("\u{1b}[1;31m", "")
                    .replace("\u{1b}[32m", "")
                    .replace("\u{1b}[33m", "")
                    .replace("\u{1b}[0m", "");
                assert!(
                    !ours
                        .chars()
                        .any(|c| c.is_control() && c != '\n' && c != '\t'),
                    "{ours}"
                );
            }
        }
    }
}
