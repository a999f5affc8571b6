use predicates::prelude::*;

use crate::util::*;

#[test]
fn yaml_answers_file_is_used_and_flags_override_it() {
    let (_dir, path) = temp_file(
        "answers.yaml",
        b"model-type: [vision, llm]\nhardware: gpu\nane-compatible: yes\n",
    );
    let p = path.to_str().unwrap();
    let json = recommend_json(&["--answers", p]);
    assert_eq!(json["recommendation"]["id"], "core-ml+mlx");
    // Two models: each has the file's per-model answers; the app's are at the top.
    for m in json["models"].as_array().unwrap() {
        assert_eq!(m["answers"]["hardware"], "gpu");
        assert_eq!(m["answers"]["ane-compatible"], "yes");
    }
    assert!(json["answers"].get("hardware").is_none());
    let assumed: Vec<&str> = json["assumed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["question"].as_str().unwrap())
        .collect();
    assert!(!assumed.contains(&"hardware") && assumed.contains(&"battery"));

    let json = recommend_json(&["--answers", p, "--model-type", "llm"]);
    assert_eq!(json["answers"]["model-type"], serde_json::json!(["llm"]));
    assert_eq!(json["recommendation"]["id"], "mlx");
}

#[test]
fn json_answers_from_stdin() {
    let assert = mlstack()
        .args(["recommend", "--answers", "-", "--format", "json"])
        .write_stdin(r#"{"model-type": ["llm"], "platform": ["watchos"]}"#)
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&assert)).unwrap();
    assert_eq!(json["recommendation"]["id"], "core-ml");
    assert_eq!(json["margin"], serde_json::Value::Null);
}

fn bad_answers(text: &[u8], expected: &str) {
    let (_dir, path) = temp_file("answers.yaml", text);
    mlstack()
        .args(["recommend", "--answers"])
        .arg(&path)
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(expected));
}

#[test]
fn unknown_key_is_named_with_its_location() {
    bad_answers(
        b"model-type: llm\nhardwar: gpu\n",
        "answers.yaml:2:1: unknown question `hardwar`",
    );
    bad_answers(
        b"model-type: llm\nhardwar: gpu\n",
        "did you mean `hardware`?",
    );
}

#[test]
fn unknown_value_is_named_with_its_location() {
    bad_answers(
        b"model-type: [llm, visoin]\n",
        "answers.yaml:1:19: `visoin` is not an option of `model-type`",
    );
}

#[test]
fn a_list_for_a_single_choice_question_is_refused() {
    bad_answers(
        b"model-type: llm\nhardware: [gpu]\n",
        "`hardware` takes a single option, not a list",
    );
}

#[test]
fn empty_and_malformed_answers_files_are_refused() {
    bad_answers(b"", "the answers file is empty");
    bad_answers(b"- llm\n", "an answers file maps question ids to answers");
    bad_answers(b"model-type: llm\nmodel-type: audio\n", "duplicate");
    bad_answers(b"model-type: [llm\n", "answers.yaml:");
}

#[test]
fn missing_answers_file_is_a_usage_error() {
    mlstack()
        .args(["recommend", "--answers", "/definitely/not/here.yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read answers file"));
}

#[test]
fn aliases_mean_their_option_in_flags_and_files() {
    let by_id = recommend_json(&["--model-type", "llm", "--min-os", "17", "--platform", "ios"]);
    let by_alias = recommend_json(&[
        "--model-type",
        "llm",
        "--min-os",
        "macos14",
        "--platform",
        "ipados",
    ]);
    assert_eq!(
        by_alias["answers"], by_id["answers"],
        "aliases resolve to the ids"
    );
    assert_eq!(by_alias["answers"]["min-os"], "17");
    let (_dir, path) = temp_file("a.yaml", b"model-type: llm\nmin-os: visionos2\n");
    let assert = mlstack()
        .args(["recommend", "--format", "json", "--answers"])
        .arg(&path)
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&assert)).unwrap();
    assert_eq!(json["answers"]["min-os"], "18");
}

#[test]
fn save_answers_may_name_the_answers_file_itself_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stack.yaml");
    std::fs::write(&path, "model-type: llm\nbattery: critical\n").unwrap();
    mlstack()
        .args([
            "recommend",
            "--format",
            "json",
            "--hardware",
            "gpu",
            "--answers",
        ])
        .arg(&path)
        .arg("--save-answers")
        .arg(&path)
        .assert()
        .success();
    let saved = std::fs::read_to_string(&path).unwrap();
    for line in [
        "model-type: [\"llm\"]",
        "battery: \"critical\"",
        "hardware: \"gpu\"",
    ] {
        assert!(saved.contains(line), "{saved}");
    }
    let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(files.len(), 1, "only the answers file: {files:?}");
    // The saved file replays to the same answers.
    mlstack()
        .args(["recommend", "--expect", "mlx", "--answers"])
        .arg(&path)
        .assert()
        .success();
}

