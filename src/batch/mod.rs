//! Batch mode: JSON Lines of answer sets in, one JSON result per line out, in input order.
//! A bad line yields an error record and the rest go on. Lines are processed in chunks, each
//! chunk split between threads.

pub mod line;

use std::collections::HashMap;
use std::io::{self, BufRead, Write};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::analysis::explain::FlipSearch;
use crate::answers::{self, Answers, Given, Source};
use crate::engine;
use crate::report;
use crate::rules::RuleSet;

/// Lines read before a chunk is processed and written.
const CHUNK_LINES: usize = 4096;
/// The same for full reports: each result is 5-20 KB of JSON, and a chunk's results are held
/// until it is written, so smaller chunks keep a batch's memory to a few megabytes.
const FULL_CHUNK_LINES: usize = 512;

/// A chunk at least this long has the flip searches use the tabulated evaluator.
const TABULATE_FROM_LINES: usize = 256;
/// Longest input line accepted; longer lines get an error record.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

#[derive(Serialize)]
struct Failure<'a> {
    line: u64,
    error: &'a str,
}

/// How a batch went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub lines: u64,
    pub failed: u64,
}

/// One input line: its number and its bytes, or why it could not be read.
enum Input {
    Bytes(u64, Vec<u8>),
    TooLong(u64),
}

/// A line's result: the JSON object of its verdict without the `line` key (shared with the
/// lines that resolve to the same answers), or why there is none.
type Body = Result<Arc<String>, String>;

/// Results already built by one worker (full reports, or records with flips), keyed by the
/// resolved answers (and where each came from): lines that resolve to the same answer set (a
/// grid whose varied question a flag overrides, a file with repeated lines) build their
/// report, flips included, once. Emptied when it holds [`MEMO_BYTES`], so memory stays bounded
/// on input that never repeats.
#[derive(Default)]
struct Memo {
    results: HashMap<Answers, Body>,
    bytes: usize,
}

/// JSON a worker's memo holds before it is emptied.
const MEMO_BYTES: usize = 2 * 1024 * 1024;

impl Memo {
    fn get_or_build(&mut self, answers: Answers, build: impl FnOnce(&Answers) -> Body) -> Body {
        if let Some(hit) = self.results.get(&answers) {
            return hit.clone();
        }
        let body = build(&answers);
        let size = body.as_ref().map_or_else(String::len, |b| b.len());
        if self.bytes + size > MEMO_BYTES {
            self.results.clear();
            self.bytes = 0;
        }
        self.bytes += size;
        self.results.insert(answers, body.clone());
        body
    }
}

/// The result for one line's bytes: parsed, merged with the flags, then built (or found in
/// `memo`).
fn process(
    rules: &RuleSet,
    search: &FlipSearch,
    flags: &Given,
    bytes: &[u8],
    detail: &Detail,
    memo: &mut Memo,
) -> Body {
    let text = std::str::from_utf8(bytes).map_err(|_| "the line is not valid UTF-8".to_owned())?;
    let mut line = line::answers(rules, text)?;
    // The models the line lists make the app's model types (each model its own); a rule set
    // without a question that makes models has refused `models` already.
    if let (false, Some(q)) = (line.models.is_empty(), crate::plan::models::creator(rules)) {
        if flags[q].is_some() {
            return Err(format!(
                "--{} and the line's `models`: give the models in one place",
                rules.questions[q].id
            ));
        }
        let kinds = line.models.iter().filter_map(|m| m.given[q]);
        line.given[q] = Some(kinds.fold(0, |all, m| all | m));
    }
    let answers = answers::resolve(rules, &[(flags, Source::Flag), (&line.given, Source::File)])
        .map_err(|missing| missing.to_string())?;
    if !line.models.is_empty() {
        // Lines that list models are few: not kept.
        return build(rules, search, &answers, &line.models, detail).map(Arc::new);
    }
    let body = |answers: &Answers| build(rules, search, answers, &[], detail).map(Arc::new);
    if !detail.worth_keeping() {
        return body(&answers);
    }
    memo.get_or_build(answers, body)
}

