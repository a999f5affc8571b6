//! `recommend --batch`: JSON Lines in, one result per line out, in order.

use predicates::prelude::*;

use crate::util::*;

fn lines_of(assert: &assert_cmd::assert::Assert) -> Vec<serde_json::Value> {
    stdout_of(assert)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each output line is one JSON document"))
        .collect()
}

#[test]
fn every_line_gets_a_result_with_its_line_number_and_bad_lines_get_error_records() {
    let input = "{\"model-type\": \"llm\"}\n\n{\"model-type\": [\"vision\", \"llm\"]}\n{\"hardwar\": \"gpu\"}\nnot json\n{\"model-type\": \"vision\", \"hardware\": \"neural-engine\"}\n";
    let assert = mlstack()
        .args(["recommend", "--batch", "-"])
        .write_stdin(input)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("2 of 5 lines failed"));
    let out = lines_of(&assert);
    let summary: Vec<(u64, String)> = out
        .iter()
        .map(|v| {
            let what = v["recommendation"]["id"].as_str().map_or_else(
                || format!("error: {}", v["error"].as_str().unwrap()),
                str::to_owned,
            );
            (v["line"].as_u64().unwrap(), what)
        })
        .collect();
    assert_eq!(summary[0], (1, "mlx".to_owned()));
    // Two model types are two models: the plan composes their stacks.
    assert_eq!(summary[1], (3, "core-ml+mlx".to_owned()));
    assert!(
        summary[2]
            .1
            .starts_with("error: unknown question `hardwar`"),
        "{summary:?}"
    );
    assert_eq!(summary[3].0, 5);
    assert!(
        summary[3]
            .1
            .starts_with("error: not a JSON object of answers")
    );
    assert_eq!(summary[4], (6, "core-ml".to_owned()));
    // Results carry the full schema.
    for key in [
        "schema_version",
        "margin",
        "confidence",
        "rationale",
        "flips",
        "answers",
    ] {
        assert!(out[0].get(key).is_some(), "{key}");
    }
}

#[test]
fn output_order_matches_input_order_across_chunks_and_threads() {
    let kinds = ["llm", "vision", "audio", "classifier", "other"];
    let input: String = (0..10_000)
        .map(|i| format!("{{\"model-type\": \"{}\"}}\n", kinds[i % 5]))
        .collect();
    let assert = mlstack()
        .args(["recommend", "--batch", "-"])
        .write_stdin(input)
        .assert()
        .success();
    let out = lines_of(&assert);
    assert_eq!(out.len(), 10_000);
    for (i, v) in out.iter().enumerate() {
        assert_eq!(v["line"], i as u64 + 1);
        assert_eq!(v["answers"]["model-type"][0], kinds[i % 5]);
    }
}

#[test]
fn flags_apply_to_every_line() {
    let assert = mlstack()
        .args(["recommend", "--batch", "-", "--platform", "linux"])
        .write_stdin(
            "{\"model-type\": \"vision\"}\n{\"model-type\": \"llm\", \"platform\": \"ios\"}\n",
        )
        .assert()
        .success();
    let out = lines_of(&assert);
    assert!(out.iter().all(|v| v["recommendation"]["id"] == "mlx"));
}

#[test]
fn batch_cannot_be_combined_with_single_answer_options() {
    for other in [
        &["--answers", "x.yaml"][..],
        &["--expect", "mlx"],
        &["--save-answers", "x.yaml"],
    ] {
        mlstack()
            .args(["recommend", "--batch", "-"])
            .args(other)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("cannot be used with"));
    }
}

#[test]
fn non_utf8_and_overlong_lines_are_error_records() {
    let mut input = b"{\"model-type\": \"llm\"}\n\xff\xfe\n".to_vec();
    input.extend(std::iter::repeat_n(b' ', 1024 * 1024 + 10));
    input.extend(b"\n{\"model-type\": \"audio\"}\n");
    let assert = mlstack()
        .args(["recommend", "--batch", "-"])
        .write_stdin(input)
        .assert()
        .code(2);
    let out = lines_of(&assert);
    assert_eq!(out.len(), 4);
    assert_eq!(out[1]["error"], "the line is not valid UTF-8");
    assert!(out[2]["error"].as_str().unwrap().contains("longer than"));
    assert_eq!(out[3]["recommendation"]["id"], "core-ml");
}

