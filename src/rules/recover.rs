//! Every structural problem of a rule file at once. The serde pass stops at the first one (an
//! unknown key, a wrong type); to find the next, the list item that holds the problem (an
//! outcome, a question, a rule, ...) is blanked out, lines kept so locations stay true, and
//! the file is parsed again, up to a limit. A problem outside any list item, or one that only
//! the blanking caused (a list left empty, a required key removed), ends the search, so every
//! problem reported is one the file really has.

use super::diagnostic::Diagnostic;
use super::load::{yaml_error, yaml_options};
use super::syntax::RuleFile;

/// The most structural problems reported from one file.
const MAX_PROBLEMS: usize = 20;
/// Files larger than this get the first problem only: each further one costs a full parse.
const MAX_RECOVERY_BYTES: usize = 256 * 1024;

/// The structural problems of rule file `text`, in file order, given the error its first
/// parse met (`first`); empty when the search cannot go on from there.
pub fn structural_problems(file: &str, text: &str, first: &serde_saphyr::Error) -> Vec<Diagnostic> {
    let parse =
        |t: &str| serde_saphyr::from_str_with_options::<RuleFile>(t, yaml_options()).map(|_| ());
    let mut found = problems_with(file, text, first, parse, list_item);
    for d in &mut found {
        d.hint = hint(&d.message);
    }
    found
}

/// The structural problems of answers file `text` (a mapping of question ids to answers),
/// each key's block blanked in turn, given the error its first parse met.
pub fn answers_problems(
    file: &str,
    text: &str,
    first: &serde_saphyr::Error,
    parse: impl Fn(&str) -> Result<(), serde_saphyr::Error>,
) -> Vec<Diagnostic> {
    problems_with(file, text, first, parse, top_level_block)
}

fn hint(message: &str) -> Option<String> {
    if message.contains("unknown field") {
        Some(
            "remove the key or fix its spelling; `mlstack rules guide` lists the keys of each entry"
                .into(),
        )
    } else if message.contains("invalid") || message.contains("expected") {
        Some("`mlstack rules guide` gives the type each key takes".into())
    } else {
        None
    }
}

/// Finds the lines `[from, to)` of the block that holds a line.
type BlockFinder = fn(&[String], usize) -> Option<(usize, usize)>;

/// Note the problem, blank the block that holds it (`block`), parse again (the unchanged
/// file's problem is `first`: it is not parsed twice).
fn problems_with(
    file: &str,
    text: &str,
    first: &serde_saphyr::Error,
    parse: impl Fn(&str) -> Result<(), serde_saphyr::Error>,
    block: BlockFinder,
) -> Vec<Diagnostic> {
    // A lone carriage return is a line break to YAML but not to `str::lines`: the blanking
    // would miss its block, so such a file gets its first problem only.
    let lone_cr = text
        .as_bytes()
        .windows(2)
        .any(|w| w[0] == b'\r' && w[1] != b'\n')
        || text.ends_with('\r');
    if text.len() > MAX_RECOVERY_BYTES || lone_cr {
        return Vec::new();
    }
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut blanked: Vec<(usize, usize)> = Vec::new();
    let mut found: Vec<Diagnostic> = Vec::new();
    let mut first = Some(yaml_error(file, first));
    while found.len() < MAX_PROBLEMS {
        let d = match first.take() {
            Some(d) => d,
            None => match parse(&lines.join("\n")) {
                Ok(()) => break,
                Err(e) => yaml_error(file, &e),
            },
        };
        let line = usize::try_from(d.line).unwrap_or(0).saturating_sub(1);
        let caused_by_blanking = blanked
            .iter()
            .any(|&(from, to)| line + 1 >= from && line <= to)
            || (!found.is_empty() && d.message.contains("missing field"))
            || (!found.is_empty() && d.message.contains("expected a sequence"));
        if caused_by_blanking
            || found
                .iter()
                .any(|f| f.line == d.line && f.column == d.column)
        {
            break;
        }
        let column = usize::try_from(d.column).unwrap_or(0).saturating_sub(1);
        let placeholder = placeholder(&d.message);
        found.push(d);
        // A value of the wrong type is replaced by one of the right type, so problems beside
        // it (in the same map, or outside any list item) are still found; otherwise its
        // whole block goes.
        if let Some(value) = placeholder
            && let Some(l) = lines.get_mut(line)
            && let Some(byte) = byte_offset(l, column)
            && patch_value(l, byte, value)
        {
            continue;
        }
        let Some((from, to)) = block(&lines, line) else {
            break;
        };
        for l in &mut lines[from..to] {
            l.clear();
        }
        blanked.push((from, to));
    }
    found.sort_by_key(|d| (d.line, d.column));
    found
}

