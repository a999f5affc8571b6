//! Problems found in a rule file, each pinned to file:line:column.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub file: String,
    pub line: u64,
    pub column: u64,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            // A problem with the file as a whole (missing, unreadable): no position to give.
            write!(f, "{}: {}", self.file, self.message)?;
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Every problem found in one rule file (never empty).
#[derive(Debug, Clone, thiserror::Error)]
pub struct InvalidRules {
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for InvalidRules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.diagnostics.len();
        write!(
            f,
            "the rule set is invalid ({n} problem{}):",
            if n == 1 { "" } else { "s" }
        )?;
        for d in &self.diagnostics {
            write!(f, "\n{d}")?;
        }
        Ok(())
    }
}

/// The closest candidate to `input`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    // Similar by Jaro-Winkler, or one edit away (short ids like `lm` for `llm`, where
    // Jaro-Winkler scores low, count as very similar); ties go to the higher raw similarity,
    // then to the first candidate.
    let mut best: Option<(f64, f64, &str)> = None;
    for c in candidates {
        let similarity = strsim::jaro_winkler(input, c);
        let one_edit = strsim::levenshtein(input, c) == 1;
        let score = if one_edit {
            similarity.max(0.95)
        } else {
            similarity
        };
        if score > 0.8 && best.is_none_or(|(s, raw, _)| (score, similarity) > (s, raw)) {
            best = Some((score, similarity, c));
        }
    }
    best.map(|(_, _, c)| c)
}
