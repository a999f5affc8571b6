//! The app's document (JSON `schema_version` 2): the plan — one stack per model — first,
//! then each model's report, then the app's answers. A one-model document also carries its
//! model's keys at the top level, where schema 1 had them.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use super::{AnswerMap, Assumed, ById, Note, Provenance, Report, RulesInfo, SCHEMA_VERSION};
use crate::analysis::explain::FlipSearch;
use crate::answers::Answers;
use crate::plan::compose::Composed;
use crate::plan::{self, Entry};
use crate::rules::{Condition, RuleSet, Scope};

/// The app's plan, its models' reports and the app-level answers.
#[derive(Debug, Clone)]
pub struct AppReport<'r> {
    pub plan: Plan<'r>,
    pub models: Vec<ModelReport<'r>>,
    /// App-level answers (a one-model document: every answer, as its model's).
    pub answers: AnswerMap<'r>,
    pub assumed: Vec<Assumed<'r>>,
    pub provenance: Provenance<'r>,
    /// Notes about the app as a whole (a one-model document: its model's).
    pub notes: Vec<Note<'r>>,
    /// The plan rules that applied: why the plan is what it is, and the models they moved.
    pub plan_rationale: Vec<PlanReason<'r>>,
    pub rules: RulesInfo<'r>,
    pub tool: super::ToolInfo,
    /// The id of the question whose options make the models (`model-type`); not in the JSON.
    pub models_by: Option<&'r str>,
    /// Every model whose files were read, counted together (an app of several): `memory` in
    /// the JSON.
    pub memory: Option<AppMemory>,
}

/// The memory of the app's models together: the models counted (those read with `--model`)
/// and their summed fit.
#[derive(Debug, Clone, Serialize)]
pub struct AppMemory {
    pub models: Vec<String>,
    #[serde(flatten)]
    pub fit: crate::inspect::fit::Fit,
}

/// A plan rule that applied.
#[derive(Debug, Clone, Serialize)]
pub struct PlanReason<'r> {
    pub rule: &'r str,
    pub why: &'r str,
    pub cite: &'r str,
    /// The models it moved to another stack.
    pub moved: Vec<Moved<'r>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Moved<'r> {
    pub model: String,
    pub from: &'r str,
    pub to: &'r str,
}

/// One model of the app: its name and its report.
#[derive(Debug, Clone)]
pub struct ModelReport<'r> {
    pub name: String,
    pub report: Report<'r>,
}

/// The plan: the stacks of every model, composed.
#[derive(Debug, Clone)]
pub struct Plan<'r> {
    /// `core-ml+mlx`; a one-model app's is its model's stack. `None` when a model has none.
    pub id: Option<String>,
    pub name: Option<String>,
    /// One model's plan: its stack's summary.
    pub summary: Option<&'r str>,
    pub entries: Vec<Entry>,
    /// Each model's stack id and name, for the JSON (`None`: no stack fits it).
    pub stacks: Vec<Option<(&'r str, &'r str)>>,
}

impl<'r> AppReport<'r> {
    /// The app's document for a one-model app: the plan is the model's verdict.
    pub fn single(rules: &'r RuleSet, name: String, report: Report<'r>) -> Self {
        let stack = report.recommendation.as_ref().map(|r| {
            rules
                .outcome_index(r.id)
                .expect("a recommendation is an outcome of the rules")
        });
        let entries = vec![Entry {
            model: name.clone(),
            stack,
        }];
        let stacks = plan::stacks(rules, &entries);
        AppReport {
            plan: Plan {
                id: stacks.as_ref().map(|s| plan::id(rules, s)),
                name: stacks.as_ref().map(|s| plan::name(rules, s)),
                summary: report.recommendation.as_ref().map(|r| r.summary),
                stacks: vec![report.recommendation.as_ref().map(|r| (r.id, r.name))],
                entries,
            },
            answers: report.answers.clone(),
            assumed: report.assumed.clone(),
            provenance: report.provenance.clone(),
            notes: report.notes.clone(),
            plan_rationale: Vec::new(),
            rules: report.rules.clone(),
            tool: report.tool.clone(),
            models_by: plan::models::creator(rules).map(|q| rules.questions[q].id.as_str()),
            memory: None,
            models: vec![ModelReport { name, report }],
        }
    }

