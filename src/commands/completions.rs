//! `mlstack completions SHELL`: clap_complete's script, plus, for PowerShell and elvish
//! (whose generated scripts complete flags but not their values), the question flags' option
//! ids: `mlstack recommend --hardware <TAB>` offers `neural-engine gpu cpu any` in every shell.

use clap_complete::Shell;

use crate::rules::RuleSet;

/// The completion script for `shell`.
pub fn script(rules: &RuleSet, shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    let mut command = crate::cli::command(rules);
    clap_complete::generate(shell, &mut command, "mlstack", &mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let values: Vec<(String, Vec<(String, String)>)> = rules
        .questions
        .iter()
        .map(|q| {
            let options = q
                .options
                .iter()
                .map(|o| (o.id.to_string(), o.label.to_string()))
                .collect();
            (format!("--{}", q.id), options)
        })
        .collect();
    match shell {
        Shell::PowerShell => powershell(&text, &values),
        Shell::Elvish => elvish(&text, &values),
        _ => text,
    }
    .into_bytes()
}

/// A single-quoted string for PowerShell and elvish (both double the quote).
fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

const POWERSHELL_ANCHOR: &str = "    $completions = @(switch ($command) {";

fn powershell(text: &str, values: &[(String, Vec<(String, String)>)]) -> String {
    let mut table = String::from(
        "    # mlstack: the option values of the question flags.\n    $questionValues = @{\n",
    );
    for (flag, options) in values {
        let items: Vec<String> = options
            .iter()
            .map(|(id, label)| format!("@({}, {})", quoted(id), quoted(label)))
            .collect();
        table.push_str(&format!(
            "        {} = @({})\n",
            quoted(flag),
            items.join(", ")
        ));
    }
    table.push_str(
        r#"    }
    $previous = $null
    foreach ($e in $commandElements) {
        if ($e.Extent.EndOffset -lt $cursorPosition) { $previous = $e.Extent.Text }
    }
    if ($previous -and $questionValues.ContainsKey($previous)) {
        # A multi-choice flag takes a comma-separated list: complete its last item.
        $done = ''
        $last = $wordToComplete
        if ($wordToComplete.Contains(',')) {
            $cut = $wordToComplete.LastIndexOf(',') + 1
            $done = $wordToComplete.Substring(0, $cut)
            $last = $wordToComplete.Substring($cut)
        }
        $questionValues[$previous] | Where-Object { $_[0] -like "$last*" } | ForEach-Object {
            [CompletionResult]::new($done + $_[0], $_[0], [CompletionResultType]::ParameterValue, $_[1])
        }
        return
    }

"#,
    );
    match text.find(POWERSHELL_ANCHOR) {
        Some(at) => format!("{}{table}{}", &text[..at], &text[at..]),
        None => text.to_owned(),
    }
}

const ELVISH_ANCHOR: &str = "    var command = 'mlstack'";

fn elvish(text: &str, values: &[(String, Vec<(String, String)>)]) -> String {
    let mut table = String::from(
        "    # mlstack: the option values of the question flags.\n    var question-values = [\n",
    );
    for (flag, options) in values {
        let items: Vec<String> = options
            .iter()
            .map(|(id, label)| format!("[{} {}]", quoted(id), quoted(label)))
            .collect();
        table.push_str(&format!(
            "        &{}=[{}]\n",
            quoted(flag),
            items.join(" ")
        ));
    }
    table.push_str(
        r#"    ]
    # (`return` does not leave a lambda in elvish: the flag's values replace the rest.)
    var value-of-a-flag = (and (> (count $words) 2) (has-key $question-values $words[-2]))
    if $value-of-a-flag {
        for option $question-values[$words[-2]] {
            cand $option[0] $option[1]
        }
    }
"#,
    );
    const LAST: &str = "    $completions[$command]\n}";
    match (text.find(ELVISH_ANCHOR), text.rfind(LAST)) {
        (Some(at), Some(last)) if at < last => format!(
            "{}{table}{}    if (not $value-of-a-flag) {{ $completions[$command] }}\n}}{}",
            &text[..at],
            &text[at..last],
            &text[last + LAST.len()..]
        ),
        _ => text.to_owned(),
    }
}
