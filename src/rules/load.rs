//! Reading a rule file: size check, YAML parsing with budgets, then validation.

use serde_saphyr::{Location, UserMessageFormatter};
use sha2::{Digest, Sha256};

use super::diagnostic::{Diagnostic, InvalidRules};
use super::model::RuleSet;
use super::{compile, syntax};

/// Rule files larger than this are refused before parsing.
pub const MAX_RULE_FILE_BYTES: usize = 1024 * 1024;

/// The default rule set, embedded so `mlstack` works with no files around it.
pub const DEFAULT_RULES_YAML: &str = include_str!("../../rules/default.yaml");
/// The name the embedded rule set reports in diagnostics.
pub const DEFAULT_RULES_NAME: &str = "<embedded>/rules/default.yaml";

/// Options shared by every YAML document mlstack reads (rule files and answers files):
/// YAML 1.2 booleans (so `yes` stays the option id `yes`), duplicate keys are errors.
pub fn yaml_options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        strict_booleans: true,
        with_snippet: false,
    }
}

/// A YAML error as a one-line message without the location (we print that ourselves).
pub fn yaml_error(file: &str, err: &serde_saphyr::Error) -> Diagnostic {
    use serde_saphyr::MessageFormatter;
    let inner = err.without_snippet();
    let location = err.location().unwrap_or(Location::UNKNOWN);
    let message: String = UserMessageFormatter
        .format_message(inner)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let message = message.replace(", set DuplicateKeyPolicy in Options if acceptable", "");
    Diagnostic {
        file: file.to_owned(),
        line: location.line().max(1),
        column: location.column().max(1),
        message,
        hint: None,
    }
}

fn at_start(file: &str, message: impl Into<String>, hint: Option<&str>) -> InvalidRules {
    InvalidRules {
        diagnostics: vec![Diagnostic {
            file: file.to_owned(),
            line: 1,
            column: 1,
            message: message.into(),
            hint: hint.map(str::to_owned),
        }],
    }
}

/// Checks that apply before YAML parsing: size, encoding, byte-order mark.
pub fn decode<'a>(file: &str, bytes: &'a [u8], what: &str) -> Result<&'a str, InvalidRules> {
    if bytes.len() > MAX_RULE_FILE_BYTES {
        return Err(at_start(
            file,
            format!(
                "{what} is {} bytes; the limit is {MAX_RULE_FILE_BYTES} bytes",
                bytes.len()
            ),
            None,
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let before = &bytes[..e.valid_up_to()];
        let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count() as u64
            + 1;
        InvalidRules {
            diagnostics: vec![Diagnostic {
                file: file.to_owned(),
                line,
                column,
                message: format!("{what} is not valid UTF-8"),
                hint: Some("save the file as UTF-8".into()),
            }],
        }
    })?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(at_start(file, format!("{what} is empty"), None));
    }
    Ok(text)
}

/// Parse, validate and compile a rule file. `file` names it in diagnostics.
pub fn load_rules(file: &str, bytes: &[u8]) -> Result<RuleSet, InvalidRules> {
    let text = decode(file, bytes, "the rule file")?;
    let def: syntax::RuleFile =
        serde_saphyr::from_str_with_options(text, yaml_options()).map_err(|e| {
            // Report every structural problem, not only the first serde met.
            let mut diagnostics = super::recover::structural_problems(file, text, &e);
            if diagnostics.is_empty() {
                diagnostics.push(yaml_error(file, &e));
            }
            InvalidRules { diagnostics }
        })?;
    let sha256 = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    compile::compile(file, &def, sha256).map_err(|diagnostics| InvalidRules { diagnostics })
}
