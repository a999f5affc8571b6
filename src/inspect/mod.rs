//! Reading a model's own files: what kind of model it is, how many parameters it has, at what
//! precision, whether it is already converted, and what a Core ML spec says about its shapes
//! and state. Headers only: every read is capped, no tensor data is read, and a file that lies
//! about its own layout gets an error naming the path and the byte offset.
//!
//! One file per format; `detect` decides which reader a path gets.

pub mod config;
mod coreai;
pub mod coreml;
pub(crate) mod files;
pub mod fit;
mod folder;
pub mod gguf;
pub mod protobuf;
pub mod safetensors;
mod to_answers;

use std::fmt;
use std::path::Path;

use serde::Serialize;

pub use to_answers::{ModelAnswers, proven, size_bucket, to_answers};

/// What a model's files say. Every field the files do not settle is `None`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Inspection {
    /// The path as given.
    pub path: String,
    pub format: ModelFormat,
    /// The architecture the files name (`LlamaForCausalLM`, GGUF `general.architecture`,
    /// Core ML model type).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub architecture: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_type: Option<ModelType>,
    /// Classical machine learning (trees, SVMs, linear models) or a neural network.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_kind: Option<ModelKind>,
    /// Parameters, counted from tensor shapes (packed quantized tensors unpacked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters: Option<u64>,
    /// Bytes of weights as stored, which is what they take in memory once loaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight_bytes: Option<u64>,
    /// Precision as the files name it: `bf16`, `4-bit (group 64)`, `Q4_K_M`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precision: Option<String>,
    /// Bits per weight: weight bytes × 8 / parameters, scales and biases included.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bits_per_weight: Option<f64>,
    /// The attention shape, for the KV-cache allowance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attention: Option<Attention>,
    /// Whether the model is already converted, and to what.
    pub converted: Converted,
    /// Core ML: inputs whose shapes vary over a range (not just a few enumerated shapes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dynamic_shapes: Option<bool>,
    /// Core ML: the model declares state (a KV cache kept in the model, iOS 18+).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stateful: Option<bool>,
    /// Core ML: the spec version and the OS releases it needs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec_version: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needs_os: Option<String>,
    /// The files read, relative to the path.
    pub read: Vec<String>,
    /// What the files could not tell, in words.
    pub not_read: Vec<String>,
}

/// The layout a path was read as.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelFormat {
    /// A Hugging Face folder: `config.json` and safetensors weights.
    #[default]
    HuggingFace,
    /// An MLX weight folder (mlx-community layout).
    Mlx,
    /// One safetensors file.
    Safetensors,
    Gguf,
    /// A Core ML package (`.mlpackage`).
    CoreMlPackage,
    /// A compiled Core ML model (`.mlmodelc`).
    CoreMlCompiled,
    /// A Core ML spec file (`.mlmodel`).
    CoreMlModel,
    /// A Core AI asset (`.aimodel`, or compiled `.aimodelc`).
    CoreAi,
}

impl ModelFormat {
    pub fn label(self) -> &'static str {
        match self {
            ModelFormat::HuggingFace => "Hugging Face folder",
            ModelFormat::Mlx => "MLX weight folder",
            ModelFormat::Safetensors => "safetensors file",
            ModelFormat::Gguf => "GGUF file",
            ModelFormat::CoreMlPackage => "Core ML package",
            ModelFormat::CoreMlCompiled => "compiled Core ML model",
            ModelFormat::CoreMlModel => "Core ML model",
            ModelFormat::CoreAi => "Core AI asset",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelType {
    Llm,
    Vlm,
    Vision,
    Audio,
    Classifier,
    Other,
}

impl ModelType {
    /// The option id of the default rule set's `model-type` question.
    pub fn id(self) -> &'static str {
        match self {
            ModelType::Llm => "llm",
            ModelType::Vlm => "vlm",
            ModelType::Vision => "vision",
            ModelType::Audio => "audio",
            ModelType::Classifier => "classifier",
            ModelType::Other => "other",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelKind {
    NeuralNetwork,
    Classical,
}

/// Already converted, and to what (the default rule set's `converted` question).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Converted {
    /// Training weights (PyTorch, Hugging Face): not converted for an Apple runtime yet.
    #[default]
    None,
    CoreMl,
    CoreAi,
    Mlx,
    Gguf,
}

impl Converted {
    pub fn id(self) -> &'static str {
        match self {
            Converted::None => "none",
            Converted::CoreMl => "core-ml",
            Converted::CoreAi => "core-ai",
            Converted::Mlx => "mlx",
            Converted::Gguf => "gguf",
        }
    }
}

/// Attention dimensions: enough to size a KV cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Attention {
    pub layers: u64,
    pub kv_heads: u64,
    pub head_dim: u64,
    /// The longest context the model was trained for, when the files say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_context: Option<u64>,
}

/// A file that could not be read or does not say what it should. `offset` is the byte where
/// the problem is, when it is inside a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectError {
    pub path: String,
    pub offset: Option<u64>,
    pub message: String,
}

