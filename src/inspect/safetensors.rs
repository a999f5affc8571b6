//! safetensors headers: an 8-byte little-endian header length, then a JSON object mapping
//! tensor names to `{dtype, shape, data_offsets}` (plus an optional `__metadata__` of strings),
//! then the tensor data, which is never read. Format: huggingface/safetensors README.

use std::path::Path;

use serde_json::Value;

use super::{InspectError, files};

/// The longest header read. The reference implementation refuses headers over 100 MB; real
/// ones are kilobytes (a few hundred per tensor).
pub const MAX_HEADER_BYTES: u64 = 64 << 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tensor {
    pub name: String,
    pub dtype: String,
    /// Elements as stored: the product of the shape.
    pub elements: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub tensors: Vec<Tensor>,
    /// `__metadata__.format` (`pt`, `mlx`, ...), when present.
    pub format: Option<String>,
    /// Bytes of tensor data the header describes (the end of the last tensor).
    pub data_bytes: u64,
}

/// A problem at a byte offset of the file.
pub type Located = (u64, String);

/// Read the header of the safetensors file at `path` (headers only).
pub fn read(path: &Path) -> Result<Header, InspectError> {
    let (mut file, len) = files::open(path)?;
    let prefix = files::read_at(&mut file, path, 0, 8)?;
    let header_len =
        header_length(&prefix, len).map_err(|(at, m)| InspectError::at(path, at, m))?;
    let header = files::read_at(&mut file, path, 8, header_len)?;
    parse_json(&header, len - 8 - header_len).map_err(|(at, m)| InspectError::at(path, at, m))
}

/// Parse a whole safetensors file image (or a prefix holding its header): for fuzzing and
/// tests; `file_len` is the length of the whole file.
pub fn parse(bytes: &[u8], file_len: u64) -> Result<Header, Located> {
    let header_len = header_length(bytes, file_len)?;
    let end = 8usize.saturating_add(header_len as usize);
    let header = bytes
        .get(8..end)
        .ok_or((8, "the header is cut short".to_owned()))?;
    parse_json(header, file_len - 8 - header_len)
}

/// The header length from the first 8 bytes, checked against the file.
fn header_length(prefix: &[u8], file_len: u64) -> Result<u64, Located> {
    let Some(first) = prefix.get(..8) else {
        return Err((
            0,
            format!("{file_len} bytes: too short for a safetensors header length (8 bytes)"),
        ));
    };
    let n = u64::from_le_bytes(first.try_into().expect("8 bytes"));
    if n > file_len - 8 {
        return Err((
            0,
            format!(
                "header length {n} runs past the end of the file ({file_len} bytes): truncated \
                 or not a safetensors file"
            ),
        ));
    }
    if n > MAX_HEADER_BYTES {
        return Err((
            0,
            format!("header length {n} is over the {MAX_HEADER_BYTES} bytes mlstack reads"),
        ));
    }
    Ok(n)
}

fn parse_json(header: &[u8], data_len: u64) -> Result<Header, Located> {
    let value: Value = serde_json::from_slice(header).map_err(|e| {
        (
            8 + byte_offset(header, e.line(), e.column()),
            format!("the header is not valid JSON: {e}"),
        )
    })?;
    let Value::Object(map) = value else {
        return Err((8, "the header is not a JSON object".to_owned()));
    };
    let mut tensors = Vec::with_capacity(map.len());
    let mut format = None;
    let mut data_bytes = 0u64;
    for (name, entry) in &map {
        if name == "__metadata__" {
            format = entry
                .get("format")
                .and_then(Value::as_str)
                .map(str::to_owned);
            continue;
        }
        let bad = |what: &str| (8, format!("tensor {name:?}: {what}"));
        let dtype = entry
            .get("dtype")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("no dtype string"))?;
        let shape = entry
            .get("shape")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("no shape list"))?;
        let mut elements = 1u64;
        for dim in shape {
            let dim = dim
                .as_u64()
                .ok_or_else(|| bad("a shape dimension is not a whole number"))?;
            elements = elements
                .checked_mul(dim)
                .ok_or_else(|| bad("its shape overflows 64 bits"))?;
        }
        let offsets = entry
            .get("data_offsets")
            .and_then(Value::as_array)
            .filter(|o| o.len() == 2)
            .and_then(|o| Some((o[0].as_u64()?, o[1].as_u64()?)))
            .ok_or_else(|| bad("data_offsets is not a pair of whole numbers"))?;
        if offsets.0 > offsets.1 || offsets.1 > data_len {
            return Err(bad(&format!(
                "data_offsets [{}, {}] lie outside the {data_len} bytes of data: truncated \
                 or lying header",
                offsets.0, offsets.1
            )));
        }
        data_bytes = data_bytes.max(offsets.1);
        tensors.push(Tensor {
            name: name.clone(),
            dtype: dtype.to_owned(),
            elements,
        });
    }
    Ok(Header {
        tensors,
        format,
        data_bytes,
    })
}

