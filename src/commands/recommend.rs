//! `mlstack recommend`: answers in, verdict with reasons out.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::{Failure, Terminal, emit, read_file, usage};
use crate::analysis::describe;
use crate::answers::{self, Answers, Given, Source};
use crate::cli::{ColorWhen, RecommendArgs};
use crate::interview::{self, Interview, SkipReason};
use crate::prompt::{PromptError, TerminalPrompter};
use crate::render::{self, Format};
use crate::report::AnswerValue;
use crate::rules::{self, RuleSet};
use crate::{inspect, plan, report};

pub fn run(
    rules: &RuleSet,
    args: &RecommendArgs,
    flag_values: &[Option<Vec<String>>],
    terminal: Terminal,
) -> Result<(), Failure> {
    let (flags, targeted) = flag_answers(rules, flag_values)?;
    if let Some(path) = &args.batch {
        if let Some(t) = targeted.first() {
            return Err(usage(format!(
                "--{} with --batch: a flag for some models only (MODEL=VALUE, or several values of a single-choice question) is not read by --batch; put the answer in the lines",
                rules.questions[t.question].id
            )));
        }
        let detail = match &args.fields {
            Some(fields) if args.explain => {
                return Err(usage(format!(
                    "--fields {} and --explain: the trace is part of the whole document; drop one",
                    fields
                        .iter()
                        .map(|f| format!("{f:?}").to_lowercase())
                        .collect::<Vec<_>>()
                        .join(",")
                )));
            }
            Some(fields) => crate::batch::Detail::Brief(fields.clone()),
            None => crate::batch::Detail::Full {
                with_trace: args.explain,
            },
        };
        return batch(rules, &flags, path, &detail);
    }
    let (mut file, listed) = match &args.answers {
        Some(path) => {
            let parsed = answers_file(rules, path)?;
            (parsed.given, parsed.models)
        }
        None => (vec![None; rules.questions.len()], Vec::new()),
    };
    // The models the file lists make the app's model types (each model its own).
    if let Some(q) = plan::models::creator(rules)
        && !listed.is_empty()
    {
        if flags[q].is_some() {
            return Err(usage(format!(
                "--{} and the answers file's `models:`: give the models in one place",
                rules.questions[q].id
            )));
        }
        file[q] = Some(
            listed
                .iter()
                .filter_map(|m| m.given[q])
                .fold(0, |all, m| all | m),
        );
    }
    let found: Vec<(&PathBuf, inspect::Inspection)> = args
        .model
        .iter()
        .map(|path| {
            inspect::inspect(path)
                .map(|f| (path, f))
                .map_err(|e| usage(format!("--model: {e}")))
        })
        .collect::<Result<_, _>>()?;
    let mut from_model = match found.as_slice() {
        [(_, one)] => inspect::to_answers(rules, one),
        _ => vec![None; rules.questions.len()],
    };
    let mut targeted = targeted;
    if let Some(q) = plan::models::creator(rules) {
        let given_kinds = flags[q].or(file[q]);
        // Several models' files: each says its kind, and the kinds not given are theirs.
        if found.len() > 1 {
            let mut kinds: rules::Mask = 0;
            for (path, f) in &found {
                let kind = f
                    .model_type
                    .map(inspect::ModelType::id)
                    .and_then(|id| rules.questions[q].answer_mask([id]).ok())
                    .ok_or_else(|| {
                        usage(format!(
                            "--model {}: its files do not say what kind of model it is; with several --model, each must (or name the models in an answers file's `models:`)",
                            path.display()
                        ))
                    })?;
                if kinds & kind != 0 {
                    return Err(usage(format!(
                        "--model {}: a second model of the same kind; name the models in an answers file's `models:`",
                        path.display()
                    )));
                }
                kinds |= kind;
            }
            if given_kinds.is_none() && listed.is_empty() {
                from_model[q] = Some(kinds);
            }
        }
        // In an app of several models, a model's files speak for the model of their type only.
        let kinds = given_kinds.or(from_model[q]).unwrap_or(0);
        if kinds.count_ones() > 1 || !listed.is_empty() {
            for (_, f) in &found {
                let kind = f.model_type.map(inspect::ModelType::id);
                let name = listed
                    .iter()
                    .find(|m| {
                        m.given[q].is_some_and(|mask| {
                            Some(rules.questions[q].option_ids(mask).join("").as_str()) == kind
                        })
                    })
                    .map(|m| m.name.clone())
                    .or_else(|| kind.map(str::to_owned));
                for (i, answer) in inspect::to_answers(rules, f).into_iter().enumerate() {
                    let Some(mask) = answer else { continue };
                    // The app's model types are the flags', the file's or the models' files'.
                    if i != q && rules.questions[i].scope == crate::rules::Scope::Model {
                        from_model[i] = None;
                        if let Some(name) = &name {
                            targeted.push(plan::models::Targeted {
                                model: Some(name.clone()),
                                question: i,
                                mask,
                                source: Source::Model,
                            });
                        }
                    }
                }
                if name.is_none() {
                    let _ = std::io::stderr().write_all(
                        b"mlstack: warning: the model's files do not say what kind of model it is, so                       in an app of several models their answers are not used\n",
                    );
                }
            }
            if found.len() == 1 {
                from_model[q] = None;
            }
        }
    }
    warn_where_the_model_disagrees(rules, &flags, &file, &from_model);
    // Stdin named as the answers file is spoken for: nobody can answer prompts on it.
    let stdin_taken = args.answers.as_deref() == Some(Path::new("-"));
    let given: Given = flags
        .iter()
        .zip(&file)
        .zip(&from_model)
        .map(|((f, a), m)| f.or(*a).or(*m))
        .collect();
    // Prompts are for a person who asked for them (`--interactive`, a bare `mlstack`) or who
    // left out a required answer; otherwise open questions take their defaults, the same in a
    // terminal as in a pipe.
    let open = given.iter().any(Option::is_none);
    let required_missing = rules
        .questions
        .iter()
        .zip(&given)
        .any(|(q, g)| q.required && g.is_none());
    let wants_prompts = args.interactive || required_missing;
    let session = if terminal.can_prompt && !args.no_input && !stdin_taken && open && wants_prompts
    {
        let layers = [
            (&flags, Source::Flag),
            (&file, Source::File),
            (&from_model, Source::Model),
        ];
        let known = interview::Known {
            layers: &layers,
            targeted: &targeted,
            listed: &listed,
        };
        Some(
            interview::interview_app(rules, &known, &mut TerminalPrompter).map_err(
                |e| match e {
                    PromptError::Interrupted => Failure::Interrupted,
                    ended => usage(ended),
                },
            )?,
        )
    } else {
        None
    };
    if let Some(session) = &session {
        targeted.extend(session.asked_for_models.iter().cloned());
    }
    let prompted = session
        .as_ref()
        .map_or_else(|| vec![None; rules.questions.len()], |s| s.asked.clone());
    let answers = answers::resolve(
        rules,
        &[
            (&flags, Source::Flag),
            (&file, Source::File),
            (&from_model, Source::Model),
            (&prompted, Source::Prompt),
        ],
    )
    .map_err(usage)?;
    // One verdict per model (`--model-type vision,llm` is two), composed into the plan.
    let models = plan::models::split_with(rules, &answers, &targeted, &listed).map_err(usage)?;
    warn_where_a_flag_goes_unused(rules, &answers, &models);
    let saved_models = args.save_answers.as_ref().map(|_| models.clone());
    let composed = plan::compose::compose(rules, models);
    let search = crate::analysis::explain::FlipSearch::new(rules);
    let mut app = report::app::AppReport::of(rules, &search, &answers, composed, args.explain);
    let platforms = target_platforms(rules, &answers);
    for (_, found) in found {
        // A model's files describe one model: the app's, or the one of its type.
        let kind = found.model_type.map(inspect::ModelType::id);
        let target = match app.models.as_slice() {
            [_] => Some(0),
            models => models.iter().position(|m| Some(m.name.as_str()) == kind),
        };
        if let Some(i) = target {
            let report = &mut app.models[i].report;
            let (question, option) = inspect::fit::EXTENSION_ANSWER;
            let in_extension = report.answers.includes(question, option);
            report.fit = inspect::fit::fit(&found, &platforms, in_extension);
            report.model = Some(found);
        }
    }
    // An app loads its models side by side: their memory counts together (a model in an app
    // extension counts against the extension's, not beside the app's).
    let read: Vec<(&str, &inspect::fit::Fit)> = app
        .models
        .iter()
        .filter_map(|m| m.report.fit.as_ref().map(|f| (m.name.as_str(), f)))
        .filter(|(_, f)| !f.app_extension)
        .collect();
    let fits: Vec<&inspect::fit::Fit> = read.iter().map(|(_, f)| *f).collect();
    app.memory = inspect::fit::together(&fits, &platforms).map(|fit| report::app::AppMemory {
        models: read.iter().map(|(name, _)| (*name).to_owned()).collect(),
        fit,
    });

    // The gate is decided before anything is printed: an expectation that names a model the
    // app does not have is a usage error, with nothing on stdout.
    // Every --expect must hold; the first that does not is the gate's message.
    let mut gate: Option<String> = None;
    let vocabulary = crate::plan::expect::Vocabulary::of(rules);
    for expected in &args.expect {
        let expect = crate::plan::expect::parse(&vocabulary, expected)
            .map_err(|e| usage(format!("--expect {expected}: {e}")))?;
        match expect.check(rules, &app.plan.entries) {
            Ok(()) => {}
            Err(crate::plan::expect::Failed::Mismatch(text)) => {
                gate.get_or_insert(text);
            }
            Err(crate::plan::expect::Failed::NoSuchModel(text)) => return Err(usage(text)),
        }
    }

    // One verdict is a few kilobytes; room up front saves regrowing the buffer.
    let mut out = Vec::with_capacity(32 * 1024);
    let detail = if args.full || args.explain {
        render::Detail::Full
    } else {
        render::Detail::Brief
    };
    match args.format {
        Format::Json => render::json::write(&mut out, &app),
        Format::Table => {
            let names = report::outcome_names(rules);
            let color = use_color(args.color, terminal.stdout_is_tty);
            render::table::write(&mut out, &app, &names, terminal.width, color, detail)
        }
        Format::Markdown => {
            render::markdown::write(&mut out, &app, &report::outcome_names(rules), detail)
        }
    }
    .map_err(Failure::Output)?;
    // Save before printing: if the file cannot be written, stdout stays empty.
    if let Some(path) = &args.save_answers {
        save_answers(
            rules,
            &answers,
            saved_models.as_deref().unwrap_or(&[]),
            path,
        )?;
    }
    if args.format == Format::Table {
        // Already escaped, with our own colour codes in it.
        super::emit_raw(&out)?;
    } else {
        emit(&out)?;
    }

    if let Some(session) = &session {
        let summary = session_summary(rules, args, &answers, &targeted, session);
        // The "Not asked" bullets wrap to the terminal; the replay command stays one line, to
        // copy whole.
        let width = terminal_size::terminal_size_of(std::io::stderr())
            .map_or(crate::render::table::DEFAULT_WIDTH, |(w, _)| w.0);
        let (bullets, replay) = summary
            .split_once("\nTo get this verdict again")
            .unwrap_or((&summary, ""));
        let mut text = crate::render::table::wrap_prose(bullets, width);
        if !replay.is_empty() {
            text.push_str("\nTo get this verdict again");
            text.push_str(replay);
        }
        // The verdict again, last: after an interview and its summary, the first lines of the
        // report have scrolled away on most terminals.
        text.push('\n');
        text.push_str(&verdict_line(&app));
        let _ = std::io::stderr().write_all(crate::render::safe::safe(&text).as_bytes());
    }

    if let Some(text) = gate {
        return Err(Failure::Gate(text));
    }
    Ok(())
}

