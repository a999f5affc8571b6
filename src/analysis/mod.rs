//! Whole-space questions over the engine: what a rule set does across every answer set
//! (`check`), how two rule files' verdicts differ (`diff`), what decided one verdict and what
//! would change it (`explain`), the plan rules' reach (`plan_rules`), conditions in words
//! (`describe`), and the answer space as classes of equivalent answers that make those
//! exhaustive (`space`). Pure: no I/O.

pub mod check;
pub mod describe;
pub mod diff;
pub mod explain;
pub mod plan_rules;
pub mod space;
