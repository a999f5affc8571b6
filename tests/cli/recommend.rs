use predicates::prelude::*;

use crate::util::*;

fn winner(args: &[&str]) -> String {
    recommend_json(args)["recommendation"]["id"]
        .as_str()
        .expect("id is a string")
        .to_owned()
}

#[test]
fn the_issue_cases_give_the_stated_outcomes() {
    let cases: &[(&[&str], &str)] = &[
        (&["--model-type", "llm"], "mlx"),
        (
            &[
                "--model-type",
                "vision",
                "--hardware",
                "neural-engine",
                "--iteration",
                "stable",
                "--ane-compatible",
                "yes",
            ],
            "core-ml",
        ),
        (&["--model-type", "vision,llm"], "core-ml+mlx"),
        (
            &["--model-type", "vision", "--model-type", "llm"],
            "core-ml+mlx",
        ),
        (
            &[
                "--model-type",
                "audio",
                "--iteration",
                "prototyping",
                "--hardware",
                "neural-engine",
                "--battery",
                "critical",
            ],
            "mlx-then-core-ml",
        ),
        (&["--model-type", "llm", "--platform", "watchos"], "core-ml"),
        (&["--model-type", "llm", "--platform", "linux"], "mlx"),
    ];
    for (args, expected) in cases {
        assert_eq!(
            winner(args),
            *expected,
            "mlstack recommend {}",
            args.join(" ")
        );
    }
}

#[test]
fn table_output_shows_verdict_reasons_assumptions_and_notes() {
    let assert = mlstack()
        .args(["recommend", "--model-type", "llm", "--full"])
        .assert()
        .success()
        .stderr("");
    let out = stdout_of(&assert);
    assert!(
        out.starts_with("Recommendation: MLX [mlx] (strong, margin 5)\n"),
        "{out}"
    );
    for section in ["Scores", "Why", "Ruled out", "Assumed", "Notes"] {
        assert!(
            out.contains(&format!("\n{section}")),
            "missing {section}:\n{out}"
        );
    }
    assert!(out.contains("Decision checklist, item 1"));
    assert!(out.contains("(checklist-1-generative-llm)"));
    assert!(
        out.contains("--iteration VALUE"),
        "assumed answers name their flag"
    );
    assert!(!out.contains('\x1b'), "no escape codes in a pipe");
}

/// The lines of the section headed `title` (up to the next blank line), without the title.
fn section<'a>(out: &'a str, title: &str) -> Vec<&'a str> {
    let start = out
        .find(&format!("\n{title}\n"))
        .unwrap_or_else(|| panic!("no section {title}:\n{out}"));
    out[start + title.len() + 2..]
        .lines()
        .take_while(|l| !l.is_empty())
        .collect()
}

/// The list items of a section (continuation lines joined to their item).
fn items(lines: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in lines {
        match line.strip_prefix("- ") {
            Some(item) => out.push(item.to_owned()),
            None => {
                let last = out.last_mut().expect("a continuation after an item");
                last.push(' ');
                last.push_str(line.trim_start());
            }
        }
    }
    out
}

/// The default report is one screen: the verdict with its id, one line of what to do, the
/// reasons that decided it (the winner's first, by weight, then what it had to beat), what
/// the constraints ruled out, at most three answers that would change it (nearest first), the
/// notes on the recommended stack, the assumed answers in a line, and the date of the rules'
/// knowledge. `--full` has every score, reason, flip and assumption.
#[test]
fn the_default_report_fits_one_screen() {
    let args = ["--model-type", "llm"];
    let out = stdout_of(&mlstack().arg("recommend").args(args).assert().success());
    let json = recommend_json(&args);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "Recommendation: MLX [mlx] (strong, margin 5)");
    assert!(lines[1].starts_with("Run the model with MLX"), "{out}");
    // What to do is the outcome's one-sentence summary, then a blank line.
    let what_to_do = json["recommendation"]["summary"].as_str().unwrap();
    let wrapped = lines[1..].iter().take_while(|l| !l.is_empty());
    assert_eq!(wrapped.copied().collect::<Vec<_>>().join(" "), what_to_do);

    let why = items(&section(&out, "Why"));
    assert!(
        why[0].starts_with("+7 MLX: A generative language model"),
        "{why:?}"
    );
    assert!(why[0].ends_with("(Decision checklist, item 1)"), "{why:?}");
    assert!(why[1].starts_with("+2 Core ML: "), "{why:?}");
    assert_eq!(
        why[2],
        "Ruled out: Built-in (no model to ship); MLX now, Core ML later; Core AI; \
         MLX now, Core AI later (why: --full)"
    );

    let flips = items(&section(&out, "What would change this"));
    assert_eq!(flips.len(), 3, "{flips:?}");
    assert!(json["flips"].as_array().unwrap().len() > 3);
    // The nearest release first: OS 27, not 15 or 16.
    assert!(
        flips.contains(&"--min-os 27 (now min-os 26) -> Core AI".to_owned()),
        "{flips:?}"
    );
    assert!(
        !flips.iter().any(|f| f.starts_with("--min-os 15")),
        "{flips:?}"
    );

    // Every note the verdict carries (those on MLX or on any own model), no other.
    let notes = items(&section(&out, "Notes"));
    assert_eq!(notes.len(), json["notes"].as_array().unwrap().len());
    for note in json["notes"].as_array().unwrap() {
        let text = note["text"].as_str().unwrap();
        let concerns = note["concerns"].as_array().unwrap();
        assert!(concerns.is_empty() || concerns.iter().any(|c| c == "mlx"));
        let start: String = text
            .split_whitespace()
            .take(6)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(notes.iter().any(|n| n.starts_with(&start)), "{start}");
    }

    // One line of assumed answers, the one that drove the verdict among the first.
    let assumed: Vec<&&str> = lines.iter().filter(|l| l.starts_with("Assumed")).collect();
    assert_eq!(assumed.len(), 1, "{out}");
    let assumed = assumed[0];
    assert!(assumed.chars().count() <= 100, "{assumed}");
    assert!(assumed.contains("iteration stable"), "{assumed}");
    assert!(assumed.ends_with("more (--full lists them)"), "{assumed}");
    assert!(out.contains("knowledge as of 2026-11-30\n"), "{out}");
    assert!(out.contains("mlstack sources"), "{out}");

    // The tables are behind --full.
    for hidden in [
        "\nScores\n",
        "\nWhat drove it\n",
        "(checklist-1-generative-llm)",
    ] {
        assert!(
            !out.contains(hidden),
            "{hidden} in the short report:\n{out}"
        );
    }
    // The first 24-line screen holds the verdict, the reasons and what would change it.
    let change = out.find("\nWhat would change this\n").unwrap();
    let flips_end = change + out[change + 1..].find("\n\n").unwrap();
    assert!(out[..flips_end].lines().count() <= 24, "{out}");

    let full = stdout_of(
        &mlstack()
            .arg("recommend")
            .args(args)
            .arg("--full")
            .assert()
            .success(),
    );
    let all_flips = items(&section(&full, "What would change this"));
    assert_eq!(all_flips.len(), json["flips"].as_array().unwrap().len());
    for shown in [
        "\nScores\n",
        "\nWhat drove it\n",
        "\nAssumed (not answered; defaults used)\n",
    ] {
        assert!(full.contains(shown), "{shown}:\n{full}");
    }
}

/// With more reasons than room, the winner's heaviest come first and the heaviest reason for
/// the runner-up takes the last place.
#[test]
fn the_short_report_keeps_the_heaviest_reasons_and_what_the_verdict_beat() {
    let out = stdout_of(
        &mlstack()
            .args([
                "recommend",
                "--model-type",
                "audio",
                "--needs",
                "custom-sampling",
            ])
            .args(["--battery", "critical", "--hardware", "neural-engine"])
            .assert()
            .success(),
    );
    let why = items(&section(&out, "Why"));
    let points: Vec<&str> = why.iter().map(|w| w.split(':').next().unwrap()).collect();
    assert_eq!(
        points,
        ["+3 Core ML", "+3 Core ML", "+6 MLX", "Ruled out"],
        "{why:?}"
    );
}

#[test]
fn close_calls_say_so_and_say_how_to_settle_them() {
    let args = [
        "--model-type",
        "llm",
        "--model-size",
        "under-1b",
        "--battery",
        "critical",
        "--hardware",
        "neural-engine",
    ];
    let assert = mlstack().arg("recommend").args(args).assert().success();
    let out = stdout_of(&assert);
    assert!(
        out.starts_with("Recommendation: Core ML [core-ml] (close-call, margin 1)"),
        "{out}"
    );
    assert!(out.contains("This is a close call. Settle it on target hardware"));
    let json = recommend_json(&args);
    assert_eq!(json["confidence"], "close-call");
    assert!(
        json["close_call"]
            .as_str()
            .unwrap()
            .contains("Neural Engine residency")
    );
}