impl InspectError {
    pub fn new(path: &Path, message: impl Into<String>) -> Self {
        InspectError {
            path: path.display().to_string(),
            offset: None,
            message: message.into(),
        }
    }

    pub fn at(path: &Path, offset: u64, message: impl Into<String>) -> Self {
        InspectError {
            offset: Some(offset),
            ..InspectError::new(path, message)
        }
    }
}

impl std::error::Error for InspectError {}

impl fmt::Display for InspectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.offset {
            Some(offset) => write!(f, "{} (at byte {offset}): {}", self.path, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// What mlstack can read, for error messages.
pub const EXPECTED: &str = "expected a Hugging Face or MLX model folder (config.json with \
*.safetensors), a .safetensors or .gguf file, a Core ML model (.mlpackage, .mlmodelc, \
.mlmodel) or a Core AI asset (.aimodel)";

/// Read what `path`'s files say about the model.
pub fn inspect(path: &Path) -> Result<Inspection, InspectError> {
    let meta = files::metadata(path)?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let mut found = match ext.as_deref() {
        Some("mlpackage") if meta.is_dir() => coreml::package(path)?,
        Some("mlmodelc") if meta.is_dir() => coreml::compiled(path)?,
        Some("mlmodel") if meta.is_file() => coreml::spec_file(path)?,
        Some("aimodel" | "aimodelc") => coreai::asset(path, meta.is_dir())?,
        Some("gguf") if meta.is_file() => gguf::file(path)?,
        Some("safetensors") if meta.is_file() => folder::single_safetensors(path)?,
        _ if meta.is_dir() => folder::model_folder(path)?,
        _ if meta.is_file() && path.file_name().is_some_and(|n| n == "config.json") => {
            let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
            folder::model_folder(dir.unwrap_or(Path::new(".")))?
        }
        _ if meta.is_file() && files::starts_with(path, gguf::MAGIC)? => gguf::file(path)?,
        _ => {
            return Err(InspectError::new(
                path,
                format!("not a model mlstack can read: {EXPECTED}"),
            ));
        }
    };
    found.path = path.display().to_string();
    if let (Some(params), Some(bytes)) = (found.parameters, found.weight_bytes)
        && params > 0
    {
        found.bits_per_weight = Some((bytes as f64 * 8.0 / params as f64 * 100.0).round() / 100.0);
    }
    Ok(found)
}

/// `1.2 B`, `350 M`, `12 K`: a parameter count as people say it.
pub fn human_count(n: u64) -> String {
    let n = n as f64;
    if n >= 1e9 {
        format!("{:.1} B", n / 1e9)
    } else if n >= 1e6 {
        format!("{:.0} M", n / 1e6)
    } else if n >= 1e3 {
        format!("{:.0} K", n / 1e3)
    } else {
        format!("{n}")
    }
}

/// `1.8 GB`, `3.85 GB`, `512 MB`: bytes in decimal units, as device memory is quoted (two
/// decimals at most, so a limit is not rounded past).
pub fn human_bytes(n: u64) -> String {
    let n = n as f64;
    if n >= 1e9 {
        let text = format!("{:.2}", n / 1e9);
        let text = text.trim_end_matches('0').trim_end_matches('.');
        format!("{text} GB")
    } else if n >= 1e6 {
        format!("{:.0} MB", n / 1e6)
    } else if n >= 1e3 {
        format!("{:.0} KB", n / 1e3)
    } else {
        format!("{n} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_sizes_read_as_people_say_them() {
        assert_eq!(human_count(1_235_814_400), "1.2 B");
        assert_eq!(human_count(494_032_768), "494 M");
        assert_eq!(human_bytes(1_800_000_000), "1.8 GB");
        assert_eq!(human_bytes(3_850_000_000), "3.85 GB");
        assert_eq!(human_bytes(2_000_000_000), "2 GB");
        assert_eq!(human_bytes(512), "512 bytes");
    }
}
