//! How sure the verdict is: margin and confidence.

use serde::Serialize;

use crate::engine::Verdict;
use crate::rules::ConfidenceThresholds;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Confidence {
    Strong,
    Moderate,
    CloseCall,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Strong => "strong",
            Confidence::Moderate => "moderate",
            Confidence::CloseCall => "close-call",
        }
    }
}

/// Confidence from the margin; with no runner-up (constraints left a single outcome) the
/// verdict is forced, hence strong.
pub fn confidence(verdict: &Verdict, thresholds: ConfidenceThresholds) -> Confidence {
    match verdict.margin() {
        None => Confidence::Strong,
        Some(m) if m >= thresholds.strong as i32 => Confidence::Strong,
        Some(m) if m >= thresholds.moderate as i32 => Confidence::Moderate,
        Some(_) => Confidence::CloseCall,
    }
}