/// `recommend --batch -` reading a pipe, with stdout and stderr piped back.
fn spawn_batch() -> std::process::Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("mlstack"))
        .args(["recommend", "--batch", "-"])
        .env_clear()
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// `recommend --batch -` fed `lines` lines through a pipe kept open, sent `signal` once its
/// first result is out: (exit code, stdout, stderr).
fn interrupt_mid_batch(signal: &str, lines: usize) -> (Option<i32>, String, String) {
    use std::io::{BufRead, BufReader, Read, Write};
    let mut child = spawn_batch();
    let mut stdin = child.stdin.take().unwrap();
    let input: String = (0..lines)
        .map(|i| {
            if i % 3 == 0 {
                "{\"model-type\": [\"vision\", \"llm\"]}\n"
            } else {
                "{\"model-type\": \"llm\", \"hardware\": \"gpu\"}\n"
            }
        })
        .collect();
    // Keep stdin open after writing: the batch is waiting for more when the signal comes.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
        std::thread::sleep(std::time::Duration::from_secs(30));
        drop(stdin);
    });
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(!first.is_empty(), "a first result");
    let status = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let code = child.wait().unwrap().code();
    drop(writer);
    (code, first + &rest, err)
}

#[test]
fn an_interrupted_batch_leaves_only_whole_lines_and_says_so() {
    for (signal, code) in [("TERM", 143), ("INT", 130)] {
        let (exit, out, err) = interrupt_mid_batch(signal, 5000);
        assert_eq!(exit, Some(code), "SIG{signal}: {err}");
        assert!(
            out.ends_with('\n'),
            "SIG{signal}: the output ends with a whole line"
        );
        let lines: Vec<&str> = out.lines().collect();
        assert!(!lines.is_empty(), "results were written before the signal");
        for (i, line) in lines.iter().enumerate() {
            let v: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("SIG{signal}: line {} is torn ({e})", i + 1));
            assert_eq!(v["line"], i + 1);
        }
        assert!(err.contains("interrupted"), "{err}");
    }
}

#[test]
fn a_closed_pipe_mid_batch_ends_quietly() {
    use std::io::{BufRead, BufReader, Write};
    let mut child = spawn_batch();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        for _ in 0..20_000 {
            if stdin.write_all(b"{\"model-type\": \"llm\"}\n").is_err() {
                break;
            }
        }
    });
    {
        // `| head -1`: read one line, then go away.
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        assert!(first.starts_with("{\"line\":1"), "{first}");
    }
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn a_slow_producer_gets_each_result_as_its_line_arrives() {
    use std::io::{BufRead, BufReader, Write};
    use std::time::Duration;
    let mut child = spawn_batch();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in stdout.lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    for (n, answers) in ["{\"model-type\": \"llm\"}", "{\"model-type\": \"vision\"}"]
        .iter()
        .enumerate()
    {
        stdin.write_all(answers.as_bytes()).unwrap();
        stdin.write_all(b"\n").unwrap();
        stdin.flush().unwrap();
        // The result comes while the input is still open, not at its end.
        let line = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("a result before the input ends");
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["line"], n + 1);
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
    reader.join().unwrap();
}

#[test]
fn fields_give_brief_records_that_match_the_full_documents() {
    let input =
        "{\"model-type\": \"llm\"}\n{\"model-type\": [\"vision\", \"llm\"], \"min-os\": \"27\"}\n";
    let run = |extra: &[&str]| {
        let assert = mlstack()
            .args(["recommend", "--batch", "-"])
            .args(extra)
            .write_stdin(input)
            .assert()
            .success();
        stdout_of(&assert)
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .collect::<Vec<_>>()
    };
    let full = run(&[]);
    let brief = run(&[
        "--fields",
        "recommendation,margin,confidence,scores,runner_up,flips",
    ]);
    let (schemas, index) = crate::ecosystem::validator_of("batch");
    let keys = [
        "recommendation",
        "margin",
        "confidence",
        "scores",
        "runner_up",
        "flips",
    ];
    // One model: the record holds the model's keys (its stack, not the app's plan).
    let (f, b) = (&full[0], &brief[0]);
    assert_eq!(b.as_object().unwrap().len(), 7, "{b}");
    assert_eq!(b["line"], f["line"]);
    for key in keys {
        assert_eq!(b[key], f["models"][0][key], "{key}");
    }
    // Two models: the plan, then each model's record under its name.
    let (f, b) = (&full[1], &brief[1]);
    assert_eq!(b["recommendation"]["id"], f["recommendation"]["id"]);
    assert_eq!(b["models"].as_array().unwrap().len(), 2, "{b}");
    for (bm, fm) in b["models"]
        .as_array()
        .unwrap()
        .iter()
        .zip(f["models"].as_array().unwrap())
    {
        assert_eq!(bm["name"], fm["name"]);
        for key in keys {
            assert_eq!(bm[key], fm[key], "{key}");
        }
    }
    for b in &brief {
        assert!(schemas.validate(b, index).is_ok(), "{b}");
    }
    let lean = run(&["--fields", "recommendation,margin"]);
    assert_eq!(lean[0].as_object().unwrap().len(), 3);
    assert_eq!(
        lean[1]["recommendation"]["id"],
        full[1]["recommendation"]["id"]
    );
    // --fields belongs to --batch, and the trace to the whole document.
    mlstack()
        .args(["recommend", "--model-type", "llm", "--fields", "margin"])
        .assert()
        .code(2);
    mlstack()
        .args([
            "recommend",
            "--batch",
            "-",
            "--fields",
            "margin",
            "--explain",
        ])
        .write_stdin(input)
        .assert()
        .code(2)
        .stdout("");
}

