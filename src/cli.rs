//! Command-line definitions. The fixed surface is derived; one flag per question is added
//! from the loaded rule set, so `--rules other.yaml` brings its own flags.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::builder::{PossibleValue, PossibleValuesParser, Str, StyledStr};
use clap::{Arg, ArgAction, ArgMatches, Args, CommandFactory, Id, Parser, Subcommand};

use crate::render::Format;
use crate::rules::{Kind, RuleSet, Text};

const ABOUT: &str = "Tells Apple-platform teams which on-device inference stack to use for \
each model of their app (Core ML, MLX, MLX now and Core ML later, Core AI on OS 27, or a model \
the OS already ships) and exactly why.";

const AFTER_HELP: &str = "\
Environment:
  MLSTACK_RULES    rule file to use instead of the embedded rules (like --rules)
  MLSTACK_FORMAT   default output format: table, json or markdown (like --format)
  MLSTACK_NO_INPUT set to 1 to never prompt (so does CI=true)
  NO_COLOR, CLICOLOR_FORCE   turn colour off, or force it on

Exit codes:
  0    success
  1    the --expect gate failed (or rules test/check/diff found a problem)
  2    usage or input error (bad flag or value, bad answers file, missing required answer)
  3    the rule set is invalid
  74   the output could not be written
  130  interrupted (143: SIGTERM during --batch)";

const RECOMMEND_ABOUT: &str =
    "Recommend an inference stack from your answers (one flag per question)";

#[derive(Debug, Parser)]
#[command(name = "mlstack", version, about = ABOUT, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    #[command(about = RECOMMEND_ABOUT)]
    Recommend(RecommendArgs),
    /// Read a model's own files (headers only) and print what they say, with its memory fit
    Inspect(InspectArgs),
    /// List the questions, their options and defaults
    Questions(QuestionsArgs),
    /// What the fact ids the rules cite stand for, where to read each, and the article
    Sources(SourcesArgs),
    /// Check rule files
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Print a shell completion script (question flags and their options included)
    Completions {
        /// The shell to complete for
        #[arg(value_enum, ignore_case = true)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff)
    Man,
    /// Print the JSON Schema of `recommend --format json` (or of a batch line, `inspect`,
    /// `questions` or a `rules` command)
    Schema {
        /// Which output: a verdict, one `--batch` line, `inspect`, `questions` or a `rules`
        /// command, each with `--format json`
        #[arg(value_enum, ignore_case = true, default_value_t = SchemaOf::Recommend)]
        of: SchemaOf,
    },
}

