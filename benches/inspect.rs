//! Model inspection benchmarks: `cargo bench --bench inspect`. Headers only, so the cost is
//! file system calls and header parsing, whatever the size of the weights.

use divan::{Bencher, black_box};

#[path = "../tests/support/model_fixtures.rs"]
mod fixtures;

fn main() {
    divan::main();
}

/// A Hugging Face folder of 100 shards (20 tensors each, sparse data): listing, `config.json`
/// and 100 safetensors headers per iteration.
#[divan::bench]
fn inspect_100_shards(bencher: Bencher) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.json"),
        fixtures::llama_config(r#", "torch_dtype": "bfloat16""#),
    )
    .unwrap();
    for shard in 0..100 {
        let names: Vec<String> = (0..20)
            .map(|t| format!("model.layers.{shard}.block.{t}.weight"))
            .collect();
        let tensors: Vec<(&str, &str, &[u64])> = names
            .iter()
            .map(|n| (n.as_str(), "BF16", &[4096u64, 4096][..]))
            .collect();
        let name = format!("model-{:05}-of-00100.safetensors", shard + 1);
        fixtures::safetensors(&dir.path().join(name), &tensors, Some("pt"));
    }
    let path = dir.path().to_path_buf();
    let found = mlstack::inspect::inspect(&path).unwrap();
    assert_eq!(found.parameters, Some(100 * 20 * 4096 * 4096));
    bencher.bench_local(|| mlstack::inspect::inspect(black_box(&path)).unwrap());
}

/// A GGUF file with a Llama 3-sized vocabulary (128,256 tokens) to skip and 300 tensor
/// records.
#[divan::bench]
fn inspect_gguf(bencher: Bencher) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.gguf");
    let shapes: Vec<[u64; 2]> = (0..300).map(|_| [3072, 8192]).collect();
    let dims: Vec<&[u64]> = shapes.iter().map(|s| &s[..]).collect();
    fixtures::gguf_with_vocab(&path, "llama", 15, &dims, 4_000_000_000, 128_256);
    bencher.bench_local(|| mlstack::inspect::inspect(black_box(&path)).unwrap());
}
