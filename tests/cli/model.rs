//! `--model PATH` and `mlstack inspect`: answers read from a model's own files, the memory
//! fit, and clear errors for broken or hostile files. Fixture models are written here.

use std::path::Path;

use predicates::prelude::*;

use crate::util::*;

#[path = "../support/model_fixtures.rs"]
pub mod fixtures;

/// `inspect --format json`, checked against `mlstack schema inspect`.
fn inspect_json(path: &Path) -> serde_json::Value {
    let assert = mlstack()
        .args(["inspect", "--format", "json"])
        .arg(path)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_str(&stdout_of(&assert)).unwrap();
    static SCHEMA: std::sync::OnceLock<(boon::Schemas, boon::SchemaIndex)> =
        std::sync::OnceLock::new();
    let (schemas, index) = SCHEMA.get_or_init(|| crate::ecosystem::validator_of("inspect"));
    if let Err(e) = schemas.validate(&v, *index) {
        panic!("inspect output fails its schema: {e:#}\n{v}");
    }
    v
}

fn recommend_with_model(path: &Path, extra: &[&str]) -> serde_json::Value {
    let assert = mlstack()
        .args(["recommend", "--format", "json", "--model"])
        .arg(path)
        .args(extra)
        .assert()
        .success();
    serde_json::from_str(&stdout_of(&assert)).unwrap()
}

/// The verdict's parts that must not depend on where the answers came from.
fn verdict(v: &serde_json::Value) -> serde_json::Value {
    serde_json::json!([
        v["recommendation"]["id"],
        v["scores"],
        v["answers"],
        v["flips"]
    ])
}

#[test]
fn a_hugging_face_folder_answers_like_the_same_answers_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    fixtures::hugging_face(dir.path(), 2);
    let found = inspect_json(dir.path());
    assert_eq!(found["model"]["format"], "hugging-face");
    assert_eq!(found["model"]["model_type"], "llm");
    assert_eq!(found["model"]["parameters"], 1_235_814_400u64);
    assert_eq!(found["model"]["precision"], "bf16");
    assert_eq!(found["answers"]["model-size"], "1b-to-4b");
    assert_eq!(found["fit"]["context_tokens"], 4096);

    let from_model = recommend_with_model(dir.path(), &[]);
    let by_hand = recommend_json(&[
        "--model-type",
        "llm",
        "--model-size",
        "1b-to-4b",
        "--model-kind",
        "neural-network",
        "--converted",
        "none",
    ]);
    assert_eq!(verdict(&from_model), verdict(&by_hand));
    assert_eq!(from_model["provenance"]["model-type"], "model");
    assert_eq!(from_model["provenance"]["hardware"], "default");
    assert_eq!(from_model["model"]["parameters"], 1_235_814_400u64);
    // 2.47 GB of bf16 weights plus the KV cache: past Apple's 2 GB on 8 GB iPhones.
    let devices = from_model["fit"]["devices"].as_array().unwrap();
    assert_eq!(devices[0]["tier"], "iphone-8gb");
    assert_eq!(devices[0]["verdict"], "needs-entitlement");
    assert_eq!(devices[1]["verdict"], "fits");

    let (schemas, index) = crate::ecosystem::validator();
    if let Err(e) = schemas.validate(&from_model, index) {
        panic!("--model output fails the schema: {e:#}");
    }
}

#[test]
fn the_table_says_what_came_from_the_model_and_the_fit() {
    let dir = tempfile::tempdir().unwrap();
    fixtures::hugging_face(dir.path(), 1);
    mlstack()
        .args(["recommend", "--platform", "ios,macos", "--model"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("From the model ("))
        .stdout(predicate::str::contains(
            "llm, LlamaForCausalLM, 1.2 B parameters, bf16",
        ))
        .stdout(predicate::str::contains(
            "Answered from its files: --model-type llm --model-size 1b-to-4b",
        ))
        .stdout(predicate::str::contains("Memory fit"))
        .stdout(predicate::str::contains("fits a Mac with at least 9 GB"))
        .stdout(predicate::str::contains("Community estimates"));
}

#[test]
fn flags_override_the_model_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    fixtures::hugging_face(dir.path(), 1);
    let assert = mlstack()
        .args([
            "recommend",
            "--format",
            "json",
            "--model-type",
            "vision",
            "--model",
        ])
        .arg(dir.path())
        .assert()
        .success();
    assert!(
        stderr_of(&assert).contains(
            "warning: --model-type says vision but the model's files say llm; using vision"
        ),
        "{}",
        stderr_of(&assert)
    );
    let v: serde_json::Value = serde_json::from_str(&stdout_of(&assert)).unwrap();
    assert_eq!(v["answers"]["model-type"], serde_json::json!(["vision"]));
    assert_eq!(v["provenance"]["model-type"], "flag");
    assert_eq!(v["provenance"]["model-size"], "model");
}