/// The verdict's JSON object for `answers` (and the models the line lists), as `detail` asks.
fn build(
    rules: &RuleSet,
    search: &FlipSearch,
    answers: &Answers,
    listed: &[crate::answers::FileModel],
    detail: &Detail,
) -> Result<String, String> {
    let fields = match detail {
        Detail::Full { with_trace } => {
            let models = crate::plan::models::split_with(rules, answers, &[], listed)?;
            let composed = crate::plan::compose::compose(rules, models);
            let app = report::app::AppReport::of(rules, search, answers, composed, *with_trace);
            return serde_json::to_string(&app).map_err(|e| e.to_string());
        }
        Detail::Brief(fields) => fields,
    };
    // Most lines of a grid are one model as they stand: no split to make.
    if listed.is_empty() && crate::plan::models::one_model_as_is(rules, answers)? {
        let brief = brief(rules, search, answers, fields)?;
        return serde_json::to_string(&brief).map_err(|e| e.to_string());
    }
    let models = crate::plan::models::split_with(rules, answers, &[], listed)?;
    if let [one] = models.as_slice() {
        let brief = brief(rules, search, &one.answers, fields)?;
        return serde_json::to_string(&brief).map_err(|e| e.to_string());
    }
    // Several models: the plan, then each model's brief record from the verdict the plan was
    // composed from.
    let composed = crate::plan::compose::compose(rules, models);
    let mut briefs = Vec::with_capacity(composed.models.len());
    for m in &composed.models {
        let b = brief_of(rules, search, &m.verdict, &m.model.answers, fields)?;
        briefs.push(BriefModel {
            name: &m.model.name,
            brief: b,
        });
    }
    let entries = &composed.entries;
    let stacks = crate::plan::stacks(rules, entries).ok_or_else(nothing_fits)?;
    serde_json::to_string(&BriefPlan {
        recommendation: BriefPlanRecommendation {
            id: crate::plan::id(rules, &stacks),
            name: crate::plan::name(rules, &stacks),
            models: entries
                .iter()
                .map(|e| BriefPlanModel {
                    model: &e.model,
                    stack: e.stack.map(|o| rules.outcomes[o].id.as_str()),
                })
                .collect(),
        },
        models: briefs,
    })
    .map_err(|e| e.to_string())
}

fn nothing_fits() -> String {
    "no stack fits a model of these answers (run it without --fields to see why)".to_owned()
}

/// One model's brief record (`--fields`): only its standing, and flips only when asked.
fn brief<'r>(
    rules: &'r RuleSet,
    search: &FlipSearch<'r>,
    answers: &crate::answers::Answers,
    fields: &[Field],
) -> Result<Brief<'r>, String> {
    let masks = &answers.masks;
    // A brief record needs only the outcomes' standing: one lookup per group once the
    // tables are built. Confidence weighs the fired rules' evidence, so it needs them.
    let verdict = match search.evaluator() {
        Some(evaluator) if !fields.contains(&Field::Confidence) => {
            let mut scores = vec![0; rules.outcomes.len()];
            let excluded = evaluator.score_into(masks, &mut scores, None);
            engine::Verdict::standing(rules, scores, excluded)
        }
        _ => engine::evaluate(rules, masks),
    };
    brief_of(rules, search, &verdict, answers, fields)
}

/// [`brief`] from a verdict already made for `masks`.
fn brief_of<'r>(
    rules: &'r RuleSet,
    search: &FlipSearch<'r>,
    verdict: &engine::Verdict,
    answers: &crate::answers::Answers,
    fields: &[Field],
) -> Result<Brief<'r>, String> {
    let masks = &answers.masks;
    // Only what was asked for: flips, the costly part, only when named.
    let Some(winner) = verdict.winner() else {
        return Err(nothing_fits());
    };
    let outcome = &rules.outcomes[winner];
    let has = |f: Field| fields.contains(&f);
    Ok(Brief {
        recommendation: has(Field::Recommendation).then_some(BriefRecommendation {
            id: &outcome.id,
            name: &outcome.name,
            summary: &outcome.summary,
        }),
        margin: has(Field::Margin).then(|| verdict.margin()),
        confidence: has(Field::Confidence).then(|| {
            crate::analysis::explain::confidence_from_evidence(
                rules,
                verdict,
                answers.assumed(rules),
            )
            .0
        }),
        scores: has(Field::Scores).then(|| report::scores(rules, verdict)),
        runner_up: has(Field::RunnerUp)
            .then(|| verdict.runner_up().map(|o| rules.outcomes[o].id.as_str())),
        flips: has(Field::Flips).then(|| report::flips(rules, search, masks)),
    })
}

