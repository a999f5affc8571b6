//! Just enough of the protocol buffers wire format to walk a Core ML spec: fields, varints
//! and length-delimited bytes, every length checked against what is there. No schema, no
//! recursion of its own: callers descend into the messages they know.

/// One field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value<'a> {
    Varint(u64),
    Fixed64,
    Fixed32,
    /// Length-delimited: bytes, strings and nested messages. `complete` is false when the
    /// buffer ends before the declared length (a capped read of a large file).
    Bytes {
        data: &'a [u8],
        complete: bool,
    },
}

/// A problem at a byte offset of the buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    pub offset: u64,
    pub message: String,
}

/// The fields of one message, in order.
pub struct Fields<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Offset of `buf` in the file, for error messages.
    base: u64,
    done: bool,
}

impl<'a> Fields<'a> {
    pub fn new(buf: &'a [u8], base: u64) -> Self {
        Fields {
            buf,
            pos: 0,
            base,
            done: false,
        }
    }

    /// The file offset of the next field.
    pub fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// An error for the field that starts at `start`; nothing after it is read.
    fn fail(&mut self, start: usize, message: &str) -> Malformed {
        self.done = true;
        Malformed {
            offset: self.base + start as u64,
            message: message.to_owned(),
        }
    }

    fn varint(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self.buf.get(self.pos)?;
            self.pos += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }
}

impl<'a> Iterator for Fields<'a> {
    /// (field number, value, file offset of the value's first byte)
    type Item = Result<(u64, Value<'a>, u64), Malformed>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.pos >= self.buf.len() {
            return None;
        }
        let start = self.pos;
        let Some(key) = self.varint() else {
            return Some(Err(self.fail(start, "a field key runs past the end")));
        };
        let field = key >> 3;
        if field == 0 {
            return Some(Err(
                self.fail(start, "field number 0: not a protobuf message")
            ));
        }
        let value = match key & 7 {
            0 => match self.varint() {
                Some(v) => Value::Varint(v),
                None => return Some(Err(self.fail(start, "a varint runs past the end"))),
            },
            1 | 5 => {
                let (width, value) = if key & 7 == 1 {
                    (8, Value::Fixed64)
                } else {
                    (4, Value::Fixed32)
                };
                if self.buf.len() - self.pos < width {
                    return Some(Err(
                        self.fail(start, "a fixed-width value runs past the end")
                    ));
                }
                self.pos += width;
                value
            }
            2 => {
                let Some(len) = self.varint() else {
                    return Some(Err(self.fail(start, "a length runs past the end")));
                };
                let start = self.pos;
                let available = (self.buf.len() - start) as u64;
                let complete = len <= available;
                let end = start + len.min(available) as usize;
                self.pos = end;
                if !complete {
                    // Nothing after a cut-short field can be read.
                    self.done = true;
                }
                Value::Bytes {
                    data: &self.buf[start..end],
                    complete,
                }
            }
            other => {
                return Some(Err(
                    self.fail(start, &format!("wire type {other}: not a protobuf message"))
                ));
            }
        };
        let at = self.base + self.pos as u64;
        Some(Ok((field, value, at)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_varints_bytes_and_fixed_fields() {
        // field 1 varint 300; field 2 bytes "hi"; field 3 fixed32
        let buf = [0x08, 0xac, 0x02, 0x12, 0x02, b'h', b'i', 0x1d, 1, 2, 3, 4];
        let fields: Vec<_> = Fields::new(&buf, 0).map(Result::unwrap).collect();
        assert_eq!(fields[0].1, Value::Varint(300));
        assert_eq!(
            fields[1].1,
            Value::Bytes {
                data: b"hi",
                complete: true
            }
        );
        assert_eq!(fields[2].1, Value::Fixed32);
    }

    #[test]
    fn a_length_past_the_end_is_cut_short_not_read() {
        let buf = [0x12, 0xff, 0x01, b'a'];
        let fields: Vec<_> = Fields::new(&buf, 0).collect();
        assert_eq!(fields.len(), 1);
        assert!(matches!(
            fields[0],
            Ok((
                2,
                Value::Bytes {
                    complete: false,
                    ..
                },
                _
            ))
        ));
    }

    #[test]
    fn garbage_is_an_error_with_an_offset() {
        let buf = [0x0f];
        let err = Fields::new(&buf, 100).next().unwrap().unwrap_err();
        assert_eq!(err.offset, 100);
        assert!(err.message.contains("wire type 7"));
    }
}
