//! GGUF headers (llama.cpp's `docs/gguf.md`): magic `GGUF`, a version (2 or 3), the tensor and
//! metadata counts, the metadata key/value pairs, then one info record per tensor (name,
//! dimensions, type, offset). The tensor data after them is never read; the big metadata
//! arrays (a tokenizer's vocabulary) are skipped over, not read. Every count and length is
//! checked against the bytes left in the file before it is used.

use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use super::{Attention, Converted, InspectError, Inspection, ModelFormat, ModelType, files};

pub const MAGIC: &[u8] = b"GGUF";

/// Metadata keys and strings kept are this long at most; longer ones are skipped.
const MAX_KEPT_STRING: u64 = 1024;
/// Arrays nest at most this deep (the format allows arrays of arrays).
const MAX_ARRAY_DEPTH: u32 = 4;
/// A tensor has at most this many dimensions (ggml's limit is 4).
const MAX_DIMS: u32 = 8;

/// What the header says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Header {
    pub version: u32,
    pub architecture: Option<String>,
    pub name: Option<String>,
    /// `general.file_type`: llama.cpp's `llama_ftype`.
    pub file_type: Option<u32>,
    pub parameters: u64,
    pub tensors: u64,
    /// Where tensor data starts (aligned), so the weights are the rest of the file.
    pub data_start: u64,
    pub block_count: Option<u64>,
    pub head_count: Option<u64>,
    pub head_count_kv: Option<u64>,
    pub embedding_length: Option<u64>,
    pub key_length: Option<u64>,
    pub context_length: Option<u64>,
    /// `split.count`: the file is one part of a model split over several files.
    pub split_count: Option<u64>,
}

/// A problem at a byte offset.
pub type Located = (u64, String);

/// Read a GGUF file's header.
pub fn file(path: &Path) -> Result<Inspection, InspectError> {
    let (file, len) = files::open(path)?;
    let header = parse(BufReader::with_capacity(64 * 1024, file), len)
        .map_err(|(at, m)| InspectError::at(path, at, m))?;
    Ok(inspection(&header, len, path))
}

fn inspection(h: &Header, file_len: u64, path: &Path) -> Inspection {
    let arch = h.architecture.as_deref().unwrap_or("");
    // GGUF is llama.cpp's format for language models; these are the exceptions it also holds.
    let model_type = match arch {
        "clip" => ModelType::Vision,
        "bert" | "nomic-bert" | "jina-bert-v2" | "t5encoder" => ModelType::Other,
        "whisper" => ModelType::Audio,
        _ => ModelType::Llm,
    };
    let head_dim = h
        .key_length
        .or_else(|| Some(h.embedding_length? / h.head_count.filter(|&n| n > 0)?));
    let attention = (|| {
        Some(Attention {
            layers: h.block_count?,
            kv_heads: h.head_count_kv.or(h.head_count)?,
            head_dim: head_dim?,
            max_context: h.context_length,
        })
    })();
    let mut not_read = vec!["tensor data (never read)".to_owned()];
    // One part of a split model holds only some of the tensors: its counts would undersize it.
    let split = h.split_count.filter(|&n| n > 1);
    if let Some(n) = split {
        not_read.push(format!(
            "parameters and size: this file is one part of a GGUF split in {n}; its counts \
             cover only this part"
        ));
    }
    if attention.is_none() && model_type == ModelType::Llm {
        not_read.push("attention shape (no block and head counts in the metadata)".to_owned());
    }
    Inspection {
        format: ModelFormat::Gguf,
        architecture: h.architecture.clone(),
        model_type: Some(model_type),
        parameters: split.is_none().then_some(h.parameters),
        weight_bytes: split.is_none().then(|| file_len - h.data_start),
        precision: h.file_type.map(file_type_name),
        attention,
        converted: Converted::Gguf,
        read: vec![format!(
            "{} (GGUF v{} header: {} tensors)",
            path.file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
            h.version,
            h.tensors
        )],
        not_read,
        ..Inspection::default()
    }
}

