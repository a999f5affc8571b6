//! Text from files (rule files, answers files) is data, not terminal markup: control
//! characters other than newline and tab are shown as `\u{1b}`-style escapes wherever text
//! reaches a terminal or a table, so a file cannot recolour output, set the window title or
//! write the clipboard (OSC 52). JSON needs none of this: it escapes control characters itself.

use std::borrow::Cow;

/// `text` with every control character but `\n` and `\t` written as a visible escape.
pub fn safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unsafe_char) {
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
    }
}
