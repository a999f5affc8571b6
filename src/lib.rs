//! mlstack: which on-device inference stack (Core ML, MLX, both, or MLX now and Core ML
//! later) fits an Apple-platform team, and why.
//!
//! Data flows one way: rules -> answers -> verdict -> explanation -> report -> output.

pub mod answers;
pub mod batch;
pub mod check;
pub mod cli;
pub mod commands;
pub mod describe;
pub mod diff;
pub mod engine;
pub mod evaluator;
pub mod explain;
pub mod inspect;
pub mod interview;
pub mod prompt;
pub mod render;
pub mod report;
pub mod rule_tests;
pub mod rules;
pub mod space;