/// llama.cpp's `llama_ftype` names (`llama.h`).
pub fn file_type_name(t: u32) -> String {
    let name = match t {
        0 => "F32",
        1 => "F16",
        2 => "Q4_0",
        3 => "Q4_1",
        7 => "Q8_0",
        8 => "Q5_0",
        9 => "Q5_1",
        10 => "Q2_K",
        11 => "Q3_K_S",
        12 => "Q3_K_M",
        13 => "Q3_K_L",
        14 => "Q4_K_S",
        15 => "Q4_K_M",
        16 => "Q5_K_S",
        17 => "Q5_K_M",
        18 => "Q6_K",
        19 => "IQ2_XXS",
        20 => "IQ2_XS",
        21 => "Q2_K_S",
        22 => "IQ3_XS",
        23 => "IQ3_XXS",
        24 => "IQ1_S",
        25 => "IQ4_NL",
        26 => "IQ3_S",
        27 => "IQ3_M",
        28 => "IQ2_S",
        29 => "IQ2_M",
        30 => "IQ4_XS",
        31 => "IQ1_M",
        32 => "BF16",
        other => return format!("llama.cpp file type {other}"),
    };
    name.to_owned()
}

/// A bounded reader that knows where it is and how much is left.
struct Reader<R> {
    inner: R,
    pos: u64,
    len: u64,
}

impl<R: Read + Seek> Reader<R> {
    fn left(&self) -> u64 {
        self.len.saturating_sub(self.pos)
    }

    fn fail<T>(&self, message: impl Into<String>) -> Result<T, Located> {
        Err((self.pos, message.into()))
    }

    fn bytes<const N: usize>(&mut self) -> Result<[u8; N], Located> {
        let mut buf = [0u8; N];
        if self.left() < N as u64 {
            return self.fail("the header is cut short (truncated file)");
        }
        self.inner
            .read_exact(&mut buf)
            .or_else(|e| self.fail(format!("cannot read: {}", files::reason(&e))))?;
        self.pos += N as u64;
        Ok(buf)
    }