#[test]
fn an_mlx_folder_counts_packed_weights_and_is_already_mlx() {
    let dir = tempfile::tempdir().unwrap();
    fixtures::mlx_folder(dir.path());
    let found = inspect_json(dir.path());
    assert_eq!(found["model"]["format"], "mlx");
    assert_eq!(found["model"]["converted"], "mlx");
    assert_eq!(found["model"]["parameters"], 3_000_000_000u64);
    assert_eq!(found["model"]["precision"], "4-bit (MLX, group 64)");
    assert_eq!(found["model"]["bits_per_weight"], 4.5);
    assert_eq!(found["answers"]["model-size"], "1b-to-4b");
    let v = recommend_with_model(dir.path(), &[]);
    assert_eq!(v["recommendation"]["id"], "mlx");
    assert_eq!(v["answers"]["converted"], "mlx");
}

#[test]
fn a_gguf_file_gives_its_architecture_size_and_quantization() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.gguf");
    fixtures::gguf(
        &path,
        "llama",
        15,
        &[&[3072, 1_000_000], &[3072, 1_000_000]],
        3_500_000_000,
    );
    let found = inspect_json(&path);
    assert_eq!(found["model"]["format"], "gguf");
    assert_eq!(found["model"]["architecture"], "llama");
    assert_eq!(found["model"]["parameters"], 6_144_000_000u64);
    assert_eq!(found["model"]["precision"], "Q4_K_M");
    assert_eq!(found["answers"]["model-size"], "4b-to-8b");
    assert_eq!(found["answers"]["converted"], "gguf");
    assert_eq!(found["model"]["attention"]["head_dim"], 128);
    // A GGUF language model stays on llama.cpp, which runs the file as it is.
    let v = recommend_with_model(&path, &[]);
    assert_eq!(v["recommendation"]["id"], "cross-platform", "{v}");
    assert_eq!(v["models"][0]["runtime"]["name"], "llama.cpp");
    // Where an Apple stack wins (the team still changes the model), the note says how to
    // leave GGUF.
    let v = recommend_with_model(
        &path,
        &["--iteration", "prototyping", "--needs", "custom-sampling"],
    );
    assert_eq!(v["recommendation"]["id"], "mlx", "{v}");
    assert!(
        v["notes"].as_array().unwrap().iter().any(|n| n["text"]
            .as_str()
            .unwrap()
            .contains("GGUF is llama.cpp's format")),
        "{}",
        v["notes"]
    );
}

#[test]
fn a_stateful_core_ml_package_proves_its_cache_and_loop() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("Decoder.mlpackage");
    fixtures::mlpackage(&pkg, &fixtures::coreml_spec(1, 2), 600_000_000);
    let found = inspect_json(&pkg);
    assert_eq!(found["model"]["format"], "core-ml-package");
    assert_eq!(found["model"]["stateful"], true);
    assert_eq!(found["model"]["dynamic_shapes"], false);
    assert_eq!(found["model"]["needs_os"], "iOS 18, macOS 15");
    assert_eq!(found["answers"]["needs"], serde_json::json!(["kv-cache"]));
    assert_eq!(found["answers"]["decoding"], "app-code");
    assert!(
        found["answers"].get("model-type").is_none(),
        "a spec does not say it is an LLM"
    );
    // The model type stays a question: with it given, the verdict is the shipping-apps one.
    let v = recommend_with_model(
        &pkg,
        &[
            "--model-type",
            "llm",
            "--model-size",
            "under-1b",
            "--ane-compatible",
            "yes",
        ],
    );
    assert_eq!(v["recommendation"]["id"], "core-ml");
    assert_eq!(v["provenance"]["converted"], "model");

    let ranged = dir.path().join("Ranged.mlpackage");
    fixtures::mlpackage(&ranged, &fixtures::coreml_spec(512, 0), 1000);
    assert_eq!(
        inspect_json(&ranged)["answers"]["needs"],
        serde_json::json!(["dynamic-shapes"])
    );
}