    /// The app's document from its models' verdicts composed: a one-model app reads as
    /// [`AppReport::single`]; otherwise each model's report keeps its own answers (the app's
    /// are at the top), notes that look only at app answers are the app's, and the plan rules
    /// that applied say why.
    pub fn of(
        rules: &'r RuleSet,
        search: &FlipSearch<'r>,
        answers: &Answers,
        composed: Composed,
        with_trace: bool,
    ) -> Self {
        let build = |m: &crate::plan::compose::Evaluated| {
            super::build_with(rules, search, &m.model.answers, &m.verdict, with_trace)
        };
        if let [one] = composed.models.as_slice() {
            let report = build(one);
            return Self::single(rules, one.model.name.clone(), report);
        }
        let app_question = |id: &str| {
            rules
                .question_index(id)
                .is_some_and(|q| rules.questions[q].scope == Scope::App)
        };
        let app_note = |text: &str| {
            rules.notes.iter().any(|n| {
                *n.text == *text && n.when.as_ref().is_none_or(|c| looks_only_at_app(rules, c))
            })
        };
        let mut notes: Vec<Note<'r>> = Vec::new();
        let mut models = Vec::new();
        for m in &composed.models {
            let mut report = build(m);
            for n in &report.notes {
                if app_note(n.text) && !notes.iter().any(|x| x.text == n.text) {
                    notes.push(n.clone());
                }
            }
            report.notes.retain(|n| !app_note(n.text));
            report.answers.0.retain(|(id, _)| !app_question(id));
            report.provenance.0.retain(|(id, _)| !app_question(id));
            report.assumed.retain(|a| !app_question(a.question));
            models.push(ModelReport {
                name: m.model.name.clone(),
                report,
            });
        }
        let stacks = plan::stacks(rules, &composed.entries);
        let plan_rationale = composed
            .applied
            .iter()
            .map(|a| {
                let rule = &rules.plan.rules[a.rule];
                PlanReason {
                    rule: &rule.id,
                    why: &rule.why,
                    cite: &rule.cite,
                    moved: a
                        .moved
                        .iter()
                        .map(|&(i, from, to)| Moved {
                            model: composed.models[i].model.name.clone(),
                            from: &rules.outcomes[from].id,
                            to: &rules.outcomes[to].id,
                        })
                        .collect(),
                }
            })
            .collect();
        let is_app = |q: usize| rules.questions[q].scope == Scope::App;
        AppReport {
            plan: Plan {
                id: stacks.as_ref().map(|s| plan::id(rules, s)),
                name: stacks.as_ref().map(|s| plan::name(rules, s)),
                summary: None,
                stacks: composed
                    .entries
                    .iter()
                    .map(|e| {
                        e.stack.map(|o| {
                            (
                                rules.outcomes[o].id.as_str(),
                                rules.outcomes[o].name.as_str(),
                            )
                        })
                    })
                    .collect(),
                entries: composed.entries.clone(),
            },
            // The app's own answers, as every model has them.
            answers: ById(
                super::answer_map(rules, &answers.masks)
                    .0
                    .into_iter()
                    .filter(|&(id, _)| app_question(id))
                    .collect(),
            ),
            assumed: super::assumed(rules, answers, is_app),
            provenance: ById(
                rules
                    .questions
                    .iter()
                    .enumerate()
                    .filter(|(q, _)| is_app(*q))
                    .map(|(q, question)| (question.id.as_str(), answers.sources[q]))
                    .collect(),
            ),
            notes,
            plan_rationale,
            rules: RulesInfo::of(rules),
            tool: super::ToolInfo::this(),
            models_by: plan::models::creator(rules).map(|q| rules.questions[q].id.as_str()),
            memory: None,
            models,
        }
    }

    /// The only model's report, for a one-model app.
    pub fn only(&self) -> Option<&Report<'r>> {
        match self.models.as_slice() {
            [one] => Some(&one.report),
            _ => None,
        }
    }
}

