use std::process::ExitCode;

fn main() -> ExitCode {
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
