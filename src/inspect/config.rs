//! `config.json` of a Hugging Face (or MLX-community) model folder: the architecture and model
//! type name the kind of model; `quantization_config` (Hugging Face) or `quantization` (MLX)
//! the precision; `torch_dtype` the unquantized one; the attention sizes the KV cache.

use serde_json::Value;

use super::{Attention, ModelType};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    pub architecture: Option<String>,
    pub model_type: Option<ModelType>,
    /// Bits of quantized weights, when quantized.
    pub quant_bits: Option<u64>,
    pub precision: Option<String>,
    /// `quantization` present: written by mlx-lm / mlx-vlm.
    pub mlx_quantized: bool,
    pub attention: Option<Attention>,
    /// The architecture named nothing this version classifies.
    pub unclassified: Option<String>,
}

/// Read what a parsed `config.json` says. Never fails: fields it lacks stay `None`.
pub fn read(v: &Value) -> Config {
    let architectures: Vec<&str> = v
        .get("architectures")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let model_type = v.get("model_type").and_then(Value::as_str).unwrap_or("");
    let architecture = architectures
        .first()
        .map(|s| (*s).to_owned())
        .or_else(|| (!model_type.is_empty()).then(|| model_type.to_owned()));
    let kind = classify(&architectures, model_type, v);

    let mut c = Config {
        architecture,
        model_type: kind,
        unclassified: kind.is_none().then(|| {
            architectures
                .first()
                .copied()
                .unwrap_or(model_type)
                .to_owned()
        }),
        ..Config::default()
    };

    // MLX: {"quantization": {"group_size": 64, "bits": 4}}.
    if let Some(q) = v.get("quantization").filter(|q| q.is_object()) {
        c.mlx_quantized = true;
        c.quant_bits = q.get("bits").and_then(Value::as_u64);
        c.precision = c
            .quant_bits
            .map(|b| match q.get("group_size").and_then(Value::as_u64) {
                Some(g) => format!("{b}-bit (MLX, group {g})"),
                None => format!("{b}-bit (MLX)"),
            });
    } else if let Some(q) = v.get("quantization_config").filter(|q| q.is_object()) {
        let method = q.get("quant_method").and_then(Value::as_str);
        c.quant_bits = q.get("bits").and_then(Value::as_u64).or_else(|| {
            // bitsandbytes
            if q.get("load_in_4bit").and_then(Value::as_bool) == Some(true) {
                Some(4)
            } else if q.get("load_in_8bit").and_then(Value::as_bool) == Some(true) {
                Some(8)
            } else {
                None
            }
        });
        c.precision = Some(match (c.quant_bits, method) {
            (Some(b), Some(m)) => format!("{b}-bit ({m})"),
            (Some(b), None) => format!("{b}-bit"),
            (None, Some(m)) => format!("quantized ({m})"),
            (None, None) => "quantized".to_owned(),
        });
    }
    if c.precision.is_none() {
        c.precision = text_config(v)
            .get("torch_dtype")
            .or_else(|| v.get("torch_dtype"))
            .or_else(|| v.get("dtype"))
            .and_then(Value::as_str)
            .map(|d| match d {
                "bfloat16" => "bf16".to_owned(),
                "float16" => "fp16".to_owned(),
                "float32" => "fp32".to_owned(),
                other => other.to_owned(),
            });
    }
    c.attention = attention(text_config(v));
    c
}

/// A VLM keeps its language model's sizes in `text_config` (or `llm_config`).
fn text_config(v: &Value) -> &Value {
    v.get("text_config")
        .or_else(|| v.get("llm_config"))
        .filter(|t| t.is_object())
        .unwrap_or(v)
}

fn attention(t: &Value) -> Option<Attention> {
    let num = |k: &str| t.get(k).and_then(Value::as_u64);
    let layers = num("num_hidden_layers").or_else(|| num("n_layer"))?;
    let heads = num("num_attention_heads").or_else(|| num("n_head"))?;
    let kv_heads = num("num_key_value_heads").unwrap_or(heads);
    let head_dim = num("head_dim").or_else(|| {
        let hidden = num("hidden_size").or_else(|| num("n_embd"))?;
        (heads > 0).then(|| hidden / heads)
    })?;
    (layers > 0 && kv_heads > 0 && head_dim > 0).then_some(Attention {
        layers,
        kv_heads,
        head_dim,
        max_context: num("max_position_embeddings").or_else(|| num("n_positions")),
    })
}