/// A brief record of an app with several models.
#[derive(Serialize)]
struct BriefPlan<'a> {
    recommendation: BriefPlanRecommendation<'a>,
    models: Vec<BriefModel<'a>>,
}

#[derive(Serialize)]
struct BriefPlanRecommendation<'a> {
    id: String,
    name: String,
    models: Vec<BriefPlanModel<'a>>,
}

#[derive(Serialize)]
struct BriefPlanModel<'a> {
    model: &'a str,
    stack: Option<&'a str>,
}

#[derive(Serialize)]
struct BriefModel<'a> {
    name: &'a str,
    #[serde(flatten)]
    brief: Brief<'a>,
}

/// How much of the verdict each result line carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    /// The whole `recommend --format json` document (`with_trace`: with `--explain`).
    Full { with_trace: bool },
    /// Only these keys (`--fields`), in the document's order.
    Brief(Vec<Field>),
}

impl Detail {
    /// Lines per chunk for this detail.
    fn chunk_lines(&self) -> usize {
        match self {
            Detail::Full { .. } => FULL_CHUNK_LINES,
            Detail::Brief(_) => CHUNK_LINES,
        }
    }

    /// Whether a result costs enough to keep for later lines with the same answers: a full
    /// report, or flips. A brief record without flips takes less to build than the memo takes
    /// to hash its key twice, and its keys would be most of the batch's memory.
    fn worth_keeping(&self) -> bool {
        match self {
            Detail::Full { .. } => true,
            Detail::Brief(fields) => fields.contains(&Field::Flips),
        }
    }
}

/// The keys `--fields` can ask for: what the verdict itself gives, without the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum Field {
    Recommendation,
    Margin,
    Confidence,
    Scores,
    RunnerUp,
    Flips,
}

#[derive(Serialize)]
struct Brief<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    recommendation: Option<BriefRecommendation<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    margin: Option<Option<i32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    confidence: Option<crate::analysis::explain::Confidence>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scores: Option<Vec<report::Score<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    runner_up: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    flips: Option<Vec<report::Flip<'a>>>,
}

#[derive(Serialize)]
struct BriefRecommendation<'a> {
    id: &'a str,
    name: &'a str,
    summary: &'a str,
}

/// One line's output.
enum Record {
    /// `{"line": N, ...}`: the number, then the verdict's object without its opening brace.
    Verdict(u64, Arc<String>),
    /// A whole error record.
    Error(String),
}

impl Record {
    fn write(&self, out: &mut impl Write) -> io::Result<()> {
        match self {
            Record::Verdict(number, body) => {
                let fields = body.strip_prefix('{').unwrap_or(body);
                let comma = if fields == "}" { "" } else { "," };
                writeln!(out, "{{\"line\":{number}{comma}{fields}")
            }
            Record::Error(json) => writeln!(out, "{json}"),
        }
    }
}

fn record(
    rules: &RuleSet,
    search: &FlipSearch,
    flags: &Given,
    input: &Input,
    detail: &Detail,
    memo: &mut Memo,
) -> Record {
    let (number, result) = match input {
        Input::Bytes(n, bytes) => (*n, process(rules, search, flags, bytes, detail, memo)),
        Input::TooLong(n) => (
            *n,
            Err(format!("the line is longer than {MAX_LINE_BYTES} bytes")),
        ),
    };
    match result {
        Ok(body) => Record::Verdict(number, body),
        Err(message) => Record::Error(
            serde_json::to_string(&Failure {
                line: number,
                error: &message,
            })
            .unwrap_or_else(|_| format!("{{\"line\":{number},\"error\":\"unprintable error\"}}")),
        ),
    }
}

