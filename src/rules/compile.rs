//! Validation and compilation: from the rule file as written to the index-based [`RuleSet`].
//! Every problem is collected (not just the first), each with its location.

use std::collections::HashSet;

use serde_saphyr::{Location, Spanned};

use super::diagnostic::{Diagnostic, did_you_mean};
use super::listed;
use super::model::*;
use super::syntax::{self, OneOrMany, Pairs};

/// Question ids that would collide with the command line's own flags.
pub const RESERVED_QUESTION_IDS: &[&str] = &[
    "answers",
    "batch",
    "color",
    "expect",
    "explain",
    "format",
    "help",
    "no-input",
    "rules",
    "save-answers",
    "version",
];

struct Compiler<'a> {
    file: &'a str,
    diagnostics: Vec<Diagnostic>,
    /// Every question id in the file, so an `ask_if` that looks ahead gets the right message.
    question_ids: Vec<&'a str>,
}

impl Compiler<'_> {
    fn error(&mut self, at: Location, message: impl Into<String>) {
        self.error_with_hint(at, message, None);
    }

    fn error_with_hint(&mut self, at: Location, message: impl Into<String>, hint: Option<String>) {
        self.diagnostics.push(Diagnostic {
            file: self.file.to_owned(),
            line: at.line(),
            column: at.column(),
            message: message.into(),
            hint,
        });
    }

    /// Ids double as flag names and JSON keys: lowercase letters, digits and dashes.
    fn check_id(&mut self, what: &str, id: &Spanned<String>) {
        let s = &id.value;
        let ok = s.len() <= 64
            && s.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !ok {
            self.error_with_hint(
                id.referenced,
                format!("{what} id `{s}` is not a valid id"),
                Some("use lowercase letters, digits and `-` (at most 64 characters), starting with a letter or digit".into()),
            );
        }
    }

    /// Free text reaches terminals and Markdown: refuse control characters (newline and tab
    /// aside), which could recolour a table, set the window title or write the clipboard.
    fn text(&mut self, what: &str, text: &Spanned<String>) -> Text {
        if let Some(c) = text
            .value
            .chars()
            .find(|&c| c.is_control() && c != '\n' && c != '\t')
        {
            self.error_with_hint(
                text.referenced,
                format!(
                    "{what} contains the control character U+{:04X}",
                    u32::from(c)
                ),
                Some("remove it: rule-file text is printed to terminals as it is".into()),
            );
        }
        text.value.clone().into()
    }

    fn opt_text(&mut self, what: &str, text: &Option<Spanned<String>>) -> Option<Text> {
        text.as_ref().map(|t| self.text(what, t))
    }

    fn check_unique<'s>(&mut self, what: &str, ids: impl IntoIterator<Item = &'s Spanned<String>>) {
        let mut seen: Vec<&Spanned<String>> = Vec::new();
        for id in ids {
            if let Some(first) = seen.iter().find(|s| s.value == id.value) {
                let (line, column) = (first.referenced.line(), first.referenced.column());
                self.error(
                    id.referenced,
                    format!(
                        "duplicate {what} id `{}` (first defined at line {line}, column {column})",
                        id.value
                    ),
                );
            } else {
                seen.push(id);
            }
        }
    }

    fn outcome_ref(&mut self, outcomes: &[Outcome], id: &Spanned<String>) -> Option<usize> {
        let found = outcomes.iter().position(|o| o.id == id.value);
        if found.is_none() {
            let hint = did_you_mean(&id.value, outcomes.iter().map(|o| o.id.as_str()))
                .map(|s| format!("did you mean `{s}`?"));
            let known = outcomes
                .iter()
                .map(|o| o.id.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            self.error_with_hint(
                id.referenced,
                format!("unknown outcome `{}` (outcomes: {known})", id.value),
                hint,
            );
        }
        found
    }

    fn question_ref(&mut self, questions: &[Question], id: &Spanned<String>) -> Option<usize> {
        let found = questions.iter().position(|q| q.id == id.value);
        if found.is_none() {
            let hint = did_you_mean(&id.value, questions.iter().map(|q| q.id.as_str()))
                .map(|s| format!("did you mean `{s}`?"));
            self.error_with_hint(
                id.referenced,
                format!("unknown question `{}`", id.value),
                hint,
            );
        }
        found
    }

    /// Option ids to a mask, reporting unknown ones. Does not check answer legality.
    fn option_mask(&mut self, question: &Question, value: &Spanned<OneOrMany>) -> Option<Mask> {
        let mut mask = 0;
        let mut ok = true;
        let items = value.value.items(value.referenced);
        if items.is_empty() {
            self.error(
                value.referenced,
                format!("empty option list for `{}`", question.id),
            );
            return None;
        }
        for (id, at) in items {
            match question.option_index(&id) {
                Some(i) => mask |= 1 << i,
                None => {
                    ok = false;
                    let hint = did_you_mean(&id, question.options.iter().map(|o| o.id.as_str()))
                        .map(|s| format!("did you mean `{s}`?"));
                    self.error_with_hint(
                        at,
                        format!(
                            "unknown option `{id}` for question `{}` (options: {})",
                            question.id,
                            question.option_list()
                        ),
                        hint,
                    );
                }
            }
        }
        ok.then_some(mask)
    }

    /// `limit`: only questions before this index may be referenced (for `ask_if`).
    fn condition(
        &mut self,
        questions: &[Question],
        cond: &Spanned<syntax::Condition>,
        limit: usize,
    ) -> Option<Condition> {
        let items = &cond.value.0;
        if items.is_empty() {
            self.error(
                cond.referenced,
                "empty condition: name at least one question, or `all`/`any`/`not`",
            );
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for item in items {
            let compiled = match item {
                syntax::ConditionItem::All(at, list) | syntax::ConditionItem::Any(at, list) => {
                    if list.is_empty() {
                        self.error(*at, "`all`/`any` needs at least one condition");
                        None
                    } else {
                        let parts: Vec<_> = list
                            .iter()
                            .map(|c| self.condition(questions, c, limit))
                            .collect();
                        let parts: Option<Vec<_>> = parts.into_iter().collect();
                        parts.map(|p| match item {
                            syntax::ConditionItem::All(..) => Condition::All(p.into()),
                            _ => Condition::Any(p.into()),
                        })
                    }
                }
                syntax::ConditionItem::Not(inner) => self
                    .condition(questions, inner, limit)
                    .map(|c| Condition::Not(vec![c].into())),
                syntax::ConditionItem::Test { question, options } => {
                    let visible = &questions[..limit.min(questions.len())];
                    let later = !visible.iter().any(|q| q.id == question.value)
                        && self.question_ids.contains(&question.value.as_str());
                    if later {
                        self.error(
                            question.referenced,
                            format!(
                                "`ask_if` may only refer to earlier questions, and `{}` comes later",
                                question.value
                            ),
                        );
                        None
                    } else {
                        self.question_ref(visible, question).and_then(|q| {
                            self.option_mask(&questions[q], options)
                                .map(|mask| Condition::Test { question: q, mask })
                        })
                    }
                }
            };
            match compiled {
                Some(c) => out.push(c),
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        Some(if out.len() == 1 {
            out.pop().expect("one item")
        } else {
            Condition::All(out.into())
        })
    }

    /// `Some(None)`: no condition (always holds); `None`: the condition is invalid.
    fn optional_condition(
        &mut self,
        questions: &[Question],
        cond: Option<&Spanned<syntax::Condition>>,
    ) -> Option<Option<Condition>> {
        match cond {
            None => Some(None),
            Some(c) => self.condition(questions, c, questions.len()).map(Some),
        }
    }

    /// A test's app answers (defaults filled in) and the models it lists: with `models:`, the
    /// `one_per_model` question's answer is every listed model's type.
    fn test_answers(
        &mut self,
        questions: &[Question],
        t: &syntax::TestDef,
    ) -> (Option<Vec<Mask>>, Option<Vec<TestModel>>) {
        let Some(list) = &t.models else {
            return (
                self.answer_set(questions, &t.answers, None),
                Some(Vec::new()),
            );
        };
        let mut pairs = t.answers.clone();
        if pairs.referenced == Location::UNKNOWN {
            pairs.referenced = t.name.referenced;
        }
        // Problems with the app's answers are reported as a test's answers are, below.
        let top = listed::given_from_pairs(questions, &pairs.value)
            .unwrap_or_else(|_| vec![None; questions.len()]);
        let models = match listed::models_from_list(questions, list, &top, "in `answers`") {
            Ok(models) => Some(models),
            Err(problems) => {
                for (at, message) in problems {
                    self.error(at, message);
                }
                None
            }
        };
        let kinds = questions.iter().position(|q| q.one_per_model).map(|q| {
            let all = models.iter().flatten().filter_map(|m| m.given[q]);
            (q, all.fold(0, |all, m| all | m))
        });
        // With `models:`, the models answer the question that makes them (a problem with the
        // list is reported above, not again as a missing answer).
        let answers = self.answer_set(questions, &pairs, kinds);
        let models = models.map(|models| {
            models
                .into_iter()
                .map(|m| TestModel {
                    name: Text::from(m.name),
                    given: m.given.into(),
                })
                .collect()
        });
        (answers, models)
    }

    /// A full answer set (defaults filled in) from `question: value` pairs, as used by tests
    /// and conflict examples; `models` answers the question that makes models, if given.
    fn answer_set(
        &mut self,
        questions: &[Question],
        pairs: &Spanned<Pairs<Spanned<OneOrMany>>>,
        models: Option<(usize, Mask)>,
    ) -> Option<Vec<Mask>> {
        let mut answers: Vec<Option<Mask>> = vec![None; questions.len()];
        let mut ok = true;
        for (key, value) in &pairs.value.0 {
            let Some(q) = self.question_ref(questions, key) else {
                ok = false;
                continue;
            };
            let Some(mask) = self.option_mask(&questions[q], value) else {
                ok = false;
                continue;
            };
            let ids = questions[q].option_ids(mask);
            if let Err(problem) = questions[q].answer_mask(ids) {
                self.error(value.referenced, problem.to_string());
                ok = false;
                continue;
            }
            answers[q] = Some(mask);
        }
        if let Some((q, mask)) = models {
            answers[q] = Some(mask);
        }
        let mut full = Vec::with_capacity(questions.len());
        for (q, answer) in answers.into_iter().enumerate() {
            match answer.or(questions[q].default) {
                Some(mask) => full.push(mask),
                None => {
                    if ok {
                        self.error(
                            pairs.referenced,
                            format!(
                                "missing an answer to required question `{}`",
                                questions[q].id
                            ),
                        );
                    }
                    ok = false;
                    full.push(0);
                }
            }
        }
        ok.then_some(full)
    }

    /// An option's `split` (question `q` makes the models).
    fn split(&mut self, questions: &[Question], q: usize, def: &syntax::SplitDef) -> Option<Split> {
        let when = self.condition(questions, &def.when, questions.len());
        if def.into.value.len() < 2 {
            self.error(
                def.into.referenced,
                "a split makes at least two models: list two or more in `into`",
            );
        }
        let mut parts = Vec::new();
        for part in &def.into.value {
            self.check_id("split part", &part.name);
            let option = questions[q].option_index(&part.option.value);
            if option.is_none() {
                self.error(
                    part.option.referenced,
                    format!(
                        "`as: {}` names no option of `{}`",
                        part.option.value, questions[q].id
                    ),
                );
            }
            let mut answers = Vec::new();
            if let Some(pairs) = &part.answers {
                for (key, value) in &pairs.value.0 {
                    let Some(qi) = self.question_ref(questions, key) else {
                        continue;
                    };
                    if let Some(mask) = self.option_mask(&questions[qi], value) {
                        answers.push((qi, mask));
                    }
                }
            }
            if let Some(option) = option {
                parts.push(SplitPart {
                    name: part.name.value.clone().into(),
                    option,
                    answers: answers.into(),
                });
            }
        }
        Some(Split {
            when: when?,
            into: parts.into(),
        })
    }

    /// The `plan:` section.
    fn plan(
        &mut self,
        outcomes: &[Outcome],
        questions: &[Question],
        tie_break: &[usize],
        def: Option<&syntax::PlanDef>,
    ) -> PlanSpec {
        let Some(def) = def else {
            return PlanSpec {
                aliases: Vec::new().into(),
                rules: Vec::new().into(),
            };
        };
        let order = |stacks: &mut Vec<usize>| {
            stacks.sort_by_key(|o| tie_break.iter().position(|t| t == o));
            stacks.dedup();
        };
        let mut aliases = Vec::new();
        if let Some(list) = &def.aliases {
            for (id, stacks) in &list.value.0 {
                self.check_id("plan alias", id);
                if outcomes.iter().any(|o| o.id == id.value) {
                    self.error(
                        id.referenced,
                        format!("plan alias `{}` is already an outcome's id", id.value),
                    );
                }
                let mut ids: Vec<usize> = stacks
                    .value
                    .iter()
                    .filter_map(|s| self.outcome_ref(outcomes, s))
                    .collect();
                order(&mut ids);
                if ids.len() < 2 {
                    self.error(
                        stacks.referenced,
                        format!("plan alias `{}` needs two stacks or more", id.value),
                    );
                }
                aliases.push(PlanAlias {
                    id: id.value.clone().into(),
                    stacks: ids.into(),
                });
            }
        }
        let mut rules = Vec::new();
        for r in &def.rules {
            self.check_id("plan rule", &r.id);
            if r.models.value.is_empty() {
                self.error(
                    r.models.referenced,
                    format!(
                        "plan rule `{}` matches no model: list at least one",
                        r.id.value
                    ),
                );
            }
            let mut models = Vec::new();
            for m in &r.models.value {
                let when = self.optional_condition(questions, m.when.as_ref());
                let mut stacks = 0u64;
                if let Some(list) = &m.stack {
                    for id in &list.value {
                        if let Some(o) = self.outcome_ref(outcomes, id) {
                            stacks |= 1 << o;
                        }
                    }
                }
                if let Some(when) = when {
                    models.push(ModelPattern { when, stacks });
                }
            }
            let moves = r.moves.as_ref().and_then(|m| {
                let when = self.optional_condition(questions, m.when.as_ref())?;
                let to = self.outcome_ref(outcomes, &m.to)?;
                Some(Move {
                    when,
                    to,
                    within: i32::try_from(m.within.value).unwrap_or(i32::MAX),
                })
            });
            rules.push(PlanRule {
                id: r.id.value.clone().into(),
                models: models.into(),
                moves,
                why: self.text("plan rule why", &r.why),
                cite: self.text("plan rule cite", &r.cite),
            });
        }
        PlanSpec {
            aliases: aliases.into(),
            rules: rules.into(),
        }
    }

    /// A test's `expect`: `none`, an outcome, a plan alias, or stacks joined with `+`.
    fn expected_plan(
        &mut self,
        outcomes: &[Outcome],
        tie_break: &[usize],
        aliases: &[PlanAlias],
        expect: &Spanned<String>,
    ) -> Option<Option<crate::rules::List<usize>>> {
        let text = expect.value.as_str();
        if text == "none" && !outcomes.iter().any(|o| o.id == "none") {
            return Some(None);
        }
        if let Some(a) = aliases.iter().find(|a| a.id == text) {
            return Some(Some(a.stacks.clone()));
        }
        if let Some(o) = outcomes.iter().position(|o| o.id == text) {
            return Some(Some(vec![o].into()));
        }
        if text.contains('+') {
            let mut stacks = Vec::new();
            for part in text.split('+') {
                let part = Spanned {
                    value: part.trim().to_owned(),
                    referenced: expect.referenced,
                    defined: expect.defined,
                };
                stacks.push(self.outcome_ref(outcomes, &part)?);
            }
            stacks.sort_by_key(|o| tie_break.iter().position(|t| t == o));
            stacks.dedup();
            return Some(Some(stacks.into()));
        }
        self.outcome_ref(outcomes, expect)
            .map(|o| Some(vec![o].into()))
    }

    fn question(&mut self, def: &syntax::QuestionDef, earlier: &[Question]) -> Option<Question> {
        self.check_id("question", &def.id);
        if RESERVED_QUESTION_IDS.contains(&def.id.value.as_str()) {
            self.error_with_hint(
                def.id.referenced,
                format!(
                    "question id `{}` is reserved: `--{}` is a flag of mlstack itself",
                    def.id.value, def.id.value
                ),
                Some("choose another id".into()),
            );
        }
        let opts = &def.options.value;
        if opts.is_empty() {
            self.error(
                def.options.referenced,
                format!("question `{}` has no options", def.id.value),
            );
        }
        if opts.len() > MAX_OPTIONS {
            self.error(
                def.options.referenced,
                format!(
                    "question `{}` has {} options; at most {MAX_OPTIONS} are supported",
                    def.id.value,
                    opts.len()
                ),
            );
            return None;
        }
        for o in opts {
            self.check_id("option", &o.id);
            for alias in &o.aliases {
                self.check_id("alias", alias);
            }
        }
        self.check_unique("option", opts.iter().map(|o| &o.id));
        // Ids and aliases share one name space per question: a value must mean one option.
        let mut taken: Vec<(&str, &str)> = opts
            .iter()
            .map(|o| (o.id.value.as_str(), o.id.value.as_str()))
            .collect();
        for o in opts {
            for alias in &o.aliases {
                match taken.iter().find(|(name, _)| *name == alias.value) {
                    Some((_, owner)) => self.error(
                        alias.referenced,
                        format!(
                            "alias `{}` of option `{}` already names option `{owner}`",
                            alias.value, o.id.value
                        ),
                    ),
                    None => taken.push((alias.value.as_str(), o.id.value.as_str())),
                }
            }
        }
        let unsure = opts
            .iter()
            .enumerate()
            .filter(|(_, o)| o.unsure)
            .fold(0, |m, (i, _)| m | (1 << i));
        let mut exclusive = 0;
        for (i, o) in opts.iter().enumerate() {
            if o.exclusive {
                if def.kind == Kind::Single {
                    self.error(
                        o.id.referenced,
                        format!(
                            "`exclusive` only makes sense in a multi-choice question (option `{}`)",
                            o.id.value
                        ),
                    );
                }
                exclusive |= 1 << i;
            }
        }
        let mut question = Question {
            id: def.id.value.clone().into(),
            prompt: self.text("question prompt", &def.prompt),
            help: self.opt_text("question help", &def.help),
            kind: def.kind,
            required: def.required,
            default: None,
            ask_if: None,
            options: opts
                .iter()
                .map(|o| AnswerOption {
                    id: o.id.value.clone().into(),
                    label: self.text("option label", &o.label),
                    help: self.opt_text("option help", &o.help),
                    aliases: o
                        .aliases
                        .iter()
                        .map(|a| a.value.clone().into())
                        .collect::<Vec<_>>()
                        .into(),
                    // Compiled once every question is known (a split looks at later ones).
                    split: None,
                    ask_if: None,
                })
                .collect::<Vec<_>>()
                .into(),
            exclusive,
            unsure,
            scope: def.scope.as_ref().map_or(Scope::Model, |s| s.value),
            one_per_model: def.one_per_model.as_ref().is_some_and(|b| b.value),
        };
        if let Some(flag) = def.one_per_model.as_ref().filter(|b| b.value)
            && def.kind == Kind::Single
        {
            self.error(
                flag.referenced,
                format!(
                    "`one_per_model` needs a multi-choice question (`{}` is single-choice): each option ticked is a model",
                    def.id.value
                ),
            );
        }
        if let (Some(scope), true) = (&def.scope, question.one_per_model)
            && scope.value == Scope::App
        {
            self.error(
                scope.referenced,
                format!(
                    "question `{}` creates the models (`one_per_model`), so its scope is `model`",
                    def.id.value
                ),
            );
        }
        match (&def.default, def.required) {
            (Some(default), true) => self.error_with_hint(
                default.referenced,
                format!(
                    "question `{}` is required and also has a default",
                    def.id.value
                ),
                Some("a required question must be answered; drop `default` or `required`".into()),
            ),
            (None, false) => self.error_with_hint(
                def.id.referenced,
                format!(
                    "question `{}` has no default and is not required",
                    def.id.value
                ),
                Some("add `default:` (used when unanswered) or `required: true`".into()),
            ),
            (Some(default), false) => {
                if let Some(mask) = self.option_mask(&question, default) {
                    let ids = question.option_ids(mask);
                    match question.answer_mask(ids) {
                        Ok(mask) => question.default = Some(mask),
                        Err(problem) => {
                            self.error(default.referenced, format!("invalid default: {problem}"))
                        }
                    }
                }
            }
            (None, true) => {}
        }
        if let Some(ask_if) = &def.ask_if {
            let mut all: Vec<Question> = earlier.to_vec();
            all.push(question.clone());
            question.ask_if = self.condition(&all, ask_if, earlier.len());
        }
        for (i, o) in opts.iter().enumerate() {
            if let Some(ask_if) = &o.ask_if {
                let mut all: Vec<Question> = earlier.to_vec();
                all.push(question.clone());
                let compiled = self.condition(&all, ask_if, earlier.len());
                question.options.to_mut()[i].ask_if = compiled;
            }
        }
        Some(question)
    }
}

pub fn compile(
    file: &str,
    def: &syntax::RuleFile,
    sha256: String,
) -> Result<RuleSet, Vec<Diagnostic>> {
    let mut c = Compiler {
        file,
        diagnostics: Vec::new(),
        question_ids: def.questions.iter().map(|q| q.id.value.as_str()).collect(),
    };

    // Outcomes.
    for o in &def.outcomes {
        c.check_id("outcome", &o.id);
    }
    c.check_unique("outcome", def.outcomes.iter().map(|o| &o.id));
    if def.outcomes.len() < 2 {
        c.error(
            def.name.referenced,
            "a rule set needs at least two outcomes to choose between",
        );
    }
    if def.outcomes.len() > MAX_OUTCOMES {
        c.error(
            def.name.referenced,
            format!(
                "{} outcomes; at most {MAX_OUTCOMES} are supported",
                def.outcomes.len()
            ),
        );
    }
    // Runtimes come once the questions their conditions name are compiled.
    let mut outcomes: Vec<Outcome> = def
        .outcomes
        .iter()
        .map(|o| Outcome {
            id: o.id.value.clone().into(),
            name: c.text("outcome name", &o.name),
            summary: c.text("outcome summary", &o.summary),
            runtimes: Vec::new().into(),
            fallback_when: None,
        })
        .collect();

    // Questions, in order, so `ask_if` sees only earlier ones.
    if def.questions.is_empty() {
        c.error(
            def.name.referenced,
            "a rule set needs at least one question",
        );
    }
    if def.questions.len() > MAX_QUESTIONS {
        c.error(
            def.name.referenced,
            format!(
                "{} questions; at most {MAX_QUESTIONS} are supported",
                def.questions.len()
            ),
        );
        return Err(c.diagnostics);
    }
    c.check_unique("question", def.questions.iter().map(|q| &q.id));
    let mut questions: Vec<Question> = Vec::new();
    for q in &def.questions {
        if let Some(question) = c.question(q, &questions) {
            questions.push(question);
        }
    }
    if questions.len() != def.questions.len() {
        // References into a partial question list would only produce noise.
        return Err(c.diagnostics);
    }
    let creators: Vec<&syntax::QuestionDef> = def
        .questions
        .iter()
        .filter(|q| q.one_per_model.as_ref().is_some_and(|b| b.value))
        .collect();
    if let [_, second, ..] = creators.as_slice() {
        c.error(
            second.id.referenced,
            format!(
                "only one question may be `one_per_model`; `{}` is the second",
                second.id.value
            ),
        );
    }
    for (qi, q) in def.questions.iter().enumerate() {
        for (oi, o) in q.options.value.iter().enumerate() {
            let Some(split) = &o.split else { continue };
            if !questions[qi].one_per_model {
                c.error(
                    o.id.referenced,
                    format!(
                        "option `{}` has a `split`, but only a `one_per_model` question's options make models",
                        o.id.value
                    ),
                );
                continue;
            }
            let compiled = c.split(&questions, qi, split);
            questions[qi].options.to_mut()[oi].split = compiled;
        }
    }

    for (what, count, limit) in [
        ("rules", def.rules.len(), MAX_RULES),
        ("constraints", def.constraints.len(), MAX_CONSTRAINTS),
        ("notes", def.notes.len(), MAX_NOTES),
        ("tests", def.tests.len(), MAX_TESTS),
        ("conflicts", def.conflicts.len(), MAX_TESTS),
    ] {
        if count > limit {
            c.error(
                def.name.referenced,
                format!("{count} {what}; at most {limit} are supported"),
            );
            return Err(c.diagnostics);
        }
    }

    // Rules, constraints and notes share one id space: the JSON names them all as `rule`.
    let ids = def
        .rules
        .iter()
        .map(|r| &r.id)
        .chain(def.constraints.iter().map(|r| &r.id))
        .chain(def.notes.iter().map(|r| &r.id));
    c.check_unique("rule/constraint/note", ids);

    let mut rules = Vec::new();
    for r in &def.rules {
        c.check_id("rule", &r.id);
        let when = c.optional_condition(&questions, r.when.as_ref());
        let mut score = Vec::new();
        if r.score.value.0.is_empty() {
            c.error(
                r.score.referenced,
                format!("rule `{}` scores no outcome", r.id.value),
            );
        }
        c.check_unique("score outcome", r.score.value.0.iter().map(|(k, _)| k));
        for (outcome, points) in &r.score.value.0 {
            if points.value == 0 {
                c.error(
                    points.referenced,
                    "zero points: drop the entry or give it a value",
                );
            }
            if let Some(o) = c.outcome_ref(&outcomes, outcome) {
                score.push((o, points.value));
            }
        }
        let unproven = r.unproven.as_ref().filter(|u| u.value);
        if let Some(u) = unproven
            && r.score.value.0.iter().all(|(_, p)| p.value > 0)
        {
            c.error(
                u.referenced,
                format!(
                    "rule `{}` is marked unproven but takes points from no outcome: `unproven` \
                     says the outcomes it takes points from may not run the model at all",
                    r.id.value
                ),
            );
        }
        if let Some(when) = when {
            rules.push(Rule {
                id: r.id.value.clone().into(),
                when,
                score: score.into(),
                why: c.text("rule why", &r.why),
                cite: c.text("rule cite", &r.cite),
                unproven: unproven.is_some(),
            });
        }
    }

    let mut constraints = Vec::new();
    for k in &def.constraints {
        c.check_id("constraint", &k.id);
        let when = c.condition(&questions, &k.when, questions.len());
        let mut exclude = 0u64;
        if k.exclude.value.is_empty() {
            c.error(
                k.exclude.referenced,
                format!("constraint `{}` excludes nothing", k.id.value),
            );
        }
        for o in &k.exclude.value {
            if let Some(i) = c.outcome_ref(&outcomes, o) {
                exclude |= 1 << i;
            }
        }
        if let Some(when) = when {
            constraints.push(Constraint {
                id: k.id.value.clone().into(),
                when,
                exclude,
                why: c.text("constraint why", &k.why),
                source: c.text("constraint source", &k.source),
            });
        }
    }

    let mut notes = Vec::new();
    for n in &def.notes {
        c.check_id("note", &n.id);
        let when = c.optional_condition(&questions, n.when.as_ref());
        let mut concerns = 0u64;
        if let Some(list) = &n.concerns {
            if list.value.is_empty() {
                c.error(
                    list.referenced,
                    format!(
                        "note `{}` concerns no outcome: list some, or leave `concerns` out",
                        n.id.value
                    ),
                );
            }
            for o in &list.value {
                if let Some(i) = c.outcome_ref(&outcomes, o) {
                    concerns |= 1 << i;
                }
            }
        }
        if let Some(when) = when {
            notes.push(Note {
                id: n.id.value.clone().into(),
                when,
                text: c.text("note text", &n.text),
                cite: c.text("note cite", &n.cite),
                concerns,
                contradiction: n.contradiction,
            });
        }
    }

    // The engines of an outcome that is a family of them: the first whose `when` holds is
    // the one the verdict names.
    for (outcome, o) in outcomes.iter_mut().zip(&def.outcomes) {
        let mut runtimes = Vec::new();
        for (k, r) in o.runtimes.iter().enumerate() {
            if r.when.is_none() && k + 1 < o.runtimes.len() {
                c.error(
                    r.name.referenced,
                    format!(
                        "runtime `{}` of `{}` has no `when`, so the runtimes after it are never \
                         named: put it last",
                        r.name.value, o.id.value
                    ),
                );
            }
            if let Some(when) = c.optional_condition(&questions, r.when.as_ref()) {
                runtimes.push(Runtime {
                    name: c.text("runtime name", &r.name),
                    backend: c.text("runtime backend", &r.backend),
                    when,
                    cite: c.text("runtime cite", &r.cite),
                });
            }
        }
        outcome.runtimes = runtimes.into();
        if let Some(Some(when)) = c.optional_condition(&questions, o.fallback_when.as_ref()) {
            outcome.fallback_when = Some(when);
        }
    }

    // Tie-break: every outcome exactly once.
    let mut tie_break = Vec::new();
    for id in &def.tie_break.value {
        if let Some(i) = c.outcome_ref(&outcomes, id) {
            if tie_break.contains(&i) {
                c.error(
                    id.referenced,
                    format!("outcome `{}` appears twice in `tie_break`", id.value),
                );
            } else {
                tie_break.push(i);
            }
        }
    }
    let missing: Vec<&str> = outcomes
        .iter()
        .enumerate()
        .filter(|(i, _)| !tie_break.contains(i))
        .map(|(_, o)| o.id.as_str())
        .collect();
    if !missing.is_empty() {
        c.error(
            def.tie_break.referenced,
            format!(
                "`tie_break` must list every outcome; missing: {}",
                missing.join(", ")
            ),
        );
    }

    let confidence = ConfidenceThresholds {
        strong: def.confidence.value.strong,
        moderate: def.confidence.value.moderate,
    };
    if confidence.moderate > confidence.strong || confidence.moderate == 0 {
        c.error(
            def.confidence.referenced,
            "`confidence` needs 0 < moderate <= strong (margins below `moderate` are close calls)",
        );
    }

    let mut conflicts = Vec::new();
    c.check_unique("conflict", def.conflicts.iter().map(|k| &k.id));
    for k in &def.conflicts {
        c.check_id("conflict", &k.id);
        let example = c.answer_set(&questions, &k.example, None);
        let wins = c.outcome_ref(&outcomes, &k.wins);
        if let (Some(example), Some(wins)) = (example, wins) {
            conflicts.push(Conflict {
                id: k.id.value.clone().into(),
                between: k
                    .between
                    .iter()
                    .cloned()
                    .map(Text::from)
                    .collect::<Vec<_>>()
                    .into(),
                example: example.into(),
                wins,
                why: c.text("conflict why", &k.why),
            });
        }
    }

    let mut intentional_ties = Vec::new();
    for t in &def.intentional_ties {
        let ids: Vec<Option<usize>> = t
            .between
            .value
            .iter()
            .map(|id| c.outcome_ref(&outcomes, id))
            .collect();
        match ids.as_slice() {
            [Some(a), Some(b)] if a != b => intentional_ties.push(DeclaredTie {
                outcomes: (*a, *b),
                reason: c.text("tie reason", &t.reason),
            }),
            _ if ids.iter().all(Option::is_some) => c.error(
                t.between.referenced,
                "`between` names two different outcomes",
            ),
            _ => {}
        }
    }

    let plan = c.plan(&outcomes, &questions, &tie_break, def.plan.as_ref());

    let mut tests = Vec::new();
    let mut names = HashSet::new();
    for t in &def.tests {
        if !names.insert(t.name.value.as_str()) {
            c.error(
                t.name.referenced,
                format!("duplicate test name `{}`", t.name.value),
            );
        }
        let (answers, models) = c.test_answers(&questions, t);
        // `none`: a model's constraints rule out every outcome (no stack fits); otherwise an
        // outcome, a plan alias or a plan (`core-ml+mlx`).
        let expect = c.expected_plan(&outcomes, &tie_break, &plan.aliases, &t.expect);
        if let (Some(answers), Some(models), Some(expect)) = (answers, models, expect) {
            tests.push(Test {
                name: c.text("test name", &t.name),
                answers: answers.into(),
                expect,
                models: models.into(),
            });
        }
    }

    let mut sources = Vec::new();
    c.check_unique("source id", def.sources.iter().map(|s| &s.id));
    for s in &def.sources {
        sources.push(Source {
            id: c.text("source id", &s.id),
            claim: c.text("source claim", &s.claim),
            reference: c.opt_text("source reference", &s.reference),
            date: c.opt_text("source date", &s.date),
        });
    }
    // With a `sources:` section, every fact id a cite names must be one of them; a rule file
    // without one keeps its cites as free text.
    if !def.sources.is_empty() {
        let cites = def
            .rules
            .iter()
            .map(|r| &r.cite)
            .chain(def.constraints.iter().map(|k| &k.source))
            .chain(def.notes.iter().map(|n| &n.cite))
            .chain(
                def.outcomes
                    .iter()
                    .flat_map(|o| o.runtimes.iter().map(|r| &r.cite)),
            );
        for cite in cites {
            for id in super::model::cited_ids(&cite.value) {
                if !sources.iter().any(|s| s.id == id) {
                    let suggestion = did_you_mean(&id, sources.iter().map(|s| s.id.as_str()));
                    c.error_with_hint(
                        cite.referenced,
                        format!("the cite names fact `{id}`, which `sources:` does not define"),
                        Some(match suggestion {
                            Some(s) => format!("did you mean `{s}`? Or add `{id}` to `sources:`"),
                            None => {
                                format!("add `{id}` to `sources:` with its claim and reference")
                            }
                        }),
                    );
                }
            }
        }
    }
    let as_of = c.opt_text("as_of", &def.as_of);
    let article = def.article.as_ref().map(|a| Article {
        title: c.text("article title", &a.title),
        author: c.text("article author", &a.author),
        date: c.text("article date", &a.date),
        url: c.opt_text("article url", &a.url),
    });
    let name = c.text("name", &def.name);
    let description = c.opt_text("description", &def.description);
    let assumes = c.opt_text("assumes", &def.assumes);
    let close_call = c.opt_text("close_call", &def.close_call);
    if !c.diagnostics.is_empty() {
        c.diagnostics.sort_by_key(|d| (d.line, d.column));
        return Err(c.diagnostics);
    }
    Ok(RuleSet {
        name,
        description,
        assumes,
        sha256: sha256.into(),
        outcomes: outcomes.into(),
        questions: questions.into(),
        rules: rules.into(),
        constraints: constraints.into(),
        notes: notes.into(),
        tie_break: tie_break.into(),
        confidence,
        close_call,
        conflicts: conflicts.into(),
        intentional_ties: intentional_ties.into(),
        tests: tests.into(),
        as_of,
        article,
        sources: sources.into(),
        plan,
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::load_rules;

    const BASE: &str = r#"
name: t
outcomes:
  - {id: a, name: A, summary: a}
  - {id: b, name: B, summary: b}
questions:
  - id: first
    prompt: First?
    kind: single
    default: p
    options:
      - {id: p, label: P}
      - {id: q, label: Q}
  - id: second
    prompt: Second?
    kind: multi
    default: none
    options:
      - {id: r, label: R}
      - {id: none, label: None, exclusive: true}
rules:
  - id: r1
    when: {first: p}
    score: {a: 1}
    why: w
    cite: c
tie_break: [a, b]
confidence: {strong: 2, moderate: 1}
"#;

    fn errors(text: &str) -> Vec<String> {
        match load_rules("t.yaml", text.as_bytes()) {
            Ok(_) => Vec::new(),
            Err(e) => e.diagnostics.iter().map(|d| d.to_string()).collect(),
        }
    }

    #[test]
    fn base_is_valid() {
        assert_eq!(errors(BASE), Vec::<String>::new());
    }

    #[test]
    fn ask_if_may_only_look_back() {
        let text = BASE.replacen(
            "    default: p\n",
            "    default: p\n    ask_if: {second: r}\n",
            1,
        );
        let e = errors(&text);
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].contains("may only refer to earlier questions"),
            "{e:?}"
        );
    }

    #[test]
    fn models_and_plans_are_checked() {
        // Only a multi-choice question makes models, and only one.
        let text = BASE.replacen(
            "    default: p\n",
            "    default: p\n    one_per_model: true\n",
            1,
        );
        assert!(errors(&text)[0].contains("`one_per_model` needs a multi-choice question"));
        // A split belongs to an option of the question that makes models.
        let text = BASE.replacen(
            "{id: q, label: Q}",
            "{id: q, label: Q, split: {when: {first: q}, into: [{name: a, as: p}, {name: b, as: q}]}}",
            1,
        );
        assert!(errors(&text)[0].contains("only a `one_per_model` question's options make models"));
        let with_plan = |plan: &str| format!("{BASE}plan:\n{plan}");
        let e = errors(&with_plan("  aliases: {a: [a, b]}\n"));
        assert!(
            e[0].contains("plan alias `a` is already an outcome's id"),
            "{e:?}"
        );
        let e = errors(&with_plan("  aliases: {ab: [a]}\n"));
        assert!(e[0].contains("needs two stacks or more"), "{e:?}");
        let e = errors(&with_plan(
            "  rules:\n    - {id: p1, models: [], why: w, cite: c}\n",
        ));
        assert!(e[0].contains("matches no model"), "{e:?}");
        let e = errors(&with_plan(
            "  rules:\n    - {id: p1, models: [{stack: [c]}], why: w, cite: c}\n",
        ));
        assert!(e[0].contains("unknown outcome `c`"), "{e:?}");
        let ok = with_plan(
            "  aliases: {ab: [b, a]}\n  rules:\n    - {id: p1, models: [{stack: [a]}], move: {to: a, within: 1}, why: w, cite: c}\n",
        );
        let rules = load_rules("t.yaml", ok.as_bytes()).unwrap();
        assert_eq!(&*rules.plan.aliases[0].stacks, [0, 1], "tie-break order");
        assert_eq!(rules.plan.rules[0].moves.as_ref().unwrap().within, 1);
    }

    #[test]
    fn an_outcome_names_the_first_runtime_whose_condition_holds() {
        let with = |runtimes: &str| {
            BASE.replacen(
                "  - {id: b, name: B, summary: b}\n",
                &format!("  - {{id: b, name: B, summary: b, runtimes: {runtimes}}}\n"),
                1,
            )
        };
        let text = with(
            "[{name: one, backend: gpu, when: {first: q}, cite: c}, {name: two, backend: npu, cite: c}]",
        );
        let rules = load_rules("t.yaml", text.as_bytes()).unwrap();
        let b = &rules.outcomes[1];
        let p = rules.questions[0].answer_mask(["p"]).unwrap();
        let q = rules.questions[0].answer_mask(["q"]).unwrap();
        let second = rules.questions[1].default.unwrap();
        assert_eq!(&*b.runtime_for(&[q, second]).unwrap().name, "one");
        assert_eq!(&*b.runtime_for(&[p, second]).unwrap().name, "two");
        assert!(rules.outcomes[0].runtime_for(&[p, second]).is_none());
        // A runtime without a condition hides every one after it.
        let e = errors(&with(
            "[{name: two, backend: npu, cite: c}, {name: one, backend: gpu, when: {first: q}, cite: c}]",
        ));
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].contains("runtime `two` of `b` has no `when`"), "{e:?}");
        assert!(
            e[0].starts_with("t.yaml:5:52:"),
            "located at its name: {e:?}"
        );
        // Its condition names questions like any other.
        let e = errors(&with(
            "[{name: one, backend: gpu, when: {third: q}, cite: c}]",
        ));
        assert!(e[0].contains("third"), "{e:?}");
    }

    #[test]
    fn unsure_options_are_marked() {
        let text = BASE.replacen("{id: q, label: Q}", "{id: q, label: Q, unsure: true}", 1);
        let rules = load_rules("t.yaml", text.as_bytes()).unwrap();
        assert_eq!(rules.questions[0].unsure, 0b10);
        assert_eq!(rules.questions[1].unsure, 0);
    }

    #[test]
    fn exclusive_options_belong_to_multi_choice_questions() {
        let text = BASE.replacen("{id: q, label: Q}", "{id: q, label: Q, exclusive: true}", 1);
        assert!(errors(&text)[0].contains("`exclusive` only makes sense"));
    }

    #[test]
    fn an_exclusive_default_cannot_be_combined() {
        let text = BASE.replacen("default: none", "default: [none, r]", 1);
        assert!(errors(&text)[0].contains("invalid default"));
    }

    #[test]
    fn tie_break_must_list_every_outcome_once() {
        let e = errors(&BASE.replacen("tie_break: [a, b]", "tie_break: [a, a]", 1));
        assert!(e.iter().any(|d| d.contains("appears twice")), "{e:?}");
        assert!(e.iter().any(|d| d.contains("missing: b")), "{e:?}");
    }

    #[test]
    fn unproven_needs_a_penalty_and_is_located() {
        let e = errors(&BASE.replacen("score: {a: 1}", "score: {a: 1}\n    unproven: true", 1));
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].contains("marked unproven but takes points from no outcome"),
            "{e:?}"
        );
        assert!(e[0].starts_with("t.yaml:"), "{e:?}");
        let ok = BASE.replacen("score: {a: 1}", "score: {a: -1}\n    unproven: true", 1);
        let rules = load_rules("t.yaml", ok.as_bytes()).unwrap();
        assert!(rules.rules[0].unproven);
    }

    #[test]
    fn zero_points_and_empty_conditions_are_refused() {
        let e = errors(&BASE.replacen("score: {a: 1}", "score: {a: 0}", 1));
        assert!(e[0].contains("zero points"), "{e:?}");
        let e = errors(&BASE.replacen("when: {first: p}", "when: {}", 1));
        assert!(e[0].contains("empty condition"), "{e:?}");
    }

    #[test]
    fn bad_ids_and_missing_defaults_are_refused() {
        let e = errors(&BASE.replacen("id: first", "id: First", 1));
        assert!(e.iter().any(|d| d.contains("is not a valid id")), "{e:?}");
        let e = errors(&BASE.replacen("    default: p\n", "", 1));
        assert!(e[0].contains("has no default and is not required"), "{e:?}");
    }

    #[test]
    fn too_many_options_are_refused_not_truncated() {
        let options: String = (0..65)
            .map(|i| format!("      - {{id: o{i}, label: O}}\n"))
            .collect();
        let text = BASE
            .replacen(
                "      - {id: p, label: P}\n      - {id: q, label: Q}\n",
                &options,
                1,
            )
            .replacen("default: p", "default: o0", 1)
            .replacen("when: {first: p}", "when: {first: o1}", 1);
        let e = errors(&text);
        assert!(
            e.iter().any(|d| d.contains("65 options; at most 64")),
            "{e:?}"
        );
    }
}
