//! What of the release can run here: packaging the binary (the Linux leg of
//! .github/workflows/release.yml), rendering the Homebrew formula and running its `test do`
//! command, the composite action's install and gate scripts, and the pre-commit hook.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn binary() -> PathBuf {
    assert_cmd::cargo::cargo_bin("mlstack")
}

/// PATH with the built binary first.
fn path_with_binary() -> String {
    format!(
        "{}:{}",
        binary().parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

fn run(script: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(root().join(script));
    cmd.args(args).env("PATH", path_with_binary());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Package the test binary as every release target, as the workflow does.
fn dist(dir: &Path) -> Vec<PathBuf> {
    [
        "aarch64-apple-darwin",
        "x86_64-apple-darwin",
        "x86_64-unknown-linux-gnu",
    ]
    .iter()
    .map(|target| {
        let out = run(
            "packaging/package.sh",
            &[
                binary().to_str().unwrap(),
                target,
                "9.9.9",
                dir.to_str().unwrap(),
            ],
            &[],
        );
        assert!(out.status.success(), "{out:?}");
        PathBuf::from(text(&out.stdout).trim())
    })
    .collect()
}

#[test]
fn a_release_archive_holds_the_binary_completions_man_page_and_licences() {
    let dir = tempfile::tempdir().unwrap();
    let archives = dist(dir.path());
    let linux = &archives[2];
    assert!(linux.ends_with("mlstack-9.9.9-x86_64-unknown-linux-gnu.tar.gz"));
    let list = Command::new("tar").arg("-tzf").arg(linux).output().unwrap();
    let list = text(&list.stdout);
    for member in [
        "mlstack",
        "completions/mlstack.bash",
        "completions/_mlstack",
        "completions/mlstack.fish",
        "man/mlstack.1",
        "README.md",
        "CHANGELOG.md",
        "LICENSE-MIT",
        "LICENSE-APACHE",
    ] {
        assert!(
            list.lines()
                .any(|l| l == format!("mlstack-9.9.9-x86_64-unknown-linux-gnu/{member}")),
            "{member} in {list}"
        );
    }
    let check = Command::new("sha256sum")
        .args(["-c", "mlstack-9.9.9-x86_64-unknown-linux-gnu.tar.gz.sha256"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(check.status.success(), "{check:?}");
    // Unpacked, the binary runs.
    let unpack = tempfile::tempdir().unwrap();
    assert!(
        Command::new("tar")
            .arg("-xzf")
            .arg(linux)
            .arg("-C")
            .arg(unpack.path())
            .status()
            .unwrap()
            .success()
    );
    let out = Command::new(
        unpack
            .path()
            .join("mlstack-9.9.9-x86_64-unknown-linux-gnu/mlstack"),
    )
    .args(["recommend", "--model-type", "llm", "--format", "json"])
    .output()
    .unwrap();
    assert!(out.status.success());
}

#[test]
fn the_homebrew_formula_renders_and_its_test_passes() {
    let dir = tempfile::tempdir().unwrap();
    dist(dir.path());
    let out = run(
        "packaging/homebrew/render.sh",
        &[
            "9.9.9",
            "https://example.org/releases/v9.9.9",
            "https://example.org/mlstack",
            dir.path().to_str().unwrap(),
        ],
        &[],
    );
    assert!(out.status.success(), "{out:?}");
    let formula = text(&out.stdout);
    assert!(!formula.contains('@'), "placeholders left:\n{formula}");
    assert!(formula.contains(
        "url \"https://example.org/releases/v9.9.9/mlstack-9.9.9-aarch64-apple-darwin.tar.gz\""
    ));
    let sum = std::fs::read_to_string(
        dir.path()
            .join("mlstack-9.9.9-x86_64-apple-darwin.tar.gz.sha256"),
    )
    .unwrap();
    assert!(formula.contains(&format!("sha256 \"{}\"", sum.split(' ').next().unwrap())));
    // The `test do` block: run its command and its assertions here.
    let command = formula
        .lines()
        .find_map(|l| l.trim().strip_prefix("output = shell_output(\""))
        .and_then(|l| l.strip_suffix("\")"))
        .expect("a shell_output command")
        .replace(
            "#{bin}/",
            &format!("{}/", binary().parent().unwrap().display()),
        );
    let out = Command::new("sh").args(["-c", &command]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let output = text(&out.stdout);
    for line in formula
        .lines()
        .filter_map(|l| l.trim().strip_prefix("assert_match \""))
    {
        let needle = line
            .strip_suffix("\", output")
            .unwrap()
            .replace("\\\"", "\"");
        assert!(
            output.contains(&needle),
            "test do: {needle} not in the output"
        );
    }
    // A missing target is named.
    std::fs::remove_file(
        dir.path()
            .join("mlstack-9.9.9-x86_64-apple-darwin.tar.gz.sha256"),
    )
    .unwrap();
    let out = run(
        "packaging/homebrew/render.sh",
        &["9.9.9", "u", "h", dir.path().to_str().unwrap()],
        &[],
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("no checksum for x86_64-apple-darwin"));
}

#[test]
fn the_action_installs_a_checked_release_and_gates_the_decision() {
    let dist_dir = tempfile::tempdir().unwrap();
    dist(dist_dir.path());
    let runner = tempfile::tempdir().unwrap();
    let github_path = runner.path().join("github_path");
    let base = format!("file://{}", dist_dir.path().display());
    let env = [
        ("MLSTACK_VERSION", "9.9.9"),
        ("MLSTACK_RELEASE_BASE", base.as_str()),
        ("RUNNER_OS", "Linux"),
        ("RUNNER_ARCH", "X64"),
        ("RUNNER_TEMP", runner.path().to_str().unwrap()),
        ("GITHUB_PATH", github_path.to_str().unwrap()),
    ];
    let out = run("packaging/action/install.sh", &[], &env);
    assert!(out.status.success(), "{out:?}");
    let installed = std::fs::read_to_string(&github_path).unwrap();
    assert!(
        Path::new(installed.trim()).join("mlstack").is_file(),
        "{installed}"
    );

    // No such release: an annotation that says what to do instead, not a bare curl error.
    let mut missing = env;
    missing[0] = ("MLSTACK_VERSION", "0.0.1");
    let out = run("packaging/action/install.sh", &[], &missing);
    assert!(!out.status.success());
    assert!(
        text(&out.stdout).contains("::error::no mlstack 0.0.1 release")
            && text(&out.stdout).contains("version: installed"),
        "{out:?}"
    );

    // A tampered archive is refused.
    let archive = dist_dir
        .path()
        .join("mlstack-9.9.9-x86_64-unknown-linux-gnu.tar.gz");
    let mut bytes = std::fs::read(&archive).unwrap();
    bytes.push(0);
    std::fs::write(&archive, bytes).unwrap();
    let out = run("packaging/action/install.sh", &[], &env);
    assert!(!out.status.success());
    assert!(text(&out.stdout).contains("::error::checksum mismatch"));

    let summary = runner.path().join("summary.md");
    let answers = root().join("examples/ci-answers.yaml");
    let gate = |expect: &str| {
        run(
            "packaging/action/gate.sh",
            &[],
            &[
                ("MLSTACK_ANSWERS", answers.to_str().unwrap()),
                ("MLSTACK_EXPECT", expect),
                ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
            ],
        )
    };
    let out = gate("both");
    assert!(out.status.success(), "{out:?}");
    assert!(
        std::fs::read_to_string(&summary)
            .unwrap()
            .contains("### Plan: Core ML + MLX (`core-ml+mlx`)")
    );
    let out = gate("Core ML + MLX");
    assert!(out.status.success(), "{out:?}");
    let out = gate("mlx");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains(
        "::error::the recommendation is no longer mlx: --expect mlx (MLX) failed: the recommendation is core-ml+mlx (Core ML + MLX)"
    ));
    // An expect that is no outcome, or names a model the app does not have: an annotation,
    // and the usage error's exit code.
    for bad in ["coreml", "audio=mlx"] {
        let out = gate(bad);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            text(&out.stdout)
                .contains("::error::the expect input names no outcome or model of these rules"),
            "{out:?}"
        );
    }
    let out = run(
        "packaging/action/gate.sh",
        &[],
        &[
            ("MLSTACK_ANSWERS", "/nonexistent.yaml"),
            ("MLSTACK_EXPECT", "both"),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_pre_commit_hook_fails_on_any_bad_rule_file() {
    let good = root().join("rules/default.yaml");
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "name: x\nquestions: 3\n").unwrap();
    let good = good.to_str().unwrap();
    let out = run("packaging/pre-commit/rules.sh", &["validate", good], &[]);
    assert!(out.status.success(), "{out:?}");
    let out = run("packaging/pre-commit/rules.sh", &["test", good], &[]);
    assert!(out.status.success(), "{out:?}");
    let out = run(
        "packaging/pre-commit/rules.sh",
        &["validate", bad.to_str().unwrap(), good],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("bad.yaml"), "{out:?}");
}