/// Lines that resolve to the same answers (here: a flag overrides the one answer in which they
/// differ, or the line repeats) share one built result, each under its own line number, and
/// it is the result a single `recommend` gives.
#[test]
fn lines_with_the_same_answers_get_the_same_result_under_their_own_numbers() {
    let input = "{\"model-type\": \"llm\", \"platform\": \"ios\"}\n{\"model-type\": \"llm\", \"platform\": \"macos\"}\n{\"model-type\": \"vision\"}\n{\"model-type\": \"llm\", \"platform\": \"ios\"}\n";
    for fields in [None, Some("recommendation,margin,flips")] {
        let mut cmd = mlstack();
        cmd.args(["recommend", "--batch", "-", "--platform", "visionos"]);
        if let Some(f) = fields {
            cmd.args(["--fields", f]);
        }
        let out = lines_of(&cmd.write_stdin(input).assert().success());
        let numbers: Vec<u64> = out.iter().map(|v| v["line"].as_u64().unwrap()).collect();
        assert_eq!(numbers, [1, 2, 3, 4]);
        let without_line = |v: &serde_json::Value| {
            let mut v = v.clone();
            v.as_object_mut().unwrap().remove("line");
            v
        };
        assert_eq!(without_line(&out[0]), without_line(&out[1]));
        assert_eq!(without_line(&out[0]), without_line(&out[3]));
        assert_ne!(without_line(&out[0]), without_line(&out[2]));
        if fields.is_none() {
            let mut single = recommend_json(&["--model-type", "llm", "--platform", "visionos"]);
            let mut batch = without_line(&out[0]);
            // Where the answers came from differs (the line, not a flag); nothing else does.
            for doc in [&mut batch, &mut single] {
                doc.as_object_mut().unwrap().remove("provenance");
                doc["models"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("provenance");
            }
            assert_eq!(batch, single);
        }
    }
}

/// Issue 23: a line may list the app's models as an answers file does; its record is the plan,
/// the same as the answers file with those models gives. A `--model-type` flag beside it, or a
/// model list that is wrong, is that line's error record.
#[test]
fn a_line_may_list_the_apps_models_as_an_answers_file_does() {
    let models = r#"{"min-os": "26", "models": [{"name": "species", "model-type": "vision", "hardware": "neural-engine"}, {"name": "chat", "model-type": "llm", "model-size": "1b-to-4b"}]}"#;
    let input = format!(
        "{models}\n{{\"models\": [{{\"name\": \"chat\", \"model-type\": \"llm\", \"platform\": \"ios\"}}]}}\n{{\"models\": []}}\n"
    );
    let assert = mlstack()
        .args(["recommend", "--batch", "-"])
        .write_stdin(input)
        .assert()
        .code(2);
    let out = lines_of(&assert);
    // The same answers as a file.
    let (_dir, path) = temp_file(
        "answers.yaml",
        b"min-os: \"26\"\nmodels:\n  - name: species\n    model-type: vision\n    hardware: neural-engine\n  - name: chat\n    model-type: llm\n    model-size: 1b-to-4b\n",
    );
    let file = stdout_of(
        &mlstack()
            .args(["recommend", "--format", "json", "--answers"])
            .arg(&path)
            .assert()
            .success(),
    );
    let file: serde_json::Value = serde_json::from_str(&file).unwrap();
    assert_eq!(
        out[0]["recommendation"], file["recommendation"],
        "{}",
        out[0]
    );
    let names: Vec<&str> = out[0]["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["species", "chat"]);
    // Each problem names where in the line it is.
    assert_eq!(
        out[1]["error"],
        "column 51: `platform` is the app's answer: give it at the top, not under a model"
    );
    assert_eq!(out[2]["error"], "column 12: `models:` lists no model");
    // The models in two places.
    let assert = mlstack()
        .args(["recommend", "--batch", "-", "--model-type", "llm"])
        .write_stdin(format!("{models}\n"))
        .assert()
        .code(2);
    assert_eq!(
        lines_of(&assert)[0]["error"],
        "--model-type and the line's `models`: give the models in one place"
    );
}