/// Read one line (without its end), at most `MAX_LINE_BYTES`; `None` at the end of input.
fn read_line(input: &mut impl BufRead, number: u64) -> io::Result<Option<Input>> {
    let mut bytes = Vec::new();
    let mut too_long = false;
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            if bytes.is_empty() && !too_long {
                return Ok(None);
            }
            break;
        }
        let (take, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        if !too_long {
            bytes.extend_from_slice(&buf[..take]);
            if bytes.len() > MAX_LINE_BYTES + 2 {
                too_long = true;
                bytes = Vec::new();
            }
        }
        input.consume(take);
        if done {
            break;
        }
    }
    if too_long {
        return Ok(Some(Input::TooLong(number)));
    }
    while bytes.last().is_some_and(|&b| b == b'\n' || b == b'\r') {
        bytes.pop();
    }
    Ok(Some(Input::Bytes(number, bytes)))
}

/// Process every line of `input`, writing one JSON result per line to `out` in input order.
/// Blank lines are skipped. `flags` answers override every line's. Lines are read in chunks
/// of [`CHUNK_LINES`] ([`FULL_CHUNK_LINES`] for full reports), for input that is all there,
/// such as a file or a buffer.
pub fn run(
    rules: &RuleSet,
    flags: &Given,
    mut input: impl BufRead,
    out: &mut impl Write,
    threads: usize,
    detail: &Detail,
) -> io::Result<Summary> {
    let mut number = 0u64;
    let size = detail.chunk_lines();
    let next_chunk = move || -> io::Result<Option<Vec<Input>>> {
        let mut chunk = Vec::with_capacity(size);
        while chunk.len() < size {
            number += 1;
            match read_line(&mut input, number)? {
                None => break,
                Some(line) if is_blank(&line) => {}
                Some(line) => chunk.push(line),
            }
        }
        Ok((!chunk.is_empty()).then_some(chunk))
    };
    let gate = Mutex::new(());
    process_chunks(rules, flags, next_chunk, out, threads, detail, &gate)
}

/// [`run`] for input that may arrive slowly (a pipe): a reader thread takes lines as they come,
/// and each chunk is whatever has arrived when the last one is done (up to a chunk's lines),
/// so a producer writing one line a second sees one result a second while a fast file is
/// still processed in large parallel chunks. Each chunk's lines are written and flushed
/// while holding `gate`: whoever else takes it (the signal watcher of `recommend --batch`)
/// finds only whole lines written and nothing left in a buffer. The reader thread is not
/// waited for, so a closed stdout ends the batch even while the input is quiet.
pub fn run_streaming(
    rules: &RuleSet,
    flags: &Given,
    mut input: Box<dyn BufRead + Send>,
    out: &mut impl Write,
    threads: usize,
    detail: &Detail,
    gate: &Mutex<()>,
) -> io::Result<Summary> {
    let size = detail.chunk_lines();
    let (tx, rx) = std::sync::mpsc::sync_channel::<io::Result<Input>>(2 * size);
    std::thread::spawn(move || {
        let mut number = 0u64;
        loop {
            number += 1;
            let line = match read_line(&mut input, number) {
                Ok(None) => return,
                Ok(Some(line)) if is_blank(&line) => continue,
                Ok(Some(line)) => Ok(line),
                Err(e) => Err(e),
            };
            let failed = line.is_err();
            if tx.send(line).is_err() || failed {
                return;
            }
        }
    });
    let next_chunk = || -> io::Result<Option<Vec<Input>>> {
        // Wait for one line, then take whatever else has arrived.
        let Ok(first) = rx.recv() else {
            return Ok(None);
        };
        let mut chunk = vec![first?];
        while chunk.len() < size {
            match rx.try_recv() {
                Ok(line) => chunk.push(line?),
                Err(_) => break,
            }
        }
        Ok(Some(chunk))
    };
    process_chunks(rules, flags, next_chunk, out, threads, detail, gate)
}

fn is_blank(line: &Input) -> bool {
    matches!(line, Input::Bytes(_, b) if b.iter().all(u8::is_ascii_whitespace))
}

