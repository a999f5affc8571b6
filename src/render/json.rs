use std::io::{self, Write};

use crate::report::app::AppReport;

pub fn write(out: &mut dyn Write, app: &AppReport) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, app)?;
    writeln!(out)
}
