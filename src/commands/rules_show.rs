//! `mlstack rules show [RULE_ID]`: rules, constraints, notes and plan rules in words.

use serde::Serialize;

use super::{Failure, Terminal, emit, usage};
use crate::analysis::describe;
use crate::cli::ShowArgs;
use crate::render::Format;
use crate::rules::{self, RuleSet};

#[derive(Serialize)]
struct Entry {
    id: String,
    kind: &'static str,
    when: String,
    effect: String,
    why: String,
    cite: String,
}

fn entries(rules: &RuleSet) -> Vec<Entry> {
    let when = |c| describe::when(rules, c);
    let mut out = Vec::new();
    for r in &rules.rules {
        out.push(Entry {
            id: r.id.to_string(),
            kind: "rule",
            when: when(r.when.as_ref()),
            effect: describe::rule_effect(rules, r),
            why: r.why.to_string(),
            cite: r.cite.to_string(),
        });
    }
    for c in &rules.constraints {
        out.push(Entry {
            id: c.id.to_string(),
            kind: "constraint",
            when: when(Some(&c.when)),
            effect: describe::constraint_effect(rules, c),
            why: c.why.to_string(),
            cite: c.source.to_string(),
        });
    }
    for n in &rules.notes {
        out.push(Entry {
            id: n.id.to_string(),
            kind: "note",
            when: when(n.when.as_ref()),
            effect: "note".to_owned(),
            why: n.text.to_string(),
            cite: n.cite.to_string(),
        });
    }
    let stacks = |mask: u64| -> String {
        let ids: Vec<&str> = rules
            .outcomes
            .iter()
            .enumerate()
            .filter(|(o, _)| mask & (1 << o) != 0)
            .map(|(_, o)| o.id.as_str())
            .collect();
        if ids.is_empty() {
            "any stack".to_owned()
        } else {
            ids.join(" or ")
        }
    };
    for r in &rules.plan.rules {
        let models: Vec<String> = r
            .models
            .iter()
            .map(|m| {
                let on = stacks(m.stacks);
                match &m.when {
                    Some(c) => format!("a model where {} runs on {on}", when(Some(c))),
                    None => format!("a model runs on {on}"),
                }
            })
            .collect();
        let effect = match &r.moves {
            Some(m) => format!(
                "moves to {to} every other model{} whose verdict is at most {} points above {to}",
                m.when
                    .as_ref()
                    .map(|c| format!(" where {}", when(Some(c))))
                    .unwrap_or_default(),
                m.within,
                to = rules.outcomes[m.to].id
            ),
            None => "a reason for the plan".to_owned(),
        };
        out.push(Entry {
            id: r.id.to_string(),
            kind: "plan rule",
            when: models.join("; and "),
            effect,
            why: r.why.to_string(),
            cite: r.cite.to_string(),
        });
    }
    out
}

pub fn run(rules: &RuleSet, args: &ShowArgs, terminal: Terminal) -> Result<(), Failure> {
    let mut all = entries(rules);
    if let Some(id) = &args.id {
        if !all.iter().any(|e| &e.id == id) {
            let hint = rules::did_you_mean(id, all.iter().map(|e| e.id.as_str()))
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            return Err(usage(format!(
                "no rule, constraint, note or plan rule `{id}` in {}{hint}",
                rules.name
            )));
        }
        all.retain(|e| &e.id == id);
    }
    let text = match args.format {
        Format::Json => {
            // Versioned like every JSON document mlstack prints (a bare array until 0.1.0).
            #[derive(Serialize)]
            struct Doc<'a> {
                schema_version: u32,
                rules: &'a str,
                entries: &'a [Entry],
            }
            let doc = Doc {
                schema_version: 1,
                rules: &rules.name,
                entries: &all,
            };
            let mut s =
                serde_json::to_string_pretty(&doc).map_err(|e| Failure::Output(e.into()))?;
            s.push('\n');
            s
        }
        Format::Table | Format::Markdown => {
            let rows = all
                .iter()
                .map(|e| {
                    vec![
                        format!("{}\n({})", e.id, e.kind),
                        e.when.clone(),
                        e.effect.clone(),
                        e.why.clone(),
                        e.cite.clone(),
                    ]
                })
                .collect();
            crate::render::table::grid(
                args.format == Format::Markdown,
                terminal.width,
                &["Id", "When", "Effect", "Why", "Source"],
                rows,
                Some(0),
            )
        }
    };
    emit(text.as_bytes())
}
