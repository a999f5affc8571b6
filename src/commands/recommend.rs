//! `mlstack recommend`: answers in, verdict with reasons out.

use std::io::Read;
use std::path::Path;

use super::{Failure, Terminal, emit, read_file, usage};
use crate::answers::{self, Given, Source};
use crate::cli::RecommendArgs;
use crate::render::{self, Format};
use crate::rules::{self, RuleSet};
use crate::{engine, report};

pub fn run(
    rules: &RuleSet,
    args: &RecommendArgs,
    flag_values: &[Option<Vec<String>>],
    terminal: Terminal,
) -> Result<(), Failure> {
    let flags = flag_answers(rules, flag_values)?;
    let file = match &args.answers {
        Some(path) => answers_file(rules, path)?,
        None => vec![None; rules.questions.len()],
    };
    let answers =
        answers::resolve(rules, &[(&flags, Source::Flag), (&file, Source::File)]).map_err(usage)?;
    let verdict = engine::evaluate(rules, &answers.masks);
    let report = report::build(rules, &answers, &verdict, args.explain).map_err(usage)?;

    let mut out = Vec::new();
    match args.format {
        Format::Json => render::json::write(&mut out, &report),
        Format::Table => {
            let names = outcome_names(rules);
            render::table::write(&mut out, &report, &names, terminal.width)
        }
    }
    .map_err(Failure::Output)?;
    emit(&out)?;

    if let Some(expected) = &args.expect
        && *expected != report.recommendation.id
    {
        return Err(Failure::Gate(format!(
            "--expect {expected} failed: the recommendation is {}",
            report.recommendation.id
        )));
    }
    Ok(())
}

pub fn outcome_names(rules: &RuleSet) -> Vec<(String, String)> {
    rules
        .outcomes
        .iter()
        .map(|o| (o.id.clone(), o.name.clone()))
        .collect()
}

fn flag_answers(rules: &RuleSet, values: &[Option<Vec<String>>]) -> Result<Given, Failure> {
    rules
        .questions
        .iter()
        .zip(values)
        .map(|(q, v)| match v {
            None => Ok(None),
            Some(v) => q
                .answer_mask(v.iter().map(String::as_str))
                .map(Some)
                .map_err(|problem| usage(format!("--{}: {problem}", q.id))),
        })
        .collect()
}

fn answers_file(rules: &RuleSet, path: &Path) -> Result<Given, Failure> {
    let (name, bytes) = if path == Path::new("-") {
        let mut bytes = Vec::new();
        let limit = rules::MAX_RULE_FILE_BYTES as u64;
        std::io::stdin()
            .lock()
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| usage(format!("--answers -: cannot read stdin: {e}")))?;
        if bytes.len() as u64 > limit {
            return Err(usage(format!(
                "--answers -: stdin is larger than the limit of {limit} bytes"
            )));
        }
        ("<stdin>".to_owned(), bytes)
    } else {
        let bytes =
            read_file(path, "answers file").map_err(|m| usage(format!("--answers: {m}")))?;
        (path.display().to_string(), bytes)
    };
    answers::parse_file(rules, &name, &bytes).map_err(|e| usage(format!("--answers: {e}")))
}
