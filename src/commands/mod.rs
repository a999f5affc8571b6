//! One file per subcommand; this module parses the command line and dispatches.

mod completions;
mod inspect;
mod man;
mod questions;
mod recommend;
mod rules_check;
mod rules_cmd;
mod rules_show;
mod sources;

use std::borrow::Cow;
use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::path::Path;

use clap::FromArgMatches;

use crate::cli::{self, Cli, Command};
use crate::rules::{self, InvalidRules, RuleSet};

/// The JSON Schema of `recommend --format json`.
pub const RECOMMEND_SCHEMA: &str = include_str!("../../schema/recommend.schema.json");
const BATCH_SCHEMA: &str = include_str!("../../schema/batch.schema.json");
const INSPECT_SCHEMA: &str = include_str!("../../schema/inspect.schema.json");

/// The schema of one output, standalone: the batch and inspect schemas refer to the verdict
/// schema by its `$id`, so it is embedded in their `$defs` (a resource of its own there).
pub fn schema(of: cli::SchemaOf) -> String {
    let standalone = match of {
        cli::SchemaOf::Recommend => Some(RECOMMEND_SCHEMA),
        cli::SchemaOf::Questions => Some(include_str!("../../schema/questions.schema.json")),
        cli::SchemaOf::Sources => Some(include_str!("../../schema/sources.schema.json")),
        cli::SchemaOf::RulesShow => Some(include_str!("../../schema/rules-show.schema.json")),
        cli::SchemaOf::RulesTest => Some(include_str!("../../schema/rules-test.schema.json")),
        cli::SchemaOf::RulesValidate => {
            Some(include_str!("../../schema/rules-validate.schema.json"))
        }
        cli::SchemaOf::RulesCheck => Some(include_str!("../../schema/rules-check.schema.json")),
        cli::SchemaOf::RulesDiff => Some(include_str!("../../schema/rules-diff.schema.json")),
        cli::SchemaOf::Batch | cli::SchemaOf::Inspect => None,
    };
    if let Some(text) = standalone {
        return text.to_owned();
    }
    let outer = match of {
        cli::SchemaOf::Batch => BATCH_SCHEMA,
        _ => INSPECT_SCHEMA,
    };
    let mut outer: serde_json::Value = serde_json::from_str(outer).expect("a valid schema file");
    let recommend: serde_json::Value =
        serde_json::from_str(RECOMMEND_SCHEMA).expect("a valid schema file");
    let defs = outer
        .as_object_mut()
        .expect("an object")
        .entry("$defs")
        .or_insert_with(|| serde_json::json!({}));
    defs["recommend"] = recommend;
    let mut text = serde_json::to_string_pretty(&outer).expect("serializable");
    text.push('\n');
    text
}

/// How a run ended, mapped to the documented exit codes by `main`.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// Bad flag, bad value, bad answers file, missing required answer: exit 2.
    #[error("{0:#}")]
    Usage(anyhow::Error),
    /// The rule set is invalid: exit 3.
    #[error("{0}")]
    InvalidRules(#[from] InvalidRules),
    /// A gate failed (`--expect`, `rules test`, `rules check`, `rules diff`): exit 1.
    #[error("{0}")]
    Gate(String),
    /// The rule set is invalid and the problems were already written as output: exit 3.
    #[error("{0}")]
    InvalidReported(String),
    /// Ctrl-C or Esc at a prompt: exit 130.
    #[error("interrupted")]
    Interrupted,
    /// Writing the result failed (other than a closed pipe).
    #[error("cannot write output: {0}")]
    Output(io::Error),
}

impl Failure {
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Usage(_) => 2,
            Failure::InvalidRules(_) | Failure::InvalidReported(_) => 3,
            Failure::Gate(_) => 1,
            // sysexits EX_IOERR: never mistaken for the `--expect` gate (1).
            Failure::Output(_) => 74,
            Failure::Interrupted => 130,
        }
    }
}

pub fn usage(message: impl std::fmt::Display) -> Failure {
    Failure::Usage(anyhow::anyhow!("{message}"))
}