#[derive(Debug, Default, Args)]
pub struct RecommendArgs {
    /// Read answers from a YAML or JSON file (`-` for stdin); flags override it
    #[arg(long, value_name = "FILE")]
    pub answers: Option<PathBuf>,
    /// Use this rule file instead of the embedded default rules
    #[arg(long, value_name = "FILE", env = "MLSTACK_RULES")]
    pub rules: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, ignore_case = true, default_value_t = Format::Table, env = "MLSTACK_FORMAT")]
    pub format: Format,
    /// Exit with code 1 unless the recommendation is this (a CI gate): a stack or a plan by id
    /// or name in any case (`mlx`, `core-ml+mlx`, `both`), one model's stack (`llm=mlx`), or
    /// `none` (no stack fits); repeat it to gate several models
    #[arg(long, value_name = "OUTCOME")]
    pub expect: Vec<String>,
    /// Never prompt (also MLSTACK_NO_INPUT=1 or CI=true); unanswered questions take their defaults
    #[arg(long, conflicts_with = "interactive")]
    pub no_input: bool,
    /// Ask every open question in a terminal, not only a missing required one (a bare
    /// `mlstack` in a terminal does this)
    #[arg(short, long)]
    pub interactive: bool,
    /// Write the answers given (flags, file, prompts) to FILE, to replay with --answers FILE
    #[arg(long, value_name = "FILE")]
    pub save_answers: Option<PathBuf>,
    /// Read JSON Lines of answer sets from FILE (`-` for stdin) and write one JSON result per
    /// line (always JSON, whatever --format says), with its line number; flags apply to every
    /// line
    #[arg(long, value_name = "FILE", conflicts_with_all = ["answers", "expect", "save_answers"])]
    pub batch: Option<PathBuf>,
    /// When to colour the verdict: auto (a terminal, unless NO_COLOR is set; CLICOLOR_FORCE
    /// forces it), always or never
    #[arg(long, value_enum, ignore_case = true, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,
    /// Show the whole report: every score and reason, what was ruled out and why, what drove
    /// the verdict, every answer that would change it and every assumed answer (the default
    /// report keeps the deciding reasons, the three nearest changes and the notes)
    #[arg(long)]
    pub full: bool,
    /// The whole report (as --full) and every rule, constraint and note, with why each did or
    /// did not apply
    #[arg(long)]
    pub explain: bool,
    /// Answer what a model's own files prove (type, size, conversion, state, shapes) and show
    /// its memory fit: a Hugging Face or MLX folder, a .safetensors or .gguf file, a Core ML
    /// model or a Core AI asset. Repeat it for an app of several models, one each (each
    /// model's files must say its kind). Flags and --answers override it
    #[arg(long, value_name = "PATH", conflicts_with = "batch", value_hint = clap::ValueHint::AnyPath)]
    pub model: Vec<PathBuf>,
    /// With --batch: only these keys in each result line (comma-separated), a brief record
    /// that skips building the rest; flips are the costly one
    #[arg(
        long,
        value_name = "KEYS",
        value_enum,
        ignore_case = true,
        value_delimiter = ',',
        requires = "batch"
    )]
    pub fields: Option<Vec<crate::batch::Field>>,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The model: a Hugging Face or MLX folder, a .safetensors or .gguf file, a .mlpackage,
    /// .mlmodelc or .mlmodel, or an .aimodel
    #[arg(value_name = "PATH", value_hint = clap::ValueHint::AnyPath)]
    pub path: PathBuf,
    /// Output format
    #[arg(long, value_enum, ignore_case = true, default_value_t = Format::Table, env = "MLSTACK_FORMAT")]
    pub format: Format,
}

/// The outputs with a published JSON Schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaOf {
    /// `recommend --format json`
    Recommend,
    /// One line of `recommend --batch` output (a verdict with its line number, or an error)
    Batch,
    /// `inspect --format json`
    Inspect,
    /// `questions --format json`
    Questions,
    /// `sources --format json`
    Sources,
    /// `rules show --format json`
    RulesShow,
    /// `rules test --format json`
    RulesTest,
    /// `rules validate --format json`
    RulesValidate,
    /// `rules check --format json`
    RulesCheck,
    /// `rules diff --format json`
    RulesDiff,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorWhen {
    /// When stdout is a terminal and NO_COLOR is not set (CLICOLOR_FORCE forces colour)
    #[default]
    Auto,
    /// Always, even into a pipe
    Always,
    /// Never
    Never,
}

