//! `mlstack man`: one full manual page. clap_mangen renders the name, synopsis, description
//! and options; every subcommand gets its own part under COMMANDS with all of its options
//! (for `recommend`, one flag per question of the loaded rules, with its options), followed by
//! exit status, environment, files and examples written here.

use std::io::{self, Write};

use clap_mangen::Man;

const EXIT_STATUS: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
Success.
.TP
\fB1\fR
The \fB\-\-expect\fR gate failed, or \fBrules test\fR, \fBrules check\fR or \fBrules diff \-\-fail\-on\-change\fR found a problem.
.TP
\fB2\fR
Usage or input error: a bad flag or value, a bad answers file, a missing required answer, a model file that cannot be read, or a bare \fBmlstack\fR with no terminal to ask in.
.TP
\fB3\fR
The rule set is invalid.
.TP
\fB74\fR
The result could not be written (EX_IOERR), e.g. stdout is a full disk.
.TP
\fB130\fR
Interrupted (Ctrl\-C or Esc at a prompt, or SIGINT during \fB\-\-batch\fR).
.TP
\fB143\fR
SIGTERM during \fB\-\-batch\fR; every line written is whole.
"#;

const ENVIRONMENT: &str = r#".SH ENVIRONMENT
.TP
\fBMLSTACK_RULES\fR
Rule file to use instead of the embedded rules (like \fB\-\-rules\fR); \fBrules validate|test|check\fR with no FILE take it too. Empty means unset.
.TP
\fBMLSTACK_FORMAT\fR
Default output format: table, json or markdown (like \fB\-\-format\fR). Empty means unset.
.TP
\fBMLSTACK_NO_INPUT\fR
Set to 1 to never prompt.
.TP
\fBCI\fR
Set to anything but false or 0: never prompt.
.TP
\fBNO_COLOR\fR, \fBCLICOLOR_FORCE\fR
Turn colour off, or force it on.
"#;

const EXAMPLES: &str = r#".SH EXAMPLES
.TP
\fBmlstack recommend \-\-model\-type llm \-\-hardware gpu\fR
A verdict with its reasons, as a table.
.TP
\fBmlstack recommend \-\-model ~/models/Llama\-3.2\-1B\-Instruct\fR
Answers read from the model's own files, with its memory fit on the target devices.
.TP
\fBmlstack inspect model.gguf \-\-format json\fR
Only what the model's files say.
.TP
\fBmlstack recommend \-\-answers stack.yaml \-\-expect core\-ml+mlx \-\-no\-input\fR
A CI gate: exit 1 when the plan is no longer Core ML for the perception model and MLX for the generative one (\fBboth\fR is accepted for it too).
.TP
\fBmlstack recommend \-\-batch answers.jsonl\fR
One JSON result per line of answer sets.
.TP
\fBmlstack rules check our\-rules.yaml\fR
Ties, dead rules and the verdicts over the whole answer space of a rule file.
"#;

/// The full page for `command` (the CLI built from the loaded rules).
pub fn render(command: clap::Command, out: &mut dyn Write) -> io::Result<()> {
    let man = Man::new(command.clone());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    writeln!(out, ".SH COMMANDS")?;
    for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
        subcommand(out, "mlstack", sub)?;
    }
    out.write_all(EXIT_STATUS.as_bytes())?;
    out.write_all(ENVIRONMENT.as_bytes())?;
    out.write_all(EXAMPLES.as_bytes())?;
    man.render_version_section(out)
}

/// One subcommand's part: its usage line, what it does, and its options (sections demoted to
/// subsections, so the page keeps one COMMANDS section), then its own subcommands.
fn subcommand(out: &mut dyn Write, parent: &str, sub: &clap::Command) -> io::Result<()> {
    let name = format!("{parent} {}", sub.get_name());
    if sub.has_subcommands() {
        for inner in sub.get_subcommands().filter(|s| s.get_name() != "help") {
            subcommand(out, &name, inner)?;
        }
        return Ok(());
    }
    let usage = sub.clone().bin_name(&name).render_usage().to_string();
    let usage = usage.trim().trim_start_matches("Usage: ");
    writeln!(out, ".SS \"{}\"", escape(usage).replace('"', "\\(dq"))?;
    if let Some(about) = sub.get_long_about().or(sub.get_about()) {
        writeln!(out, "{}", escape(&about.to_string()))?;
    }
    for arg in sub.get_positionals() {
        let value = arg
            .get_value_names()
            .and_then(|v| v.first())
            .map_or_else(|| arg.get_id().to_string(), ToString::to_string);
        writeln!(out, ".TP\n\\fI{}\\fR", escape(&value))?;
        if let Some(help) = arg.get_long_help().or(arg.get_help()) {
            writeln!(out, "{}", escape(&help.to_string()))?;
        }
    }
    let mut options = Vec::new();
    Man::new(sub.clone().name(name.clone())).render_options_section(&mut options)?;
    let options = String::from_utf8_lossy(&options);
    for line in options.lines() {
        match line.strip_prefix(".SH ") {
            // "OPTIONS" and headings such as "QUESTIONS" become labelled paragraphs.
            Some(heading) => writeln!(out, ".PP\n\\fB{}\\fR", heading.trim_matches('"'))?,
            None => writeln!(out, "{line}")?,
        }
    }
    Ok(())
}

/// Text safe as a roff line: no leading control character, backslashes and dashes escaped.
fn escape(text: &str) -> String {
    let text = text.replace('\\', "\\e").replace('-', "\\-");
    if text.starts_with(['.', '\'']) {
        format!("\\&{text}")
    } else {
        text
    }
}
