//! The interactive prompts, driven through a real pseudo-terminal.

use std::process::Command;

use rexpect::process::WaitStatus;
use rexpect::session::{PtySession, spawn_command};

const TIMEOUT_MS: u64 = 20_000;

/// `mlstack ARGS` in a fresh pseudo-terminal, with no CI or no-input settings.
fn spawn(args: &[&str]) -> PtySession {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("mlstack"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TERM", "xterm-256color");
    spawn_command(cmd, Some(TIMEOUT_MS)).expect("spawn in a pty")
}

/// `mlstack ARGS` in a fresh pseudo-terminal of `cols` columns (set with `stty` before the
/// program starts, so its first prompt is drawn at that width).
fn spawn_sized(cols: u16, rows: u16, args: &str) -> PtySession {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!(
            "stty cols {cols} rows {rows} && exec '{}' {args}",
            assert_cmd::cargo::cargo_bin("mlstack").display()
        ))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TERM", "xterm-256color");
    spawn_command(cmd, Some(TIMEOUT_MS)).expect("spawn in a pty")
}

/// The JSON document of a replay command printed after an interview (`mlstack recommend ...`),
/// run without prompts; it must succeed.
fn replay_json(replay: &str) -> serde_json::Value {
    let words: Vec<&str> = replay.split_whitespace().skip(2).collect();
    let out = crate::util::mlstack()
        .args(["recommend", "--format", "json"])
        .args(&words)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Type `keys` (rexpect buffers `send`; the prompt must see them now).
fn key(p: &mut PtySession, keys: &str) {
    p.send(keys).unwrap();
    p.flush().unwrap();
}

fn exit_code(p: &PtySession) -> i32 {
    match p.process().wait().expect("wait") {
        WaitStatus::Exited(_, code) => code,
        other => panic!("did not exit normally: {other:?}"),
    }
}

#[test]
fn a_full_session_reaches_a_verdict_and_prints_the_replay_command() {
    let mut p = spawn(&[]);
    p.exp_string("What kind of model will run on the device?")
        .unwrap();
    key(&mut p, " "); // select the first option, llm
    key(&mut p, "\r");
    for prompt in [
        "How many parameters does the model have",
        "What is the oldest OS the app must run on",
        "Could a framework Apple ships do the whole job",
        "Is the model already converted",
        "Which compute unit",
        "How often will the model change",
        "Is battery life critical",
        // Fine-tuning on the device can change the verdict (issue 24: no stack trains a
        // language model in the iOS background).
        "(--needs)",
        // Asked before the platforms since session 18: an engine shared with a desktop build
        // is a close call for a language model, and answered early it keeps `--distribution`
        // from mattering.
        "Must the same engine also run outside Apple's platforms",
        "Which platforms must the model run on",
        "Must inference run while the iOS app is in the background",
    ] {
        p.exp_string(prompt).unwrap();
        key(&mut p, "\r"); // take the preselected default
    }
    p.exp_string("Recommendation: \x1b[1;32mMLX").unwrap(); // coloured: stdout is the terminal
    p.exp_string("To get this verdict again without prompts")
        .unwrap();
    p.exp_string(
        "mlstack recommend --model-type llm --model-size unknown --min-os 26 --built-in none --converted none --hardware any",
    )
        .unwrap();
    // The verdict again, as the last line on screen.
    let rest = p.exp_eof().unwrap();
    let last = rest.trim_end().lines().last().unwrap_or("").to_owned();
    assert!(
        last.starts_with("Recommendation: MLX [mlx] (strong, margin"),
        "last line: {last:?}"
    );
    assert_eq!(exit_code(&p), 0);
}

#[test]
fn irrelevant_questions_are_skipped_and_said_so() {
    // On Linux, for an Apple-only app whose model is still to convert, of a size item 1
    // speaks of, and that needs nothing MLX lacks (an app extension, devices older than its
    // GPU floor), only MLX is possible, so after the model type nothing else can matter.
    let mut p = spawn(&[
        "recommend",
        "--model-size",
        "1b-to-4b",
        "--platform",
        "linux",
        "--portability",
        "apple-only",
        "--converted",
        "none",
        "--needs",
        "none",
    ]);
    p.exp_string("What kind of model").unwrap();
    key(&mut p, " ");
    key(&mut p, "\r");
    let rest = p.exp_string("Recommendation: \x1b[1;32mMLX").unwrap(); // coloured: stdout is the terminal
    assert!(
        !rest.contains("Which compute unit"),
        "no further questions: {rest}"
    );
    p.exp_string("Not asked:").unwrap();
    p.exp_string("- hardware (assumed any): no answer could change the recommendation")
        .unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 0);
}

