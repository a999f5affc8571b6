//! Compiles the embedded default rule set at build time, so `mlstack` starts without parsing
//! YAML. The rules module is shared with the library (`#[path]`), so the build checks the file
//! with exactly the validator users run; an invalid default rule set fails the build with its
//! diagnostics. `tests/default_rules.rs` checks that the generated value equals a fresh parse.

#[allow(dead_code, unused_imports)]
#[path = "src/rules/mod.rs"]
mod rules;

use std::fmt::Write as _;

use rules::{Condition, Kind, RuleSet, Text};

fn s(v: &str) -> String {
    format!("Text::fixed({v:?})")
}

fn opt(v: &Option<Text>) -> String {
    match v {
        Some(x) => format!("Some({})", s(x)),
        None => "None".into(),
    }
}

/// A list as a borrowed static slice: the generated rule set is a `static`, built by the
/// compiler, so start-up allocates nothing for it.
fn vec_of<T>(items: &[T], f: impl Fn(&T) -> String) -> String {
    let parts: Vec<String> = items.iter().map(f).collect();
    format!("List(Cow::Borrowed(&[{}]))", parts.join(", "))
}

fn cond(c: &Condition) -> String {
    match c {
        Condition::Test { question, mask } => {
            format!("Condition::Test {{ question: {question}, mask: {mask:#x} }}")
        }
        Condition::All(items) => format!("Condition::All({})", vec_of(items, cond)),
        Condition::Any(items) => format!("Condition::Any({})", vec_of(items, cond)),
        Condition::Not(items) => format!("Condition::Not({})", vec_of(items, cond)),
    }
}

fn opt_cond(c: &Option<Condition>) -> String {
    c.as_ref()
        .map_or_else(|| "None".into(), |c| format!("Some({})", cond(c)))
}

fn masks(v: &[u64]) -> String {
    vec_of(v, |m| format!("{m:#x}"))
}