#[derive(Debug, Args)]
pub struct QuestionsArgs {
    /// Use this rule file instead of the embedded default rules
    #[arg(long, value_name = "FILE", env = "MLSTACK_RULES")]
    pub rules: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, ignore_case = true, default_value_t = Format::Table, env = "MLSTACK_FORMAT")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct SourcesArgs {
    /// Only these fact ids (as reasons cite them: `L2`, `C2f`); all of them when none is given
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,
    /// Use this rule file instead of the embedded default rules
    #[arg(long, value_name = "FILE", env = "MLSTACK_RULES")]
    pub rules: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, ignore_case = true, default_value_t = Format::Table, env = "MLSTACK_FORMAT")]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Check that a rule file is valid, listing every problem (default: the embedded rules)
    Validate {
        /// Rule file to check
        file: Option<PathBuf>,
        /// Output format
        #[arg(long, value_enum, ignore_case = true, default_value_t = Format::Table)]
        format: Format,
    },
    /// Run a rule file's embedded tests and conflict examples (default: the embedded rules)
    Test {
        /// Rule file to test
        file: Option<PathBuf>,
        /// Output format
        #[arg(long, value_enum, ignore_case = true, default_value_t = Format::Table)]
        format: Format,
    },
    /// Analyse the whole answer space: ties, dead rules and questions, verdict distribution
    Check {
        /// Rule file to check
        file: Option<PathBuf>,
        /// Output format
        #[arg(long, value_enum, ignore_case = true, default_value_t = Format::Table)]
        format: Format,
        /// Seed for sampling, when the space is too large to enumerate
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Show the answer sets whose verdict differs between two rule files
    Diff {
        /// The rule file before the edit
        old: PathBuf,
        /// The rule file after the edit
        new: PathBuf,
        /// Exit with code 1 if any verdict differs (a CI gate for rule edits)
        #[arg(long)]
        fail_on_change: bool,
        /// Output format
        #[arg(long, value_enum, ignore_case = true, default_value_t = Format::Table)]
        format: Format,
        /// Seed for sampling, when the space is too large to enumerate
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Show rules, constraints and notes with readable conditions, points, why and cite
    Show(ShowArgs),
    /// Print the guide to writing a rule file: every key, conditions, tests, sources
    Guide,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Show only this rule, constraint or note
    #[arg(value_name = "RULE_ID")]
    pub id: Option<String>,
    /// Use this rule file instead of the embedded default rules
    #[arg(long, value_name = "FILE", env = "MLSTACK_RULES")]
    pub rules: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, ignore_case = true, default_value_t = Format::Table, env = "MLSTACK_FORMAT")]
    pub format: Format,
}

/// The rule file named by `--rules` (or `MLSTACK_RULES`), found before full parsing because
/// the question flags depend on it.
pub fn rules_path(args: &[OsString]) -> Option<PathBuf> {
    rules_flag(args).or_else(env_rules_path)
}

/// The rule file `MLSTACK_RULES` names (empty means unset).
pub fn env_rules_path() -> Option<PathBuf> {
    std::env::var_os("MLSTACK_RULES")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The rule file named by `--rules` on the command line (not by the environment).
pub fn rules_flag(args: &[OsString]) -> Option<PathBuf> {
    let mut iter = args.iter().skip(1);
    while let Some(arg) = iter.next() {
        if arg == "--" {
            break;
        }
        if arg == "--rules" {
            return iter.next().map(PathBuf::from);
        }
        if let Some(s) = arg.to_str()
            && let Some(path) = s.strip_prefix("--rules=")
        {
            return Some(PathBuf::from(path));
        }
    }
    None
}

/// The full command, with one flag per question of `rules` on `recommend`.
pub fn command(rules: &RuleSet) -> clap::Command {
    Cli::command().mut_subcommand("recommend", |sub| with_questions(sub, rules))
}

/// Just `mlstack recommend`: what the common case parses with, without building the other
/// subcommands. Help, usage and errors read exactly as with [`command`].
pub fn recommend_command(rules: &RuleSet) -> clap::Command {
    let recommend =
        RecommendArgs::augment_args(clap::Command::new("recommend").about(RECOMMEND_ABOUT));
    clap::Command::new("mlstack")
        .version(env!("CARGO_PKG_VERSION"))
        .about(ABOUT)
        .after_help(AFTER_HELP)
        .subcommand(with_questions(recommend, rules))
}

/// `recommend` with one flag per question and `--expect` limited to the rule set's outcomes.
fn with_questions(sub: clap::Command, rules: &RuleSet) -> clap::Command {
    let outcomes: Vec<PossibleValue> = rules
        .outcomes
        .iter()
        .map(|o| PossibleValue::new(clap_text::<Str>(&o.id)).help(clap_text::<StyledStr>(&o.name)))
        .collect();
    let sub = sub.mut_arg("expect", |a| {
        a.value_parser(Outcomes {
            ids: PossibleValuesParser::new(outcomes),
            vocabulary: crate::plan::expect::Vocabulary::of(rules),
        })
    });
    let models = rules.questions.iter().any(|q| q.one_per_model);
    rules.questions.iter().fold(sub, |sub, q| {
        let per_model = models && q.scope == crate::rules::Scope::Model && !q.one_per_model;
        let app_level = models && !per_model;
        sub.arg(question_arg(q, per_model, app_level))
    })
}

/// A rule-set text for clap: the embedded rules' texts are passed as they are, a loaded file's
/// are copied.
fn clap_text<T: From<&'static str> + From<String>>(text: &Text) -> T {
    match text.as_static() {
        Some(text) => T::from(text),
        None => T::from(text.to_string()),
    }
}