#[test]
fn compiled_core_ml_and_core_ai_assets_say_what_they_can() {
    let dir = tempfile::tempdir().unwrap();
    let compiled = dir.path().join("Model.mlmodelc");
    std::fs::create_dir(&compiled).unwrap();
    std::fs::write(
        compiled.join("metadata.json"),
        r#"[{"specificationVersion": 4, "modelType": {"name": "MLModelType_treeEnsembleClassifier"},
            "inputSchema": [{"type": "MultiArray", "hasShapeFlexibility": "0"}]}]"#,
    )
    .unwrap();
    let found = inspect_json(&compiled);
    assert_eq!(found["model"]["format"], "core-ml-compiled");
    assert_eq!(
        found["answers"]["model-type"],
        serde_json::json!(["classifier"])
    );
    assert_eq!(found["answers"]["model-kind"], "classical");
    let v = recommend_with_model(&compiled, &[]);
    assert_eq!(v["recommendation"]["id"], "core-ml");

    let asset = dir.path().join("Detector.aimodel");
    std::fs::write(&asset, vec![0u8; 4096]).unwrap();
    let found = inspect_json(&asset);
    assert_eq!(found["model"]["format"], "core-ai");
    assert_eq!(found["answers"]["converted"], "core-ai");
    assert_eq!(found["model"]["weight_bytes"], 4096);
}

/// A broken or hostile model: exit 2, the path in the message, nothing on stdout.
fn refused(path: &Path, needle: &str) {
    for args in [&["inspect"][..], &["recommend", "--model"][..]] {
        let assert = mlstack().args(args).arg(path).assert().code(2).stdout("");
        let err = stderr_of(&assert);
        assert!(err.contains(&path.display().to_string()), "{err}");
        assert!(err.contains(needle), "expected {needle:?} in {err}");
        assert_eq!(err.lines().count(), 1, "one clear line: {err}");
    }
}

#[test]
fn lying_and_truncated_headers_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    // A safetensors header length far past the end of the file.
    let lying = dir.path().join("lying.safetensors");
    let mut bytes = (1u64 << 40).to_le_bytes().to_vec();
    bytes.extend(b"{}");
    std::fs::write(&lying, &bytes).unwrap();
    refused(
        &lying,
        "(at byte 0): header length 1099511627776 runs past the end",
    );

    // A tensor whose data lies past the file.
    let short = dir.path().join("short.safetensors");
    fixtures::safetensors(&short, &[("w", "F16", &[1000])], None);
    let len = std::fs::metadata(&short).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&short)
        .unwrap()
        .set_len(len - 10)
        .unwrap();
    refused(&short, "lie outside");

    // A GGUF claiming 2^60 tensors, and one cut off in its metadata.
    let absurd = dir.path().join("absurd.gguf");
    fixtures::gguf(&absurd, "llama", 15, &[&[10]], 0);
    let mut b = std::fs::read(&absurd).unwrap();
    b[8..16].copy_from_slice(&(1u64 << 60).to_le_bytes());
    std::fs::write(&absurd, &b).unwrap();
    refused(&absurd, "(at byte 8): claims 1152921504606846976 tensors");
    let cut = dir.path().join("cut.gguf");
    std::fs::write(&cut, &b[..60]).unwrap();
    refused(&cut, "cut.gguf (at byte");

    // A Core ML spec that is not protobuf.
    let pkg = dir.path().join("Broken.mlpackage");
    fixtures::mlpackage(&pkg, &[0x0f, 0xff], 0);
    refused(&pkg, "wire type 7");
}

#[test]
fn a_huge_sparse_weight_file_is_read_by_its_header_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.safetensors");
    // 10 GB of tensor data that is never written (a sparse file) and never read.
    fixtures::safetensors(&path, &[("w", "BF16", &[5_000_000_000])], None);
    let found = inspect_json(&path);
    assert_eq!(found["model"]["weight_bytes"], 10_000_000_000u64);
    assert_eq!(found["model"]["parameters"], 5_000_000_000u64);
}