struct PlanJson<'a, 'r>(&'a Plan<'r>);

impl Serialize for PlanJson<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.0;
        let (Some(id), Some(name)) = (&p.id, &p.name) else {
            return s.serialize_none();
        };
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("id", id)?;
        map.serialize_entry("name", name)?;
        if let Some(summary) = p.summary {
            map.serialize_entry("summary", summary)?;
        }
        let models: Vec<PlanModel> = p
            .entries
            .iter()
            .zip(&p.stacks)
            .map(|(e, s)| PlanModel {
                model: &e.model,
                stack: s.map(|(id, _)| id),
                name: s.map(|(_, name)| name),
            })
            .collect();
        map.serialize_entry("models", &models)?;
        map.end()
    }
}

#[derive(Serialize)]
struct PlanModel<'a> {
    model: &'a str,
    stack: Option<&'a str>,
    name: Option<&'a str>,
}

struct ModelJson<'a, 'r>(&'a ModelReport<'r>);

impl Serialize for ModelJson<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let m = self.0;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("name", &m.name)?;
        map.serialize_entry("recommendation", &m.report.recommendation)?;
        map.serialize_entry("fallback", &m.report.fallback)?;
        map.serialize_entry("runtime", &m.report.runtime)?;
        m.report.write_keys(&mut map, false)?;
        map.end()
    }
}

impl Serialize for AppReport<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("schema_version", &SCHEMA_VERSION)?;
        map.serialize_entry("recommendation", &PlanJson(&self.plan))?;
        let models: Vec<ModelJson> = self.models.iter().map(ModelJson).collect();
        map.serialize_entry("models", &models)?;
        match self.only() {
            Some(report) => report.write_keys(&mut map, false)?,
            None => {
                map.serialize_entry("answers", &self.answers)?;
                map.serialize_entry("assumed", &self.assumed)?;
                map.serialize_entry("provenance", &self.provenance)?;
                map.serialize_entry("notes", &self.notes)?;
                if let Some(memory) = &self.memory {
                    map.serialize_entry("memory", memory)?;
                }
            }
        }
        map.serialize_entry("plan_rationale", &self.plan_rationale)?;
        map.serialize_entry("rules", &self.rules)?;
        map.serialize_entry("tool", &self.tool)?;
        map.end()
    }
}

impl AppReport<'_> {
    /// The document as `serde_json::to_writer_pretty` writes it, byte for byte. A one-model
    /// document holds its model's keys twice (in `models` and at the top level): they are
    /// serialized once and copied, re-indented, which saved a sixth of a one-model JSON
    /// recommendation's start-up instructions.
    pub fn write_pretty(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        let ([model], Some(report)) = (self.models.as_slice(), self.only()) else {
            return serde_json::to_writer_pretty(out, self);
        };
        // The model's keys as the entries of an object at depth 1: `\n  "margin": 5,\n  ...`.
        let mut keys = Vec::with_capacity(16 * 1024);
        serde_json::to_writer_pretty(&mut keys, &KeysJson(report))?;
        let Some(entries) = keys.strip_prefix(b"{").and_then(|k| k.strip_suffix(b"\n}")) else {
            // No keys (`{}`): nothing to share.
            return serde_json::to_writer_pretty(out, self);
        };
        let mut w = Pretty {
            out,
            scratch: Vec::new(),
        };
        w.out.push(b'{');
        w.entry("schema_version", &SCHEMA_VERSION, 1, true)?;
        w.entry("recommendation", &PlanJson(&self.plan), 1, false)?;
        w.out.extend_from_slice(b",\n  \"models\": [\n    {");
        w.entry("name", &model.name, 3, true)?;
        w.entry("recommendation", &report.recommendation, 3, false)?;
        w.entry("fallback", &report.fallback, 3, false)?;
        w.entry("runtime", &report.runtime, 3, false)?;
        w.out.push(b',');
        indented(w.out, entries, 4);
        w.out.extend_from_slice(b"\n    }\n  ],");
        w.out.extend_from_slice(entries);
        w.entry("plan_rationale", &self.plan_rationale, 1, false)?;
        w.entry("rules", &self.rules, 1, false)?;
        w.entry("tool", &self.tool, 1, false)?;
        w.out.extend_from_slice(b"\n}");
        Ok(())
    }
}

