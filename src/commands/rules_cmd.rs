//! `mlstack rules validate|test`.

use std::fmt::Write as _;

use super::{Failure, emit, load_rules};
use crate::cli::RulesCommand;
use crate::rule_tests::{self, CaseKind};

pub fn run(command: RulesCommand) -> Result<(), Failure> {
    match command {
        RulesCommand::Validate { file } => {
            let rules = load_rules(file.as_deref())?;
            let name = file.map_or_else(
                || crate::rules::DEFAULT_RULES_NAME.to_owned(),
                |f| f.display().to_string(),
            );
            let text = format!(
                "{name}: valid ({} outcomes, {} questions, {} rules, {} constraints, {} notes, {} tests, {} conflicts)\n",
                rules.outcomes.len(),
                rules.questions.len(),
                rules.rules.len(),
                rules.constraints.len(),
                rules.notes.len(),
                rules.tests.len(),
                rules.conflicts.len(),
            );
            emit(text.as_bytes())
        }
        RulesCommand::Test { file } => {
            let rules = load_rules(file.as_deref())?;
            let results = rule_tests::run_all(&rules);
            let mut text = String::new();
            let id = |o: Option<usize>| {
                o.map_or("(nothing possible)", |o| rules.outcomes[o].id.as_str())
            };
            for r in &results {
                let kind = match r.kind {
                    CaseKind::Test => "test",
                    CaseKind::Conflict => "conflict",
                };
                if r.passed() {
                    let _ = writeln!(text, "ok    {kind} {}", r.name);
                } else {
                    let _ = writeln!(
                        text,
                        "FAIL  {kind} {}: expected {}, got {}",
                        r.name,
                        id(Some(r.expected)),
                        id(r.got)
                    );
                }
            }
            let failed = results.iter().filter(|r| !r.passed()).count();
            let _ = writeln!(text, "{} passed, {failed} failed", results.len() - failed);
            emit(text.as_bytes())?;
            if failed > 0 {
                return Err(Failure::Gate(format!("{failed} rule test(s) failed")));
            }
            Ok(())
        }
        RulesCommand::Show(_) => unreachable!("dispatched to rules_show"),
    }
}