fn generate(r: &RuleSet) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "RuleSet {{ name: {}, description: {}, assumes: {}, sha256: {},",
        s(&r.name),
        opt(&r.description),
        opt(&r.assumes),
        s(&r.sha256)
    );
    let _ = writeln!(
        out,
        "outcomes: {},",
        vec_of(&r.outcomes, |o| format!(
            "Outcome {{ id: {}, name: {}, summary: {}, runtimes: {}, fallback_when: {} }}",
            s(&o.id),
            s(&o.name),
            s(&o.summary),
            vec_of(&o.runtimes, |x| format!(
                "Runtime {{ name: {}, backend: {}, when: {}, cite: {} }}",
                s(&x.name),
                s(&x.backend),
                opt_cond(&x.when),
                s(&x.cite)
            )),
            opt_cond(&o.fallback_when)
        ))
    );
    let _ = writeln!(
        out,
        "questions: {},",
        vec_of(&r.questions, |q| format!(
            "Question {{ id: {}, prompt: {}, help: {}, kind: Kind::{}, required: {}, default: {:?}, ask_if: {}, options: {}, exclusive: {:#x}, unsure: {:#x}, scope: Scope::{:?}, one_per_model: {} }}",
            s(&q.id),
            s(&q.prompt),
            opt(&q.help),
            match q.kind {
                Kind::Single => "Single",
                Kind::Multi => "Multi",
            },
            q.required,
            q.default,
            opt_cond(&q.ask_if),
            vec_of(&q.options, |o| {
                format!(
                "AnswerOption {{ id: {}, label: {}, help: {}, aliases: {}, split: {}, ask_if: {} }}",
                s(&o.id),
                s(&o.label),
                opt(&o.help),
                vec_of(&o.aliases, |a| s(a)),
                o.split.as_ref().map_or_else(
                    || "None".to_owned(),
                    |sp| format!(
                        "Some(Split {{ when: {}, into: {} }})",
                        cond(&sp.when),
                        vec_of(&sp.into, |p| format!(
                            "SplitPart {{ name: {}, option: {}, answers: List(Cow::Borrowed(&{:?})) }}",
                            s(&p.name),
                            p.option,
                            &*p.answers
                        ))
                    )
                ),
                opt_cond(&o.ask_if)
            )
            }),
            q.exclusive,
            q.unsure,
            q.scope,
            q.one_per_model
        ))
    );
    let _ = writeln!(
        out,
        "rules: {},",
        vec_of(&r.rules, |x| format!(
            "Rule {{ id: {}, when: {}, score: List(Cow::Borrowed(&{:?})), why: {}, cite: {}, unproven: {} }}",
            s(&x.id),
            opt_cond(&x.when),
            &*x.score,
            s(&x.why),
            s(&x.cite),
            x.unproven
        ))
    );
    let _ = writeln!(
        out,
        "constraints: {},",
        vec_of(&r.constraints, |x| format!(
            "Constraint {{ id: {}, when: {}, exclude: {:#x}, why: {}, source: {} }}",
            s(&x.id),
            cond(&x.when),
            x.exclude,
            s(&x.why),
            s(&x.source)
        ))
    );
    let _ = writeln!(
        out,
        "notes: {},",
        vec_of(&r.notes, |x| format!(
            "Note {{ id: {}, when: {}, text: {}, cite: {}, concerns: {:#x}, contradiction: {} }}",
            s(&x.id),
            opt_cond(&x.when),
            s(&x.text),
            s(&x.cite),
            x.concerns,
            x.contradiction
        ))
    );
    let _ = writeln!(
        out,
        "tie_break: List(Cow::Borrowed(&{:?})),\nconfidence: ConfidenceThresholds {{ strong: {}, moderate: {} }},\nclose_call: {},",
        &*r.tie_break,
        r.confidence.strong,
        r.confidence.moderate,
        opt(&r.close_call)
    );
    let _ = writeln!(
        out,
        "conflicts: {},",
        vec_of(&r.conflicts, |x| format!(
            "Conflict {{ id: {}, between: {}, example: {}, wins: {}, why: {} }}",
            s(&x.id),
            vec_of(&x.between, |b| s(b)),
            masks(&x.example),
            x.wins,
            s(&x.why)
        ))
    );
    let _ = writeln!(
        out,
        "intentional_ties: {},",
        vec_of(&r.intentional_ties, |x| format!(
            "DeclaredTie {{ outcomes: {:?}, reason: {} }}",
            x.outcomes,
            s(&x.reason)
        ))
    );
    let _ = write!(
        out,
        "tests: {},",
        vec_of(&r.tests, |x| format!(
            "Test {{ name: {}, answers: {}, expect: {}, models: {} }}",
            s(&x.name),
            masks(&x.answers),
            x.expect.as_ref().map_or_else(
                || "None".to_owned(),
                |e| format!("Some(List(Cow::Borrowed(&{:?})))", &**e)
            ),
            vec_of(&x.models, |m| format!(
                "TestModel {{ name: {}, given: {} }}",
                s(&m.name),
                vec_of(&m.given, |g| match g {
                    Some(mask) => format!("Some({mask:#x})"),
                    None => "None".to_owned(),
                })
            ))
        ))
    );
    let article = r.article.as_ref().map_or_else(
        || "None".to_owned(),
        |a| {
            format!(
                "Some(Article {{ title: {}, author: {}, date: {}, url: {} }})",
                s(&a.title),
                s(&a.author),
                s(&a.date),
                opt(&a.url)
            )
        },
    );
    let plan = format!(
        "PlanSpec {{ aliases: {}, rules: {} }}",
        vec_of(&r.plan.aliases, |a| format!(
            "PlanAlias {{ id: {}, stacks: List(Cow::Borrowed(&{:?})) }}",
            s(&a.id),
            &*a.stacks
        )),
        vec_of(&r.plan.rules, |x| format!(
            "PlanRule {{ id: {}, models: {}, moves: {}, why: {}, cite: {} }}",
            s(&x.id),
            vec_of(&x.models, |m| format!(
                "ModelPattern {{ when: {}, stacks: {:#x} }}",
                opt_cond(&m.when),
                m.stacks
            )),
            x.moves.as_ref().map_or_else(
                || "None".to_owned(),
                |m| format!(
                    "Some(Move {{ when: {}, to: {}, within: {} }})",
                    opt_cond(&m.when),
                    m.to,
                    m.within
                )
            ),
            s(&x.why),
            s(&x.cite)
        ))
    );
    let _ = writeln!(
        out,
        "as_of: {}, article: {article}, plan: {plan}, sources: {},\n}}",
        opt(&r.as_of),
        vec_of(&r.sources, |x| format!(
            "Source {{ id: {}, claim: {}, reference: {}, date: {} }}",
            s(&x.id),
            s(&x.claim),
            opt(&x.reference),
            opt(&x.date)
        ))
    );
    out
}

fn main() {
    // The library gets the generated module; this script, which shares the rules code, does not.
    println!("cargo::rustc-check-cfg=cfg(mlstack_lib)");
    println!("cargo::rustc-cfg=mlstack_lib");
    println!("cargo::rerun-if-changed=rules/default.yaml");
    println!("cargo::rerun-if-changed=src/rules");
    let rules = match rules::load_rules(
        rules::DEFAULT_RULES_NAME,
        rules::DEFAULT_RULES_YAML.as_bytes(),
    ) {
        Ok(rules) => rules,
        Err(invalid) => {
            for d in &invalid.diagnostics {
                println!("cargo::error={d}");
            }
            std::process::exit(1);
        }
    };
    let code = format!(
        "// Generated by build.rs from rules/default.yaml. Do not edit.\n#[allow(clippy::all)]\npub static EMBEDDED_DEFAULT_RULES: RuleSet = {};\n",
        generate(&rules)
    );
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    std::fs::write(out.join("default_rules.rs"), code).expect("write generated rules");
}