/// The verdict in one line, repeated last after an interview: `Recommendation: MLX [mlx]
/// (strong, margin 5)`, or the plan with each model's stack.
fn verdict_line(app: &report::app::AppReport) -> String {
    let standing = crate::render::standing;
    if let Some(report) = app.only() {
        return match &report.recommendation {
            Some(r) => format!(
                "Recommendation: {} [{}] ({})\n",
                r.name,
                r.id,
                standing(report)
            ),
            None => format!("Recommendation: none ({})\n", standing(report)),
        };
    }
    let mut line = format!(
        "Plan: {} [{}]",
        app.plan.name.as_deref().unwrap_or("none"),
        app.plan.id.as_deref().unwrap_or("a model has no stack")
    );
    for m in &app.models {
        let stack = m.report.recommendation.as_ref().map_or("none", |r| r.id);
        line.push_str(&format!("; {} {stack} ({})", m.name, standing(&m.report)));
    }
    line.push('\n');
    line
}

/// Colour: the flag, then `NO_COLOR`, then `CLICOLOR_FORCE`, then whether stdout is a terminal.
pub fn use_color(when: ColorWhen, stdout_is_tty: bool) -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) => false,
        ColorWhen::Auto => set("CLICOLOR_FORCE") || stdout_is_tty,
    }
}