#[test]
fn expect_gate_passes_and_fails_with_exit_codes() {
    mlstack()
        .args(["recommend", "--model-type", "llm", "--expect", "mlx"])
        .assert()
        .code(0);
    let assert = mlstack()
        .args([
            "recommend",
            "--model-type",
            "llm",
            "--expect",
            "core-ml",
            "--format",
            "json",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "--expect core-ml (Core ML) failed: the recommendation is mlx (MLX)",
        ));
    // The verdict is still printed, so the CI log shows why the gate failed.
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&assert)).unwrap();
    assert_eq!(json["recommendation"]["id"], "mlx");
}

/// `--expect` takes what the report prints as well as ids, in any case.
#[test]
fn expect_takes_ids_and_names_in_any_case() {
    for given in ["mlx", "MLX", "Mlx"] {
        mlstack()
            .args(["recommend", "--model-type", "llm", "--expect", given])
            .assert()
            .code(0);
    }
    for given in ["both", "BOTH", "Core ML + MLX", "core ml + mlx"] {
        mlstack()
            .args([
                "recommend",
                "--model-type",
                "llm,vision",
                "--ane-compatible",
                "yes",
            ])
            .args(["--expect", given])
            .assert()
            .code(0);
    }
    // A name's parenthetical may be left out; a wrong one still fails the gate, by name.
    mlstack()
        .args(["recommend", "--model-type", "llm", "--expect", "Built-in"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "--expect built-in (Built-in (no model to ship)) failed",
        ));
    // Other enumerated flags ignore case too.
    mlstack()
        .args([
            "recommend",
            "--model-type",
            "llm",
            "--format",
            "JSON",
            "--color",
            "NEVER",
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("{"));
}

/// `--min-os` takes a deployment target as Xcode or a platform writes it and maps it to the
/// floor of its year, saying which it used.
#[test]
fn min_os_takes_releases_as_xcode_writes_them() {
    let cases = [
        ("17", "17", false),
        ("17.0", "17", true),
        ("17.4", "17", true),
        ("26.1", "26", true),
        ("ios17.4", "17", true),
        ("iOS18.2", "18", true),
        ("macos14.5", "17", true),
        ("macOS15", "18", true),
        ("macos10.15", "15", true),
        ("tvos17.1", "17", true),
        ("watchos10.2", "17", true),
        ("watchos7", "15", true),
        ("visionos1.2", "17", true),
        ("visionos2.0", "18", true),
        ("12", "15", true),
        ("14", "15", true),
        ("27.0.1", "27", true),
    ];
    for (given, floor, noted) in cases {
        let assert = mlstack()
            .args([
                "recommend",
                "--model-type",
                "llm",
                "--format",
                "json",
                "--min-os",
                given,
            ])
            .assert()
            .success();
        let json: serde_json::Value = serde_json::from_str(&stdout_of(&assert)).unwrap();
        assert_eq!(json["answers"]["min-os"], floor, "--min-os {given}");
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
        assert_eq!(
            stderr.contains(&format!("using {floor} (iOS {floor}")),
            noted,
            "--min-os {given}: {stderr}"
        );
    }
    // Only a question whose options are versions reads releases.
    mlstack()
        .args(["recommend", "--model-type", "llm", "--platform", "ios17"])
        .assert()
        .code(2);
    for wrong in [
        "ios",
        "17.4.1.2",
        "seventeen",
        "ios-17",
        "ios19",
        "25",
        "macos16",
        "0",
        "1000",
    ] {
        mlstack()
            .args(["recommend", "--model-type", "llm", "--min-os", wrong])
            .assert()
            .code(2)
            .stdout("");
    }
}

/// Every fact a reason, an exclusion or a note cites comes with its claim and reference, and
/// the report says what date the rules' knowledge is as of.
#[test]
fn every_cited_fact_travels_with_the_verdict() {
    let json = recommend_json(&["--model-type", "llm"]);
    assert_eq!(json["rules"]["as_of"], "2026-11-30");
    let references = json["references"].as_object().expect("references");
    let cites = json["rationale"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["cite"].as_str().unwrap())
        .chain(
            json["excluded"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["source"].as_str().unwrap()),
        )
        .collect::<Vec<_>>()
        .join("; ");
    // `facts L2` (Core AI needs OS 27) rules Core AI out at the default floor.
    assert!(cites.contains("facts L2"), "{cites}");
    assert!(
        references["L2"]["reference"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    assert!(
        references["L2"]["claim"]
            .as_str()
            .unwrap()
            .contains("OS 27")
    );
    mlstack()
        .args(["recommend", "--model-type", "llm"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "knowledge as of 2026-11-30\nWhere each reason comes from: mlstack sources",
        ));
    mlstack()
        .args(["recommend", "--model-type", "llm", "--full"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "knowledge as of 2026-11-30 (mlstack sources)",
        ));
}

/// A note about some outcomes shows only when one of them is recommended, or is the
/// runner-up of a close call.
#[test]
fn notes_show_only_for_the_outcomes_they_concern() {
    let has = |json: &serde_json::Value, start: &str| {
        json["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["text"].as_str().unwrap().starts_with(start))
    };
    let simulator = "If MLX is part of the answer";
    let core_ai_simulator = "Core AI does not run in the Simulator";
    // MLX recommended: its Simulator note shows; Core ML's KV-cache note does not.
    let mlx = recommend_json(&["--model-type", "llm"]);
    assert_eq!(mlx["recommendation"]["id"], "mlx");
    assert!(has(&mlx, simulator));
    assert!(!has(&mlx, "Core ML can hold a KV cache"));
    // Core AI recommended, strongly enough: no MLX notes, Core AI's instead.
    let core_ai = recommend_json(&["--model-type", "llm", "--min-os", "27"]);
    assert_eq!(core_ai["recommendation"]["id"], "core-ai");
    assert!(!has(&core_ai, simulator));
    assert!(!has(&core_ai, "LLM weights can exceed iOS memory limits"));
    assert!(has(&core_ai, core_ai_simulator));
    // A close call: the runner-up's notes show too.
    let close = recommend_json(&[
        "--model-type",
        "vision",
        "--min-os",
        "27",
        "--background",
        "yes",
    ]);
    assert_eq!(
        (
            close["recommendation"]["id"].as_str(),
            close["confidence"].as_str(),
            close["runner_up"].as_str()
        ),
        (Some("core-ml"), Some("close-call"), Some("core-ai"))
    );
    assert!(has(&close, core_ai_simulator));
    // --explain's trace still lists every note, applied or not.
    let assert = mlstack()
        .args([
            "recommend",
            "--model-type",
            "llm",
            "--min-os",
            "27",
            "--explain",
        ])
        .assert()
        .success();
    assert!(stdout_of(&assert).contains("mlx-not-in-simulator"));
}

#[test]
fn unknown_expect_outcome_is_a_usage_error_with_a_suggestion() {
    mlstack()
        .args(["recommend", "--model-type", "llm", "--expect", "coreml"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("'core-ml'"));
}

#[test]
fn missing_required_answer_names_the_flag() {
    mlstack()
        .arg("recommend")
        .assert()
        .code(2)
        .stdout("")
        .stderr("mlstack: error: missing required answer: pass --model-type\n");
}

#[test]
fn bad_flag_values_are_usage_errors() {
    for args in [
        &["--model-type", "lllm"][..],
        &["--model-type", "llm", "--hardware", "tpu"],
        &[
            "--model-type",
            "llm",
            "--hardware",
            "gpu",
            "--hardware",
            "cpu",
        ],
        &["--model-type", "llm", "--needs", "none,kv-cache"],
        &["--model-type", "llm", "--format", "yaml"],
        &["--model-type", "llm", "--no-such-flag"],
    ] {
        let assert = mlstack()
            .arg("recommend")
            .args(args)
            .assert()
            .code(2)
            .stdout("");
        assert!(!stderr_of(&assert).is_empty(), "{args:?} explains itself");
    }
}

#[test]
fn none_cannot_be_combined_and_the_message_names_the_flag() {
    mlstack()
        .args([
            "recommend",
            "--model-type",
            "llm",
            "--needs",
            "kv-cache",
            "--needs",
            "none",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--needs: `none` stands for no selection",
        ));
}

#[test]
fn contradictory_platforms_leave_nothing_and_say_why() {
    mlstack()
        .args([
            "recommend",
            "--model-type",
            "llm",
            "--platform",
            "watchos,linux",
        ])
        .assert()
        // No stack fits: an answer, not an error (exit 0, the report on stdout).
        .success()
        .stderr("")
        .stdout(predicate::str::starts_with(
            "Recommendation: none (no stack fits these answers)",
        ))
        .stdout(predicate::str::contains("no-core-ml-on-linux"))
        .stdout(predicate::str::contains("no-mlx-on-watchos"))
        // What to do instead: the nearest answers that make a stack possible, and the note
        // on running one engine everywhere.
        .stdout(predicate::str::contains(
            "What would make a stack possible\n- --platform watchos (now platform watchos,linux) -> Core ML",
        ))
        .stdout(predicate::str::contains("No single stack covers these platforms"));
    // In JSON: a null recommendation with what rules each stack out and what to relax.
    let json = recommend_json(&["--model-type", "llm", "--platform", "watchos,linux"]);
    assert!(json["recommendation"].is_null(), "{json}");
    assert!(json["models"][0]["recommendation"].is_null());
    assert!(json["confidence"].is_null() && json["margin"].is_null());
    assert!(json["excluded"].as_array().unwrap().len() >= 2);
    assert_eq!(json["flips"][0]["recommendation"], "core-ml");
    // A gate on it fails (1), naming that nothing fits.
    mlstack()
        .args([
            "recommend",
            "--model-type",
            "llm",
            "--platform",
            "watchos,linux",
        ])
        .args(["--expect", "mlx"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no stack fits"));
}

/// A verdict with no runner-up has no lead: when its points rest on answers nobody gave, the
/// text says it is the only stack allowed and counts its own points (a vision model for the
/// watch, where Core ML's only points come from the assumed `--iteration stable`); answered,
/// it is strong.
#[test]
fn an_only_outcome_resting_on_assumed_answers_says_so_without_a_lead() {
    let args = [
        "recommend",
        "--model-type",
        "vision",
        "--platform",
        "watchos",
    ];
    let out = stdout_of(&mlstack().args(args).assert().success());
    assert!(
        out.starts_with(
            "Recommendation: Core ML [core-ml] (moderate, the only outcome the constraints allow)"
        ),
        "{out}"
    );
    let basis = out.split("\n\n").nth(1).unwrap().replace('\n', " ");
    assert!(
        basis.contains("it is the only stack the constraints allow, but counting only the answers given it has fewer than 4 points"),
        "{basis}"
    );
    assert!(
        basis.contains("(--iteration)") && !basis.contains("lead"),
        "{basis}"
    );
    let answered = stdout_of(
        &mlstack()
            .args(args)
            .args(["--iteration", "stable"])
            .assert()
            .success(),
    );
    assert!(answered.contains("(strong, the only outcome the constraints allow)"));
}

/// A built-in framework's description is a note for the verdict that uses it: offline, Speech
/// is ruled out (its models download on first use) and the verdict, Core ML, does not describe
/// SpeechAnalyzer; online it is the verdict and does.
#[test]
fn a_built_in_framework_is_described_only_where_it_is_the_answer() {
    let args = ["recommend", "--model-type", "audio", "--built-in", "speech"];
    let online = stdout_of(&mlstack().args(args).assert().success());
    assert!(online.starts_with("Recommendation: Built-in"), "{online}");
    assert!(online.contains("SpeechAnalyzer transcribes"), "{online}");
    let offline = stdout_of(
        &mlstack()
            .args(args)
            .args(["--distribution", "offline"])
            .assert()
            .success(),
    );
    assert!(offline.starts_with("Recommendation: Core ML"), "{offline}");
    assert!(!offline.contains("SpeechAnalyzer transcribes"), "{offline}");
}

/// A language model that must also run on Intel Macs: Core ML by elimination (moderate, and
/// it says so), with a note naming llama.cpp as the engine that serves both kinds of Mac; with
/// a GGUF file in hand, llama.cpp on the CPU of Intel Macs.
#[test]
fn a_language_model_for_intel_macs_too_hears_of_llama_cpp() {
    let args = [
        "recommend",
        "--model-type",
        "llm",
        "--platform",
        "macos,intel-mac",
    ];
    // llama.cpp is the verdict (session 16; it was Core ML by elimination, with llama.cpp in a
    // note), running on the CPU of Intel Macs.
    let out = stdout_of(&mlstack().args(args).assert().success());
    assert!(
        out.starts_with("Recommendation: Cross-platform runtime [cross-platform] (moderate"),
        "{out}"
    );
    assert!(
        out.contains("Runtime: llama.cpp, on its Metal backend on Apple silicon and its CPU backend on Intel Macs"),
        "{out}"
    );
    // A model already converted to Core ML stays there, and the note names the other path.
    let converted = stdout_of(
        &mlstack()
            .args(args)
            .args(["--converted", "core-ml"])
            .assert()
            .success(),
    );
    assert!(
        converted.starts_with("Recommendation: Core ML [core-ml]"),
        "{converted}"
    );
    assert!(
        converted.contains("The other path for a language model on both kinds of Mac is llama.cpp"),
        "{converted}"
    );
    // An OS 27 floor leaves no Intel Mac to run it: said.
    let on_27 = stdout_of(
        &mlstack()
            .args(args)
            .args(["--min-os", "27"])
            .assert()
            .success(),
    );
    assert!(
        on_27.contains("macOS 26 is the last release for\n  Intel Macs")
            || on_27.contains("macOS 26 is the last release for Intel"),
        "{on_27}"
    );
    let gguf = stdout_of(
        &mlstack()
            .args(args)
            .args(["--converted", "gguf"])
            .assert()
            .success(),
    );
    assert!(
        gguf.contains("Runtime: llama.cpp, on its Metal backend on Apple silicon and its CPU backend on Intel Macs"),
        "{gguf}"
    );
}

/// A question that does not apply to the model (never asked of it) is not an answer its
/// verdict rests on: a battery-critical gesture classifier on the watch is Core ML, strong,
/// though a rule for language models reads the (unasked) model size.
#[test]
fn a_question_that_does_not_apply_is_not_an_assumption_the_verdict_rests_on() {
    let out = stdout_of(
        &mlstack()
            .args([
                "recommend",
                "--model-type",
                "classifier",
                "--platform",
                "watchos",
            ])
            .args([
                "--min-os",
                "26",
                "--battery",
                "critical",
                "--ane-compatible",
                "yes",
            ])
            .assert()
            .success(),
    );
    assert!(
        out.starts_with("Recommendation: Core ML [core-ml] (strong, the only outcome"),
        "{out}"
    );
    assert!(!out.contains("model-size"), "{out}");
}

/// The one-screen "Why" keeps the reason that set the winner apart, even when heavier reasons
/// gave the runner-up as much: a PyTorch vision model for the Neural Engine on iOS 27 is Core
/// AI by 2 over Core ML, and only Apple's stated path on OS 27 gives Core AI alone its points.
#[test]
fn the_short_report_keeps_the_reason_that_separated_the_winner() {
    let out = stdout_of(
        &mlstack()
            .args(["recommend", "--model-type", "vision", "--min-os", "27"])
            .args(["--prototype-in", "pytorch", "--ane-compatible", "yes"])
            .assert()
            .success(),
    );
    assert!(
        out.starts_with("Recommendation: Core AI [core-ai] (moderate, margin 2)"),
        "{out}"
    );
    let why = out
        .split("\nWhy\n")
        .nth(1)
        .unwrap()
        .split("\n\n")
        .next()
        .unwrap();
    assert!(
        why.contains("- +2 Core AI: On OS 27 Apple's stated path"),
        "{why}"
    );
}

/// A report where no stack fits still says what it assumed (in a line, or every answer with
/// `--full`), shows the trace with `--explain`, in the table and in Markdown, and keeps only
/// the notes on what relaxing an answer makes possible: a share extension's summarizer can only
/// become MLX (drop the extension), so the note on Core ML's KV cache is not shown.
#[test]
fn a_report_where_nothing_fits_keeps_its_assumptions_trace_and_relevant_notes() {
    let args = [
        "recommend",
        "--model-type",
        "llm",
        "--model-size",
        "under-1b",
        "--needs",
        "app-extension",
    ];
    let brief = stdout_of(&mlstack().args(args).assert().success());
    assert!(brief.contains("-> MLX"), "{brief}");
    let assumed = brief
        .lines()
        .find(|l| l.starts_with("Assumed (not answered): "))
        .unwrap_or_default();
    assert!(assumed.contains("min-os 26"), "{brief}");
    // A note about a stack one of the flips makes possible is relevant: a model under 100M
    // parameters fits the extension on Core ML, so Core ML's note on the cache shows.
    assert!(
        brief.contains("--model-size under-100m (now model-size under-1b) -> Core ML"),
        "{brief}"
    );
    assert!(brief.contains("KV cache as model state"), "{brief}");
    // The constraint that rules out every stack comes first.
    let first = brief.split("Ruled out\n- ").nth(1).unwrap();
    let first = first.split("\n- ").next().unwrap();
    assert!(
        first.contains("(no-language-model-in-an-extension;"),
        "{first}"
    );
    assert!(brief.contains("Increased Memory Limit"), "{brief}");
    let explain = stdout_of(&mlstack().args(args).arg("--explain").assert().success());
    for section in ["\nAssumed (not answered; defaults used)\n", "\nTrace\n"] {
        assert!(explain.contains(section), "{section}: {explain}");
    }
    assert!(explain.contains("no-language-model-in-an-extension"));
    let markdown = stdout_of(
        &mlstack()
            .args(args)
            .args(["--explain", "--format", "markdown"])
            .assert()
            .success(),
    );
    for section in ["## Assumed (not answered)\n", "## Trace\n"] {
        assert!(markdown.contains(section), "{section}: {markdown}");
    }
}

/// What no stack can run is "none", never the survivor of the constraints (issue 24): a 3B
/// language model inside an Apple Watch app, an over-8B one in an iPhone app, fine-tuning a
/// language model while the iOS app is in the background. Each names the constraint and what to
/// relax.
#[test]
fn what_no_stack_can_run_is_none_with_what_to_relax() {
    for (args, constraint, relax) in [
        (
            &[
                "--model-type",
                "llm",
                "--model-size",
                "1b-to-4b",
                "--platform",
                "watchos",
            ][..],
            "no-language-model-of-1b-or-more-on-the-watch",
            "--model-size under-1b (now model-size 1b-to-4b) -> Core ML",
        ),
        (
            &[
                "--model-type",
                "llm",
                "--model-size",
                "over-8b",
                "--platform",
                "ios",
            ],
            "over-8b-does-not-fit-an-iphone-app",
            "--model-size 4b-to-8b (now model-size over-8b) -> MLX",
        ),
        (
            &[
                "--model-type",
                "llm",
                "--model-size",
                "1b-to-4b",
                "--needs",
                "on-device-training",
                "--background",
                "yes",
            ],
            "core-ml-cannot-fine-tune-a-language-model",
            "--background no (now background yes) -> MLX",
        ),
    ] {
        let out = stdout_of(&mlstack().arg("recommend").args(args).assert().success());
        assert!(
            out.starts_with("Recommendation: none (no stack fits these answers)"),
            "{out}"
        );
        assert!(out.contains(constraint), "{out}");
        assert!(out.contains(relax), "{out}");
        let json = recommend_json(args);
        assert!(json["recommendation"].is_null(), "{json}");
        // "Not sure yet" is never a relaxation: forgetting an answer changes no app.
        let flips = json["flips"].as_array().unwrap();
        assert!(
            flips.iter().all(|f| f["to"] != "unknown"
                && f["also"]
                    .as_array()
                    .is_none_or(|a| a.iter().all(|c| c["to"] != "unknown"))),
            "{json}"
        );
    }
    // For a 3B model on the watch, the nearest platforms are the common ones: the iPhone
    // before an Intel Mac.
    let out = stdout_of(
        &mlstack()
            .args([
                "recommend",
                "--model-type",
                "llm",
                "--model-size",
                "1b-to-4b",
            ])
            .args(["--platform", "watchos"])
            .assert()
            .success(),
    );
    let shown: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("What would make a stack possible"))
        .skip(1)
        .take_while(|l| l.starts_with("- "))
        .collect();
    assert_eq!(
        shown,
        [
            "- --model-size under-1b (now model-size 1b-to-4b) -> Core ML",
            "- --platform ios (now platform watchos) -> MLX",
            "- --platform intel-mac (now platform watchos) -> Cross-platform runtime"
        ],
        "{out}"
    );
}

/// The engine's backend follows the answers (session 18, a reviewer's VoIP noise model): a
/// team that asks for the CPU gets the CPU path (XNNPACK, ONNX Runtime's CPU provider), an iOS
/// 16 floor gets ONNX Runtime since ExecuTorch's package starts at iOS 17 (fact S10), and a
/// language model in the iOS background runs llama.cpp on the CPU (no GPU work there, J1).
#[test]
fn the_cross_platform_runtime_follows_the_cpu_the_floor_and_the_background() {
    let audio = "--model-type audio --portability android";
    for (args, name, backend) in [
        (
            format!("{audio} --hardware cpu --min-os 17"),
            "ExecuTorch",
            "its XNNPACK backend on the CPU",
        ),
        (
            format!("{audio} --min-os 17"),
            "ExecuTorch",
            "its Core ML backend",
        ),
        (
            format!("{audio} --min-os 16"),
            "ONNX Runtime",
            "its Core ML execution provider",
        ),
        (
            format!("{audio} --min-os 16 --hardware cpu"),
            "ONNX Runtime",
            "its CPU execution provider",
        ),
        (
            "--model-type vision --converted onnx --hardware cpu".to_owned(),
            "ONNX Runtime",
            "its CPU execution provider",
        ),
        (
            "--model-type llm --converted gguf --background yes".to_owned(),
            "llama.cpp",
            "its CPU path",
        ),
    ] {
        let words: Vec<&str> = args.split(' ').collect();
        let json = recommend_json(&words);
        assert_eq!(
            json["recommendation"]["id"], "cross-platform",
            "{args}: {json}"
        );
        let runtime = &json["models"][0]["runtime"];
        assert_eq!(runtime["name"], name, "{args}");
        let text = runtime["backend"].as_str().unwrap();
        assert!(text.starts_with(backend), "{args}: {text}");
    }
}

/// One engine for iOS and Android is a cross-platform runtime, and the verdict names it: no
/// Apple stack runs on Android (issue 24). Its confidence says which Apple stack it gives up.
#[test]
fn an_engine_shared_with_android_is_a_cross_platform_runtime_named_by_the_verdict() {
    let runtime = |args: &[&str]| {
        let json = recommend_json(args);
        assert_eq!(json["recommendation"]["id"], "cross-platform", "{json}");
        json["models"][0]["runtime"]["name"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        runtime(&["--model-type", "llm", "--portability", "android"]),
        "llama.cpp"
    );
    assert_eq!(
        runtime(&["--model-type", "vision", "--portability", "android"]),
        "ExecuTorch"
    );
    assert_eq!(
        runtime(&[
            "--model-type",
            "vision",
            "--converted",
            "onnx",
            "--portability",
            "android"
        ]),
        "ONNX Runtime"
    );
    assert_eq!(
        runtime(&[
            "--model-type",
            "classifier",
            "--model-kind",
            "classical",
            "--portability",
            "android"
        ]),
        "ONNX Runtime"
    );
    // A Keras model has its own engine (issue 24: the framework the model is written in).
    assert_eq!(
        runtime(&[
            "--model-type",
            "vision",
            "--converted",
            "tensorflow",
            "--portability",
            "android"
        ]),
        "LiteRT"
    );
    // Android and a Windows build at once: `--portability` takes both.
    assert_eq!(
        runtime(&[
            "--model-type",
            "llm",
            "--platform",
            "ios,macos",
            "--portability",
            "desktop,android"
        ]),
        "llama.cpp"
    );
    let json = recommend_json(&["--model-type", "llm", "--portability", "android"]);
    assert_eq!(json["confidence"], "moderate");
    assert_eq!(json["confidence_basis"]["rests_on"], "elimination");
    let notes = note_texts(&json);
    assert!(
        notes.iter().any(|n| {
            n.starts_with("Which engine") && n.contains("ExecuTorch") && n.contains("llama.cpp")
        }),
        "{notes:?}"
    );
    let out = stdout_of(
        &mlstack()
            .args([
                "recommend",
                "--model-type",
                "llm",
                "--portability",
                "android",
            ])
            .assert()
            .success(),
    );
    assert!(
        out.starts_with("Recommendation: Cross-platform runtime [cross-platform]"),
        "{out}"
    );
    assert!(
        out.contains("\nRuntime: llama.cpp, on its Metal backend"),
        "{out}"
    );
    // An app without a reason for one never hears of it.
    let json = recommend_json(&["--model-type", "llm"]);
    assert_eq!(json["recommendation"]["id"], "mlx");
    assert!(json["models"][0]["runtime"].is_null());
}

#[test]
fn help_lists_question_flags_with_their_options() {
    let assert = mlstack().args(["recommend", "--help"]).assert().success();
    let out = stdout_of(&assert);
    assert!(out.contains("Questions:"), "{out}");
    assert!(out.contains("--model-type <VALUE>"));
    assert!(out.contains("neural-engine"));
    assert!(out.contains("[default: stable]"));
    assert!(out.contains("(required)"));
}

#[test]
fn no_arguments_without_a_terminal_is_a_usage_error_with_the_help() {
    mlstack()
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "no command, and no terminal to ask the questions in",
        ))
        .stderr(predicate::str::contains("Usage: mlstack [COMMAND]"));
}

#[test]
fn closed_stdout_ends_quietly() {
    // `| head -c1`: the reader goes away after one byte.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("mlstack"))
        .args(["recommend", "--model-type", "llm,vision"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

#[test]
fn questions_lists_every_question() {
    let assert = mlstack()
        .args(["questions", "--format", "json"])
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&assert)).unwrap();
    assert_eq!(json["schema_version"], 1);
    let ids: Vec<&str> = json["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "model-type",
            "model-size",
            "min-os",
            "built-in",
            "apple-intelligence",
            "unavailable",
            "model-kind",
            "converted",
            "hardware",
            "iteration",
            "prototype-in",
            "battery",
            "needs",
            "decoding",
            "ane-compatible",
            "portability",
            "distribution",
            "platform",
            "background"
        ]
    );
    mlstack()
        .arg("questions")
        .assert()
        .success()
        .stdout(predicate::str::contains("--model-type"));
}

#[test]
fn a_piped_stdin_is_never_read_unless_named() {
    // stdin that never closes: recommend must not wait on it.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("mlstack"))
        .args(["recommend", "--model-type", "llm", "--format", "json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let _keep_open = child.stdin.take();
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success());
            break;
        }
        if started.elapsed() > std::time::Duration::from_secs(30) {
            child.kill().unwrap();
            panic!("recommend waited on a stdin it was not asked to read");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn a_bundled_llm_hears_about_mlx_binary_size() {
    let json = recommend_json(&["--model-type", "llm", "--distribution", "bundled"]);
    let notes = note_texts(&json);
    assert!(
        notes.iter().any(|n| n.contains("Metal library")),
        "{notes:?}"
    );
}

#[test]
fn flag_values_ignore_case_and_near_misses_get_a_suggestion() {
    let json = recommend_json(&[
        "--model-type",
        "LLM",
        "--hardware",
        "GPU",
        "--min-os",
        "MacOS14",
    ]);
    assert_eq!(json["answers"]["hardware"], "gpu");
    assert_eq!(json["answers"]["model-type"][0], "llm");
    assert_eq!(json["answers"]["min-os"], "17");
    mlstack()
        .args(["recommend", "--model-type", "lm"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("a similar value exists: 'llm'"));
}

/// A change the rule file calls contradictory (a note marked `contradiction`: iPhones before
/// the iPhone 12 for a Mac-only app, an OS 27 floor with Intel Macs) describes no app, so it
/// is not offered as what would change the verdict; answers already contradictory keep theirs.
#[test]
fn contradictory_answers_are_not_offered_as_changes() {
    let offers = |args: &[&str], question: &str, option: &str| {
        let json = recommend_json(args);
        json["flips"].as_array().unwrap().iter().any(|f| {
            std::iter::once(f)
                .chain(f["also"].as_array().into_iter().flatten())
                .any(|c| {
                    c["question"] == question
                        && match &c["to"] {
                            serde_json::Value::Array(v) => v.iter().any(|o| o == option),
                            v => v == option,
                        }
                })
        })
    };
    let mac = [
        "--model-type",
        "llm",
        "--model-size",
        "over-8b",
        "--platform",
        "macos",
    ];
    assert!(!offers(&mac, "needs", "older-devices"));
    // On iPhone the same change is real: MLX does not run on A12 and A13 GPUs.
    let iphone = ["--model-type", "llm", "--platform", "ios"];
    assert!(offers(&iphone, "needs", "older-devices"));
    let both_macs = ["--model-type", "vision", "--platform", "macos,intel-mac"];
    assert!(!offers(&both_macs, "min-os", "27"));
    assert!(offers(
        &["--model-type", "vision", "--platform", "macos"],
        "min-os",
        "27"
    ));
}

/// A list with a comma too many, or an option twice, is named for what it is (clap said no
/// value was supplied; `vision,vision` silently made one model of two).
#[test]
fn an_empty_or_repeated_value_in_a_list_is_named() {
    mlstack()
        .args([
            "recommend",
            "--model-type",
            "vision",
            "--needs",
            "kv-cache,",
        ])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "--needs has an empty value in its list (a comma too many?)",
        ));
    mlstack()
        .args(["recommend", "--model-type", "vision,vision"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "`model-type` lists `vision` twice; two models of one kind need names of their own",
        ));
    mlstack()
        .args([
            "recommend",
            "--model-type",
            "vision",
            "--needs",
            "simulator,SIMULATOR",
        ])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("`needs` lists `simulator` twice"))
        .stderr(predicate::str::contains("models:").not());
}

#[test]
fn expect_takes_a_stack_a_name_or_one_models_stack() {
    let gate = |expect: &str| {
        mlstack()
            .args([
                "recommend",
                "--model-type",
                "llm",
                "--no-input",
                "--expect",
                expect,
            ])
            .assert()
    };
    for ok in ["mlx", "MLX", "llm=mlx", "LLM=Mlx"] {
        gate(ok).success();
    }
    gate("llm=core-ml").code(1).stderr(predicate::str::contains(
        "--expect llm=core-ml (Core ML) failed: llm is mlx (MLX)",
    ));
    gate("vision=mlx")
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "the app has no model named 'vision' (its models: llm)",
        ));
    gate("llm=tflite")
        .code(2)
        .stderr(predicate::str::contains("invalid value 'llm=tflite'"));
}

#[test]
fn each_model_gets_its_own_verdict_and_the_app_a_plan() {
    // Two model types are two models; the use-both pattern says why the plan is two stacks.
    let json = recommend_json(&["--model-type", "vision,llm", "--ane-compatible", "yes"]);
    assert_eq!(json["recommendation"]["id"], "core-ml+mlx");
    assert_eq!(json["recommendation"]["name"], "Core ML + MLX");
    let models: Vec<(&str, &str)> = json["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["name"].as_str().unwrap(),
                m["recommendation"]["id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(models, [("llm", "mlx"), ("vision", "core-ml")]);
    assert_eq!(json["plan_rationale"][0]["rule"], "use-both-pattern");
    // The app's answers at the top, each model's own in its entry; the model size reaches only
    // the model it fits (a vision model has no parameter count to ask about).
    assert!(json["answers"].get("hardware").is_none());
    assert_eq!(json["answers"]["platform"], serde_json::json!(["ios"]));
    let json = recommend_json(&["--model-type", "vision,llm", "--model-size", "1b-to-4b"]);
    assert_eq!(json["models"][0]["answers"]["model-size"], "1b-to-4b");
    assert_eq!(json["models"][1]["answers"]["model-size"], "unknown");
    // A VLM whose encoder suits the Neural Engine is two models of the plan.
    let json = recommend_json(&["--model-type", "vlm", "--ane-compatible", "yes"]);
    assert_eq!(json["recommendation"]["id"], "core-ml+mlx");
    assert_eq!(json["models"][0]["name"], "vlm-encoder");
    assert_eq!(json["models"][1]["name"], "vlm-language-model");
    assert_eq!(json["models"][1]["answers"]["ane-compatible"], "unknown");
    // On OS 27 with nothing changing, one runtime serves both: no use-both reason.
    let json = recommend_json(&["--model-type", "vision,llm", "--min-os", "27"]);
    assert_eq!(json["recommendation"]["id"], "core-ai");
    assert_eq!(json["plan_rationale"], serde_json::json!([]));
    // A model a point from Core AI moves there when the other runs on it; the plan says so.
    let args = [
        "--model-type",
        "vision,llm",
        "--min-os",
        "27",
        "--hardware",
        "gpu",
        "--needs",
        "dynamic-shapes",
    ];
    let json = recommend_json(&args);
    assert_eq!(json["recommendation"]["id"], "core-ai");
    assert_eq!(json["models"][0]["recommendation"]["id"], "mlx");
    assert_eq!(json["recommendation"]["models"][0]["stack"], "core-ai");
    let rule = &json["plan_rationale"][0];
    assert_eq!(rule["rule"], "core-ai-one-runtime-for-both-layers");
    assert_eq!(
        rule["moved"],
        serde_json::json!([{"model": "llm", "from": "mlx", "to": "core-ai"}])
    );
    let out = stdout_of(&mlstack().arg("recommend").args(args).assert().success());
    assert!(out.starts_with("Plan: Core AI [core-ai]\n"), "{out}");
    assert!(
        out.contains("- llm: Core AI (its own verdict: MLX; see why below)"),
        "{out}"
    );
    assert!(out.contains("\nWhy this plan\n"), "{out}");
    assert!(out.contains("\nModel llm: MLX [mlx] ("), "{out}");
    assert!(out.contains("\nModel vision: Core AI [core-ai] ("), "{out}");
}

#[test]
fn flags_reach_the_models_they_are_for() {
    let stacks = |json: &serde_json::Value| -> Vec<(String, String)> {
        json["models"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["name"].as_str().unwrap().to_owned(),
                    m["recommendation"]["id"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter().map(|(a, b)| ((*a).into(), (*b).into())).collect()
    };
    // The system model replaces the text model only; the vision model still ships.
    let json = recommend_json(&[
        "--model-type",
        "vision,llm",
        "--built-in",
        "llm=foundation-models",
        "--apple-intelligence",
        "yes",
    ]);
    assert_eq!(json["recommendation"]["id"], "built-in+core-ml");
    assert_eq!(
        stacks(&json),
        pairs(&[("llm", "built-in"), ("vision", "core-ml")])
    );
    // Each framework goes to the model it is for: the app ships no model at all.
    let json = recommend_json(&[
        "--model-type",
        "audio,llm",
        "--built-in",
        "speech,foundation-models",
        "--apple-intelligence",
        "yes",
    ]);
    assert_eq!(json["recommendation"]["id"], "built-in");
    assert_eq!(
        json["models"][0]["answers"]["built-in"],
        "foundation-models"
    );
    assert_eq!(json["models"][1]["answers"]["built-in"], "speech");
    // Decoding needs are a generative model's: they do not reach the vision model.
    let json = recommend_json(&[
        "--model-type",
        "vision,llm",
        "--needs",
        "custom-sampling,dynamic-shapes",
    ]);
    assert_eq!(
        json["models"][0]["answers"]["needs"],
        serde_json::json!(["custom-sampling", "dynamic-shapes"])
    );
    assert_eq!(
        json["models"][1]["answers"]["needs"],
        serde_json::json!(["dynamic-shapes"])
    );
    // A qualified value beats the shared one.
    let json = recommend_json(&[
        "--model-type",
        "vision,llm",
        "--hardware",
        "gpu",
        "--hardware",
        "vision=neural-engine",
    ]);
    assert_eq!(json["models"][0]["answers"]["hardware"], "gpu");
    assert_eq!(json["models"][1]["answers"]["hardware"], "neural-engine");
    // What cannot be placed is a usage error that says why, with nothing on stdout.
    for (args, says) in [
        (
            &[
                "--model-type",
                "llm",
                "--built-in",
                "speech,foundation-models",
            ][..],
            "--built-in takes one option per model, and the app has one model",
        ),
        (
            &[
                "--model-type",
                "audio,llm",
                "--built-in",
                "speech,translation,foundation-models",
            ][..],
            "--built-in translation and foundation-models are both for model llm",
        ),
        (
            &[
                "--model-type",
                "vision,llm",
                "--model-size",
                "audio=1b-to-4b",
            ][..],
            "the app has no model named 'audio' (its models: llm, vision)",
        ),
        (
            &[
                "--model-type",
                "vision,llm",
                "--built-in",
                "vision,natural-language",
            ][..],
            "--built-in natural-language: no model of the app (llm, vision) is one it is for",
        ),
    ] {
        mlstack()
            .arg("recommend")
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(says));
    }
    mlstack()
        .args(["recommend", "--batch", "-", "--model-size", "llm=1b-to-4b"])
        .write_stdin("{\"model-type\": \"llm\"}\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not read by --batch"));
}

#[test]
fn per_model_answers_survive_save_and_gates_see_every_model() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("app.yaml");
    let args = [
        "--model-type",
        "vision,llm",
        "--model-size",
        "llm=1b-to-4b",
        "--hardware",
        "vision=neural-engine",
        "--built-in",
        "vision,foundation-models",
    ];
    let run = recommend_json(&args);
    assert_eq!(run["recommendation"]["id"], "built-in+mlx");
    mlstack()
        .arg("recommend")
        .args(args)
        .arg("--save-answers")
        .arg(&saved)
        .assert()
        .success();
    let text = std::fs::read_to_string(&saved).unwrap();
    assert!(text.contains("models:\n  - name: \"llm\""), "{text}");
    let replay = recommend_json(&["--answers", saved.to_str().unwrap()]);
    assert_eq!(replay["recommendation"], run["recommendation"]);
    // Every --expect must hold; `none` gates "no stack fits".
    let gate = |expects: &[&str]| {
        let mut cmd = mlstack();
        cmd.args(["recommend", "--model-type", "vision,llm"]);
        for e in expects {
            cmd.args(["--expect", e]);
        }
        cmd.assert()
    };
    gate(&["llm=mlx", "vision=core-ml", "core-ml+mlx"]).success();
    gate(&["llm=mlx", "vision=mlx"])
        .code(1)
        .stderr(predicate::str::contains("vision is core-ml (Core ML)"));
    mlstack()
        .args([
            "recommend",
            "--model-type",
            "llm",
            "--platform",
            "watchos,linux",
        ])
        .args(["--expect", "none"])
        .assert()
        .success();
    // The app's answers are every model's: naming a model in one says so.
    mlstack()
        .args([
            "recommend",
            "--model-type",
            "vision,llm",
            "--platform",
            "llm=macos",
        ])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "--platform is the app's answer, shared by every model",
        ));
    // A model's files speak for the model of their kind only.
    let model = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/models/tiny-llama");
    let assert = mlstack()
        .args([
            "recommend",
            "--format",
            "json",
            "--model-type",
            "vision,llm",
            "--model",
            model,
        ])
        .assert()
        .success()
        .stderr("");
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&assert)).unwrap();
    assert_eq!(json["models"][0]["provenance"]["model-size"], "model");
    assert_eq!(json["models"][1]["provenance"]["model-size"], "default");
    assert!(json["models"][1].get("model").is_none());
}

