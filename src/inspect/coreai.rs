//! Core AI assets. An `.aimodel` is a portable, unspecialized asset that may hold several
//! named functions; `.aimodelc` is its ahead-of-time compiled form, one per device
//! architecture (facts L13). Apple documents no file layout for either, so mlstack reads only
//! what the file system says: that it is a Core AI asset, and its size.

use std::path::Path;

use super::{Converted, InspectError, Inspection, ModelFormat, files};

pub fn asset(path: &Path, is_dir: bool) -> Result<Inspection, InspectError> {
    let bytes = if is_dir {
        files::tree_size(path, 6)?
    } else {
        files::open(path)?.1
    };
    Ok(Inspection {
        format: ModelFormat::CoreAi,
        converted: Converted::CoreAi,
        weight_bytes: Some(bytes),
        read: vec!["the asset's size (the .aimodel layout is not documented)".to_owned()],
        not_read: vec![
            "model type, parameters, precision and shapes (Apple documents no .aimodel layout)"
                .to_owned(),
        ],
        ..Inspection::default()
    })
}