/// `--batch`: JSON Lines in, JSON Lines out; exit 2 after all lines if any failed.
fn batch(
    rules: &RuleSet,
    flags: &Given,
    path: &Path,
    detail: &crate::batch::Detail,
) -> Result<(), Failure> {
    let input: Box<dyn std::io::BufRead + Send> = if path == Path::new("-") {
        waiting_for_stdin("JSON Lines, one answer set per line");
        Box::new(std::io::BufReader::with_capacity(1 << 16, std::io::stdin()))
    } else {
        let meta = std::fs::metadata(path)
            .map_err(|e| usage(format!("--batch: cannot read {}: {e}", path.display())))?;
        if !meta.is_file() {
            // Directories can't be read; a FIFO with no writer would block in open().
            return Err(usage(format!(
                "--batch: {} is not a regular file (use `--batch -` to read stdin)",
                path.display()
            )));
        }
        let file = std::fs::File::open(path)
            .map_err(|e| usage(format!("--batch: cannot read {}: {e}", path.display())))?;
        Box::new(std::io::BufReader::new(file))
    };
    let threads = super::threads();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let gate: &'static Mutex<()> = Box::leak(Box::new(Mutex::new(())));
    watch_for_interrupts(gate);
    match crate::batch::run_streaming(rules, flags, input, &mut out, threads, detail, gate) {
        Ok(summary) if summary.failed > 0 => Err(usage(format!(
            "--batch: {} of {} lines failed (see their error records)",
            summary.failed, summary.lines
        ))),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Output(e)),
    }
}

