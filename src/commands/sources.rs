//! `mlstack sources [ID]...`: what the fact ids the rules cite stand for, and where to read
//! each; the article the rules encode and the date their knowledge is as of.

use serde::Serialize;

use super::{Failure, Terminal, emit, usage};
use crate::cli::SourcesArgs;
use crate::render::Format;
use crate::rules::{RuleSet, Source, did_you_mean};

#[derive(Serialize)]
struct SourceOut<'a> {
    id: &'a str,
    claim: &'a str,
    reference: Option<&'a str>,
    date: Option<&'a str>,
    /// The rules, constraints and notes that cite it.
    cited_by: Vec<&'a str>,
}

#[derive(Serialize)]
struct ArticleOut<'a> {
    title: &'a str,
    author: &'a str,
    date: &'a str,
    url: Option<&'a str>,
}

#[derive(Serialize)]
struct SourcesDoc<'a> {
    schema_version: u32,
    rules: &'a str,
    as_of: Option<&'a str>,
    article: Option<ArticleOut<'a>>,
    sources: Vec<SourceOut<'a>>,
}

/// Ids of the rules, constraints and notes whose cite names fact `id`.
fn cited_by<'a>(rules: &'a RuleSet, id: &str) -> Vec<&'a str> {
    let names = |cite: &str| crate::rules::cited_ids(cite).iter().any(|c| c == id);
    rules
        .rules
        .iter()
        .filter(|r| names(&r.cite))
        .map(|r| r.id.as_str())
        .chain(
            rules
                .constraints
                .iter()
                .filter(|k| names(&k.source))
                .map(|k| k.id.as_str()),
        )
        .chain(
            rules
                .notes
                .iter()
                .filter(|n| names(&n.cite))
                .map(|n| n.id.as_str()),
        )
        .collect()
}

/// The sources `ids` name (case ignored), in the order given; all of them for none.
fn chosen<'a>(rules: &'a RuleSet, ids: &[String]) -> Result<Vec<&'a Source>, Failure> {
    if ids.is_empty() {
        return Ok(rules.sources.iter().collect());
    }
    let find = |id: &str| rules.sources.iter().find(|s| s.id.eq_ignore_ascii_case(id));
    let mut out = Vec::new();
    for id in ids {
        if let Some(found) = find(id) {
            out.push(found);
            continue;
        }
        // A range as the cites write it (`T1-T5`): every id it names, if the rules define each.
        let named = crate::rules::cited_ids(&format!("facts {id}"));
        let found: Vec<&Source> = named.iter().filter_map(|n| find(n)).collect();
        if named.len() > 1 && found.len() == named.len() {
            out.extend(found);
            continue;
        }
        return Err(missing(rules, id));
    }
    Ok(out)
}

/// The error for an id the rules do not define, with the nearest one.
fn missing(rules: &RuleSet, id: &str) -> Failure {
    let hint = match did_you_mean(id, rules.sources.iter().map(|s| s.id.as_str())) {
        Some(s) => format!("; did you mean `{s}`?"),
        None if rules.sources.is_empty() => format!("; {} defines no sources", rules.name),
        None => "; `mlstack sources` lists them all".to_owned(),
    };
    usage(format!(
        "no source `{}` in {}{hint}",
        crate::rules::shorten(id),
        rules.name
    ))
}

pub fn run(rules: &RuleSet, args: &SourcesArgs, terminal: Terminal) -> Result<(), Failure> {
    let chosen = chosen(rules, &args.ids)?;
    let doc = SourcesDoc {
        schema_version: 1,
        rules: &rules.name,
        as_of: rules.as_of.as_deref(),
        article: rules.article.as_ref().map(|a| ArticleOut {
            title: &a.title,
            author: &a.author,
            date: &a.date,
            url: a.url.as_deref(),
        }),
        sources: chosen
            .iter()
            .map(|s| SourceOut {
                id: &s.id,
                claim: &s.claim,
                reference: s.reference.as_deref(),
                date: s.date.as_deref(),
                cited_by: cited_by(rules, &s.id),
            })
            .collect(),
    };
    let text = match args.format {
        Format::Json => {
            let mut s =
                serde_json::to_string_pretty(&doc).map_err(|e| Failure::Output(e.into()))?;
            s.push('\n');
            s
        }
        Format::Table | Format::Markdown => {
            let markdown = args.format == Format::Markdown;
            let mut text = String::new();
            if args.ids.is_empty() {
                if let Some(a) = &doc.article {
                    text.push_str(&format!(
                        "Article: {}, {} ({}){}\n",
                        a.title,
                        a.author,
                        a.date,
                        a.url.map(|u| format!(" {u}")).unwrap_or_default()
                    ));
                }
                if let Some(d) = doc.as_of {
                    text.push_str(&format!("Knowledge as of {d}\n"));
                }
                if !text.is_empty() {
                    text = crate::render::table::wrap_prose(&text, terminal.width);
                    text.push('\n');
                }
            }
            let rows = doc
                .sources
                .iter()
                .map(|s| {
                    vec![
                        s.id.to_owned(),
                        s.claim.to_owned(),
                        format!(
                            "{}{}",
                            s.reference.unwrap_or("(no public page)"),
                            s.date.map(|d| format!("\n({d})")).unwrap_or_default()
                        ),
                    ]
                })
                .collect();
            text.push_str(&crate::render::table::grid(
                markdown,
                terminal.width,
                &["Fact", "Claim", "Where to read it"],
                rows,
                Some(0),
            ));
            text
        }
    };
    emit(text.as_bytes())
}