/// The byte offset of serde_json's 1-based line and column in `text`.
fn byte_offset(text: &[u8], line: usize, column: usize) -> u64 {
    let line_start = text
        .split_inclusive(|&b| b == b'\n')
        .take(line.saturating_sub(1))
        .map(<[u8]>::len)
        .sum::<usize>();
    (line_start + column.saturating_sub(1)) as u64
}

/// Bits per element of a safetensors dtype; `None` for one this version does not know.
pub fn dtype_bits(dtype: &str) -> Option<u64> {
    Some(match dtype {
        "BOOL" | "U8" | "I8" | "F8_E5M2" | "F8_E4M3" | "F8_E8M0" => 8,
        "I16" | "U16" | "F16" | "BF16" => 16,
        "I32" | "U32" | "F32" => 32,
        "I64" | "U64" | "F64" => 64,
        "F4" => 4,
        "F6_E2M3" | "F6_E3M2" => 6,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(header: &str, data: usize) -> Vec<u8> {
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(header.as_bytes());
        bytes.resize(bytes.len() + data, 0);
        bytes
    }

    #[test]
    fn reads_tensors_and_the_format() {
        let bytes = file(
            r#"{"__metadata__":{"format":"mlx"},"a":{"dtype":"BF16","shape":[2,3],"data_offsets":[0,12]}}"#,
            12,
        );
        let h = parse(&bytes, bytes.len() as u64).unwrap();
        assert_eq!(h.format.as_deref(), Some("mlx"));
        assert_eq!(h.tensors[0].elements, 6);
        assert_eq!(h.data_bytes, 12);
    }

    #[test]
    fn a_header_length_past_the_end_is_an_error_at_byte_0() {
        let mut bytes = file("{}", 0);
        bytes[..8].copy_from_slice(&u64::MAX.to_le_bytes());
        let (at, message) = parse(&bytes, bytes.len() as u64).unwrap_err();
        assert_eq!(at, 0);
        assert!(message.contains("runs past the end"), "{message}");
    }

    #[test]
    fn offsets_past_the_data_and_overflowing_shapes_are_errors() {
        let bytes = file(
            r#"{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,400]}}"#,
            4,
        );
        assert!(
            parse(&bytes, bytes.len() as u64)
                .unwrap_err()
                .1
                .contains("outside")
        );
        let huge = u64::MAX;
        let header =
            format!(r#"{{"a":{{"dtype":"F16","shape":[{huge},{huge}],"data_offsets":[0,0]}}}}"#);
        let bytes = file(&header, 0);
        assert!(
            parse(&bytes, bytes.len() as u64)
                .unwrap_err()
                .1
                .contains("overflows")
        );
    }

    #[test]
    fn bad_json_is_located() {
        let bytes = file("{\"a\": }", 0);
        let (at, message) = parse(&bytes, bytes.len() as u64).unwrap_err();
        assert_eq!(at, 8 + 6);
        assert!(message.contains("not valid JSON"), "{message}");
    }
}