/// Evaluate each chunk across `threads`, then write its results in order and flush, holding
/// `gate` while writing.
fn process_chunks(
    rules: &RuleSet,
    flags: &Given,
    mut next_chunk: impl FnMut() -> io::Result<Option<Vec<Input>>>,
    out: &mut impl Write,
    threads: usize,
    detail: &Detail,
    gate: &Mutex<()>,
) -> io::Result<Summary> {
    let mut search = FlipSearch::new(rules);
    let mut memos: Vec<Memo> = (0..threads.max(1)).map(|_| Memo::default()).collect();
    let mut summary = Summary::default();
    while let Some(chunk) = next_chunk()? {
        // Many lines: the evaluator's tables (built once, in milliseconds) make each flip
        // search a few dozen times faster. A trickle of lines does without.
        if chunk.len() >= TABULATE_FROM_LINES && !search.is_tabulated() {
            search = FlipSearch::tabulated(rules);
        }
        let search = &search;
        let parts = threads.clamp(1, chunk.len().max(1));
        let results: Vec<Vec<Record>> = std::thread::scope(|s| {
            let handles: Vec<_> = chunk
                .chunks(chunk.len().div_ceil(parts).max(1))
                .zip(memos.iter_mut())
                .map(|(part, memo)| {
                    s.spawn(move || {
                        part.iter()
                            .map(|l| record(rules, search, flags, l, detail, memo))
                            .collect()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("batch worker"))
                .collect()
        });
        let _whole_lines = gate
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for record in results.into_iter().flatten() {
            record.write(out)?;
            summary.lines += 1;
            summary.failed += u64::from(matches!(record, Record::Error(_)));
        }
        out.flush()?;
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Mask;

    fn answers(mask: Mask) -> Answers {
        Answers {
            masks: vec![mask],
            sources: vec![Source::File],
        }
    }

    /// Brief records from the tabulated evaluator (large batches) are the tree engine's, for
    /// every field, on random answer sets of the default rules (many with nothing possible).
    #[test]
    fn brief_records_are_the_same_from_the_tables() {
        let rules = crate::rules::default_rules();
        let (tree, table) = (FlipSearch::new(&rules), FlipSearch::tabulated(&rules));
        let detail = Detail::Brief(vec![
            Field::Recommendation,
            Field::Margin,
            Field::Confidence,
            Field::Scores,
            Field::RunnerUp,
        ]);
        let mut rng = crate::analysis::space::Rng::new(11);
        let mut possible = 0;
        for _ in 0..2000 {
            let answers = Answers {
                masks: rules.questions.iter().map(|q| rng.answer(q)).collect(),
                sources: vec![Source::File; rules.questions.len()],
            };
            let from_tree = build(&rules, &tree, &answers, &[], &detail);
            assert_eq!(from_tree, build(&rules, &table, &answers, &[], &detail));
            possible += usize::from(from_tree.is_ok());
        }
        // Random answers often have no stack (one engine with Android and Apple Watch, say), or
        // name a built-in framework for another kind of model (an input error): both kinds of
        // line are in the sample.
        assert!(possible > 100 && possible < 2000, "{possible}");
    }

    #[test]
    fn only_full_reports_and_flips_are_kept() {
        assert!(Detail::Full { with_trace: false }.worth_keeping());
        assert!(Detail::Brief(vec![Field::Margin, Field::Flips]).worth_keeping());
        assert!(!Detail::Brief(vec![Field::Recommendation, Field::Scores]).worth_keeping());
    }

    /// A repeat is built once; the memo never holds more than its bytes, so a batch that
    /// never repeats still runs in bounded memory.
    #[test]
    fn the_memo_builds_each_answer_set_once_and_stays_bounded() {
        let mut memo = Memo::default();
        let mut built = 0;
        let mut get = |memo: &mut Memo, mask: Mask, size: usize| {
            let body = memo.get_or_build(answers(mask), |_| {
                built += 1;
                Ok(Arc::new("x".repeat(size)))
            });
            assert_eq!(body.map(|b| b.len()), Ok(size));
        };
        get(&mut memo, 1, 10);
        get(&mut memo, 1, 10);
        get(&mut memo, 2, 10);
        assert_eq!((memo.results.len(), memo.bytes), (2, 20));
        // A body that would pass the limit empties the memo first.
        get(&mut memo, 3, MEMO_BYTES - 5);
        assert_eq!((memo.results.len(), memo.bytes), (1, MEMO_BYTES - 5));
        get(&mut memo, 1, 10);
        assert_eq!((memo.results.len(), memo.bytes), (1, 10));
        let _ = get;
        assert_eq!(built, 4);
        // Errors are kept too: "nothing is possible" is as costly to explain.
        let e = memo.get_or_build(answers(9), |_| Err("none".into()));
        assert_eq!(e, Err("none".into()));
        assert_eq!(memo.bytes, 14);
    }
}
