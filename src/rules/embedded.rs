//! The default rule set, compiled from `rules/default.yaml` by `build.rs`.

use super::model::*;

include!(concat!(env!("OUT_DIR"), "/default_rules.rs"));

/// The embedded default rule set (validated when mlstack was built).
pub fn default_rules() -> RuleSet {
    embedded_default_rules()
}