#[test]
fn loops_pipes_and_strangers_are_refused_without_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.gguf");
    let b = dir.path().join("b.gguf");
    std::os::unix::fs::symlink(&b, &a).unwrap();
    std::os::unix::fs::symlink(&a, &b).unwrap();
    refused(&a, "cannot read");

    let fifo = dir.path().join("pipe.gguf");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    refused(&fifo, "not a model mlstack can read");

    let stranger = dir.path().join("notes.txt");
    std::fs::write(&stranger, "hello").unwrap();
    refused(&stranger, "expected a Hugging Face or MLX model folder");

    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    refused(&empty, "no config.json, *.safetensors or *.gguf here");
}

#[test]
fn thousands_of_shards_are_refused_past_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.json"), fixtures::llama_config("")).unwrap();
    for i in 0..4097 {
        std::fs::write(dir.path().join(format!("s{i:05}.safetensors")), b"").unwrap();
    }
    refused(
        dir.path(),
        "4097 safetensors files, more than the 4096 mlstack reads",
    );
}

#[test]
fn control_characters_from_a_model_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.json"),
        "{\"architectures\": [\"Evil\\u001b]52;c;aGk=\\u0007ForCausalLM\"]}",
    )
    .unwrap();
    fixtures::safetensors(
        &dir.path().join("model.safetensors"),
        &[("w", "F16", &[10])],
        None,
    );
    let assert = mlstack().arg("inspect").arg(dir.path()).assert().success();
    let out = stdout_of(&assert);
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
    assert!(out.contains("Evil\\u{1b}]52"), "{out}");
}

#[test]
fn a_hugging_face_cache_snapshot_of_symlinks_is_read_through_them() {
    // ~/.cache/huggingface/hub/models--X/snapshots/REV/ holds links into ../../blobs/.
    let root = tempfile::tempdir().unwrap();
    let blobs = root.path().join("blobs");
    fixtures::hugging_face(&blobs, 1);
    let snapshot = root.path().join("snapshots/abc123");
    std::fs::create_dir_all(&snapshot).unwrap();
    for name in ["config.json", "model-00001-of-00001.safetensors"] {
        std::os::unix::fs::symlink(format!("../../blobs/{name}"), snapshot.join(name)).unwrap();
    }
    let found = inspect_json(&snapshot);
    assert_eq!(found["model"]["parameters"], 1_235_814_400u64);
    assert_eq!(found["answers"]["model-type"], serde_json::json!(["llm"]));
}

/// A vision model's Hugging Face folder: a ViT classifier of about 86 M parameters.
fn vit_folder(dir: &Path) {
    vit_folder_of(dir, 86_000_000);
}

/// A ViT classifier's Hugging Face folder of `parameters` float32 weights.
fn vit_folder_of(dir: &Path, parameters: u64) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("config.json"),
        r#"{"architectures": ["ViTForImageClassification"], "model_type": "vit", "torch_dtype": "float32"}"#,
    )
    .unwrap();
    fixtures::safetensors(
        &dir.join("model.safetensors"),
        &[("vit.encoder.weight", "F32", &[parameters])],
        Some("pt"),
    );
}