/// The kind of model from its architecture names, Hugging Face `model_type` and sub-configs.
fn classify(architectures: &[&str], model_type: &str, v: &Value) -> Option<ModelType> {
    let any = |suffixes: &[&str]| {
        architectures
            .iter()
            .any(|a| suffixes.iter().any(|s| a.ends_with(s)))
    };
    let has = |key: &str| v.get(key).is_some_and(Value::is_object);
    const AUDIO_TYPES: &[&str] = &[
        "whisper",
        "wav2vec2",
        "hubert",
        "wavlm",
        "speecht5",
        "musicgen",
        "encodec",
        "seamless_m4t",
        "seamless_m4t_v2",
        "unispeech",
        "data2vec-audio",
        "moonshine",
        "mimi",
        "clap",
        "ast",
    ];
    const VISION_TYPES: &[&str] = &[
        "vit",
        "resnet",
        "convnext",
        "convnextv2",
        "detr",
        "yolos",
        "dinov2",
        "mobilenet_v1",
        "mobilenet_v2",
        "mobilevit",
        "mobilevitv2",
        "segformer",
        "efficientnet",
        "swin",
        "swinv2",
        "deit",
        "beit",
        "dpt",
        "depth_anything",
        "rt_detr",
        "sam",
        "regnet",
        "levit",
        "mask2former",
        "upernet",
        "siglip_vision_model",
        "clip_vision_model",
    ];
    if any(&[
        "ForCausalLM",
        "LMHeadModel",
        "ForConditionalGeneration",
        "ForImageTextToText",
    ]) && (has("vision_config") || has("vision_tower") || has("visual"))
    {
        return Some(ModelType::Vlm);
    }
    if AUDIO_TYPES.contains(&model_type)
        || has("audio_config")
        || any(&[
            "ForCTC",
            "ForSpeechSeq2Seq",
            "ForAudioClassification",
            "ForAudioFrameClassification",
            "ForTextToSpeech",
            "ForTextToWaveform",
        ])
    {
        return Some(ModelType::Audio);
    }
    if VISION_TYPES.contains(&model_type)
        || any(&[
            "ForImageClassification",
            "ForObjectDetection",
            "ForSemanticSegmentation",
            "ForInstanceSegmentation",
            "ForUniversalSegmentation",
            "ForDepthEstimation",
            "ForMaskedImageModeling",
            "ForMaskGeneration",
        ])
    {
        return Some(ModelType::Vision);
    }
    if any(&[
        "ForSequenceClassification",
        "ForTokenClassification",
        "ForMultipleChoice",
        "ForQuestionAnswering",
    ]) {
        return Some(ModelType::Classifier);
    }
    if any(&["ForCausalLM", "LMHeadModel", "ForConditionalGeneration"]) {
        return Some(ModelType::Llm);
    }
    // An encoder on its own (`BertModel`, `ForMaskedLM`): embeddings, the checklist's "other".
    if any(&["Model", "ForMaskedLM", "ForPreTraining"]) {
        return Some(ModelType::Other);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn language_vision_language_and_audio_models_are_told_apart() {
        let llm = read(
            &json!({"architectures": ["LlamaForCausalLM"], "model_type": "llama",
            "num_hidden_layers": 16, "num_attention_heads": 32, "num_key_value_heads": 8,
            "hidden_size": 2048, "torch_dtype": "bfloat16", "max_position_embeddings": 131072}),
        );
        assert_eq!(llm.model_type, Some(ModelType::Llm));
        assert_eq!(llm.precision.as_deref(), Some("bf16"));
        let a = llm.attention.unwrap();
        assert_eq!((a.layers, a.kv_heads, a.head_dim), (16, 8, 64));

        let vlm = read(
            &json!({"architectures": ["Qwen2VLForConditionalGeneration"],
            "vision_config": {"depth": 32}}),
        );
        assert_eq!(vlm.model_type, Some(ModelType::Vlm));
        let whisper = read(
            &json!({"architectures": ["WhisperForConditionalGeneration"],
            "model_type": "whisper"}),
        );
        assert_eq!(whisper.model_type, Some(ModelType::Audio));
        let vit = read(&json!({"architectures": ["ViTForImageClassification"]}));
        assert_eq!(vit.model_type, Some(ModelType::Vision));
        let bert = read(&json!({"architectures": ["BertForSequenceClassification"]}));
        assert_eq!(bert.model_type, Some(ModelType::Classifier));
        let odd = read(&json!({"architectures": ["Frobnicator"]}));
        assert_eq!(
            (odd.model_type, odd.unclassified.as_deref()),
            (None, Some("Frobnicator"))
        );
    }

    #[test]
    fn quantization_is_read_from_mlx_and_hugging_face_keys() {
        let mlx = read(&json!({"quantization": {"group_size": 64, "bits": 4}}));
        assert!(mlx.mlx_quantized);
        assert_eq!(mlx.precision.as_deref(), Some("4-bit (MLX, group 64)"));
        let gptq = read(&json!({"quantization_config": {"quant_method": "gptq", "bits": 4}}));
        assert_eq!(
            (gptq.quant_bits, gptq.precision.as_deref()),
            (Some(4), Some("4-bit (gptq)"))
        );
    }
}