#[test]
fn ctrl_c_mid_question_exits_130_and_restores_the_terminal() {
    let mut cmd = Command::new("sh");
    let bin = assert_cmd::cargo::cargo_bin("mlstack");
    // After mlstack exits, `stty -a` shows the terminal mode it left behind.
    cmd.arg("-c")
        .arg(format!("'{}'; echo \"exit=$?\"; stty -a", bin.display()))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TERM", "xterm-256color");
    let mut p = spawn_command(cmd, Some(TIMEOUT_MS)).unwrap();
    p.exp_string("What kind of model").unwrap();
    p.send_control('c').unwrap();
    let before = p.exp_string("exit=130").unwrap();
    assert!(before.contains("\x1b[?25h"), "cursor shown again");
    let modes = p.exp_eof().unwrap();
    assert!(
        modes.contains(" icanon") && modes.contains(" echo"),
        "cooked mode: {modes}"
    );
}

#[test]
fn esc_at_a_prompt_also_exits_130() {
    let mut p = spawn(&["recommend"]);
    p.exp_string("What kind of model").unwrap();
    key(&mut p, "\x1b");
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 130);
}

#[test]
fn ci_and_no_input_never_prompt_even_in_a_terminal() {
    for (env, args) in [
        (Some(("CI", "true")), &["recommend"][..]),
        (Some(("MLSTACK_NO_INPUT", "1")), &["recommend"]),
        (None, &["recommend", "--no-input"]),
    ] {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("mlstack"));
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default());
        if let Some((k, v)) = env {
            cmd.env(k, v);
        }
        let mut p = spawn_command(cmd, Some(TIMEOUT_MS)).unwrap();
        p.exp_string("missing required answer: pass --model-type")
            .unwrap();
        p.exp_eof().unwrap();
        assert_eq!(exit_code(&p), 2, "{env:?} {args:?}");
    }
}

#[test]
fn save_answers_replays_in_ci() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("answers.yaml");
    // Flags answer the rest, so only the model type and the compute unit are asked.
    let mut p = spawn(&[
        "recommend",
        "--save-answers",
        saved.to_str().unwrap(),
        "--iteration",
        "stable",
        "--battery",
        "critical",
        "--needs",
        "none",
        "--distribution",
        "any",
        "--platform",
        "ios",
        "--background",
        "no",
        "--min-os",
        "26",
        "--built-in",
        "none",
        "--model-size",
        "unknown",
        "--converted",
        "none",
        "--portability",
        "apple-only",
    ]);
    p.exp_string("What kind of model").unwrap();
    key(&mut p, " ");
    key(&mut p, "\r");
    p.exp_string("Which compute unit").unwrap();
    key(&mut p, "\x1b[A"); // up from the default (any): cpu
    key(&mut p, "\x1b[A"); // up again: gpu
    key(&mut p, "\r");
    p.exp_string("Recommendation: \x1b[1;32mMLX").unwrap(); // coloured: stdout is the terminal
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 0);
    let text = std::fs::read_to_string(&saved).unwrap();
    assert!(text.contains("model-type: [\"llm\"]"), "{text}");
    assert!(text.contains("hardware: \"gpu\""), "{text}");
    crate::util::mlstack()
        .args(["recommend", "--expect", "mlx", "--answers"])
        .arg(&saved)
        .env("CI", "true")
        .assert()
        .success();
}