#[test]
fn a_built_in_framework_must_be_for_the_model_it_reaches() {
    for (args, says) in [
        (
            &["--model-type", "vision", "--built-in", "speech"][..],
            "--built-in speech is not for a model of this kind (vision)",
        ),
        (
            &["--model-type", "vision,llm", "--built-in", "vision=speech"][..],
            "--built-in speech is not for the model vision",
        ),
        (
            &["--model-type", "vision,llm", "--built-in", "speech"][..],
            "--built-in speech: no model of the app (llm, vision) is one it is for",
        ),
    ] {
        mlstack()
            .arg("recommend")
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(says));
    }
    // In a batch, such a line is an error record; the others go on.
    mlstack()
        .args(["recommend", "--batch", "-"])
        .write_stdin(
            "{\"model-type\": \"vision\", \"built-in\": \"speech\"}\n{\"model-type\": \"llm\"}\n",
        )
        .assert()
        .code(2)
        .stdout(predicate::str::contains("is not for a model of this kind"))
        .stdout(predicate::str::contains("\"line\":2"));
}

/// A system model the user named, ruled out only by answers nobody gave (the feature must
/// work everywhere, assumed), leaves the stack of one's own moderate: the verdict would turn
/// over, by far, on those answers. Given, the same verdict is strong.
#[test]
fn a_named_system_model_dropped_by_assumed_answers_is_not_strong() {
    let json = recommend_json(&["--model-type", "llm", "--built-in", "foundation-models"]);
    assert_eq!(json["recommendation"]["id"], "mlx");
    assert_eq!(json["confidence"], "moderate");
    let basis = &json["confidence_basis"];
    assert_eq!(basis["rests_on"], "assumed-answers");
    assert_eq!(basis["outcomes"], serde_json::json!(["built-in"]));
    let questions: Vec<&str> = basis["questions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|q| q.as_str())
        .collect();
    assert!(questions.contains(&"unavailable"), "{basis}");
    assert!(
        basis["text"]
            .as_str()
            .unwrap()
            .starts_with("Moderate, not strong: Built-in (no model to ship) scored well ahead"),
        "{basis}"
    );
    let given = recommend_json(&[
        "--model-type",
        "llm",
        "--built-in",
        "foundation-models",
        "--apple-intelligence",
        "no",
        "--unavailable",
        "must-work",
        "--min-os",
        "26",
    ]);
    assert_eq!(given["recommendation"]["id"], "mlx");
    assert_eq!(given["confidence"], "strong", "{given}");
    // A stack only a little ahead (Core AI, two points, ruled out by the assumed OS 26 floor)
    // leaves the margin to speak: a language model is MLX, strong.
    assert_eq!(
        recommend_json(&["--model-type", "llm"])["confidence"],
        "strong"
    );
}

/// No verdict is strong on defaults or by elimination alone, and the report says what a
/// weaker one rests on; the batch's brief records agree.
#[test]
fn confidence_rests_on_what_was_answered() {
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    // A language model of a size not given, on the watch (from 1B up, nothing fits: below).
    let watch = ["--model-type", "llm", "--platform", "watchos"];
    let out = stdout_of(&mlstack().arg("recommend").args(watch).assert().success());
    assert!(
        out.starts_with(
            "Recommendation: Core ML [core-ml] (moderate, the only outcome the constraints allow)"
        ),
        "{out}"
    );
    assert!(
        words(&out).contains("the constraints left only this stack. MLX and Core AI scored higher and are ruled out (why: --full)"),
        "{out}"
    );
    let vision = stdout_of(
        &mlstack()
            .args(["recommend", "--model-type", "vision"])
            .assert()
            .success(),
    );
    assert!(vision.starts_with("Recommendation: Core ML [core-ml] (moderate, margin 4)"));
    assert!(words(&vision).contains("the rest come from answers nobody gave (--iteration)"));
    // Answering what it rested on makes it strong.
    let json = recommend_json(&["--model-type", "vision", "--iteration", "stable"]);
    assert_eq!(json["confidence"], "strong");
    assert!(json.get("confidence_basis").is_none());

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mlstack"))
        .args(["recommend", "--batch", "-", "--fields", "confidence"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            b"{\"model-type\": \"llm\", \"platform\": \"watchos\"}\n\
              {\"model-type\": \"llm\"}\n",
        )
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let lines: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["confidence"], "moderate");
    assert_eq!(lines[1]["confidence"], "strong");
}

/// The system model is gated: what the feature does where it is missing decides (issue 24).
/// Hidden there, the built-in wins and a note says how to check; with a fallback, the verdict
/// also names the stack to ship for the devices without it; must work everywhere, a model of
/// your own wins as before.
#[test]
fn a_gated_system_model_is_hidden_or_backed_by_a_fallback_where_it_is_missing() {
    let base = [
        "--model-type",
        "llm",
        "--built-in",
        "foundation-models",
        "--apple-intelligence",
        "no",
    ];
    let with = |unavailable: &str| {
        let mut args = base.to_vec();
        args.extend(["--unavailable", unavailable]);
        recommend_json(&args)
    };
    let hide = with("hide");
    assert_eq!(hide["recommendation"]["id"], "built-in");
    assert!(hide["models"][0]["fallback"].is_null());
    assert!(
        hide["notes"].as_array().unwrap().iter().any(|n| n["text"]
            .as_str()
            .unwrap()
            .contains("hide the feature on devices")),
        "{}",
        hide["notes"]
    );
    let fallback = with("fallback");
    assert_eq!(fallback["recommendation"]["id"], "built-in");
    assert_eq!(fallback["models"][0]["fallback"]["id"], "mlx");
    // The fallback stands as a verdict of its own: as the same language model does with no
    // system model named, not with the system model's lead of 30-odd points.
    let own = recommend_json(&["--model-type", "llm"]);
    assert_eq!(fallback["models"][0]["fallback"]["margin"], own["margin"]);
    assert_eq!(
        fallback["models"][0]["fallback"]["confidence"],
        own["confidence"]
    );
    // Its devices are the ones without Apple Intelligence, older iPhones whose GPUs MLX does
    // not support among them: a note on MLX says so under the built-in verdict.
    assert!(
        fallback["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["text"]
                .as_str()
                .unwrap()
                .contains("The iPhones that take the fallback")),
        "{}",
        fallback["notes"]
    );
    // Intel Macs have no system model: with a fallback they are one more place it is missing
    // (not a reason to drop it on Apple silicon), and the fallback names its engine.
    let macs = recommend_json(&[
        "--model-type",
        "llm",
        "--built-in",
        "foundation-models",
        "--unavailable",
        "fallback",
        "--platform",
        "macos,intel-mac",
    ]);
    assert_eq!(macs["recommendation"]["id"], "built-in", "{macs}");
    let f = &macs["models"][0]["fallback"];
    assert_eq!(f["id"], "cross-platform", "{macs}");
    assert_eq!(f["runtime"]["name"], "llama.cpp", "{macs}");
    // Asked to run there too, the fallback moves to a stack that does, with its own standing.
    let mut older = base.to_vec();
    older.extend(["--unavailable", "fallback", "--needs", "older-devices"]);
    let older = recommend_json(&older);
    assert_eq!(older["models"][0]["fallback"]["id"], "core-ml", "{older}");
    assert_eq!(older["models"][0]["fallback"]["confidence"], "moderate");
    let everywhere = with("must-work");
    assert_eq!(everywhere["recommendation"]["id"], "mlx");
    assert!(everywhere["models"][0]["fallback"].is_null());
    // The default is today's answer: the feature must work everywhere.
    assert_eq!(recommend_json(&base)["recommendation"]["id"], "mlx");
    // The table says it in the verdict and in the plan's line for the model.
    let mut args = vec!["recommend"];
    args.extend(base);
    args.extend(["--unavailable", "fallback"]);
    let out = stdout_of(&mlstack().args(&args).assert().success());
    // The fallback's own standing: the one its verdict would have without the system model.
    assert!(
        out.contains("\nWhere it is unavailable: MLX [mlx] (strong, margin 5)."),
        "{out}"
    );
    let out = stdout_of(
        &mlstack()
            .args(["recommend", "--model-type", "vision,llm", "--built-in"])
            .args(["llm=foundation-models", "--unavailable", "llm=fallback"])
            .assert()
            .success(),
    );
    assert!(
        out.contains("- llm: Built-in (no model to ship) where available (strong, margin 33), otherwise MLX ("),
        "{out}"
    );
    // Given once, the answer reaches the model whose built-in it is about, even when the
    // built-in itself is placed by its value (Speech for the audio model, the system model for
    // the LLM).
    let json = recommend_json(&[
        "--model-type",
        "audio,llm",
        "--built-in",
        "speech,foundation-models",
        "--apple-intelligence",
        "no",
        "--unavailable",
        "hide",
    ]);
    assert_eq!(json["recommendation"]["id"], "built-in", "{json}");
    assert_eq!(json["models"][0]["name"], "llm");
    assert_eq!(json["models"][0]["answers"]["unavailable"], "hide");
    assert_eq!(json["models"][0]["runtime"]["name"], "Foundation Models");
    assert_eq!(json["models"][1]["runtime"]["name"], "Speech");
    // And when the built-in is given to one model by name (`--built-in
    // llm=foundation-models`): the shared answer then applies to that model.
    let json = recommend_json(&[
        "--model-type",
        "vision,llm",
        "--built-in",
        "llm=foundation-models",
        "--unavailable",
        "fallback",
    ]);
    assert_eq!(json["models"][0]["answers"]["unavailable"], "fallback");
    assert_eq!(json["models"][0]["provenance"]["unavailable"], "flag");
    assert_eq!(json["models"][0]["fallback"]["id"], "mlx", "{json}");
}

/// Issue 24: a fallback the answers ask for where the constraints leave no stack of one's own
/// (a language model in an app extension) is said to be impossible, not silently dropped.
#[test]
fn a_fallback_no_stack_can_give_is_named_as_missing() {
    let args = [
        "--model-type",
        "llm",
        "--needs",
        "app-extension",
        "--built-in",
        "foundation-models",
        "--unavailable",
        "fallback",
    ];
    let json = recommend_json(&args);
    assert_eq!(json["recommendation"]["id"], "built-in", "{json}");
    assert!(json["fallback"].is_null());
    assert_eq!(json["fallback_ruled_out"], true, "{json}");
    assert_eq!(json["models"][0]["fallback_ruled_out"], true);
    let notes: Vec<&str> = json["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["text"].as_str().unwrap())
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("the extension has no fallback")),
        "{notes:?}"
    );
    assert!(
        !notes.iter().any(|n| n.contains("Ship the fallback only")),
        "{notes:?}"
    );
    let out = stdout_of(&mlstack().arg("recommend").args(args).assert().success());
    assert!(
        out.contains("Where it is unavailable: no stack of your own fits these answers"),
        "{out}"
    );
    // Outside the extension a fallback exists, and the key is absent.
    let json = recommend_json(&[
        "--model-type",
        "llm",
        "--built-in",
        "foundation-models",
        "--unavailable",
        "fallback",
    ]);
    assert_eq!(json["models"][0]["fallback"]["id"], "mlx", "{json}");
    assert!(json.get("fallback_ruled_out").is_none(), "{json}");
}

