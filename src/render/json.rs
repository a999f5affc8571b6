use std::io::{self, Write};

use crate::report::app::AppReport;

pub fn write(out: &mut dyn Write, app: &AppReport) -> io::Result<()> {
    let mut json = Vec::with_capacity(48 * 1024);
    app.write_pretty(&mut json)?;
    json.push(b'\n');
    out.write_all(&json)
}