#[test]
fn picking_the_system_model_asks_about_apple_intelligence_and_can_end_in_built_in() {
    let mut p = spawn(&[
        "recommend",
        "--interactive",
        "--model-type",
        "llm",
        "--model-size",
        "1b-to-4b",
    ]);
    p.exp_string("What is the oldest OS the app must run on")
        .unwrap();
    key(&mut p, "\x1b[B"); // down from the default (26): 27
    key(&mut p, "\r");
    p.exp_string("Could a framework Apple ships do the whole job")
        .unwrap();
    key(&mut p, "\x1b[B"); // down from the default (none): foundation-models
    key(&mut p, "\r");
    p.exp_string("Does every device the app must support have Apple Intelligence")
        .unwrap();
    key(&mut p, "\x1b[A"); // up from the default (unknown): no
    key(&mut p, "\x1b[A"); // up again: yes
    key(&mut p, "\r");
    // The remaining questions take their defaults until the verdict.
    loop {
        match p.exp_regex(r"(\(--[a-z-]+\)|Recommendation: \x1b\[1;32mBuilt-in)") {
            Ok((_, m)) if m.starts_with("Recommendation") => break,
            Ok(_) => key(&mut p, "\r"),
            Err(e) => panic!("no verdict: {e}"),
        }
    }
    p.exp_string("--min-os 27 --built-in foundation-models --apple-intelligence yes")
        .unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 0);
}

#[test]
fn a_model_answers_its_questions_before_anyone_is_asked() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("Llama-3.2-1B-Instruct");
    crate::model::fixtures::hugging_face(&model, 1);
    let path = model.to_str().unwrap();
    let mut p = spawn(&[
        "recommend",
        "--interactive",
        "--model",
        path,
        "--min-os",
        "26",
        "--built-in",
        "none",
    ]);
    // The first question is no longer the model type: the files answered it, and the size.
    let before = p.exp_string("Which compute unit").unwrap();
    assert!(!before.contains("What kind of model"), "{before}");
    assert!(!before.contains("How many parameters"), "{before}");
    assert!(!before.contains("already converted"), "{before}");
    key(&mut p, "\r");
    for prompt in [
        "How often will the model change",
        "Is battery life critical",
        // Fine-tuning on the device can change the verdict (issue 24: no stack trains a
        // language model in the iOS background).
        "(--needs)",
        // Asked before the platforms since session 18: an engine shared with a desktop build
        // is a close call for a language model, and answered early it keeps `--distribution`
        // from mattering.
        "Must the same engine also run outside Apple's platforms",
        "Which platforms must the model run on",
        "Must inference run while the iOS app is in the background",
    ] {
        p.exp_string(prompt).unwrap();
        key(&mut p, "\r");
    }
    p.exp_string("From the model (").unwrap();
    p.exp_string("Memory fit").unwrap();
    p.exp_string(&format!(
        "mlstack recommend --model {path} --min-os 26 --built-in none"
    ))
    .unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 0);
}

#[test]
fn with_every_required_answer_given_a_terminal_gets_no_prompts() {
    // The README's first command: the same verdict in a terminal as in a pipe.
    let mut p = spawn(&["recommend", "--model-type", "llm"]);
    let out = p.exp_eof().unwrap();
    assert!(out.contains("Recommendation:"), "a verdict");
    assert!(!out.contains("(--hardware)"), "no prompt was shown");
    assert_eq!(exit_code(&p), 0);
}

/// `--answers -` and `--batch -` in a terminal say what they wait for, then read to the end.
#[test]
fn stdin_named_in_a_terminal_says_what_it_waits_for() {
    let mut p = spawn(&["recommend", "--answers", "-", "--format", "json"]);
    p.exp_string("reading the answers file (YAML or JSON) from the terminal; end with Ctrl-D")
        .unwrap();
    key(&mut p, "model-type: llm\n");
    key(&mut p, "\x04"); // end of input
    p.exp_string("\"id\": \"mlx\"").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 0);
    let mut p = spawn(&["recommend", "--batch", "-"]);
    p.exp_string("reading JSON Lines, one answer set per line from the terminal")
        .unwrap();
    key(&mut p, "{\"model-type\": \"llm\"}\n");
    key(&mut p, "\x04");
    p.exp_string("\"line\":1").unwrap();
    p.exp_eof().unwrap();
}

