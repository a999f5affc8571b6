//! The default rule set, compiled from `rules/default.yaml` by `build.rs` into a `static`:
//! every text and list is borrowed from the binary, so start-up constructs nothing from it.

use std::borrow::Cow;

use super::model::*;

include!(concat!(env!("OUT_DIR"), "/default_rules.rs"));

/// The embedded default rule set (validated when mlstack was built). A copy costs no
/// allocation: its texts and lists stay borrowed from the binary.
pub fn default_rules() -> RuleSet {
    EMBEDDED_DEFAULT_RULES.clone()
}