#[test]
fn a_save_that_fails_prints_no_verdict_and_keeps_the_old_file() {
    let dir = tempfile::tempdir().unwrap();
    mlstack()
        .args([
            "recommend",
            "--model-type",
            "llm",
            "--format",
            "json",
            "--save-answers",
        ])
        .arg(dir.path().join("missing/dir/x.yaml"))
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("--save-answers: cannot write"));
    // A directory where the file should be: the rename fails, the directory is untouched
    // and no temporary file is left behind.
    let target = dir.path().join("taken");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("keep"), "keep").unwrap();
    mlstack()
        .args(["recommend", "--model-type", "llm", "--save-answers"])
        .arg(&target)
        .assert()
        .code(2)
        .stdout("");
    assert_eq!(
        std::fs::read_to_string(target.join("keep")).unwrap(),
        "keep"
    );
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["taken"], "no temporary file left: {names:?}");
}

#[test]
fn every_problem_of_an_answers_file_is_reported_at_once() {
    let (_dir, path) = temp_file(
        "bad.yaml",
        b"hardwar: gpu\nmodel-type: lm\nbattery: [critical]\n",
    );
    mlstack()
        .args(["recommend", "--answers"])
        .arg(&path)
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("3 problems:"))
        .stderr(predicate::str::contains(
            "bad.yaml:1:1: unknown question `hardwar`",
        ))
        .stderr(predicate::str::contains(
            "bad.yaml:2:13: `lm` is not an option of `model-type`",
        ))
        .stderr(predicate::str::contains(
            "bad.yaml:3:10: `battery` takes a single option",
        ));
}

#[test]
fn every_key_with_a_value_of_the_wrong_shape_is_reported_at_once() {
    let (_dir, path) = temp_file(
        "shapes.yaml",
        b"model-type: {a: b}\nhardware: gpu\nbattery: [x: 1]\nplatform: ios\n",
    );
    let assert = mlstack()
        .args(["recommend", "--answers"])
        .arg(&path)
        .assert()
        .code(2)
        .stdout("");
    let err = stderr_of(&assert);
    assert!(err.contains("2 problems"), "{err}");
    assert!(err.contains("shapes.yaml:1:13:"), "{err}");
    assert!(err.contains("shapes.yaml:3:11:"), "{err}");
}

/// Files people write by mistake get a message that says what to type instead.
#[test]
fn common_mistakes_are_named_with_what_to_write_instead() {
    // A list written as one string.
    bad_answers(
        b"model-type: llm\nplatform: ios, macos\n",
        "answers.yaml:2:11: `ios, macos` is not an option of `platform` (options: ios, macos, visionos, tvos, watchos, intel-mac, linux); did you mean `[ios, macos]`?",
    );
    // A tab in the indentation: its own line, in words.
    bad_answers(
        b"model-type: llm\n\tplatform: ios\n",
        "answers.yaml:2:1: a tab indents this line; YAML indents with spaces only",
    );
    bad_answers(
        b"model-type: llm\nplatform:\n  - ios\n \t- macos\n",
        "answers.yaml:4:2: a tab indents this line",
    );
    // Several answer sets: that is a batch.
    bad_answers(
        b"{\"model-type\": \"llm\"}\n{\"model-type\": \"vision\"}\n",
        "answers.yaml:2:1: this looks like JSON Lines, one answer set per line: give it to --batch FILE",
    );
}

/// A huge bad value is quoted by its start and its size, in a file and in a flag.
#[test]
fn a_huge_bad_value_is_not_echoed_whole() {
    let value = "x".repeat(100_000);
    let (_dir, path) = temp_file("big.yaml", format!("model-type: {value}\n").as_bytes());
    let assert = mlstack()
        .args(["recommend", "--answers"])
        .arg(&path)
        .assert()
        .code(2)
        .stdout("");
    let err = stderr_of(&assert);
    assert!(err.len() < 400, "{} bytes of error", err.len());
    assert!(
        err.contains("... (100000 bytes)` is not an option of `model-type`"),
        "{err}"
    );
    for flag in ["--model-type", "--min-os", "--expect"] {
        let assert = mlstack()
            .args(["recommend", "--model-type", "llm", flag, &value])
            .assert()
            .code(2)
            .stdout("");
        let err = stderr_of(&assert);
        assert!(err.len() < 600, "{flag}: {} bytes of error", err.len());
        assert!(err.contains("... (100000 bytes)'"), "{flag}: {err}");
    }
}