/// Facts about the terminal, decided once.
#[derive(Debug, Clone, Copy)]
pub struct Terminal {
    pub stdout_is_tty: bool,
    /// Someone can answer prompts: stdin and stderr are terminals, and neither
    /// `MLSTACK_NO_INPUT=1` nor a CI environment says otherwise.
    pub can_prompt: bool,
    /// Width for tables: the terminal's when stdout is one, else a fixed width.
    pub width: u16,
}

impl Terminal {
    fn detect() -> Self {
        let stdout_is_tty = io::stdout().is_terminal();
        let width = if stdout_is_tty {
            terminal_size::terminal_size()
                .map(|(w, _)| w.0)
                .unwrap_or(crate::render::table::DEFAULT_WIDTH)
        } else {
            crate::render::table::DEFAULT_WIDTH
        };
        let env_says_no = std::env::var_os("MLSTACK_NO_INPUT").is_some_and(|v| v == "1")
            || std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
        Terminal {
            stdout_is_tty,
            can_prompt: io::stdin().is_terminal() && io::stderr().is_terminal() && !env_says_no,
            width,
        }
    }
}

/// Worker threads for whole-space and batch work: one per core.
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Load the rule file at `path`, or the embedded rules.
pub fn load_rules(path: Option<&Path>) -> Result<RuleSet, Failure> {
    let Some(path) = path else {
        return Ok(rules::default_rules());
    };
    let name = path.display().to_string();
    let bytes = read_file(path, "rule file").map_err(|message| {
        Failure::InvalidRules(InvalidRules {
            diagnostics: vec![rules::Diagnostic {
                file: name.clone(),
                line: 0,
                column: 0,
                message,
                hint: None,
            }],
        })
    })?;
    Ok(rules::load_rules(&name, &bytes)?)
}

/// Read a whole file, refusing directories and anything over the size limit before reading it.
pub fn read_file(path: &Path, what: &str) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let shown = path.display();
    // Look before opening: opening a FIFO with no writer would wait forever.
    let meta = std::fs::metadata(path).map_err(|e| {
        format!(
            "cannot read {what} {shown}: {}",
            crate::inspect::files::reason(&e)
        )
    })?;
    if meta.is_dir() {
        return Err(format!("{what} {shown} is a directory"));
    }
    if !meta.is_file() {
        return Err(format!(
            "{what} {shown} is not a regular file (pipes and devices are not read)"
        ));
    }
    let limit = rules::MAX_RULE_FILE_BYTES as u64;
    if meta.len() > limit {
        return Err(format!(
            "{what} {shown} is {} bytes, larger than the limit of {limit} bytes",
            meta.len()
        ));
    }
    let file = std::fs::File::open(path).map_err(|e| {
        format!(
            "cannot read {what} {shown}: {}",
            crate::inspect::files::reason(&e)
        )
    })?;
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes).map_err(|e| {
        format!(
            "cannot read {what} {shown}: {}",
            crate::inspect::files::reason(&e)
        )
    })?;
    if bytes.len() as u64 > limit {
        return Err(format!(
            "{what} {shown} is larger than the limit of {limit} bytes"
        ));
    }
    Ok(bytes)
}

/// Replace `path` with `bytes` so that no reader ever sees a partial file: write a temporary
/// file beside it, flush it to disk, then rename it over the target (atomic on one file
/// system). An interrupted run or a full disk leaves the old file whole; the target keeps its
/// permissions. Reading the same path earlier in the run (`--answers` and `--save-answers`
/// naming one file) is therefore safe.
pub fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> io::Result<()> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
    let temp = dir.join(format!(
        ".{}.mlstack-{}-{}.tmp",
        name.to_string_lossy(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(bytes)?;
        if let Ok(meta) = std::fs::metadata(path) {
            file.set_permissions(meta.permissions())?;
        }
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// Write a finished result to stdout in one go, with any control character that text from a
/// file carried shown as an escape (`render::safe`). A closed pipe is a normal end.
pub fn emit(bytes: &[u8]) -> Result<(), Failure> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    };
    emit_raw(crate::render::safe::safe(&text).as_bytes())
}

/// [`emit`] for output that is already safe and carries our own colour codes.
pub fn emit_raw(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(Failure::Output(e)),
        _ => Ok(()),
    }
}

