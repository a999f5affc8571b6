//! Core ML models, read without Apple's runtime: the spec (`model.mlmodel`, protocol buffers,
//! apple/coremltools `mlmodel/format/Model.proto` and `FeatureTypes.proto`) of a package or a
//! single file, or `metadata.json` of a compiled `.mlmodelc`. What can be read: the spec
//! version (so the OS it needs), the model type (ML program, neural network, trees, ...),
//! whether inputs take a range of shapes or a few enumerated ones, and declared state (a KV
//! cache kept in the model). What cannot: the program's operations and the weights' precision
//! per layer (MIL and weight blobs are not parsed), and whether it runs on the Neural Engine.

use std::path::Path;

use serde_json::Value;

use super::protobuf::{Fields, Malformed, Value as Pb};
use super::{Converted, InspectError, Inspection, ModelFormat, ModelKind, ModelType, files};

/// The most bytes of a spec read. An ML program's spec is small (weights live beside it); an
/// old neural network's spec holds its weights, and only its start is needed.
pub const MAX_SPEC_BYTES: u64 = 16 << 20;
/// Pipelines nest models; this deep is plenty.
const MAX_DEPTH: u32 = 4;

/// What a spec says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Spec {
    pub version: Option<u64>,
    /// Model type names (`mlProgram`, `treeEnsembleClassifier`, ...), pipeline members included.
    pub kinds: Vec<&'static str>,
    pub image_input: bool,
    /// Some input takes a range of shapes or sizes.
    pub range_shapes: bool,
    /// Some input takes one of a few enumerated shapes.
    pub enumerated_shapes: bool,
    pub states: u64,
    pub functions: u64,
    pub updatable: bool,
    /// The spec was cut short by the read cap: what follows was not read.
    pub partial: bool,
}

/// A `.mlpackage` folder.
pub fn package(dir: &Path) -> Result<Inspection, InspectError> {
    let manifest = dir.join("Manifest.json");
    let mut spec_path = dir.join("Data/com.apple.CoreML/model.mlmodel");
    let mut read = Vec::new();
    if manifest.is_file() {
        let v = files::read_json(&manifest)?;
        read.push("Manifest.json".to_owned());
        // The root model's entry names its path under Data/.
        if let Some(root) = v.get("rootModelIdentifier").and_then(Value::as_str)
            && let Some(p) = v
                .pointer(&format!(
                    "/itemInfoEntries/{}/path",
                    root.replace('~', "~0").replace('/', "~1")
                ))
                .and_then(Value::as_str)
            && !p.split('/').any(|c| c == "..")
        {
            spec_path = dir.join("Data").join(p);
        }
    }
    if !spec_path.is_file() {
        return Err(InspectError::new(
            dir,
            "a .mlpackage without its spec (Data/com.apple.CoreML/model.mlmodel)",
        ));
    }
    let (mut found, _) = from_spec(&spec_path)?;
    read.push(files::relative(&spec_path, dir));
    found.read = read;
    found.format = ModelFormat::CoreMlPackage;
    let data = dir.join("Data");
    found.weight_bytes = Some(files::tree_size(&data, 6)?);
    found
        .not_read
        .push("weight precision per layer and the program's operations (not parsed)".to_owned());
    Ok(found)
}

/// A single `.mlmodel` spec file.
pub fn spec_file(path: &Path) -> Result<Inspection, InspectError> {
    let (mut found, len) = from_spec(path)?;
    found.format = ModelFormat::CoreMlModel;
    found.read = vec![
        path.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
    ];
    found.weight_bytes = Some(len);
    Ok(found)
}

/// What the spec at `path` says, and the file's length.
fn from_spec(path: &Path) -> Result<(Inspection, u64), InspectError> {
    let (mut file, len) = files::open(path)?;
    let bytes = files::read_at(&mut file, path, 0, MAX_SPEC_BYTES)?;
    let spec = parse_spec(&bytes, 0).map_err(|m| InspectError::at(path, m.offset, m.message))?;
    let mut found = inspection(&spec);
    if len > MAX_SPEC_BYTES && spec.partial {
        found.not_read.push(format!(
            "the spec past its first {MAX_SPEC_BYTES} bytes (pipeline members after that)"
        ));
    }
    Ok((found, len))
}

