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
/// U+009F) the two bytes 0xC2 0x80 to 0xC2 0x9F. Printable ASCII is skipped in one scan.
fn has_control(bytes: &[u8]) -> bool {
    let mut from = 0;
    while let Some(p) = bytes[from..]
        .iter()
        .position(|&b| !(0x20..0x7f).contains(&b))
    {
        let at = from + p;
        match bytes[at] {
            b'\n' | b'\t' => {}
            0x00..=0x1f | 0x7f => return true,
            0xc2 if matches!(bytes.get(at + 1), Some(0x80..=0x9f)) => return true,
            _ => {}
        }
        from = at + 1;
    }
    false
}

fn unsafe_char(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

#[cfg(test)]
mod tests {
    use super::safe;

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
        // The byte scan finds exactly what `char::is_control` finds.
        for c in (0u32..0x300).filter_map(char::from_u32) {
            let text = format!("a{c}b");
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