    fn u32(&mut self) -> Result<u32, Located> {
        self.bytes::<4>().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Result<u64, Located> {
        self.bytes::<8>().map(u64::from_le_bytes)
    }

    fn skip(&mut self, n: u64) -> Result<(), Located> {
        if n > self.left() {
            return self.fail(format!(
                "a value of {n} bytes runs past the end of the file ({} bytes left)",
                self.left()
            ));
        }
        // Short skips (a vocabulary's strings) read through the buffer: a seek would throw
        // it away. Long ones seek.
        if n <= 64 * 1024 {
            let copied = std::io::copy(&mut (&mut self.inner).take(n), &mut std::io::sink())
                .or_else(|e| self.fail(format!("cannot read: {}", files::reason(&e))))?;
            if copied != n {
                return self.fail("the file ended early (truncated)");
            }
        } else {
            let n_i64 = i64::try_from(n).or_else(|_| self.fail("a length beyond 2^63"))?;
            self.inner
                .seek(SeekFrom::Current(n_i64))
                .or_else(|e| self.fail(format!("cannot seek: {}", files::reason(&e))))?;
        }
        self.pos += n;
        Ok(())
    }

    /// A string: kept when short, skipped (`None`) when long.
    fn string(&mut self) -> Result<Option<String>, Located> {
        let at = self.pos;
        let n = self.u64()?;
        if n > self.left() {
            return Err((
                at,
                format!(
                    "a string of {n} bytes runs past the end of the file ({} bytes left)",
                    self.left()
                ),
            ));
        }
        if n > MAX_KEPT_STRING {
            self.skip(n)?;
            return Ok(None);
        }
        let mut buf = vec![0u8; n as usize];
        self.inner
            .read_exact(&mut buf)
            .or_else(|e| self.fail(format!("cannot read: {}", files::reason(&e))))?;
        self.pos += n;
        Ok(Some(String::from_utf8_lossy(&buf).into_owned()))
    }

    /// A metadata value of type `t`: its number or string if scalar, skipped if an array.
    fn value(&mut self, t: u32, depth: u32) -> Result<Scalar, Located> {
        Ok(match t {
            0 | 1 | 7 => Scalar::Int(u64::from(self.bytes::<1>()?[0])),
            2 | 3 => Scalar::Int(u64::from(u16::from_le_bytes(self.bytes::<2>()?))),
            4 | 5 => Scalar::Int(u64::from(self.u32()?)),
            6 => {
                self.skip(4)?;
                Scalar::Other
            }
            10 | 11 => Scalar::Int(self.u64()?),
            12 => {
                self.skip(8)?;
                Scalar::Other
            }
            8 => self.string()?.map_or(Scalar::Other, Scalar::Str),
            9 => {
                if depth >= MAX_ARRAY_DEPTH {
                    return self.fail(format!("arrays nested over {MAX_ARRAY_DEPTH} deep"));
                }
                let element = self.u32()?;
                let at = self.pos;
                let count = self.u64()?;
                match fixed_size(element) {
                    Some(size) => {
                        let bytes = count.checked_mul(size).filter(|&b| b <= self.left());
                        match bytes {
                            Some(b) => self.skip(b)?,
                            None => {
                                return Err((
                                    at,
                                    format!(
                                        "an array of {count} elements runs past the end of the \
                                         file ({} bytes left)",
                                        self.left()
                                    ),
                                ));
                            }
                        }
                    }
                    None => {
                        // Strings and arrays take at least 8 bytes each.
                        if count > self.left() / 8 {
                            return Err((
                                at,
                                format!(
                                    "an array of {count} elements cannot fit in the {} bytes \
                                     left",
                                    self.left()
                                ),
                            ));
                        }
                        for _ in 0..count {
                            if element == 8 {
                                let n = self.u64()?;
                                self.skip(n)?;
                            } else {
                                self.value(element, depth + 1)?;
                            }
                        }
                    }
                }
                Scalar::Other
            }
            other => return self.fail(format!("unknown metadata value type {other}")),
        })
    }
}

enum Scalar {
    Int(u64),
    Str(String),
    Other,
}

/// Size of a fixed-size metadata value type; `None` for strings and arrays (and unknown).
fn fixed_size(t: u32) -> Option<u64> {
    match t {
        0 | 1 | 7 => Some(1),
        2 | 3 => Some(2),
        4..=6 => Some(4),
        10..=12 => Some(8),
        _ => None,
    }
}

/// Parse a GGUF header from `r`, a file of `len` bytes.
pub fn parse<R: Read + Seek>(r: R, len: u64) -> Result<Header, Located> {
    let mut r = Reader {
        inner: r,
        pos: 0,
        len,
    };
    if len < 4 || r.bytes::<4>()? != *MAGIC {
        return Err((0, "not a GGUF file (no GGUF magic)".to_owned()));
    }
    let version = r.u32()?;
    match version {
        2 | 3 => {}
        1 => {
            return Err((
                4,
                "GGUF version 1 (2023) is not read; convert it again with a current llama.cpp"
                    .to_owned(),
            ));
        }
        v if v.swap_bytes() <= 3 => {
            return Err((
                4,
                "a big-endian GGUF file; mlstack reads little-endian ones".to_owned(),
            ));
        }
        v => {
            return Err((
                4,
                format!("GGUF version {v} is unknown (mlstack reads versions 2 and 3)"),
            ));
        }
    }
    let tensors = r.u64()?;
    let kv_count = r.u64()?;
    // Each pair takes at least 13 bytes (key length, type, a one-byte value); each tensor info
    // at least 24 (name length, dimension count, type, offset).
    if kv_count > r.left() / 13 {
        return Err((
            16,
            format!("claims {kv_count} metadata pairs, more than its {len} bytes can hold"),
        ));
    }
    if tensors > r.left() / 24 {
        return Err((
            8,
            format!("claims {tensors} tensors, more than its {len} bytes can hold"),
        ));
    }
    let mut h = Header {
        version,
        tensors,
        ..Header::default()
    };
    let mut alignment = 32u64;
    for _ in 0..kv_count {
        let key = r.string()?;
        let t = r.u32()?;
        let value = r.value(t, 0)?;
        let (Some(key), value) = (key, value) else {
            continue;
        };
        match (key.as_str(), value) {
            ("general.architecture", Scalar::Str(s)) => h.architecture = Some(s),
            ("general.name", Scalar::Str(s)) => h.name = Some(s),
            ("general.file_type", Scalar::Int(n)) => h.file_type = u32::try_from(n).ok(),
            ("split.count", Scalar::Int(n)) => h.split_count = Some(n),
            ("general.alignment", Scalar::Int(n)) => {
                if n == 0 || !n.is_power_of_two() || n > 1 << 20 {
                    return r.fail(format!(
                        "general.alignment {n} is not a power of two up to 1 MiB"
                    ));
                }
                alignment = n;
            }
            (k, Scalar::Int(n)) => {
                let slot = match k.rsplit_once('.').map_or(k, |(_, last)| last) {
                    "block_count" => &mut h.block_count,
                    "head_count" if k.ends_with(".attention.head_count") => &mut h.head_count,
                    "head_count_kv" => &mut h.head_count_kv,
                    "embedding_length" => &mut h.embedding_length,
                    "key_length" if k.ends_with(".attention.key_length") => &mut h.key_length,
                    "context_length" => &mut h.context_length,
                    _ => continue,
                };
                *slot = Some(n);
            }
            _ => {}
        }
    }
    for _ in 0..tensors {
        let name_at = r.pos;
        let n = r.u64()?;
        r.skip(n)
            .map_err(|(_, m)| (name_at, format!("a tensor name: {m}")))?;
        let dims_at = r.pos;
        let dims = r.u32()?;
        if dims > MAX_DIMS {
            return Err((
                dims_at,
                format!("a tensor with {dims} dimensions (ggml has at most 4)"),
            ));
        }
        let mut elements = 1u64;
        for _ in 0..dims {
            let d = r.u64()?;
            elements = elements
                .checked_mul(d)
                .ok_or((dims_at, "a tensor's shape overflows 64 bits".to_owned()))?;
        }
        r.u32()?; // ggml type
        r.u64()?; // offset in the data
        h.parameters = h
            .parameters
            .checked_add(elements)
            .ok_or((dims_at, "the parameter count overflows 64 bits".to_owned()))?;
    }
    let data_start = r.pos.div_ceil(alignment).saturating_mul(alignment);
    if data_start > len {
        return Err((
            r.pos,
            format!(
                "tensor data would start at byte {data_start}, past the end of the file ({len} bytes)"
            ),
        ));
    }
    h.data_start = data_start;
    Ok(h)
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// A GGUF image with the given metadata (key, type, raw value bytes) and tensors.
    pub fn image(kv: &[(&str, u32, Vec<u8>)], tensors: &[(&str, &[u64])], data: usize) -> Vec<u8> {
        let mut b = MAGIC.to_vec();
        b.extend(3u32.to_le_bytes());
        b.extend((tensors.len() as u64).to_le_bytes());
        b.extend((kv.len() as u64).to_le_bytes());
        for (k, t, v) in kv {
            b.extend((k.len() as u64).to_le_bytes());
            b.extend(k.as_bytes());
            b.extend(t.to_le_bytes());
            b.extend(v);
        }
        for (name, dims) in tensors {
            b.extend((name.len() as u64).to_le_bytes());
            b.extend(name.as_bytes());
            b.extend((dims.len() as u32).to_le_bytes());
            for d in *dims {
                b.extend(d.to_le_bytes());
            }
            b.extend(12u32.to_le_bytes());
            b.extend(0u64.to_le_bytes());
        }
        b.resize(b.len().div_ceil(32) * 32 + data, 0);
        b
    }

    pub fn string(s: &str) -> Vec<u8> {
        let mut v = (s.len() as u64).to_le_bytes().to_vec();
        v.extend(s.as_bytes());
        v
    }

    fn parse_bytes(b: &[u8]) -> Result<Header, Located> {
        parse(std::io::Cursor::new(b), b.len() as u64)
    }

    #[test]
    fn reads_architecture_counts_and_file_type() {
        let mut vocab = 9u32.to_le_bytes().to_vec(); // array of strings
        vocab.extend(8u32.to_le_bytes());
        vocab.extend(2u64.to_le_bytes());
        vocab.extend(string("a"));
        vocab.extend(string("bb"));
        let b = image(
            &[
                ("general.architecture", 8, string("llama")),
                ("general.file_type", 4, 15u32.to_le_bytes().to_vec()),
                ("tokenizer.ggml.tokens", 9, vocab[4..].to_vec()),
                ("llama.block_count", 4, 16u32.to_le_bytes().to_vec()),
                (
                    "llama.attention.head_count",
                    4,
                    32u32.to_le_bytes().to_vec(),
                ),
                (
                    "llama.attention.head_count_kv",
                    4,
                    8u32.to_le_bytes().to_vec(),
                ),
                ("llama.embedding_length", 4, 2048u32.to_le_bytes().to_vec()),
            ],
            &[("a", &[2048, 1000]), ("b", &[10])],
            100,
        );
        let h = parse_bytes(&b).unwrap();
        assert_eq!(h.architecture.as_deref(), Some("llama"));
        assert_eq!(h.parameters, 2_048_010);
        assert_eq!(file_type_name(h.file_type.unwrap()), "Q4_K_M");
        assert_eq!((h.block_count, h.head_count_kv), (Some(16), Some(8)));
        assert_eq!(b.len() as u64 - h.data_start, 100);
    }

    #[test]
    fn absurd_counts_and_truncation_are_errors_with_offsets() {
        let mut b = image(&[], &[], 0);
        b[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
        let (at, m) = parse_bytes(&b).unwrap_err();
        assert_eq!(at, 8);
        assert!(m.contains("tensors"), "{m}");

        let b = image(&[("general.name", 8, string("x"))], &[("t", &[4])], 0);
        let (_, m) = parse_bytes(&b[..30]).unwrap_err();
        assert!(m.contains("can hold"), "{m}");

        let mut big_string = image(&[("general.name", 8, string("x"))], &[], 0);
        let at = 24 + 8 + "general.name".len() + 4;
        big_string[at..at + 8].copy_from_slice(&(1u64 << 60).to_le_bytes());
        let (where_, m) = parse_bytes(&big_string).unwrap_err();
        assert_eq!(where_, at as u64);
        assert!(m.contains("runs past the end"), "{m}");
    }

    #[test]
    fn one_part_of_a_split_model_does_not_claim_its_size() {
        let b = image(
            &[("split.count", 2, 3u16.to_le_bytes().to_vec())],
            &[("a", &[1000, 1000])],
            10,
        );
        let h = parse_bytes(&b).unwrap();
        assert_eq!(h.split_count, Some(3));
        let found = inspection(&h, b.len() as u64, Path::new("part-00001-of-00003.gguf"));
        assert_eq!((found.parameters, found.weight_bytes), (None, None));
        assert!(found.not_read.iter().any(|n| n.contains("split in 3")));
    }

    #[test]
    fn other_versions_and_files_are_named() {
        let mut b = image(&[], &[], 0);
        b[4..8].copy_from_slice(&1u32.to_le_bytes());
        assert!(parse_bytes(&b).unwrap_err().1.contains("version 1"));
        b[4..8].copy_from_slice(&3u32.to_be_bytes());
        assert!(parse_bytes(&b).unwrap_err().1.contains("big-endian"));
        assert!(
            parse_bytes(b"PK\x03\x04")
                .unwrap_err()
                .1
                .contains("no GGUF magic")
        );
    }
}
