use std::process::ExitCode;

fn main() -> ExitCode {
    // An empty MLSTACK_* variable means unset (the shell's `VAR= mlstack ...` idiom).
    for var in ["MLSTACK_RULES", "MLSTACK_FORMAT"] {
        if std::env::var_os(var).is_some_and(|v| v.is_empty()) {
            // SAFETY: nothing has started another thread yet, so no one reads the
            // environment concurrently.
            unsafe { std::env::remove_var(var) };
        }
    }
    match mlstack::commands::run(std::env::args_os().collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let message = failure.to_string();
            // Clap has already printed its own errors; gates print their own report.
            if !message.is_empty() {
                // Messages quote files (values, reasons): escape their control characters.
                let text = format!("mlstack: error: {}", mlstack::render::safe::safe(&message));
                // On a terminal, wrap to its width like the rest of the output.
                let text = match terminal_size::terminal_size_of(std::io::stderr()) {
                    Some((width, _)) => mlstack::render::table::wrap_prose(&text, width.0),
                    None => text + "\n",
                };
                eprint!("{text}");
            }
            ExitCode::from(failure.exit_code())
        }
    }
}
