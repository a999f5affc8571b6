//! End-to-end tests: the real binary, run with a clean environment.

mod answers_files;
mod batch;
mod ecosystem;
mod explain;
mod fidelity;
mod hostile;
mod interactive;
mod json_schema;
mod model;
mod readme;
mod recommend;
mod release;
mod rule_files;
mod rules_commands;
mod util;
mod widths;