/// The byte offset of character `column` of `line` (diagnostics count characters).
fn byte_offset(line: &str, column: usize) -> Option<usize> {
    line.char_indices()
        .map(|(i, _)| i)
        .chain([line.len()])
        .nth(column)
}

/// A valid value of the type a "wrong type" message asks for, if it names one.
fn placeholder(message: &str) -> Option<&'static str> {
    let m = message.to_ascii_lowercase();
    if m.contains("invalid u") || m.contains("invalid i") {
        Some("0")
    } else if m.contains("invalid f") {
        Some("0.0")
    } else if m.contains("bool") {
        Some("false")
    } else if m.contains("expected string") || m.contains("expected a string") {
        Some("x")
    } else {
        None
    }
}

/// Replace the value that starts at byte `column` of `line` (a plain scalar, or a flow list
/// or map closed on the same line) with `value`, padded to its width; false when there is no
/// such value there.
fn patch_value(line: &mut String, column: usize, value: &str) -> bool {
    let Some(rest) = line.get(column..) else {
        return false;
    };
    let end = match rest.as_bytes().first() {
        None => return false,
        Some(&open @ (b'[' | b'{')) => {
            let close = if open == b'[' { b']' } else { b'}' };
            let mut depth = 0usize;
            let mut end = None;
            for (i, &b) in rest.as_bytes().iter().enumerate() {
                if b == open {
                    depth += 1;
                } else if b == close {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(i + 1);
                        break;
                    }
                }
            }
            match end {
                Some(end) => end,
                None => return false,
            }
        }
        Some(b'"' | b'\'' | b'|' | b'>' | b'&' | b'*' | b'!') => return false,
        Some(_) => rest.find([',', '}', ']', '#']).unwrap_or(rest.len()),
    };
    let token = rest[..end].trim_end();
    if token.is_empty() || token == value {
        return false;
    }
    // Padded to the token's width in characters, so every later column stays true.
    let width = token.chars().count().max(value.len());
    line.replace_range(column..column + token.len(), &format!("{value:width$}"));
    true
}

/// The lines `[from, to)` of the top-level key (indentation 0) whose block holds line `at`.
fn top_level_block(lines: &[String], at: usize) -> Option<(usize, usize)> {
    let top = |l: &str| !l.is_empty() && !l.starts_with([' ', '\t', '#', '-']);
    let from = (0..=at.min(lines.len().checked_sub(1)?))
        .rev()
        .find(|&i| top(&lines[i]))?;
    let to = (from + 1..lines.len())
        .find(|&i| top(&lines[i]))
        .unwrap_or(lines.len());
    Some((from, to))
}

