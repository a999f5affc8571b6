//! Output formats for a [`Report`](crate::report::Report). Rendering only formats.

pub mod json;
pub mod markdown;
pub mod table;

/// Output format of `recommend` and friends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Tables for people reading a terminal.
    #[default]
    Table,
    /// One versioned JSON document, for other tools.
    Json,
    /// Markdown, for pasting into a design document or a pull request.
    Markdown,
}
