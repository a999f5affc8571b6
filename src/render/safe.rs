//! Text from files (rule files, answers files) is data, not terminal markup: control
//! characters other than newline and tab are shown as `\u{1b}`-style escapes wherever text
//! reaches a terminal or a table, so a file cannot recolour output, set the window title or
//! write the clipboard (OSC 52). JSON needs none of this: it escapes control characters itself.

use std::borrow::Cow;

/// `text` with every control character but `\n` and `\t` written as a visible escape.
pub fn safe(text: &str) -> Cow<'_, str> {
    if !has_control(text.as_bytes()) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether UTF-8 `bytes` hold a control character other than `\n` and `\t`, found on the
/// bytes without decoding: C0 controls and DEL are single bytes, C1 controls (U+0080 to
/// U+009F) the two bytes 0xC2 0x80 to 0xC2 0x9F. Words of eight printable ASCII bytes are
/// skipped whole: a report is mostly that, and a byte-by-byte scan of a whole JSON document
/// cost a third as much as writing it.
fn has_control(bytes: &[u8]) -> bool {
    let mut at = 0;
    while let Some(word) = bytes.get(at..at + 8) {
        if printable_ascii(word) {
            at += 8;
            continue;
        }
        if (at..at + 8).any(|i| control_at(bytes, i)) {
            return true;
        }
        at += 8;
    }
    (at..bytes.len()).any(|i| control_at(bytes, i))
}

/// Whether the eight bytes of `word` are all printable ASCII (0x20 to 0x7e), `\n` or `\t`:
/// a pretty-printed document has a newline every few words, and a word holding one would
/// otherwise be scanned byte by byte.
fn printable_ascii(word: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const LOW7: u64 = u64::from_ne_bytes([0x7f; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let mut eight = [0u8; 8];
    eight.copy_from_slice(word);
    let w = u64::from_ne_bytes(eight);
    // Per byte, exactly (no carry crosses a byte: the low seven bits plus 0x60 or 0x7f stay
    // below 0x100): the high bit of `below` is set where the byte is under 0x20, and that of
    // `is(b)` where the byte equals `b`.
    let below = !((w & LOW7).wrapping_add(0x60 * ONES) | w) & HIGH;
    let is = |b: u8| {
        let z = w ^ (u64::from(b) * ONES);
        !((z & LOW7).wrapping_add(LOW7) | z) & HIGH
    };
    // A byte of 0x7f or more: it, or it plus one, has its high bit set (a carry across lanes
    // only comes from 0xff, itself caught).
    let high = (w | w.wrapping_add(ONES)) & HIGH;
    ((below & !is(b'\n') & !is(b'\t')) | high) == 0
}

/// Whether a control character other than `\n` and `\t` starts at byte `at`.
fn control_at(bytes: &[u8], at: usize) -> bool {
    match bytes[at] {
        b'\n' | b'\t' => false,
        0x00..=0x1f | 0x7f => true,
        0xc2 => matches!(bytes.get(at + 1), Some(0x80..=0x9f)),
        _ => false,
    }
}

fn unsafe_char(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

#[cfg(test)]
mod tests {
    use super::safe;

    /// Words mixing newlines, tabs and letters pass the fast path; any other control byte
    /// among them, at any place, is still found.
    #[test]
    fn newlines_and_tabs_in_a_word_hide_no_control_byte() {
        for n in 0..3u32.pow(8) {
            let mut word: Vec<u8> = (0..8)
                .map(|i| [b'a', b'\n', b'\t'][(n / 3u32.pow(i) % 3) as usize])
                .collect();
            assert!(!super::has_control(&word), "{word:?}");
            for bad in [0x00, 0x08, 0x0b, 0x0d, 0x1b, 0x1f, 0x7f] {
                let at = (n % 8) as usize;
                let kept = word[at];
                word[at] = bad;
                assert!(super::has_control(&word), "{word:?}");
                word[at] = kept;
            }
        }
    }

    #[test]
    fn control_characters_become_visible_escapes() {
        assert_eq!(safe("plain\ttext\n"), "plain\ttext\n");
        assert_eq!(safe("\u{1b}]52;c;aGk=\u{7}"), "\\u{1b}]52;c;aGk=\\u{7}");
        assert_eq!(safe("a\rb\u{9b}c\u{7f}"), "a\\u{d}b\\u{9b}c\\u{7f}");
        // Two-byte characters that start like a C1 control but are not one stay as they are.
        assert!(matches!(
            safe("£5 · Ã"),
            std::borrow::Cow::Borrowed("£5 · Ã")
        ));
        assert_eq!(safe("next\u{85}line"), "next\\u{85}line");
        // The byte scan finds exactly what `char::is_control` finds, wherever the character
        // falls in the eight-byte words.
        for (c, pad) in (0u32..0x300)
            .filter_map(char::from_u32)
            .flat_map(|c| (0..9).map(move |pad| (c, pad)))
        {
            let text = format!("{}{c}{}", "a".repeat(pad), "b".repeat(16));
            let expect = c.is_control() && c != '\n' && c != '\t';
            assert_eq!(
                super::has_control(text.as_bytes()),
                expect,
                "U+{:04X}",
                u32::from(c)
            );
        }
    }
}