/// SIGINT or SIGTERM during a batch: wait until the lines being written are whole and flushed
/// (the batch holds `gate` while it writes), then exit 130 (SIGINT) or 143 (SIGTERM), so
/// stdout never ends in a torn line, even while the batch waits for input.
fn watch_for_interrupts(gate: &'static Mutex<()>) {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
        return; // Without handlers the default actions stay: still no worse than before.
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            let _whole_lines = gate
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let _ =
                std::io::stderr().write_all(b"mlstack: interrupted; every line written is whole\n");
            std::process::exit(128 + signal);
        }
    });
}

/// What the interview skipped and why, and the command line that replays it.
fn session_summary(
    rules: &RuleSet,
    args: &RecommendArgs,
    answers: &Answers,
    targeted: &[plan::models::Targeted],
    session: &Interview,
) -> String {
    let mut text = String::new();
    if !session.skipped.is_empty() {
        let _ = writeln!(text, "\nNot asked:");
        for s in &session.skipped {
            let q = &rules.questions[s.question];
            let default =
                AnswerValue::new(rules, s.question, answers.masks[s.question]).to_flag_value();
            let id = match &s.model {
                Some(name) => format!("{} for {name}", q.id),
                None => q.id.to_string(),
            };
            let why = match s.reason {
                SkipReason::NotApplicable => format!(
                    "only asked when {}",
                    describe::when(rules, q.ask_if.as_ref())
                ),
                SkipReason::CannotMatter => {
                    "no answer could change the recommendation, given your other answers".to_owned()
                }
            };
            let _ = writeln!(text, "- {id} (assumed {default}): {why}");
        }
    }
    let _ = writeln!(
        text,
        "\nTo get this verdict again without prompts (in CI, say):\n  {}",
        command_line(rules, args, answers, targeted)
    );
    text
}

/// The platforms to size the model for: the `platform` answer's options, or every platform
/// with memory figures when the rule set has no such question.
fn target_platforms<'a>(rules: &'a RuleSet, answers: &Answers) -> Vec<&'a str> {
    match rules.question_index("platform") {
        Some(q) => rules.questions[q].option_ids(answers.masks[q]),
        None => super::inspect::ALL_PLATFORMS.to_vec(),
    }
}

/// A flag for a question that applies to none of the app's models (`--prototype-in pytorch`
/// without `--iteration prototyping`) changes nothing: say so on stderr rather than let it
/// pass for an answer that counted.
fn warn_where_a_flag_goes_unused(
    rules: &RuleSet,
    answers: &Answers,
    models: &[plan::models::Model],
) {
    for (q, question) in rules.questions.iter().enumerate() {
        let Some(ask_if) = &question.ask_if else {
            continue;
        };
        let flagged = answers.sources[q] == Source::Flag
            || models.iter().any(|m| m.answers.sources[q] == Source::Flag);
        if !flagged || models.iter().any(|m| question.applies(&m.answers.masks)) {
            continue;
        }
        let warning = format!(
            "mlstack: warning: --{} is not used: it counts only when {}\n",
            question.id,
            crate::analysis::describe::condition(rules, ask_if)
        );
        let _ = std::io::stderr().write_all(crate::render::safe::safe(&warning).as_bytes());
    }
}