/// A multi-select preselects `none`: ticking an option and confirming clears it, rather than
/// refusing the combination.
#[test]
fn ticking_an_option_clears_the_preselected_none() {
    // An audio model: custom sampling is one of its options (a decoder's), so it is also
    // offered as a flip; the replay command is what must carry it.
    let mut p = spawn(&["recommend", "--interactive", "--model-type", "audio"]);
    // A question's text comes again when its list redraws and once it is answered: each is
    // answered once, or a spare enter would answer the next one before it is seen.
    let mut answered: Vec<String> = Vec::new();
    loop {
        match p.exp_regex(r"(\(--[a-z-]+\)|Recommendation: \x1b\[1;32m)") {
            Ok((_, m)) if m.starts_with("Recommendation") => break,
            Ok((_, m)) if answered.contains(&m) => {}
            Ok((_, m)) if m == "(--needs)" => {
                answered.push(m);
                // The list is drawn (and reads keys) once its help line is there.
                p.exp_string("space to select").unwrap();
                key(&mut p, " "); // tick the first option, custom-sampling; none stays ticked
                key(&mut p, "\r");
            }
            Ok((_, m)) => {
                answered.push(m);
                key(&mut p, "\r");
            }
            Err(e) => panic!("no verdict: {e}"),
        }
    }
    p.exp_regex(r"mlstack recommend [^\r\n]*--needs custom-sampling ")
        .unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 0);
}

