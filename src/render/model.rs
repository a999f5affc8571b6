//! What a model's files say and its memory fit, in words: shared by the verdict's table and
//! Markdown and by `mlstack inspect`. Text from the files (architecture names, paths) goes
//! through the renderers' escaping like any other file text.

use crate::inspect::fit::{DeviceFit, Fit, Verdict};
use crate::inspect::{Inspection, ModelAnswers, human_bytes, human_count};

/// `llm, 1.2 B parameters, bf16, 2.5 GB of weights` (what is known, in that order).
pub fn summary(found: &Inspection) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(t) = found.model_type {
        parts.push(t.id().to_owned());
    }
    if let Some(a) = &found.architecture {
        parts.push(a.clone());
    }
    if let Some(p) = found.parameters {
        parts.push(format!("{} parameters", human_count(p)));
    }
    if let Some(p) = &found.precision {
        parts.push(p.clone());
    }
    if let Some(b) = found.bits_per_weight {
        parts.push(format!("{b} bits per weight"));
    }
    if let Some(b) = found.weight_bytes {
        parts.push(format!("{} of weights", human_bytes(b)));
    }
    if found.stateful == Some(true) {
        parts.push("stateful (KV cache in the model)".to_owned());
    }
    if found.dynamic_shapes == Some(true) {
        parts.push("inputs over a range of shapes".to_owned());
    }
    if let Some(os) = &found.needs_os {
        parts.push(format!("needs {os}"));
    }
    parts.join(", ")
}

/// The answers as flags: `--model-type llm --model-size 1b-to-4b`.
pub fn flags(proven: &ModelAnswers) -> String {
    proven
        .iter()
        .map(|(q, values)| format!("--{q} {}", values.join(",")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The answers that came from the model's files, as flags (after flags and the answers file
/// had their say): `--model-type llm --model-size 1b-to-4b`.
/// `model`: the model's name in an app of several, whose answers are given `NAME=VALUE`;
/// `models_by` (the question whose options make the models) is then the app's, not listed.
pub fn answered_from_model(
    report: &crate::report::Report,
    model: Option<&str>,
    models_by: Option<&str>,
) -> String {
    report
        .provenance
        .0
        .iter()
        .zip(&report.answers.0)
        .filter(|((_, source), _)| *source == crate::answers::Source::Model)
        .filter(|((q, _), _)| model.is_none() || Some(*q) != models_by)
        .map(|(_, (q, value))| match model {
            // In an app of several models, as a person would give this model the answer.
            Some(name) => format!("--{q} {name}={}", value.to_flag_value()),
            None => format!("--{q} {}", value.to_flag_value()),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The heading line of a fit: what is counted, and that the limits are estimates.
pub fn fit_heading(fit: &Fit) -> String {
    let kv = match (fit.kv_cache_bytes, fit.context_tokens) {
        (Some(kv), Some(context)) => format!(
            " + KV cache {} at {} tokens (fp16)",
            human_bytes(kv),
            thousands(context)
        ),
        _ => String::new(),
    };
    format!(
        "{} of weights{kv} = {} in memory",
        human_bytes(fit.weights_bytes),
        human_bytes(fit.total_bytes)
    )
}

/// The heading of the app's models' fit counted together: `Memory fit, llm and vision
/// together (their files read)`; `names` as the renderer escapes them.
pub fn together_title(names: &[String]) -> String {
    format!(
        "Memory fit, {} together (their files read)",
        names.join(" and ")
    )
}

/// One line per device tier.
pub fn fit_lines(fit: &Fit) -> Vec<String> {
    let mut lines: Vec<String> = fit.devices.iter().map(device_line).collect();
    for p in &fit.not_estimated {
        match *p {
            // Beside the iPhones it qualifies.
            "older-iphones" => {
                let after = fit
                    .devices
                    .iter()
                    .rposition(|d| d.tier.starts_with("iphone"))
                    .map_or(lines.len(), |i| i + 1);
                lines.insert(after, OLDER_IPHONES.to_owned());
            }
            p => lines.push(format!("{p}: no memory figures to compare with")),
        }
    }
    lines
}

/// The smallest devices are the ones the sources say least about.
const OLDER_IPHONES: &str = "Older iPhones (before the iPhone 15 Pro), which current iOS still \
runs on (iOS 26 from the iPhone 11; fact AA1): 4 GB of RAM in the iPhone 11, 12 and 13, 6 GB in \
the 12 Pro, 13 Pro, 14 and 15 (fact AB4), and no app limit figures in the sources; an app gets \
less there than on the 8 GB iPhones above, so gate a large model by the device's memory";

fn device_line(d: &DeviceFit) -> String {
    let name = match d.tier {
        "iphone-8gb" => "iPhone, 8 GB",
        "iphone-12gb" => "iPhone and iPad, 12 GB",
        "vision-pro" => "Apple Vision Pro, 16 GB",
        "mac" => "Mac",
        // Kinds of app extension: their names are the line's.
        _ => d.devices,
    };
    if let Some(min) = d.min_ram_gb {
        return format!(
            "{name}: fits a Mac with at least {min} GB of memory (Apple advises 6 GB of headroom)"
        );
    }
    let limits = match (d.limit_bytes, d.entitlement_limit_bytes) {
        (Some(l), Some(e)) => format!(
            " (about {} without the entitlement, under {} with it)",
            human_bytes(l),
            human_bytes(e)
        ),
        (Some(l), None) => format!(" (reported ceiling about {})", human_bytes(l)),
        _ => String::new(),
    };
    let verdict = match d.verdict {
        Verdict::Fits => "fits",
        Verdict::NeedsEntitlement => "needs the increased-memory-limit entitlement",
        Verdict::TooLarge => "too large",
    };
    if name.starts_with(d.devices) {
        format!("{name}: {verdict}{limits}")
    } else {
        format!("{name} ({}): {verdict}{limits}", d.devices)
    }
}

/// `4,096`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(4096), "4,096");
        assert_eq!(thousands(131_072), "131,072");
        assert_eq!(thousands(12), "12");
    }
}
