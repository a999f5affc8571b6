//! mlstack: which on-device inference stack (Core ML, MLX, Core AI, MLX now and Core ML
//! later, or a model the OS ships) fits each model of an Apple-platform app, and why.
//!
//! Data flows one way: rules -> answers -> verdict -> explanation -> report -> output.

pub mod analysis;
pub mod answers;
pub mod batch;
pub mod cli;
pub mod commands;
pub mod engine;
pub mod inspect;
pub mod interview;
pub mod plan;
pub mod prompt;
pub mod render;
pub mod report;
pub mod rule_tests;
pub mod rules;