/// A question that does not apply to the model (the model kind of an LLM) is neither offered
/// as a flip nor listed as assumed.
#[test]
fn questions_that_do_not_apply_are_no_flips_and_no_assumptions() {
    let json = recommend_json(&["--model-type", "llm", "--min-os", "18"]);
    let flips = json["flips"].as_array().unwrap();
    assert!(!flips.is_empty());
    assert!(
        flips.iter().all(|f| f["question"] != "model-kind"),
        "{flips:?}"
    );
    let assumed: Vec<&str> = json["assumed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["question"].as_str().unwrap())
        .collect();
    for absent in [
        "model-kind",
        "apple-intelligence",
        "unavailable",
        "decoding",
    ] {
        assert!(!assumed.contains(&absent), "{absent}: {assumed:?}");
    }
    assert!(assumed.contains(&"iteration"), "{assumed:?}");
}

/// An app of several models: the plan, its main reason and what would change it come first,
/// before each model's detail (on the first screen of a 24-line terminal).
#[test]
fn the_plan_its_reason_and_what_would_change_it_come_first() {
    let out = stdout_of(
        &mlstack()
            .args(["recommend", "--model-type", "vision,llm"])
            .assert()
            .success(),
    );
    let first: Vec<&str> = out.lines().take(24).collect();
    let at = |text: &str| first.iter().position(|l| l.starts_with(text));
    let plan = at("Plan: Core ML + MLX [core-ml+mlx]").expect("the plan");
    let why = at("Why this plan").expect("its reason");
    let change = at("What would change the plan").expect("what would change it");
    assert!(plan < why && why < change, "{out}");
    // One change that moves both models is one line (session 16: it was one line each).
    assert_eq!(
        first[change + 1],
        "- --min-os 27 (now min-os 26) -> llm: Core AI; vision: Core AI"
    );
    assert_eq!(first[change + 2], "", "{out}");
    // The whole report keeps each model's own flips instead.
    let full = stdout_of(
        &mlstack()
            .args(["recommend", "--model-type", "vision,llm", "--full"])
            .assert()
            .success(),
    );
    assert!(!full.contains("What would change the plan"), "{full}");
}

/// A team that asks for the Neural Engine (or battery life) for a 3B language model gets MLX,
/// and the report says why its answer did not carry the verdict: the note on LLMs on the
/// Neural Engine concerns every stack that runs the model, MLX too (it was hidden when MLX won).
#[test]
fn a_3b_llm_aimed_at_the_neural_engine_is_told_why_it_gets_mlx() {
    let json = recommend_json(&[
        "--model-type",
        "llm",
        "--model-size",
        "1b-to-4b",
        "--battery",
        "critical",
        "--hardware",
        "neural-engine",
    ]);
    assert_eq!(json["recommendation"]["id"], "mlx", "{json}");
    let notes = note_texts(&json);
    assert!(
        notes.iter().any(|n| n
            .starts_with("Running a generative LLM of 1B parameters or more on the Neural Engine")),
        "{notes:?}"
    );
}

/// In an app of several models, a model's own flip says its current answer as it would be
/// given: `(now iteration vision=stable)`, the way the flag beside it is written.
#[test]
fn a_models_own_flip_says_its_answer_in_the_models_form() {
    let out = stdout_of(
        &mlstack()
            .args(["recommend", "--model-type", "vision,llm"])
            .assert()
            .success(),
    );
    assert!(
        out.contains("--iteration vision=frequent (now iteration vision=stable) -> MLX"),
        "{out}"
    );
}

/// An LLM of unknown size on the watch gets Core ML (moderate), and a note that this holds only
/// under 1B parameters: from 1B no stack runs it there (issue 24's reviewer).
#[test]
fn an_llm_of_unknown_size_on_the_watch_is_told_the_size_it_must_be() {
    let json = recommend_json(&["--model-type", "llm", "--platform", "watchos"]);
    assert_eq!(json["recommendation"]["id"], "core-ml", "{json}");
    let notes = note_texts(&json);
    assert!(
        notes.iter().any(
            |n| n.starts_with("On Apple Watch a generative model must be under 1B parameters")
        ),
        "{notes:?}"
    );
}

/// A model whose Core ML export fails: where Core ML still wins (the Neural Engine is a
/// requirement), a note says the export must be fixed first; a classical model, which never
/// goes through torch.export, is not offered the answer, and the error names its own options.
#[test]
fn a_failed_export_is_for_neural_networks_and_core_ml_then_starts_by_fixing_it() {
    let json = recommend_json(&[
        "--model-type",
        "audio",
        "--converted",
        "export-fails",
        "--hardware",
        "neural-engine",
    ]);
    assert_eq!(json["recommendation"]["id"], "core-ml", "{json}");
    let notes = note_texts(&json);
    assert!(
        notes.iter().any(|n| n.starts_with(
            "The Core ML export fails today, so a Core ML verdict starts with fixing it"
        )),
        "{notes:?}"
    );
    mlstack()
        .args([
            "recommend",
            "--model-type",
            "classifier",
            "--model-kind",
            "classical",
            "--converted",
            "export-fails",
        ])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "--converted export-fails is not for a model of this kind (classifier): it is for other kinds of model; give one of this model's own (none, core-ml, core-ai, mlx, gguf, onnx)",
        ));
}