/// A compiled `.mlmodelc` folder: its `metadata.json` (written by Core ML's compiler).
pub fn compiled(dir: &Path) -> Result<Inspection, InspectError> {
    let path = dir.join("metadata.json");
    if !path.is_file() {
        return Err(InspectError::new(
            dir,
            "a .mlmodelc without metadata.json; point at the .mlpackage it was compiled from",
        ));
    }
    let v = files::read_json(&path)?;
    let spec = metadata_spec(&v).ok_or_else(|| {
        InspectError::new(
            &path,
            "not Core ML metadata (expected a list holding one object)",
        )
    })?;
    let mut found = inspection(&spec);
    found.format = ModelFormat::CoreMlCompiled;
    found.read = vec!["metadata.json".to_owned()];
    if let Some(p) = v.pointer("/0/storagePrecision").and_then(Value::as_str) {
        found.precision = Some(p.to_owned());
    }
    found.weight_bytes = Some(files::tree_size(dir, 6)?);
    found.not_read.push(
        "whether flexible inputs are a range or enumerated, where metadata.json does not say"
            .to_owned(),
    );
    Ok(found)
}

/// The spec-like facts of a compiled model's `metadata.json` (a list holding one object).
pub fn metadata_spec(v: &Value) -> Option<Spec> {
    let m = v.as_array()?.first()?.as_object()?;
    let mut spec = Spec {
        version: m.get("specificationVersion").and_then(Value::as_u64),
        ..Spec::default()
    };
    if let Some(name) = m
        .get("modelType")
        .and_then(|t| t.get("name"))
        .and_then(Value::as_str)
    {
        let name = name.strip_prefix("MLModelType_").unwrap_or(name);
        spec.kinds.push(kind_name(name));
    }
    spec.updatable = m.get("isUpdatable").and_then(Value::as_str) == Some("1");
    let mut schemas = vec![m.get("inputSchema"), m.get("stateSchema")];
    if let Some(functions) = m.get("functions").and_then(Value::as_array) {
        spec.functions = functions.len() as u64;
        for f in functions {
            schemas.push(f.get("inputSchema"));
            schemas.push(f.get("stateSchema"));
        }
    }
    for feature in schemas
        .into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .flatten()
    {
        let text = |k: &str| feature.get(k).and_then(Value::as_str);
        match text("type") {
            Some("State") => spec.states += 1,
            Some("Image") => spec.image_input = true,
            _ => {}
        }
        if text("hasShapeFlexibility") == Some("1") {
            if feature.get("shapeRange").is_some() {
                spec.range_shapes = true;
            } else if feature.get("enumeratedShapes").is_some() {
                spec.enumerated_shapes = true;
            }
        }
    }
    Some(spec)
}

/// The `Model.proto` field number of each model type, as `metadata.json` names them.
const KINDS: &[(u64, &str)] = &[
    (200, "pipelineClassifier"),
    (201, "pipelineRegressor"),
    (202, "pipeline"),
    (300, "glmRegressor"),
    (301, "supportVectorRegressor"),
    (302, "treeEnsembleRegressor"),
    (303, "neuralNetworkRegressor"),
    (304, "bayesianProbitRegressor"),
    (400, "glmClassifier"),
    (401, "supportVectorClassifier"),
    (402, "treeEnsembleClassifier"),
    (403, "neuralNetworkClassifier"),
    (404, "kNearestNeighborsClassifier"),
    (500, "neuralNetwork"),
    (501, "itemSimilarityRecommender"),
    (502, "mlProgram"),
    (555, "customModel"),
    (556, "linkedModel"),
    (560, "classConfidenceThresholding"),
    (600, "oneHotEncoder"),
    (601, "imputer"),
    (602, "featureVectorizer"),
    (603, "dictVectorizer"),
    (604, "scaler"),
    (606, "categoricalMapping"),
    (607, "normalizer"),
    (609, "arrayFeatureExtractor"),
    (610, "nonMaximumSuppression"),
    (900, "identity"),
    (2000, "textClassifier"),
    (2001, "wordTagger"),
    (2002, "visionFeaturePrint"),
    (2003, "soundAnalysisPreprocessing"),
    (2004, "gazetteer"),
    (2005, "wordEmbedding"),
    (2006, "audioFeaturePrint"),
];