/// For an invalid value clap has no suggestion for (`--model-type lm`), add ours: the
/// closest valid value by the same measure the rule-file diagnostics use.
fn suggest_value(e: &mut clap::Error) {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if e.kind() != ErrorKind::InvalidValue || e.get(ContextKind::SuggestedValue).is_some() {
        return;
    }
    let (Some(ContextValue::String(value)), Some(ContextValue::Strings(valid))) = (
        e.get(ContextKind::InvalidValue),
        e.get(ContextKind::ValidValue),
    ) else {
        return;
    };
    let value = value.to_lowercase();
    if let Some(s) = rules::did_you_mean(&value, valid.iter().map(String::as_str)) {
        let s = s.to_owned();
        e.insert(ContextKind::SuggestedValue, ContextValue::String(s));
    }
}

/// Parse `args`; `None` when clap printed help or the version (exit 0). Clap prints its own
/// usage errors (exit 2).
fn parse(
    command: &mut clap::Command,
    args: &[OsString],
) -> Result<Option<clap::ArgMatches>, Failure> {
    match command.try_get_matches_from_mut(args) {
        Ok(m) => Ok(Some(m)),
        Err(mut e) => {
            let code = e.exit_code();
            if code == 0 {
                // --help and --version: clap prints them to stdout.
                let _ = e.print();
                return Ok(None);
            }
            suggest_value(&mut e);
            // Every error carries the same `mlstack: error:` prefix, clap's included.
            let text = e.render().to_string();
            let _ = write!(io::stderr(), "mlstack: {text}");
            Err(Failure::Usage(anyhow::anyhow!("")))
        }
    }
}

/// Whether the command in `args` answers from the loaded rule set (`recommend`, `questions`,
/// `sources`, `rules show`, a bare `mlstack`), as opposed to help, the version, the schema, the man page,
/// completions, or a `rules` command that loads its own file.
fn uses_the_rules(args: &[OsString]) -> bool {
    let words: Vec<&str> = args
        .iter()
        .skip(1)
        .filter_map(|a| a.to_str())
        .filter(|a| !a.starts_with('-'))
        .collect();
    let asks_for_help = args.iter().skip(1).any(|a| {
        ["--help", "-h", "--version", "-V"]
            .iter()
            .any(|flag| a.as_os_str() == *flag)
    });
    if asks_for_help {
        return false;
    }
    match words.first().copied() {
        None | Some("recommend") | Some("questions") | Some("sources") => true,
        Some("rules") => words.get(1) == Some(&"show"),
        _ => false,
    }
}

/// `MLSTACK_FORMAT`, when the command reads it: a value that is not a format names the
/// variable (clap would blame `--format`, which was not given).
fn check_format_variable(args: &[OsString]) -> Result<(), Failure> {
    let Some(value) = std::env::var_os("MLSTACK_FORMAT") else {
        return Ok(());
    };
    let flag_given = args
        .iter()
        .any(|a| a == "--format" || a.to_str().is_some_and(|s| s.starts_with("--format=")));
    let valid = ["table", "json", "markdown"]
        .iter()
        .any(|f| value.as_os_str() == *f);
    let inspect = args.get(1).is_some_and(|a| a == "inspect");
    if flag_given || valid || !(uses_the_rules(args) || inspect) {
        return Ok(());
    }
    Err(usage(format!(
        "MLSTACK_FORMAT: `{}` is not a format (table, json, markdown); unset it or pass --format",
        value.to_string_lossy()
    )))
}