/// visionOS before 26 (a floor of 18 is visionOS 2) reaches the Neural Engine only with an
/// enterprise entitlement: a note says so, and not from visionOS 26 (fact V9).
#[test]
fn a_vision_pro_app_below_visionos_26_is_told_the_neural_engine_needs_an_entitlement() {
    let says = |floor: &str| {
        let json = recommend_json(&[
            "--model-type",
            "vision",
            "--platform",
            "visionos",
            "--min-os",
            floor,
        ]);
        json["notes"].as_array().unwrap().iter().any(|n| {
            n["text"]
                .as_str()
                .unwrap()
                .starts_with("Below visionOS 26 an app reaches the Neural Engine only with")
        })
    };
    assert!(says("18"));
    assert!(!says("26"));
}

/// A Core AI asset in hand below an OS 27 floor cannot run (session 18, a reviewer's find):
/// the verdict moves to Core ML, and a note says the asset needs OS 27 and what to do.
#[test]
fn a_core_ai_asset_below_os_27_is_told_it_cannot_run_there() {
    let says = |floor: &str| {
        let json = recommend_json(&[
            "--model-type",
            "vision",
            "--converted",
            "core-ai",
            "--min-os",
            floor,
        ]);
        note_texts(&json).iter().any(|n| {
            n.starts_with("The model you have is a Core AI asset, which runs only on OS 27")
        })
    };
    assert!(says("26"));
    assert!(!says("27"));
}

/// A flag for a question that applies to none of the app's models changes nothing: a warning
/// on stderr says so and names when it would count; the verdict is the one without it.
#[test]
fn a_flag_that_applies_to_no_model_is_named_on_stderr() {
    let unused = mlstack()
        .args([
            "recommend",
            "--model-type",
            "vision",
            "--prototype-in",
            "pytorch",
        ])
        .assert()
        .success();
    assert_eq!(
        stderr_of(&unused),
        "mlstack: warning: --prototype-in is not used: it counts only when iteration is prototyping\n"
    );
    let without = mlstack()
        .args(["recommend", "--model-type", "vision"])
        .assert()
        .success();
    assert_eq!(stdout_of(&unused), stdout_of(&without));
    // Where it applies, or applies to one of the app's models, nothing is said.
    for args in [
        &[
            "--model-type",
            "llm",
            "--iteration",
            "prototyping",
            "--prototype-in",
            "pytorch",
        ][..],
        &["--model-type", "vision,llm", "--model-size", "1b-to-4b"][..],
    ] {
        let used = mlstack().arg("recommend").args(args).assert().success();
        assert_eq!(stderr_of(&used), "", "{args:?}");
    }
}