/// The lines `[from, to)` of the top-level list item (`  - id: ...` under a top-level key)
/// that holds line `at`.
fn list_item(lines: &[String], at: usize) -> Option<(usize, usize)> {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let is_item = |l: &str| l.trim_start().starts_with("- ") && indent(l) <= 4;
    let is_top_key = |l: &str| !l.is_empty() && indent(l) == 0 && !l.starts_with('#');
    let from = (0..=at.min(lines.len().checked_sub(1)?))
        .rev()
        .take_while(|&i| i == at || !is_top_key(&lines[i]))
        .find(|&i| is_item(&lines[i]))?;
    let item_indent = indent(&lines[from]);
    let to = (from + 1..lines.len())
        .find(|&i| {
            let l = &lines[i];
            is_top_key(l) || (is_item(l) && indent(l) == item_indent)
        })
        .unwrap_or(lines.len());
    Some((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three structural problems in three entries (shared with the end-to-end test).
    const FILE: &str = include_str!("../../tests/fixtures/structural-problems.yaml");

    /// The problems of `text` as `load_rules` finds them: none when it deserializes.
    fn structural_problems(file: &str, text: &str) -> Vec<Diagnostic> {
        match serde_saphyr::from_str_with_options::<RuleFile>(text, yaml_options()) {
            Ok(_) => Vec::new(),
            Err(e) => super::structural_problems(file, text, &e),
        }
    }

    #[test]
    fn problems_in_different_items_are_all_reported_in_file_order() {
        let found = structural_problems("t.yaml", FILE);
        let lines: Vec<u64> = found.iter().map(|d| d.line).collect();
        assert_eq!(lines, [6, 19, 26], "{found:#?}");
        assert!(found[0].message.contains("colour"), "{}", found[0].message);
        assert!(found[2].message.contains("weight"), "{}", found[2].message);
    }

    /// Wrong types outside any list item, or two in one map, are each reported: the value is
    /// replaced by one of the right type and the search goes on.
    #[test]
    fn wrong_types_in_maps_are_all_reported() {
        let tiny = include_str!("../../tests/fixtures/tiny.yaml");
        let two_in_one_map = tiny.replace(
            "confidence: {strong: 2, moderate: 1}",
            "confidence: {strong: two, moderate: one}",
        );
        let found = structural_problems("t.yaml", &two_in_one_map);
        let at: Vec<(u64, u64)> = found.iter().map(|d| (d.line, d.column)).collect();
        assert_eq!(at, [(32, 22), (32, 37)], "{found:#?}");
        let beside_another = tiny
            .replace(
                "confidence: {strong: 2, moderate: 1}",
                "confidence: {strong: two, moderate: 1}",
            )
            .replace(
                "tie_break: [small, large]",
                "tie_break: [small, large]\nclose_call: [1]",
            );
        let found = structural_problems("t.yaml", &beside_another);
        let at: Vec<(u64, u64)> = found.iter().map(|d| (d.line, d.column)).collect();
        assert_eq!(at, [(32, 13), (33, 22)], "{found:#?}");
        let in_an_item = tiny.replace("score: {large: 2}", "score: {large: x}");
        let found = structural_problems("t.yaml", &in_an_item);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!((found[0].line, found[0].column), (23, 20));
    }

    /// Columns count characters: a wrong value after a multi-byte one is still found.
    #[test]
    fn columns_are_characters() {
        assert_eq!(byte_offset("é: x", 3), Some(4));
        assert_eq!(byte_offset("ab", 2), Some(2));
        assert_eq!(byte_offset("ab", 3), None);
        let tiny = include_str!("../../tests/fixtures/tiny.yaml");
        let accented = tiny.replace(
            "confidence: {strong: 2, moderate: 1}",
            "confidence: {strong: deux·, moderate: un}",
        );
        let found = structural_problems("t.yaml", &accented);
        let at: Vec<(u64, u64)> = found.iter().map(|d| (d.line, d.column)).collect();
        assert_eq!(at, [(32, 22), (32, 39)], "{found:#?}");
    }

    #[test]
    fn values_are_patched_where_they_stand() {
        let mut line = "confidence: {strong: two, moderate: one}".to_owned();
        assert!(patch_value(&mut line, 21, "0"));
        assert_eq!(line, "confidence: {strong: 0  , moderate: one}");
        let mut line = "close_call: [1, [2]] # why".to_owned();
        assert!(patch_value(&mut line, 12, "x"));
        assert_eq!(line, "close_call: x        # why");
        let mut line = "name: \"quoted\"".to_owned();
        assert!(!patch_value(&mut line, 6, "x"));
        assert!(!patch_value(&mut line, 99, "x"));
        let mut open = "tie_break: [a, b".to_owned();
        assert!(!patch_value(&mut open, 11, "x"));
    }

    #[test]
    fn a_valid_file_has_none_and_a_lone_problem_is_reported_once() {
        let valid = FILE
            .replace("    colour: red\n", "")
            .replace("many", "2")
            .replace("    weight: 3\n", "");
        assert!(structural_problems("t.yaml", &valid).is_empty());
        let one = valid.replace("kind: single", "kind: several");
        let found = structural_problems("t.yaml", &one);
        assert_eq!(found.len(), 1, "{found:#?}");
    }
}