/// `per_model`: each model of the app has its own answer, so a value may name its model
/// (`llm=1b-to-4b`) and a single-choice question may take one value per model.
/// `app_level`: in a rule set with several models, the app's own answer (or the question that
/// makes the models): naming a model in its value is an error that says so.
fn question_arg(q: &crate::rules::Question, per_model: bool, app_level: bool) -> Arg {
    let values: Vec<PossibleValue> = q
        .options
        .iter()
        .map(|o| {
            PossibleValue::new(clap_text::<Str>(&o.id))
                .help(clap_text::<StyledStr>(&o.label))
                .aliases(o.aliases.iter().map(clap_text::<Str>))
        })
        .collect();
    let help: StyledStr = if q.required {
        format!("{} (required)", q.prompt).into()
    } else if let Some(default) = q.default {
        let default = q.option_ids(default).join(",");
        format!("{} [default: {default}]", q.prompt).into()
    } else {
        clap_text(&q.prompt)
    };
    let arg = Arg::new(clap_text::<Id>(&q.id))
        .long(clap_text::<Str>(&q.id))
        .value_name("VALUE")
        .ignore_case(true)
        .help(help)
        .help_heading("Questions");
    let arg = arg.value_parser(Answers {
        options: PossibleValuesParser::new(values),
        releases: q.is_versioned().then(|| q.clone()),
        per_model,
        app_level,
        listed: per_model || q.kind == Kind::Multi,
    });
    match q.kind {
        Kind::Single if !per_model => arg.action(ArgAction::Set),
        _ => arg.action(ArgAction::Append).value_delimiter(','),
    }
}

/// A question's values: its options; for a version question also any release one stands for
/// (`17.4`, `ios17.4`, `macos14.5`: see [`crate::rules::Question::version_floor`]), kept as
/// written so the answer can say which option it took.
#[derive(Clone)]
struct Answers {
    options: PossibleValuesParser,
    releases: Option<crate::rules::Question>,
    /// Values may name their model: `llm=1b-to-4b`.
    per_model: bool,
    /// The app's answer: a value that names a model is refused, saying why.
    app_level: bool,
    /// Values come as a comma-separated list (a multiple choice, or one per model).
    listed: bool,
}

impl clap::builder::TypedValueParser for Answers {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        if self.app_level
            && let Some((model, _)) = value.to_str().and_then(|v| v.split_once('='))
        {
            let name = arg.map(|a| a.get_id().to_string()).unwrap_or_default();
            let mut e = clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!(
                    "--{name} is the app's answer, shared by every model: give it without `{model}=`\n"
                ),
            );
            e = e.with_cmd(cmd);
            return Err(e);
        }
        // `--needs kv-cache,`: clap would say no value was supplied, though one was.
        if value.is_empty() {
            let name = arg.map(|a| a.get_id().to_string()).unwrap_or_default();
            let text = if self.listed {
                format!(
                    "--{name} has an empty value in its list (a comma too many?): give options \
                     separated by single commas, as `a,b`\n"
                )
            } else {
                format!("--{name} needs a value: one of its options (`mlstack questions`)\n")
            };
            let e = clap::Error::raw(clap::error::ErrorKind::InvalidValue, text);
            return Err(e.with_cmd(cmd));
        }
        // `MODEL=VALUE`: the value is checked as any other; the model, once the models are known.
        if self.per_model
            && let Some((model, option)) = value.to_str().and_then(|v| v.split_once('='))
            && !model.trim().is_empty()
        {
            let option = self.parse_ref(cmd, arg, std::ffi::OsStr::new(option))?;
            return Ok(format!("{}={option}", model.trim().to_lowercase()));
        }
        let release = value.to_str().map(str::to_lowercase).filter(|v| {
            self.releases
                .as_ref()
                .is_some_and(|q| q.version_floor(v).is_some())
        });
        match release {
            Some(release) => Ok(release),
            None => self
                .options
                .parse_ref(cmd, arg, value)
                .map_err(|e| shortened(e, cmd, arg, value, &self.options)),
        }
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        self.options.possible_values()
    }
}