/// A report's keys as a document of their own.
struct KeysJson<'a, 'r>(&'a Report<'r>);

impl Serialize for KeysJson<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        self.0.write_keys(&mut map, false)?;
        map.end()
    }
}

/// Pretty JSON written piece by piece, as serde_json's pretty printer lays it out.
struct Pretty<'o> {
    out: &'o mut Vec<u8>,
    scratch: Vec<u8>,
}

impl Pretty<'_> {
    /// An object entry at `depth` (two spaces each): `,` unless `first`, a new line, the key
    /// and the value, its lines indented to the depth.
    fn entry(
        &mut self,
        key: &str,
        value: &impl Serialize,
        depth: usize,
        first: bool,
    ) -> serde_json::Result<()> {
        if !first {
            self.out.push(b',');
        }
        self.out.push(b'\n');
        self.out.extend(std::iter::repeat_n(b' ', 2 * depth));
        serde_json::to_writer(&mut *self.out, key)?;
        self.out.extend_from_slice(b": ");
        self.scratch.clear();
        serde_json::to_writer_pretty(&mut self.scratch, value)?;
        indented(self.out, &self.scratch, 2 * depth);
        Ok(())
    }
}

/// `json` appended to `out` with `spaces` more after each new line (JSON strings hold no raw
/// new line: every one is layout).
fn indented(out: &mut Vec<u8>, json: &[u8], spaces: usize) {
    let mut lines = json.split(|&b| b == b'\n');
    if let Some(first) = lines.next() {
        out.extend_from_slice(first);
    }
    for line in lines {
        out.push(b'\n');
        out.extend(std::iter::repeat_n(b' ', spaces));
        out.extend_from_slice(line);
    }
}

/// Whether a condition looks only at app-level questions.
fn looks_only_at_app(rules: &RuleSet, c: &Condition) -> bool {
    let mut only = true;
    c.for_each_test(&mut |q, _| only &= rules.questions[q].scope == Scope::App);
    only
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::Source;

    /// The one-model document written piece by piece is serde_json's pretty document, byte for
    /// byte: every rule test and conflict example of the default rules as one model (each
    /// model type of the several-model ones alone), with and without the trace, and a few
    /// several-model apps (which take serde_json's way).
    #[test]
    fn the_pieced_document_is_serde_jsons() {
        let rules = crate::rules::default_rules();
        let search = FlipSearch::new(&rules);
        let q = rules.question_index("model-type").unwrap();
        let mut sets: Vec<Vec<crate::rules::Mask>> = Vec::new();
        for answers in rules
            .tests
            .iter()
            .map(|t| t.answers.to_vec())
            .chain(rules.conflicts.iter().map(|c| c.example.to_vec()))
        {
            sets.push(answers.clone());
            for o in 0..rules.questions[q].options.len() {
                if answers[q] & (1 << o) != 0 && answers[q].count_ones() > 1 {
                    let mut one = answers.clone();
                    one[q] = 1 << o;
                    sets.push(one);
                }
            }
        }
        let mut checked = 0;
        for masks in &sets {
            for explain in [false, true] {
                let answers = Answers {
                    masks: masks.clone(),
                    sources: vec![Source::Flag; masks.len()],
                };
                let models = crate::plan::models::split(&rules, &answers);
                let composed = crate::plan::compose::compose(&rules, models);
                let app = AppReport::of(&rules, &search, &answers, composed, explain);
                let mut pieced = Vec::new();
                app.write_pretty(&mut pieced).unwrap();
                let whole = serde_json::to_vec_pretty(&app).unwrap();
                assert_eq!(
                    String::from_utf8(pieced).unwrap(),
                    String::from_utf8(whole).unwrap()
                );
                checked += usize::from(app.models.len() == 1);
            }
        }
        assert!(checked > 100, "{checked}");
    }
}
