//! Tiny model files written on the spot (no downloads): safetensors, GGUF and Core ML specs
//! with real headers and sparse (never written) tensor data. Shared by the end-to-end tests
//! and the inspect benchmark.
#![allow(dead_code)]

use std::fs;
use std::path::Path;

/// A safetensors file: `tensors` are (name, dtype, shape); data is a sparse hole of the size
/// the header promises.
pub fn safetensors(path: &Path, tensors: &[(&str, &str, &[u64])], format: Option<&str>) {
    let mut header = serde_json::Map::new();
    if let Some(f) = format {
        header.insert("__metadata__".into(), serde_json::json!({ "format": f }));
    }
    let mut offset = 0u64;
    for (name, dtype, shape) in tensors {
        let bytes_per = match *dtype {
            "F32" | "U32" | "I32" => 4,
            "BF16" | "F16" => 2,
            _ => 1,
        };
        let n: u64 = shape.iter().product::<u64>() * bytes_per;
        header.insert(
            (*name).into(),
            serde_json::json!({"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + n]}),
        );
        offset += n;
    }
    let text = serde_json::to_vec(&header).unwrap();
    let mut bytes = (text.len() as u64).to_le_bytes().to_vec();
    bytes.extend(&text);
    fs::write(path, &bytes).unwrap();
    let f = fs::OpenOptions::new().write(true).open(path).unwrap();
    f.set_len(bytes.len() as u64 + offset).unwrap();
}

/// A Llama-style `config.json`.
pub fn llama_config(extra: &str) -> String {
    format!(
        r#"{{"architectures": ["LlamaForCausalLM"], "model_type": "llama",
        "num_hidden_layers": 16, "num_attention_heads": 32, "num_key_value_heads": 8,
        "hidden_size": 2048, "max_position_embeddings": 131072{extra}}}"#
    )
}

