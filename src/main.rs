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
                eprintln!("mlstack: error: {}", mlstack::render::safe::safe(&message));
            }
            ExitCode::from(failure.exit_code())
        }
    }
}