/// Prompts, option lines and help wrap at word boundaries at the terminal's width: the
/// library would break them mid-word (`backgro` / `und`), and the flag in a prompt stays whole.
#[test]
fn prompts_wrap_at_word_boundaries() {
    let mut p = spawn_sized(
        60,
        40,
        "recommend --interactive --model-type llm --built-in foundation-models",
    );
    let mut screen = String::new();
    let mut answered: Vec<String> = Vec::new();
    // Answer until the background question has been drawn, taking every default. A prompt's
    // text comes again when it is answered: each is answered once.
    loop {
        let (before, m) = p
            .exp_regex(r"\(--[a-z-]+\)")
            .expect("a prompt with its flag whole on one line");
        screen.push_str(&before);
        screen.push_str(&m);
        if answered.contains(&m) {
            continue;
        }
        // The list is drawn (and reads keys) once its help has closed its bracket.
        let (list, _) = p.exp_regex(r"\]\x1b\[39m").unwrap();
        screen.push_str(&list);
        if m == "(--background)" {
            break;
        }
        answered.push(m);
        key(&mut p, "\r");
    }
    assert!(screen.contains("(--apple-intelligence)"), "{screen}");
    assert!(screen.contains("background)"), "{screen}");
    // A line the library filled to the last column and broke mid-word would end in a letter
    // with the next line going on with one.
    let text = crate::util::strip_ansi(&screen);
    let lines: Vec<&str> = text.lines().collect();
    for pair in lines.windows(2) {
        let full = pair[0].chars().count() >= 60;
        let ends_in_word = pair[0].chars().last().is_some_and(char::is_alphanumeric);
        let goes_on = pair[1].chars().next().is_some_and(char::is_alphanumeric);
        assert!(
            !(full && ends_in_word && goes_on),
            "a word broken at the edge:\n{}\n{}",
            pair[0],
            pair[1]
        );
    }
    p.send_control('c').unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn an_app_of_two_models_is_asked_about_each_and_replays_with_model_answers() {
    // Wide, so that no prompt wraps.
    let mut p = spawn_sized(250, 50, "recommend --interactive --model-type vision,llm");
    // A question about the model names the model, and is put to each model it can matter for.
    // Choose the GPU for the language model and the Neural Engine for the vision model; take
    // every other default.
    let mut prompts: Vec<String> = Vec::new();
    loop {
        match p.exp_regex(r"(\(--[a-z-]+( [a-z]+=\.\.\.)?\)|Plan: )") {
            Ok((_, m)) if m.starts_with("Plan") => break,
            Ok((before, m)) => {
                let line = before.rsplit('\n').next().unwrap_or("").to_owned();
                // The prompt is drawn with `?` and drawn again with `>` once answered.
                if !line.contains("?\u{1b}[39m") {
                    continue;
                }
                if m == "(--hardware llm=...)" {
                    key(&mut p, "\x1b[B\x1b[B"); // any, then neural-engine, then gpu
                } else if m == "(--hardware vision=...)" {
                    key(&mut p, "\x1b[B"); // neural-engine
                }
                key(&mut p, "\r");
                prompts.push(format!("{line}{m}"));
            }
            Err(e) => panic!("no plan after {prompts:?}: {e}"),
        }
    }
    assert!(
        prompts
            .iter()
            .any(|p| p.contains("For the llm model: How many parameters")),
        "{prompts:?}"
    );
    assert!(
        !prompts.iter().any(|p| p.contains("(--model-size vision=")),
        "a size is not a vision model's question: {prompts:?}"
    );
    // The app's questions once each.
    for app in ["(--platform)", "(--background)", "(--portability)"] {
        assert_eq!(
            prompts.iter().filter(|m| m.ends_with(app)).count(),
            1,
            "{prompts:?}"
        );
    }
    p.exp_string("Not asked:").unwrap();
    p.exp_string("- model-size for vision (assumed unknown)")
        .unwrap();
    let (_, replay) = p
        .exp_regex(r"mlstack recommend --model-type [^\r\n]+")
        .unwrap();
    assert!(
        replay.contains("--hardware llm=gpu,vision=neural-engine"),
        "{replay}"
    );
    assert!(replay.contains("--model-size llm=unknown"), "{replay}");
    assert!(replay.contains("--platform ios"), "{replay}");
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 0);
    // The replay gives the same answers without prompts.
    let doc = replay_json(&replay);
    let hardware = |name: &str| {
        doc["models"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .map(|m| m["answers"]["hardware"].clone())
    };
    assert_eq!(hardware("llm"), Some("gpu".into()), "{doc}");
    assert_eq!(hardware("vision"), Some("neural-engine".into()), "{doc}");
}

/// The replay of an interview over an answers file that names its models names the file, and
/// gives each model's prompted answers by the file's names.
#[test]
fn an_interview_over_named_models_replays_with_the_answers_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app.yaml");
    std::fs::write(
        &file,
        "models:\n  - name: species\n    model-type: vision\n  - name: chat\n    model-type: llm\n    hardware: neural-engine\n",
    )
    .unwrap();
    let mut p = spawn_sized(
        250,
        50,
        &format!("recommend --interactive --answers '{}'", file.display()),
    );
    loop {
        match p.exp_regex(r"(\(--[a-z-]+( [a-z]+=\.\.\.)?\)|Plan: )") {
            Ok((_, m)) if m.starts_with("Plan") => break,
            Ok((before, _)) => {
                if before
                    .rsplit('\n')
                    .next()
                    .unwrap_or("")
                    .contains("?\u{1b}[39m")
                {
                    key(&mut p, "\r");
                }
            }
            Err(e) => panic!("no plan: {e}"),
        }
    }
    let (_, replay) = p
        .exp_regex(r"mlstack recommend --answers [^\r\n]+")
        .unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 0);
    assert!(replay.contains("--model-size chat=unknown"), "{replay}");
    assert!(
        !replay.contains("--model-type"),
        "the file gives the models: {replay}"
    );
    let doc = replay_json(&replay);
    assert_eq!(doc["recommendation"]["id"], "core-ml+mlx", "{doc}");
}
