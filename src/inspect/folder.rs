//! Model folders (Hugging Face and MLX-community layouts) and single safetensors files:
//! `config.json` for the kind of model and its precision, the safetensors headers (or the
//! shard index) for the parameter count and the bytes of weights.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::config::{self, Config};
use super::safetensors::{self, dtype_bits};
use super::{Converted, InspectError, Inspection, ModelFormat, ModelKind, files};

/// The most safetensors shards read: real models have at most a few hundred.
pub const MAX_SHARDS: usize = 4096;

/// A folder: `config.json` plus `*.safetensors` (or one `.gguf`).
pub fn model_folder(dir: &Path) -> Result<Inspection, InspectError> {
    let entries = files::list(dir)?;
    let named = |name: &str| {
        entries
            .iter()
            .find(|p| p.file_name().is_some_and(|n| n == name))
    };
    let ext = |p: &PathBuf, e: &str| p.extension().is_some_and(|x| x.eq_ignore_ascii_case(e));
    let shards: Vec<&PathBuf> = entries.iter().filter(|p| ext(p, "safetensors")).collect();
    let config = named("config.json");
    if config.is_none() && shards.is_empty() {
        let ggufs: Vec<&PathBuf> = entries.iter().filter(|p| ext(p, "gguf")).collect();
        return match ggufs.as_slice() {
            [one] => super::gguf::file(one),
            [] => Err(InspectError::new(
                dir,
                format!(
                    "no config.json, *.safetensors or *.gguf here: {}",
                    super::EXPECTED
                ),
            )),
            many => Err(InspectError::new(
                dir,
                format!(
                    "{} GGUF files here; point at the one the app ships (e.g. {})",
                    many.len(),
                    many[0].display()
                ),
            )),
        };
    }
    let mut found = Inspection::default();
    let cfg = match config {
        Some(path) => {
            found.read.push("config.json".to_owned());
            Some(read_config(path)?)
        }
        None => {
            found
                .not_read
                .push("model type (no config.json beside the weights)".to_owned());
            None
        }
    };
    weights(
        dir,
        &shards,
        named("model.safetensors.index.json"),
        cfg.as_ref(),
        &mut found,
    )?;
    apply_config(cfg.as_ref(), &mut found);
    Ok(found)
}

/// One `.safetensors` file, with the `config.json` beside it if there is one.
pub fn single_safetensors(path: &Path) -> Result<Inspection, InspectError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let beside = dir.join("config.json");
    let mut found = Inspection::default();
    let cfg = if beside.is_file() {
        found.read.push("config.json (beside the file)".to_owned());
        Some(read_config(&beside)?)
    } else {
        found
            .not_read
            .push("model type (no config.json beside the file)".to_owned());
        None
    };
    let one = path.to_path_buf();
    weights(dir, &[&one], None, cfg.as_ref(), &mut found)?;
    if found.format == ModelFormat::HuggingFace {
        found.format = ModelFormat::Safetensors;
    }
    apply_config(cfg.as_ref(), &mut found);
    Ok(found)
}

fn read_config(path: &Path) -> Result<Config, InspectError> {
    let value = files::read_json(path)?;
    if !value.is_object() {
        return Err(InspectError::new(path, "not a JSON object"));
    }
    Ok(config::read(&value))
}

fn apply_config(cfg: Option<&Config>, found: &mut Inspection) {
    let Some(cfg) = cfg else {
        return;
    };
    found.architecture = cfg.architecture.clone();
    found.model_type = cfg.model_type;
    if cfg.model_type.is_some() {
        found.model_kind = Some(ModelKind::NeuralNetwork);
    }
    if let Some(name) = &cfg.unclassified {
        found.not_read.push(format!(
            "model type (architecture {name:?} is not one mlstack classifies)"
        ));
    }
    if found.precision.is_none() {
        found.precision = cfg.precision.clone();
    }
    found.attention = cfg.attention;
    if cfg.mlx_quantized {
        found.format = ModelFormat::Mlx;
        found.converted = Converted::Mlx;
    }
}

/// Parameters and weight bytes from the shards' headers, or from the index when no shard is
/// here. Packed quantized tensors (MLX, GPTQ, AWQ: 32-bit words holding several weights) count
/// as the weights they hold; their scales and biases count as bytes, not parameters.
fn weights(
    dir: &Path,
    shards: &[&PathBuf],
    index: Option<&PathBuf>,
    cfg: Option<&Config>,
    found: &mut Inspection,
) -> Result<(), InspectError> {
    if shards.len() > MAX_SHARDS {
        return Err(InspectError::new(
            dir,
            format!(
                "{} safetensors files, more than the {MAX_SHARDS} mlstack reads",
                shards.len()
            ),
        ));
    }
    if shards.is_empty() {
        return weights_from_index(index, cfg, found);
    }
    let quant_bits = cfg
        .and_then(|c| c.quant_bits)
        .filter(|b| (1..=16).contains(b));
    let (mut params, mut bytes, mut mlx) = (0u64, 0u64, false);
    for path in shards {
        let header = safetensors::read(path)?;
        mlx |= header.format.as_deref() == Some("mlx");
        bytes = bytes.saturating_add(header.data_bytes);
        for t in &header.tensors {
            params = params.saturating_add(parameters(t, quant_bits));
        }
    }
    let read = match shards {
        [one] => files::relative(one, dir),
        many => format!("{} safetensors headers", many.len()),
    };
    found.read.push(read);
    found.not_read.push("tensor data (never read)".to_owned());
    found.parameters = Some(params);
    found.weight_bytes = Some(bytes);
    if mlx {
        found.format = ModelFormat::Mlx;
        found.converted = Converted::Mlx;
    }
    Ok(())
}

/// Elements a tensor holds as weights.
fn parameters(t: &safetensors::Tensor, quant_bits: Option<u64>) -> u64 {
    let aux = [
        ".scales", ".biases", ".qzeros", ".g_idx", ".scale", ".zeros",
    ];
    match quant_bits {
        Some(_) if aux.iter().any(|s| t.name.ends_with(s)) => 0,
        Some(bits) if matches!(t.dtype.as_str(), "U32" | "I32") => {
            t.elements.saturating_mul(32 / bits)
        }
        _ => t.elements,
    }
}

/// Only `model.safetensors.index.json` here (shards not downloaded): its `total_size` is the
/// weight bytes; parameters follow from the dtype when it is not quantized.
fn weights_from_index(
    index: Option<&PathBuf>,
    cfg: Option<&Config>,
    found: &mut Inspection,
) -> Result<(), InspectError> {
    let Some(path) = index else {
        found
            .not_read
            .push("parameters and weight size (no *.safetensors files here)".to_owned());
        return Ok(());
    };
    let value = files::read_json(path)?;
    let total = value
        .pointer("/metadata/total_size")
        .and_then(Value::as_u64)
        .ok_or_else(|| InspectError::new(path, "no metadata.total_size"))?;
    found.read.push("model.safetensors.index.json".to_owned());
    found.weight_bytes = Some(total);
    let bits = cfg.and_then(|c| match c.precision.as_deref() {
        Some("bf16" | "fp16") if c.quant_bits.is_none() => dtype_bits("F16"),
        Some("fp32") if c.quant_bits.is_none() => dtype_bits("F32"),
        _ => None,
    });
    match bits {
        Some(b) => {
            found.parameters = Some(total * 8 / b);
            found
                .not_read
                .push("shard headers (not here): parameters from the index's size".to_owned());
        }
        None => found
            .not_read
            .push("parameters (shards not here, and the precision does not give them)".to_owned()),
    }
    Ok(())
}