/// A flag or answers-file answer that contradicts what the model's files prove wins, but not
/// silently: say so on stderr.
fn warn_where_the_model_disagrees(rules: &RuleSet, flags: &Given, file: &Given, model: &Given) {
    for (q, question) in rules.questions.iter().enumerate() {
        let Some(proven) = model[q] else {
            continue;
        };
        let (given, by) = match (flags[q], file[q]) {
            (Some(v), _) => (v, format!("--{}", question.id)),
            (None, Some(v)) => (v, format!("`{}` in --answers", question.id)),
            (None, None) => continue,
        };
        // A model type among the app's several is no disagreement.
        let among = question.one_per_model && given & proven == proven;
        if given != proven && !among {
            let say = |mask| AnswerValue::new(rules, q, mask).to_flag_value();
            let warning = format!(
                "mlstack: warning: {by} says {} but the model's files say {}; using {}\n",
                say(given),
                say(proven),
                say(given)
            );
            let _ = std::io::stderr().write_all(crate::render::safe::safe(&warning).as_bytes());
        }
    }
}

/// `mlstack recommend` with a flag for every answer that was given rather than assumed
/// (`--model PATH` standing for the answers its files gave).
pub fn command_line(
    rules: &RuleSet,
    args: &RecommendArgs,
    answers: &Answers,
    targeted: &[plan::models::Targeted],
) -> String {
    let mut parts = vec!["mlstack recommend".to_owned()];
    if let Some(path) = &args.rules {
        parts.push(format!(
            "--rules {}",
            shell_word(&path.display().to_string())
        ));
    }
    // The answers file stands for its own answers (its `models:` name the models the
    // per-model answers below reach); stdin cannot be read again, so its answers are flags.
    let file = args.answers.as_ref().filter(|p| p.as_os_str() != "-");
    if let Some(path) = file {
        parts.push(format!(
            "--answers {}",
            shell_word(&path.display().to_string())
        ));
    }
    for path in &args.model {
        parts.push(format!(
            "--model {}",
            shell_word(&path.display().to_string())
        ));
    }
    for (q, question) in rules.questions.iter().enumerate() {
        let mut values = Vec::new();
        let from_file = file.is_some() && answers.sources[q] == Source::File;
        if !from_file && !matches!(answers.sources[q], Source::Default | Source::Model) {
            values.push(AnswerValue::new(rules, q, answers.masks[q]).to_flag_value());
        }
        // Answers for some models only: `MODEL=OPTION` for each option (a value without a
        // name is the app's), or the option alone when it went to the model it is for.
        for t in targeted
            .iter()
            .filter(|t| t.question == q && t.source != Source::Model)
        {
            for option in question.option_ids(t.mask) {
                values.push(match &t.model {
                    Some(name) => format!("{name}={option}"),
                    None => option.to_string(),
                });
            }
        }
        if !values.is_empty() {
            parts.push(format!(
                "--{} {}",
                question.id,
                shell_word(&values.join(","))
            ));
        }
    }
    parts.join(" ")
}

