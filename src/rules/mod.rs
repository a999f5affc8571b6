//! The rule language: its YAML syntax, loading with located diagnostics, validation, and
//! the compiled form the engine evaluates.

mod compile;
mod diagnostic;
mod load;
mod model;
mod syntax;

pub use compile::RESERVED_QUESTION_IDS;
pub use diagnostic::{Diagnostic, InvalidRules, did_you_mean};
pub use load::{
    DEFAULT_RULES_NAME, DEFAULT_RULES_YAML, MAX_RULE_FILE_BYTES, decode, default_rules, load_rules,
    yaml_error, yaml_options,
};
pub use model::*;
pub use syntax::{OneOrMany, Pairs};