/// Parse `args` and run the command.
pub fn run(args: Vec<OsString>) -> Result<(), Failure> {
    check_format_variable(&args)?;
    let rules_path = cli::rules_path(&args);
    let from_variable = rules_path.is_some() && cli::rules_flag(&args).is_none();
    let loaded = match load_rules(rules_path.as_deref()) {
        Ok(rules) => rules,
        // A stale MLSTACK_RULES must not block help, the version, the schema, the man page,
        // completions or a `rules` command given its own file: they use the embedded rules.
        Err(_) if from_variable && !uses_the_rules(&args) => rules::default_rules(),
        Err(Failure::InvalidRules(mut invalid)) if from_variable => {
            for d in &mut invalid.diagnostics {
                d.hint.get_or_insert_with(|| {
                    "the path comes from MLSTACK_RULES; unset it or fix the file".into()
                });
            }
            return Err(Failure::InvalidRules(invalid));
        }
        Err(e) => return Err(e),
    };
    // Both live until the process ends; leaking them skips freeing them on the way out.
    let rules: &'static RuleSet = Box::leak(Box::new(loaded));
    // `recommend` is the common case: parse it without building the other subcommands.
    if args.get(1).is_some_and(|a| a == "recommend") {
        let mut command = cli::recommend_command(rules);
        let Some(matches) = parse(&mut command, &args)? else {
            return Ok(());
        };
        let sub = matches
            .subcommand_matches("recommend")
            .expect("recommend matches");
        let recommend =
            cli::RecommendArgs::from_arg_matches(sub).map_err(|e| usage(e.to_string().trim()))?;
        let given = cli::question_values(rules, sub);
        return recommend::run(rules, &recommend, &given, Terminal::detect());
    }
    let command: &'static mut clap::Command = Box::leak(Box::new(cli::command(rules)));
    let Some(matches) = parse(command, &args)? else {
        return Ok(());
    };
    let cli = Cli::from_arg_matches(&matches).map_err(|e| usage(e.to_string().trim()))?;
    let terminal = Terminal::detect();
    match cli.command {
        None if terminal.can_prompt => {
            let given = vec![None; rules.questions.len()];
            let args = cli::RecommendArgs {
                interactive: true,
                ..cli::RecommendArgs::default()
            };
            recommend::run(rules, &args, &given, terminal)
        }
        // A bare `mlstack` that nobody can answer has nothing to do: a usage error, with the
        // help on stderr (stdout stays empty).
        None => Err(usage(format!(
            "no command, and no terminal to ask the questions in; run `mlstack recommend \
             --model-type ...` (or `mlstack` in a terminal)\n\n{}",
            command.render_help().to_string().trim_end()
        ))),
        Some(Command::Recommend(args)) => {
            let sub = matches
                .subcommand_matches("recommend")
                .expect("recommend matches");
            let given = cli::question_values(rules, sub);
            recommend::run(rules, &args, &given, terminal)
        }
        Some(Command::Questions(args)) => questions::run(rules, &args, terminal),
        Some(Command::Sources(args)) => sources::run(rules, &args, terminal),
        Some(Command::Inspect(args)) => inspect::run(rules, &args, terminal),
        Some(Command::Rules {
            command: cli::RulesCommand::Show(args),
        }) => rules_show::run(rules, &args, terminal),
        // The guide ships in the binary: a release has no rules/README.md beside it.
        Some(Command::Rules {
            command: cli::RulesCommand::Guide,
        }) => emit(include_str!("../../rules/README.md").as_bytes()),
        // `rules validate|test|check` with no FILE take `MLSTACK_RULES`, as `recommend` does.
        Some(Command::Rules {
            command: cli::RulesCommand::Check { file, format, seed },
        }) => rules_check::check(
            file.or_else(cli::env_rules_path).as_deref(),
            format,
            seed,
            terminal,
        ),
        Some(Command::Rules {
            command:
                cli::RulesCommand::Diff {
                    old,
                    new,
                    fail_on_change,
                    format,
                    seed,
                },
        }) => rules_check::diff(&old, &new, fail_on_change, format, seed, terminal),
        Some(Command::Rules {
            command: cli::RulesCommand::Validate { file, format },
        }) => rules_cmd::validate(file.or_else(cli::env_rules_path).as_deref(), format),
        Some(Command::Rules {
            command: cli::RulesCommand::Test { file, format },
        }) => rules_cmd::test(file.or_else(cli::env_rules_path).as_deref(), format),
        Some(Command::Completions { shell }) => emit(&completions::script(rules, shell)),
        Some(Command::Man) => {
            let mut out = Vec::new();
            man::render(cli::command(rules), &mut out).map_err(Failure::Output)?;
            emit(&out)
        }
        Some(Command::Schema { of }) => emit(schema(of).as_bytes()),
    }
}

#[cfg(test)]
mod atomic_write_tests {
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn replacing_a_file_keeps_its_permissions_and_leaves_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("answers.yaml");
        super::write_atomically(&path, b"old\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        super::write_atomically(&path, b"new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