fn kind_name(name: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(_, n)| *n == name)
        .map_or("unknown", |(_, n)| n)
}

/// Parse a spec (`Model` message) from `bytes`, a prefix of the file when it is large.
pub fn parse_spec(bytes: &[u8], base: u64) -> Result<Spec, Malformed> {
    let mut spec = Spec::default();
    model(bytes, base, 0, &mut spec)?;
    Ok(spec)
}

fn model(bytes: &[u8], base: u64, depth: u32, spec: &mut Spec) -> Result<(), Malformed> {
    for field in Fields::new(bytes, base) {
        let (number, value, end) = field?;
        let (data, complete) = match value {
            Pb::Bytes { data, complete } => (data, complete),
            Pb::Varint(v) => {
                match number {
                    1 if depth == 0 => spec.version = Some(v),
                    10 => spec.updatable |= v != 0,
                    _ => {}
                }
                continue;
            }
            _ => continue,
        };
        spec.partial |= !complete;
        let start = end - data.len() as u64;
        match number {
            2 if depth == 0 && complete => description(data, start, spec)?,
            n if n >= 200 => {
                if let Some((_, name)) = KINDS.iter().find(|(k, _)| *k == n) {
                    spec.kinds.push(name);
                }
                if complete && depth < MAX_DEPTH {
                    match n {
                        // Pipeline { repeated Model models = 1 }
                        202 => pipeline(data, start, depth, spec)?,
                        // PipelineClassifier / PipelineRegressor { Pipeline pipeline = 1 }
                        200 | 201 => {
                            for m in nested(data, start) {
                                let (field, inner, at) = m?;
                                if field == 1 {
                                    pipeline(inner, at, depth, spec)?;
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn pipeline(bytes: &[u8], base: u64, depth: u32, spec: &mut Spec) -> Result<(), Malformed> {
    for m in nested(bytes, base) {
        let (field, data, at) = m?;
        if field == 1 {
            model(data, at, depth + 1, spec)?;
        }
    }
    Ok(())
}

/// The complete length-delimited fields of a message (its nested messages, strings and
/// bytes), each as (field number, bytes, file offset of the bytes).
fn nested(bytes: &[u8], base: u64) -> impl Iterator<Item = Result<(u64, &[u8], u64), Malformed>> {
    Fields::new(bytes, base).filter_map(|f| match f {
        Err(e) => Some(Err(e)),
        Ok((
            number,
            Pb::Bytes {
                data,
                complete: true,
            },
            end,
        )) => Some(Ok((number, data, end - data.len() as u64))),
        Ok(_) => None,
    })
}

/// ModelDescription: inputs (1), states (13) and functions (20: inputs 2, states 6).
fn description(bytes: &[u8], base: u64, spec: &mut Spec) -> Result<(), Malformed> {
    for m in nested(bytes, base) {
        let (number, data, start) = m?;
        match number {
            1 => feature(data, start, spec)?,
            13 => spec.states += 1,
            20 => {
                spec.functions += 1;
                for g in nested(data, start) {
                    match g? {
                        (2, data, at) => feature(data, at, spec)?,
                        (6, _, _) => spec.states += 1,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// FeatureDescription { type = 3: FeatureType { imageType = 4, multiArrayType = 5 } }.
fn feature(bytes: &[u8], base: u64, spec: &mut Spec) -> Result<(), Malformed> {
    for f in nested(bytes, base) {
        let (3, feature_type, at) = f? else {
            continue;
        };
        for g in nested(feature_type, at) {
            let (n, data, at) = g?;
            if n == 4 {
                spec.image_input = true;
            }
            if n == 4 || n == 5 {
                flexibility(data, at, spec)?;
            }
        }
    }
    Ok(())
}

/// ImageFeatureType / ArrayFeatureType: enumerated (21) or ranged (31) sizes.
fn flexibility(bytes: &[u8], base: u64, spec: &mut Spec) -> Result<(), Malformed> {
    for f in Fields::new(bytes, base) {
        match f? {
            (21, Pb::Bytes { .. }, _) => spec.enumerated_shapes = true,
            (31, Pb::Bytes { data, .. }, end) => {
                spec.range_shapes |= range_varies(data, end - data.len() as u64)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Whether a ShapeRange / ImageSizeRange lets some dimension vary: a SizeRange (1: lower,
/// 2: upper, negative = unbounded) with upper above lower.
fn range_varies(bytes: &[u8], base: u64) -> Result<bool, Malformed> {
    for f in Fields::new(bytes, base) {
        if let (_, Pb::Bytes { data, .. }, end) = f? {
            let (mut lower, mut upper) = (0u64, 0i64);
            for g in Fields::new(data, end - data.len() as u64) {
                match g? {
                    (1, Pb::Varint(v), _) => lower = v,
                    (2, Pb::Varint(v), _) => upper = v as i64,
                    _ => {}
                }
            }
            if upper < 0 || upper as u64 > lower {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// The OS releases a spec version needs (Model.proto's table).
fn needs_os(version: u64) -> Option<&'static str> {
    Some(match version {
        1 | 2 => "iOS 11, macOS 10.13",
        3 => "iOS 12, macOS 10.14",
        4 => "iOS 13, macOS 10.15",
        5 => "iOS 14, macOS 11",
        6 => "iOS 15, macOS 12",
        7 => "iOS 16, macOS 13",
        8 => "iOS 17, macOS 14",
        9 => "iOS 18, macOS 15",
        10 => "iOS 26, macOS 26",
        _ => return None,
    })
}

fn inspection(spec: &Spec) -> Inspection {
    let has = |names: &[&str]| spec.kinds.iter().any(|k| names.contains(k));
    let classical = [
        "glmRegressor",
        "supportVectorRegressor",
        "treeEnsembleRegressor",
        "bayesianProbitRegressor",
        "glmClassifier",
        "supportVectorClassifier",
        "treeEnsembleClassifier",
        "kNearestNeighborsClassifier",
    ];
    let neural = [
        "neuralNetwork",
        "neuralNetworkClassifier",
        "neuralNetworkRegressor",
        "mlProgram",
    ];
    let (model_type, model_kind) = if has(&["visionFeaturePrint"]) {
        (Some(ModelType::Vision), Some(ModelKind::NeuralNetwork))
    } else if has(&["soundAnalysisPreprocessing", "audioFeaturePrint"]) {
        (Some(ModelType::Audio), Some(ModelKind::NeuralNetwork))
    } else if has(&neural) {
        let t = if has(&["neuralNetworkClassifier", "neuralNetworkRegressor"]) {
            Some(ModelType::Classifier)
        } else if spec.image_input {
            Some(ModelType::Vision)
        } else {
            None
        };
        (t, Some(ModelKind::NeuralNetwork))
    } else if has(&classical) {
        (Some(ModelType::Classifier), Some(ModelKind::Classical))
    } else if has(&["textClassifier", "wordTagger"]) {
        (Some(ModelType::Classifier), None)
    } else {
        (None, None)
    };
    let mut not_read = Vec::new();
    if model_type.is_none() {
        not_read.push(
            "model type (a Core ML spec does not say whether a program is a language model)"
                .to_owned(),
        );
    }
    not_read.push("parameters (the spec does not count them; weight bytes stand in)".to_owned());
    Inspection {
        architecture: spec.kinds.first().map(|k| (*k).to_owned()),
        model_type,
        model_kind,
        converted: Converted::CoreMl,
        dynamic_shapes: Some(spec.range_shapes),
        stateful: Some(spec.states > 0),
        spec_version: spec.version.and_then(|v| u32::try_from(v).ok()),
        needs_os: spec.version.and_then(needs_os).map(str::to_owned),
        not_read,
        ..Inspection::default()
    }
}

#[cfg(test)]
#[path = "../../tests/support/model_fixtures.rs"]
mod fixtures;

#[cfg(test)]
mod tests {
    use super::fixtures::{pb_field as field, pb_varint as varint_field};
    use super::*;

    /// A spec: version, inputs (each a FeatureType body for field `kind`), states, model type.
    pub fn spec(version: u64, inputs: &[(u64, Vec<u8>)], states: usize, kind: u64) -> Vec<u8> {
        let mut description = Vec::new();
        for (k, body) in inputs {
            let feature_type = field(*k, body);
            description.extend(field(
                1,
                &[field(1, b"x"), field(3, &feature_type)].concat(),
            ));
        }
        for _ in 0..states {
            description.extend(field(13, &field(1, b"kv")));
        }
        [
            varint_field(1, version),
            field(2, &description),
            field(kind, &[]),
        ]
        .concat()
    }

    /// An ArrayFeatureType whose one dimension ranges from 1 to `upper`.
    pub fn ranged(upper: i64) -> Vec<u8> {
        let size_range = [varint_field(1, 1), varint_field(2, upper as u64)].concat();
        field(31, &field(1, &size_range))
    }

    #[test]
    fn reads_version_type_state_and_shape_ranges() {
        let s = parse_spec(&spec(9, &[(5, ranged(512))], 2, 502), 0).unwrap();
        assert_eq!(s.version, Some(9));
        assert_eq!(s.kinds, vec!["mlProgram"]);
        assert_eq!(s.states, 2);
        assert!(s.range_shapes);
        let i = inspection(&s);
        assert_eq!(i.needs_os.as_deref(), Some("iOS 18, macOS 15"));
        assert_eq!(i.stateful, Some(true));
        assert_eq!(i.model_type, None);

        let fixed = parse_spec(&spec(8, &[(5, ranged(1))], 0, 502), 0).unwrap();
        assert!(!fixed.range_shapes);
        let unbounded = parse_spec(&spec(8, &[(4, ranged(-1))], 0, 502), 0).unwrap();
        assert!(unbounded.range_shapes && unbounded.image_input);
    }

    #[test]
    fn classical_models_and_pipelines_are_recognised() {
        let trees = inspection(&parse_spec(&spec(4, &[], 0, 402), 0).unwrap());
        assert_eq!(trees.model_type, Some(ModelType::Classifier));
        assert_eq!(trees.model_kind, Some(ModelKind::Classical));
        // Create ML's image classifier: a pipeline of a feature print and a GLM classifier.
        let members = [field(1, &field(2002, &[])), field(1, &field(400, &[]))].concat();
        let bytes = [varint_field(1, 5), field(200, &field(1, &members))].concat();
        let s = parse_spec(&bytes, 0).unwrap();
        assert_eq!(
            s.kinds,
            vec!["pipelineClassifier", "visionFeaturePrint", "glmClassifier"]
        );
        assert_eq!(inspection(&s).model_type, Some(ModelType::Vision));
    }

    #[test]
    fn a_cut_short_spec_is_partial_and_garbage_is_located() {
        let mut bytes = spec(9, &[], 0, 502);
        bytes.extend(field(500, &[0u8; 100]));
        let s = parse_spec(&bytes[..bytes.len() - 50], 0).unwrap();
        assert!(s.partial);
        let err = parse_spec(&[0x08, 0x80], 0).unwrap_err();
        assert_eq!(err.offset, 0);
    }
}