#[test]
fn an_answers_file_may_list_the_models_by_name() {
    let (_dir, path) = temp_file(
        "app.yaml",
        b"platform: [ios, macos]\nmodels:\n  - name: species-classifier\n    model-type: vision\n    ane-compatible: yes\n  - name: chat\n    model-type: llm\n    model-size: 1b-to-4b\n",
    );
    let p = path.to_str().unwrap();
    let json = recommend_json(&["--answers", p]);
    assert_eq!(json["recommendation"]["id"], "core-ml+mlx");
    let names: Vec<&str> = json["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["species-classifier", "chat"]);
    assert_eq!(json["models"][1]["answers"]["model-size"], "1b-to-4b");
    assert_eq!(json["models"][1]["provenance"]["model-size"], "file");
    assert_eq!(
        json["answers"]["platform"],
        serde_json::json!(["ios", "macos"])
    );
    // The same app by flags gets the same plan; a flag beats the file for the models it reaches.
    let by_flags = recommend_json(&[
        "--model-type",
        "vision,llm",
        "--ane-compatible",
        "vision=yes",
        "--model-size",
        "llm=1b-to-4b",
        "--platform",
        "ios,macos",
    ]);
    assert_eq!(
        by_flags["recommendation"]["id"],
        json["recommendation"]["id"]
    );
    let json = recommend_json(&["--answers", p, "--model-size", "chat=over-8b"]);
    assert_eq!(json["models"][1]["answers"]["model-size"], "over-8b");
    mlstack()
        .args(["recommend", "--answers", p, "--expect", "chat=mlx"])
        .assert()
        .success();
    // Two models of one type: the second is named llm-2.
    let (_dir2, two) = temp_file(
        "two.yaml",
        b"models:\n  - model-type: llm\n  - model-type: llm\n    model-size: under-1b\n    ane-compatible: yes\n",
    );
    let json = recommend_json(&["--answers", two.to_str().unwrap()]);
    assert_eq!(json["models"][0]["name"], "llm");
    assert_eq!(json["models"][1]["name"], "llm-2");
    assert_eq!(json["recommendation"]["id"], "core-ml+mlx");
    // Every problem of the list, located; and the models in one place only.
    let (_dir3, bad) = temp_file(
        "bad.yaml",
        b"models:\n  - {name: x, model-type: [llm, vision]}\n  - {name: y, model-type: llm, platform: ios}\n  - {name: z}\n",
    );
    mlstack()
        .args(["recommend", "--answers", bad.to_str().unwrap()])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "bad.yaml:2:5: a model has one `model-type`",
        ))
        .stderr(predicate::str::contains(
            "bad.yaml:3:32: `platform` is the app's answer: give it at the top",
        ))
        .stderr(predicate::str::contains(
            "bad.yaml:4:5: a model needs its `model-type`",
        ));
    mlstack()
        .args(["recommend", "--answers", p, "--model-type", "llm"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--model-type and the answers file's `models:`: give the models in one place",
        ));
    // A framework given under a model it cannot stand in for is an error (as the flag
    // `--built-in camera=speech` is), not dropped in silence.
    let (_dir4, misfit) = temp_file(
        "misfit.yaml",
        b"models:\n  - {name: camera, model-type: vision, built-in: speech}\n  - {name: chat, model-type: llm}\n",
    );
    mlstack()
        .args(["recommend", "--answers", misfit.to_str().unwrap()])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "`built-in: speech` under the model camera is not for it",
        ));
}

/// A release written as a number (`min-os: 17.4`, `26.0`) reads as the flag's text would.
#[test]
fn a_release_written_as_a_number_is_read_like_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    for (value, floor) in [("17.4", "17"), ("26.0", "26")] {
        let path = dir.path().join("answers.yaml");
        std::fs::write(&path, format!("model-type: llm\nmin-os: {value}\n")).unwrap();
        let assert = crate::util::mlstack()
            .args(["recommend", "--format", "json", "--answers"])
            .arg(&path)
            .assert()
            .success();
        let json: serde_json::Value =
            serde_json::from_str(&crate::util::stdout_of(&assert)).unwrap();
        assert_eq!(json["answers"]["min-os"], floor, "{value}");
    }
}

/// A model's name is how flags, gates and the replay command reach it (`--hardware NAME=gpu`):
/// a name that cannot be written there is an error at its place.
#[test]
fn a_model_name_must_be_one_flags_can_write() {
    for name in ["\"\"", "a=b", "\"x,y\"", "\"two words\""] {
        bad_answers(
            format!("models:\n  - name: {name}\n    model-type: vision\n").as_bytes(),
            "answers.yaml:2:11: model name",
        );
    }
}