/// A Hugging Face folder of `shards` bf16 shards, about 1.24 B parameters in all.
pub fn hugging_face(dir: &Path, shards: usize) {
    fs::create_dir_all(dir).unwrap();
    fs::write(
        dir.join("config.json"),
        llama_config(r#", "torch_dtype": "bfloat16""#),
    )
    .unwrap();
    let per_shard = 1_235_814_400 / shards as u64;
    for i in 0..shards {
        let name = format!("model-{:05}-of-{shards:05}.safetensors", i + 1);
        safetensors(
            &dir.join(name),
            &[(&format!("model.layers.{i}.weight"), "BF16", &[per_shard])],
            Some("pt"),
        );
    }
}

/// An MLX-community folder: 4-bit weights packed in U32 words with scales and biases.
pub fn mlx_folder(dir: &Path) {
    fs::create_dir_all(dir).unwrap();
    fs::write(
        dir.join("config.json"),
        llama_config(r#", "quantization": {"group_size": 64, "bits": 4}"#),
    )
    .unwrap();
    // 3,000,000,000 weights at 8 per 32-bit word, one scale and one bias per 64 weights.
    safetensors(
        &dir.join("model.safetensors"),
        &[
            ("model.layers.0.weight", "U32", &[375_000_000]),
            ("model.layers.0.scales", "BF16", &[46_875_000]),
            ("model.layers.0.biases", "BF16", &[46_875_000]),
        ],
        Some("mlx"),
    );
}

fn gguf_string(s: &str) -> Vec<u8> {
    let mut v = (s.len() as u64).to_le_bytes().to_vec();
    v.extend(s.as_bytes());
    v
}

/// A GGUF v3 file: `general.architecture`, a file type, Llama attention counts, a tokenizer
/// vocabulary of `vocab` strings and tensors of the given shapes (Q4_K), with `data` bytes of
/// sparse tensor data.
pub fn gguf(path: &Path, arch: &str, file_type: u32, tensors: &[&[u64]], data: u64) {
    gguf_with_vocab(path, arch, file_type, tensors, data, 1000);
}

pub fn gguf_with_vocab(
    path: &Path,
    arch: &str,
    file_type: u32,
    tensors: &[&[u64]],
    data: u64,
    vocab_size: u64,
) {
    let mut kv: Vec<(String, u32, Vec<u8>)> = vec![
        ("general.architecture".into(), 8, gguf_string(arch)),
        (
            "general.file_type".into(),
            4,
            file_type.to_le_bytes().to_vec(),
        ),
        (
            format!("{arch}.block_count"),
            4,
            28u32.to_le_bytes().to_vec(),
        ),
        (
            format!("{arch}.attention.head_count"),
            4,
            24u32.to_le_bytes().to_vec(),
        ),
        (
            format!("{arch}.attention.head_count_kv"),
            4,
            8u32.to_le_bytes().to_vec(),
        ),
        (
            format!("{arch}.embedding_length"),
            4,
            3072u32.to_le_bytes().to_vec(),
        ),
    ];
    // A tokenizer vocabulary, skipped by the reader: array (9) of strings (8).
    let mut vocab = 8u32.to_le_bytes().to_vec();
    vocab.extend(vocab_size.to_le_bytes());
    for i in 0..vocab_size {
        vocab.extend(gguf_string(&format!("token{i}")));
    }
    kv.push(("tokenizer.ggml.tokens".into(), 9, vocab));
    let mut b = b"GGUF".to_vec();
    b.extend(3u32.to_le_bytes());
    b.extend((tensors.len() as u64).to_le_bytes());
    b.extend((kv.len() as u64).to_le_bytes());
    for (k, t, v) in &kv {
        b.extend(gguf_string(k));
        b.extend(t.to_le_bytes());
        b.extend(v);
    }
    for (i, dims) in tensors.iter().enumerate() {
        b.extend(gguf_string(&format!("blk.{i}.weight")));
        b.extend((dims.len() as u32).to_le_bytes());
        for d in *dims {
            b.extend(d.to_le_bytes());
        }
        b.extend(12u32.to_le_bytes());
        b.extend(0u64.to_le_bytes());
    }
    b.resize(b.len().div_ceil(32) * 32, 0);
    fs::write(path, &b).unwrap();
    let f = fs::OpenOptions::new().write(true).open(path).unwrap();
    f.set_len(b.len() as u64 + data).unwrap();
}

fn varint(mut v: u64, out: &mut Vec<u8>) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// A length-delimited protobuf field.
pub fn pb_field(number: u64, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    varint(number << 3 | 2, &mut out);
    varint(data.len() as u64, &mut out);
    out.extend_from_slice(data);
    out
}

pub fn pb_varint(number: u64, v: u64) -> Vec<u8> {
    let mut out = Vec::new();
    varint(number << 3, &mut out);
    varint(v, &mut out);
    out
}

/// A Core ML spec: an ML program (502) of spec version 9 with one input of shape range
/// 1..`upper` (no range when `upper` is 1) and `states` state features.
pub fn coreml_spec(upper: u64, states: usize) -> Vec<u8> {
    let size_range = [pb_varint(1, 1), pb_varint(2, upper)].concat();
    let array_type = pb_field(31, &pb_field(1, &size_range));
    let feature_type = pb_field(5, &array_type);
    let mut description = pb_field(
        1,
        &[pb_field(1, b"input_ids"), pb_field(3, &feature_type)].concat(),
    );
    for _ in 0..states {
        description.extend(pb_field(13, &pb_field(1, b"key_cache")));
    }
    [
        pb_varint(1, 9),
        pb_field(2, &description),
        pb_field(502, &[]),
    ]
    .concat()
}

/// A `.mlpackage` holding `spec` and `weights` bytes of (sparse) weights.
pub fn mlpackage(dir: &Path, spec: &[u8], weights: u64) {
    let data = dir.join("Data/com.apple.CoreML");
    fs::create_dir_all(data.join("weights")).unwrap();
    fs::write(
        dir.join("Manifest.json"),
        r#"{"fileFormatVersion": "1.0.0", "itemInfoEntries": {"A1": {"author": "com.apple.CoreML", "name": "model.mlmodel", "path": "com.apple.CoreML/model.mlmodel"}}, "rootModelIdentifier": "A1"}"#,
    )
    .unwrap();
    fs::write(data.join("model.mlmodel"), spec).unwrap();
    let w = fs::File::create(data.join("weights/weight.bin")).unwrap();
    w.set_len(weights).unwrap();
}