/// Issue 23: `--model PATH` repeats, one model each. The kinds the files say make the app's
/// models, each model gets its own files' answers and memory fit, and the replay command
/// names every path; files that do not say their kind, or two of one kind, are usage errors.
#[test]
fn each_model_of_the_app_can_answer_from_its_own_files() {
    let dir = tempfile::tempdir().unwrap();
    let (llm, vit) = (dir.path().join("llm"), dir.path().join("vit"));
    fixtures::hugging_face(&llm, 1);
    vit_folder(&vit);
    let assert = mlstack()
        .args(["recommend", "--format", "json", "--model"])
        .arg(&vit)
        .arg("--model")
        .arg(&llm)
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&assert)).unwrap();
    let models = json["models"].as_array().unwrap();
    let names: Vec<&str> = models.iter().map(|m| m["name"].as_str().unwrap()).collect();
    // In the model-type question's option order, as `--model-type vision,llm` gives them.
    assert_eq!(names, ["llm", "vision"], "{json}");
    let llm_model = &models[0];
    assert_eq!(
        llm_model["answers"]["model-size"], "1b-to-4b",
        "{llm_model}"
    );
    assert_eq!(
        llm_model["provenance"]["model-size"], "model",
        "{llm_model}"
    );
    assert!(!models[1]["fit"].is_null() && !llm_model["fit"].is_null());
    // Issue 24: the app loads both, so their memory counts together.
    let memory = &json["memory"];
    assert_eq!(
        memory["models"],
        serde_json::json!(["llm", "vision"]),
        "{json}"
    );
    assert_eq!(
        memory["total_bytes"].as_u64().unwrap(),
        llm_model["fit"]["total_bytes"].as_u64().unwrap()
            + models[1]["fit"]["total_bytes"].as_u64().unwrap()
    );
    assert_eq!(
        memory["not_estimated"],
        serde_json::json!(["older-iphones"]),
        "the smallest iPhones have no figures: {memory}"
    );
    assert_eq!(models[1]["model"]["model_type"], "vision");
    // The same as answering by hand, model by model.
    let by_hand = recommend_json(&[
        "--model-type",
        "vision,llm",
        "--model-size",
        "llm=1b-to-4b",
        "--converted",
        "none",
    ]);
    assert_eq!(
        json["recommendation"]["id"], by_hand["recommendation"]["id"],
        "{json}"
    );
    // The table says what each model's files answered as a person would give it that model.
    mlstack()
        .args(["recommend", "--model"])
        .arg(&vit)
        .arg("--model")
        .arg(&llm)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Memory fit, llm and vision together (their files read)",
        ))
        .stdout(predicate::str::contains(
            "Answered from its files: --model-size llm=1b-to-4b",
        ));
    // Files that do not say what kind of model they are, or two of one kind.
    let bare = dir.path().join("bare.safetensors");
    fixtures::safetensors(&bare, &[("w", "F16", &[1000])], None);
    for (second, needle) in [
        (&bare, "do not say what kind of model it is"),
        (&llm, "a second model of the same kind"),
    ] {
        mlstack()
            .args(["recommend", "--model"])
            .arg(&llm)
            .arg("--model")
            .arg(second)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(needle));
    }
}

/// Issue 24: a model inside an app extension is measured against each kind of extension's
/// reported ceiling, not the iPhone's, and does not count beside the app's other models.
#[test]
fn a_model_in_an_app_extension_is_measured_against_the_extensions_ceilings() {
    let dir = tempfile::tempdir().unwrap();
    let (llm, small) = (dir.path().join("llm"), dir.path().join("small"));
    fixtures::hugging_face(&llm, 1);
    // 10 M float32 parameters: 40 MB, over a widget's 30 MB and under a keyboard's 48 MB.
    vit_folder_of(&small, 10_000_000);
    let v = recommend_with_model(&small, &["--needs", "app-extension"]);
    let (schemas, index) = crate::ecosystem::validator();
    if let Err(e) = schemas.validate(&v, index) {
        panic!("an extension's fit fails the schema: {e:#}\n{v}");
    }
    let fit = &v["fit"];
    assert_eq!(fit["app_extension"], true, "{fit}");
    let verdicts: Vec<(&str, &str)> = fit["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["tier"].as_str().unwrap(), d["verdict"].as_str().unwrap()))
        .collect();
    assert_eq!(
        verdicts,
        [
            ("notification-service-extension", "too-large"),
            ("widget-extension", "too-large"),
            ("keyboard-extension", "fits"),
            ("share-extension", "fits"),
        ]
    );
    let table = mlstack()
        .env("COLUMNS", "100")
        .args(["recommend", "--needs", "app-extension", "--model"])
        .arg(&small)
        .assert()
        .success();
    let text = stdout_of(&table);
    assert!(
        text.contains("- Custom keyboards: fits (reported ceiling about 48 MB)"),
        "{text}"
    );
    assert!(
        text.contains("Apple publishes no memory limits for app"),
        "{text}"
    );
    assert!(!text.contains("iPhone, 8 GB"), "{text}");

    // Outside the extension the same files get the devices' tiers.
    let v = recommend_with_model(&small, &[]);
    assert!(v["fit"].get("app_extension").is_none(), "{}", v["fit"]);
    assert_eq!(v["fit"]["devices"][0]["tier"], "iphone-8gb");

    // The extension's model does not count beside the app's language model.
    let assert = mlstack()
        .args([
            "recommend",
            "--format",
            "json",
            "--needs",
            "vision=app-extension",
        ])
        .arg("--model")
        .arg(&small)
        .arg("--model")
        .arg(&llm)
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&assert)).unwrap();
    assert!(json["memory"].is_null(), "{}", json["memory"]);
    assert_eq!(json["models"][1]["fit"]["app_extension"], true, "{json}");
}
