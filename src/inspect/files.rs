//! Bounded file access for the format readers: look before opening (a FIFO would block), cap
//! every read, cap every directory listing. Symbolic links are followed where the user points
//! (Hugging Face caches link snapshot files to blobs); a loop is an error from the OS.

use std::fs::{File, Metadata};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::InspectError;

/// The most entries read from one directory: a model folder has tens, a sharded one hundreds.
pub const MAX_DIR_ENTRIES: usize = 10_000;

/// The most bytes read of a JSON file (`config.json`, an index, Core ML metadata).
pub const MAX_JSON_BYTES: u64 = 16 << 20;

/// An I/O error in a few words (shared with the commands' own file reads).
pub fn reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

pub fn metadata(path: &Path) -> Result<Metadata, InspectError> {
    std::fs::metadata(path)
        .map_err(|e| InspectError::new(path, format!("cannot read: {}", reason(&e))))
}

/// Open a regular file (never a FIFO, device or directory) and return it with its length.
pub fn open(path: &Path) -> Result<(File, u64), InspectError> {
    let meta = metadata(path)?;
    if !meta.is_file() {
        return Err(InspectError::new(
            path,
            "not a regular file (directories, pipes and devices are not read here)",
        ));
    }
    let file = File::open(path)
        .map_err(|e| InspectError::new(path, format!("cannot read: {}", reason(&e))))?;
    Ok((file, meta.len()))
}

/// The whole of a small file, refused when larger than `cap`.
pub fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, InspectError> {
    let (file, len) = open(path)?;
    if len > cap {
        return Err(InspectError::new(
            path,
            format!("{len} bytes, larger than the {cap} bytes mlstack reads of this file"),
        ));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| InspectError::new(path, format!("cannot read: {}", reason(&e))))?;
    if bytes.len() as u64 > cap {
        return Err(InspectError::new(
            path,
            "grew past the read limit while read",
        ));
    }
    Ok(bytes)
}

/// A small JSON file (`config.json`, an index, a manifest, Core ML metadata), parsed.
pub fn read_json(path: &Path) -> Result<serde_json::Value, InspectError> {
    let bytes = read_capped(path, MAX_JSON_BYTES)?;
    serde_json::from_slice(&bytes)
        .map_err(|e| InspectError::new(path, format!("not valid JSON: {e}")))
}

/// Up to `len` bytes at `offset` (fewer at the end of the file).
pub fn read_at(
    file: &mut File,
    path: &Path,
    offset: u64,
    len: u64,
) -> Result<Vec<u8>, InspectError> {
    file.seek(SeekFrom::Start(offset))
        .map_err(|e| InspectError::at(path, offset, format!("cannot seek: {}", reason(&e))))?;
    let mut bytes = Vec::with_capacity(len.min(1 << 20) as usize);
    file.take(len)
        .read_to_end(&mut bytes)
        .map_err(|e| InspectError::at(path, offset, format!("cannot read: {}", reason(&e))))?;
    Ok(bytes)
}

/// Whether a regular file starts with `magic`.
pub fn starts_with(path: &Path, magic: &[u8]) -> Result<bool, InspectError> {
    let (mut file, _) = open(path)?;
    Ok(read_at(&mut file, path, 0, magic.len() as u64)? == magic)
}

/// The entries of a directory, sorted by name; an error beyond [`MAX_DIR_ENTRIES`].
pub fn list(dir: &Path) -> Result<Vec<PathBuf>, InspectError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| InspectError::new(dir, format!("cannot list: {}", reason(&e))))?;
    let mut out = Vec::new();
    for entry in entries {
        let entry =
            entry.map_err(|e| InspectError::new(dir, format!("cannot list: {}", reason(&e))))?;
        if out.len() == MAX_DIR_ENTRIES {
            return Err(InspectError::new(
                dir,
                format!(
                    "more than {MAX_DIR_ENTRIES} entries; a model folder has far fewer \
                     (point at the model's own folder)"
                ),
            ));
        }
        out.push(entry.path());
    }
    out.sort();
    Ok(out)
}

/// Total bytes of the regular files under `dir`, not following links, at most `depth`
/// levels down and [`MAX_DIR_ENTRIES`] entries in all.
pub fn tree_size(dir: &Path, depth: usize) -> Result<u64, InspectError> {
    let mut total = 0u64;
    let mut seen = 0usize;
    let mut stack = vec![(dir.to_path_buf(), 0usize)];
    while let Some((d, level)) = stack.pop() {
        for entry in list(&d)? {
            seen += 1;
            if seen > MAX_DIR_ENTRIES {
                return Err(InspectError::new(
                    dir,
                    format!("more than {MAX_DIR_ENTRIES} files; not a model asset"),
                ));
            }
            let Ok(meta) = std::fs::symlink_metadata(&entry) else {
                continue;
            };
            if meta.is_file() {
                total = total.saturating_add(meta.len());
            } else if meta.is_dir() && level < depth {
                stack.push((entry, level + 1));
            }
        }
    }
    Ok(total)
}

/// `path` relative to `base`, for the list of files read.
pub fn relative(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .display()
        .to_string()
}