/// Clap's "invalid value" error, with a long value quoted by its start and size instead of
/// whole (a 100 KB value would otherwise fill the terminal).
fn shortened(
    error: clap::Error,
    cmd: &clap::Command,
    arg: Option<&Arg>,
    value: &std::ffi::OsStr,
    options: &PossibleValuesParser,
) -> clap::Error {
    use clap::builder::TypedValueParser;
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let text = value.to_string_lossy();
    if text.chars().count() <= 60 || error.kind() != ErrorKind::InvalidValue {
        return error;
    }
    let mut short = clap::Error::new(ErrorKind::InvalidValue).with_cmd(cmd);
    short.insert(
        ContextKind::InvalidArg,
        ContextValue::String(arg.map(ToString::to_string).unwrap_or_default()),
    );
    short.insert(
        ContextKind::InvalidValue,
        ContextValue::String(crate::rules::shorten(&text)),
    );
    let valid: Vec<String> = options
        .possible_values()
        .into_iter()
        .flatten()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_owned())
        .collect();
    short.insert(ContextKind::ValidValue, ContextValue::Strings(valid));
    short
}

/// `--expect`: a plan or a stack by id or by the name the report prints, in any case
/// (`mlx`, `core-ml+mlx`, `BOTH`, `"Core ML + MLX"`, `Built-in`), or one model's stack
/// (`llm=mlx`); parsed to its canonical spelling (`core-ml+mlx`, `llm=mlx`).
#[derive(Clone)]
struct Outcomes {
    /// The outcome ids, for the error message, help and completions.
    ids: PossibleValuesParser,
    vocabulary: crate::plan::expect::Vocabulary,
}

impl clap::builder::TypedValueParser for Outcomes {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        if value.len() > 200 {
            let e = self.ids.parse_ref(cmd, arg, value);
            return e.map_err(|e| shortened(e, cmd, arg, value, &self.ids));
        }
        let parsed = value
            .to_str()
            .and_then(|v| crate::plan::expect::parse(&self.vocabulary, v).ok());
        match parsed {
            Some(expect) => Ok(expect.canonical(&self.vocabulary)),
            // clap's own message: the value, the outcome ids, a "did you mean".
            None => self.ids.parse_ref(cmd, arg, value),
        }
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        self.ids.possible_values()
    }
}

/// The option ids given on the command line for each question, `None` where not given.
pub fn question_values(rules: &RuleSet, matches: &ArgMatches) -> Vec<Option<Vec<String>>> {
    rules
        .questions
        .iter()
        .map(|q| {
            // Values are matched ignoring case (`--hardware GPU`); ids are lowercase.
            matches
                .get_many::<String>(&q.id)
                .map(|values| values.map(|v| v.to_lowercase()).collect())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_is_well_formed_with_the_default_rules() {
        command(&crate::rules::default_rules()).debug_assert();
        recommend_command(&crate::rules::default_rules()).debug_assert();
    }

    #[test]
    fn the_short_path_renders_recommend_help_exactly_like_the_full_command() {
        let rules = crate::rules::default_rules();
        let mut full = command(&rules);
        let mut short = recommend_command(&rules);
        let help = |c: &mut clap::Command| {
            c.build();
            c.find_subcommand_mut("recommend")
                .unwrap()
                .render_long_help()
                .to_string()
        };
        assert_eq!(help(&mut full), help(&mut short));
    }

    #[test]
    fn rules_path_is_found_in_both_spellings() {
        let args = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            rules_path(&args(&["mlstack", "recommend", "--rules", "r.yaml"])),
            Some(PathBuf::from("r.yaml"))
        );
        assert_eq!(
            rules_path(&args(&["mlstack", "recommend", "--rules=r.yaml"])),
            Some(PathBuf::from("r.yaml"))
        );
        assert_eq!(rules_flag(&args(&["mlstack", "--", "--rules", "x"])), None);
    }
}