/// Quote a word for a POSIX shell when it needs it.
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.,/:=+".contains(c))
    {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Save the answers that were given (not assumed) as a YAML answers file.
fn save_answers(
    rules: &RuleSet,
    answers: &Answers,
    models: &[plan::models::Model],
    path: &Path,
) -> Result<(), Failure> {
    let mut text =
        String::from("# mlstack answers: replay with `mlstack recommend --answers FILE`\n");
    // JSON strings are valid YAML scalars, and quoting keeps `yes`/`no` strings everywhere.
    let value = |q: usize, mask| match AnswerValue::new(rules, q, mask) {
        AnswerValue::One(s) => serde_json::to_string(&s),
        AnswerValue::Many(v) => serde_json::to_string(&v),
    };
    let several = models.len() > 1;
    for (q, question) in rules.questions.iter().enumerate() {
        // With several models, each model's answers go under it.
        let own = several && question.scope == crate::rules::Scope::Model;
        if answers.sources[q] == Source::Default || own {
            continue;
        }
        let v = value(q, answers.masks[q]).map_err(|e| Failure::Output(e.into()))?;
        let _ = writeln!(text, "{}: {v}", question.id);
    }
    if several {
        text.push_str("models:\n");
        for m in models {
            let name = serde_json::to_string(&m.name).map_err(|e| Failure::Output(e.into()))?;
            let _ = writeln!(text, "  - name: {name}");
            for (q, question) in rules.questions.iter().enumerate() {
                let keep = question.scope == crate::rules::Scope::Model
                    && (question.one_per_model || m.answers.sources[q] != Source::Default);
                if keep {
                    let v = value(q, m.answers.masks[q]).map_err(|e| Failure::Output(e.into()))?;
                    let _ = writeln!(text, "    {}: {v}", question.id);
                }
            }
        }
    }
    super::write_atomically(path, text.as_bytes()).map_err(|e| {
        usage(format!(
            "--save-answers: cannot write {}: {e}",
            path.display()
        ))
    })
}

/// The flags' answers: those every model shares, and those for some models only
/// (`--model-size llm=1b-to-4b`, or several values of a single-choice question, each for the
/// model it fits: `--built-in speech,foundation-models`).
fn flag_answers(
    rules: &RuleSet,
    values: &[Option<Vec<String>>],
) -> Result<(Given, Vec<plan::models::Targeted>), Failure> {
    let mut given = vec![None; rules.questions.len()];
    let mut targeted = Vec::new();
    for (qi, (q, v)) in rules.questions.iter().zip(values).enumerate() {
        let Some(v) = v else { continue };
        let mut shared: Vec<&str> = Vec::new();
        let mut own: Vec<(&str, Vec<&str>)> = Vec::new();
        for value in v {
            match value.split_once('=') {
                Some((model, option)) => match own.iter_mut().find(|(m, _)| *m == model) {
                    Some((_, options)) => options.push(option),
                    None => own.push((model, vec![option])),
                },
                None => shared.push(value),
            }
        }
        let mask = |options: &[&str]| {
            q.answer_mask(options.iter().copied())
                .map_err(|problem| usage(format!("--{}: {problem}", q.id)))
        };
        if q.kind == crate::rules::Kind::Single && shared.len() > 1 {
            for option in &shared {
                targeted.push(plan::models::Targeted {
                    model: None,
                    question: qi,
                    mask: mask(&[option])?,
                    source: Source::Flag,
                });
            }
        } else if !shared.is_empty() {
            given[qi] = Some(mask(&shared)?);
        }
        for (model, options) in &own {
            targeted.push(plan::models::Targeted {
                model: Some((*model).to_owned()),
                question: qi,
                mask: mask(options)?,
                source: Source::Flag,
            });
        }
        let plain: Vec<String> = v
            .iter()
            .map(|x| x.split_once('=').map_or(x.as_str(), |(_, o)| o).to_owned())
            .collect();
        say_which_release(q, &plain);
    }
    Ok((given, targeted))
}

/// `-` named stdin; in a terminal, say what is being waited for rather than wait in silence.
fn waiting_for_stdin(what: &str) {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        let note = format!(
            "mlstack: reading {what} from the terminal; end with Ctrl-D (Ctrl-Z then Enter on Windows)\n"
        );
        let _ = std::io::stderr().write_all(note.as_bytes());
    }
}

/// A release given for a version question (`--min-os 17.4`) stands for an option: say which.
fn say_which_release(q: &crate::rules::Question, values: &[String]) {
    if !q.is_versioned() {
        return;
    }
    for value in values {
        // The option's own id needs no note; an alias (`macos15`) or a release (`17.4`) does.
        if q.options.iter().any(|o| o.id == value.as_str()) {
            continue;
        }
        if let Some(i) = q.option_index(value) {
            let option = &q.options[i];
            let note = format!(
                "mlstack: note: --{} {value}: using {} ({}), the floor that release falls in\n",
                q.id, option.id, option.label
            );
            let _ = std::io::stderr().write_all(crate::render::safe::safe(&note).as_bytes());
        }
    }
}

fn answers_file(rules: &RuleSet, path: &Path) -> Result<answers::FileAnswers, Failure> {
    let (name, bytes) = if path == Path::new("-") {
        waiting_for_stdin("the answers file (YAML or JSON)");
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
    answers::parse_models(rules, &name, &bytes).map_err(|e| usage(format!("--answers: {e}")))
}
