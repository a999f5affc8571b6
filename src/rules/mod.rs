//! The rule language: its YAML syntax, loading with located diagnostics, validation, and
//! the compiled form the engine evaluates.

mod compile;
mod diagnostic;
#[cfg(mlstack_lib)]
mod embedded;
pub mod listed;
mod load;
mod model;
mod recover;
mod storage;
mod syntax;

pub use compile::RESERVED_QUESTION_IDS;
pub use diagnostic::{Diagnostic, InvalidRules, did_you_mean};
#[cfg(mlstack_lib)]
pub use embedded::default_rules;
pub use listed::ListedModel;
pub use load::{
    DEFAULT_RULES_NAME, DEFAULT_RULES_YAML, MAX_RULE_FILE_BYTES, decode, load_rules, yaml_error,
    yaml_options,
};
pub use model::*;
pub use recover::answers_problems;
pub use syntax::{AnswerPairs, AnswersDoc, OneOrMany, Pairs};
