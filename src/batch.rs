//! Batch mode: JSON Lines of answer sets in, one JSON result per line out, in input order.
//! A bad line yields an error record and the rest go on. Lines are processed in chunks, each
//! chunk split between threads.

use std::io::{self, BufRead, Write};
use std::sync::Mutex;

use serde::Serialize;
use serde_saphyr::Spanned;

use crate::answers::{self, Given, Source};
use crate::engine;
use crate::explain::FlipSearch;
use crate::report::{self, Report};
use crate::rules::{OneOrMany, Pairs, RuleSet};

/// Lines read before a chunk is processed and written.
const CHUNK_LINES: usize = 4096;
/// Longest input line accepted; longer lines get an error record.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

#[derive(Serialize)]
struct Success<'a> {
    line: u64,
    #[serde(flatten)]
    report: &'a Report,
}

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

/// The JSON result for one line: a report, or an error record.
fn process(
    rules: &RuleSet,
    search: &FlipSearch,
    flags: &Given,
    number: u64,
    bytes: &[u8],
    with_trace: bool,
) -> Result<String, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "the line is not valid UTF-8".to_owned())?;
    let pairs: Pairs<Spanned<OneOrMany>> = serde_json::from_str(text).map_err(|e| {
        format!("not a JSON object of answers ({e}); expected e.g. {{\"model-type\": \"llm\"}}")
    })?;
    let line = answers::given_from_pairs(rules, &pairs).map_err(|problems| {
        let messages: Vec<String> = problems.into_iter().map(|(_, m)| m).collect();
        messages.join("; ")
    })?;
    let answers = answers::resolve(rules, &[(flags, Source::Flag), (&line, Source::File)])
        .map_err(|missing| missing.to_string())?;
    let verdict = engine::evaluate(rules, &answers.masks);
    let report = report::build_with(rules, search, &answers, &verdict, with_trace)
        .map_err(|e| e.to_string())?;
    serde_json::to_string(&Success {
        line: number,
        report: &report,
    })
    .map_err(|e| e.to_string())
}

fn record(
    rules: &RuleSet,
    search: &FlipSearch,
    flags: &Given,
    input: &Input,
    with_trace: bool,
) -> (String, bool) {
    let (number, result) = match input {
        Input::Bytes(n, bytes) => (*n, process(rules, search, flags, *n, bytes, with_trace)),
        Input::TooLong(n) => (
            *n,
            Err(format!("the line is longer than {MAX_LINE_BYTES} bytes")),
        ),
    };
    match result {
        Ok(json) => (json, true),
        Err(message) => {
            let json = serde_json::to_string(&Failure {
                line: number,
                error: &message,
            })
            .unwrap_or_else(|_| format!("{{\"line\":{number},\"error\":\"unprintable error\"}}"));
            (json, false)
        }
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
/// Blank lines are skipped. `flags` answers override every line's.
pub fn run(
    rules: &RuleSet,
    flags: &Given,
    input: impl BufRead,
    out: &mut impl Write,
    threads: usize,
    with_trace: bool,
) -> io::Result<Summary> {
    run_gated(
        rules,
        flags,
        input,
        out,
        threads,
        with_trace,
        &Mutex::new(()),
    )
}

/// [`run`], writing each chunk's lines and flushing them while holding `gate`: whoever else
/// takes the gate (the signal watcher of `recommend --batch`) finds only whole lines written
/// and nothing left in a buffer.
pub fn run_gated(
    rules: &RuleSet,
    flags: &Given,
    mut input: impl BufRead,
    out: &mut impl Write,
    threads: usize,
    with_trace: bool,
    gate: &Mutex<()>,
) -> io::Result<Summary> {
    let search = &FlipSearch::new(rules);
    let mut summary = Summary::default();
    let mut number = 0u64;
    let mut done = false;
    while !done {
        let mut chunk = Vec::with_capacity(CHUNK_LINES);
        while chunk.len() < CHUNK_LINES {
            number += 1;
            match read_line(&mut input, number)? {
                None => {
                    done = true;
                    break;
                }
                Some(Input::Bytes(_, b)) if b.iter().all(u8::is_ascii_whitespace) => {}
                Some(line) => chunk.push(line),
            }
        }
        let parts = threads.clamp(1, chunk.len().max(1));
        let results: Vec<Vec<(String, bool)>> = std::thread::scope(|s| {
            let handles: Vec<_> = chunk
                .chunks(chunk.len().div_ceil(parts).max(1))
                .map(|part| {
                    s.spawn(move || {
                        part.iter()
                            .map(|l| record(rules, search, flags, l, with_trace))
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
        for (json, ok) in results.into_iter().flatten() {
            out.write_all(json.as_bytes())?;
            out.write_all(b"\n")?;
            summary.lines += 1;
            summary.failed += u64::from(!ok);
        }
        out.flush()?;
    }
    Ok(summary)
}
