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
    assert_eq!(summary[1], (3, "both".to_owned()));
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
