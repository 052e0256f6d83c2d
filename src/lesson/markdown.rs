//! Reading a lesson file: front matter, then `##` steps whose `walscope` fenced blocks
//! are the lesson's machinery. pulldown-cmark finds the headings and blocks (with their
//! byte offsets, for line numbers); the prose between them stays Markdown.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::goal::parse_goal;
use super::trap::parse_trap;
use super::{Lesson, LessonError, Question, Step, MAX_LESSON_BYTES, MAX_STEPS};
use crate::examples;
use crate::script::{self, Line};

/// The Markdown extensions lessons may use (also when rendering them).
pub(super) fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// Reads a lesson. `file` names it in errors (`lessons/03-basebackup.md:41: ...`).
/// Every error found is returned, each with its line.
pub fn parse(file: &str, text: &str) -> Result<Lesson, Vec<LessonError>> {
    let err = |line: usize, message: &str| LessonError {
        file: file.to_string(),
        line,
        message: message.to_string(),
    };
    if text.len() > MAX_LESSON_BYTES {
        return Err(vec![err(
            1,
            &format!(
                "the file is {} bytes; a lesson may have at most {MAX_LESSON_BYTES}",
                text.len()
            ),
        )]);
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (front, body, body_line) = split_front_matter(text).ok_or_else(|| {
        vec![err(1, "a lesson starts with front matter: a line \"---\", then id, title and summary, then \"---\"")]
    })?;
    let mut errors = Vec::new();
    let meta = read_front_matter(file, front, &mut errors);
    let mut lesson = Lesson {
        file: file.to_string(),
        id: meta.id.unwrap_or_default(),
        title: meta.title.unwrap_or_default(),
        summary: meta.summary.unwrap_or_default(),
        start: meta.start,
        intro: String::new(),
        steps: Vec::new(),
    };
    read_body(file, body, body_line, &mut lesson, &mut errors);
    if errors.is_empty() {
        Ok(lesson)
    } else {
        Err(errors)
    }
}

/// The id in a lesson's front matter, without reading the rest: which built-in lesson
/// a link names, before the lessons are read.
pub fn lesson_id(text: &str) -> Option<String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (front, _, _) = split_front_matter(text)?;
    read_front_matter("", front, &mut Vec::new()).id
}

/// (front matter, body, line number of the body's first line).
fn split_front_matter(text: &str) -> Option<(&str, &str, usize)> {
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))?;
    let mut offset = 0;
    for (i, line) in rest.split_inclusive('\n').enumerate() {
        if line.trim_end() == "---" {
            let body = &rest[offset + line.len()..];
            return Some((&rest[..offset], body, i + 3));
        }
        offset += line.len();
    }
    None
}

#[derive(Default)]
struct Meta {
    id: Option<String>,
    title: Option<String>,
    summary: Option<String>,
    start: Vec<Line>,
}

fn read_front_matter(file: &str, front: &str, errors: &mut Vec<LessonError>) -> Meta {
    let mut meta = Meta::default();
    let mut err = |line: usize, message: String| {
        errors.push(LessonError {
            file: file.to_string(),
            line,
            message,
        })
    };
    let lines: Vec<&str> = front.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let n = i + 2;
        let raw = lines[i];
        i += 1;
        if raw.trim().is_empty() || raw.trim_start().starts_with('#') {
            continue;
        }
        let Some((key, value)) = raw.split_once(':') else {
            err(
                n,
                format!("front matter line is not \"key: value\": {raw:?}"),
            );
            continue;
        };
        let value = value.trim();
        match key.trim() {
            "id" => {
                if value.is_empty()
                    || value.len() > 64
                    || !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                {
                    err(n, "id must be letters, digits, - or _ (at most 64), for example \"basebackup\"".into());
                } else {
                    meta.id = Some(value.to_string());
                }
            }
            "title" if !value.is_empty() => meta.title = Some(value.to_string()),
            "summary" if !value.is_empty() => meta.summary = Some(value.to_string()),
            "start" if value == "|" => {
                let mut script = String::new();
                let first = i + 2;
                while i < lines.len() && (lines[i].starts_with(' ') || lines[i].starts_with('\t') || lines[i].trim().is_empty()) {
                    script.push_str(lines[i].trim());
                    script.push('\n');
                    i += 1;
                }
                match script::parse(&script) {
                    Ok(l) => meta.start = l,
                    Err(e) => err(first + e.line - 1, format!("start: {}", e.message)),
                }
            }
            "start" => match examples::by_id(value) {
                Some(text) => meta.start = script::parse(text).unwrap_or_default(),
                None => err(
                    n,
                    format!(
                        "start: no example lab named \"{value}\" (use one of: {}, or \"|\" and script lines)",
                        examples::IDS.join(", ")
                    ),
                ),
            },
            k @ ("title" | "summary") => err(n, format!("{k} is empty")),
            other => err(n, format!("unknown front matter key \"{other}\" (expected id, title, summary or start)")),
        }
    }
    for (key, have) in [
        ("id", meta.id.is_some()),
        ("title", meta.title.is_some()),
        ("summary", meta.summary.is_some()),
    ] {
        if !have && !errors.iter().any(|e| e.message.starts_with(key)) {
            errors.push(LessonError {
                file: file.to_string(),
                line: 1,
                message: format!("front matter has no {key}"),
            });
        }
    }
    meta
}

/// The kinds of `walscope` block.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Block {
    Setup,
    Solution,
    Goal,
    Hint,
    Question,
    Trap,
    TrapPath,
}

fn block_kind(info: &str) -> Option<Result<Block, String>> {
    let mut words = info.split_whitespace();
    if words.next() != Some("walscope") {
        return None;
    }
    Some(match words.next() {
        Some("setup") => Ok(Block::Setup),
        Some("solution") => Ok(Block::Solution),
        Some("goal") => Ok(Block::Goal),
        Some("hint") => Ok(Block::Hint),
        Some("question") => Ok(Block::Question),
        Some("trap") => Ok(Block::Trap),
        Some("trap-path") => Ok(Block::TrapPath),
        Some(other) => Err(format!(
            "unknown block kind \"walscope {other}\" (expected setup, solution, goal, hint, question, trap or trap-path)"
        )),
        None => Err("a walscope block needs a kind: setup, solution, goal, hint, question, trap or trap-path".into()),
    })
}

fn read_body(
    file: &str,
    body: &str,
    body_line: usize,
    lesson: &mut Lesson,
    errors: &mut Vec<LessonError>,
) {
    // Where each line break is, so that a block's line is a binary search, not a count
    // from the top of the lesson for every block.
    let breaks: Vec<usize> = body.match_indices('\n').map(|(i, _)| i).collect();
    let line_of = |offset: usize| body_line + breaks.partition_point(|&b| b < offset);
    let err = |line: usize, message: String| LessonError {
        file: file.to_string(),
        line,
        message,
    };
    // Each step's byte range, and the ranges of its walscope blocks (cut from its prose).
    let mut steps: Vec<(Step, Range<usize>, Vec<Range<usize>>)> = Vec::new();
    let mut intro_end = body.len();
    let mut cuts_before_steps: Vec<Range<usize>> = Vec::new();
    let mut heading: Option<(usize, String)> = None;
    let mut block: Option<(Option<Block>, usize, String)> = None;
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H2,
                ..
            }) => {
                heading = Some((range.start, String::new()));
            }
            Event::End(TagEnd::Heading(HeadingLevel::H2)) => {
                let Some((start, title)) = heading.take() else {
                    continue;
                };
                if let Some(last) = steps.last_mut() {
                    last.1.end = start;
                } else {
                    intro_end = start;
                }
                if steps.len() == MAX_STEPS {
                    errors.push(err(
                        line_of(start),
                        format!("a lesson may have at most {MAX_STEPS} steps"),
                    ));
                }
                steps.push((
                    Step {
                        title: title.trim().to_string(),
                        line: line_of(start),
                        prose: String::new(),
                        setup: Vec::new(),
                        solution: Vec::new(),
                        goals: Vec::new(),
                        hints: Vec::new(),
                        question: None,
                        traps: Vec::new(),
                    },
                    range.end..body.len(),
                    Vec::new(),
                ));
            }
            Event::Text(t) | Event::Code(t) if heading.is_some() => {
                if let Some((_, title)) = heading.as_mut() {
                    title.push_str(&t);
                }
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                if let Some(kind) = block_kind(&info) {
                    let kind = match kind {
                        Ok(k) => Some(k),
                        Err(m) => {
                            errors.push(err(line_of(range.start), m));
                            None
                        }
                    };
                    block = Some((kind, range.start, String::new()));
                    match steps.last_mut() {
                        Some(s) => s.2.push(range.clone()),
                        None => cuts_before_steps.push(range.clone()),
                    }
                }
            }
            Event::Text(t) if block.is_some() => {
                if let Some((_, _, text)) = block.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                let Some((kind, start, text)) = block.take() else {
                    continue;
                };
                let Some(kind) = kind else { continue };
                let line = line_of(start);
                let Some((step, _, _)) = steps.last_mut() else {
                    errors.push(err(
                        line,
                        "a walscope block before the first step (a step starts with a ## heading)"
                            .into(),
                    ));
                    continue;
                };
                if let Err(e) = add_block(file, step, kind, line, &text) {
                    errors.push(e);
                }
            }
            _ => {}
        }
    }
    lesson.intro = cut(&body[..intro_end], 0, &cuts_before_steps);
    if steps.is_empty() {
        errors.push(err(
            body_line,
            "the lesson has no steps (a step starts with a ## heading)".into(),
        ));
    }
    for (mut step, range, cuts) in steps {
        if !step.goals.is_empty() && step.solution.is_empty() {
            errors.push(err(
                step.line,
                format!(
                    "step \"{}\" has a goal but no solution block (\"Show me\" needs one)",
                    step.title
                ),
            ));
        }
        for t in step.traps.iter().filter(|t| t.path.is_empty()) {
            errors.push(err(
                t.goal.line,
                format!(
                    "trap \"{}\" has no walscope trap-path block after it (the unsafe lines that spring it, for lesson check)",
                    t.goal.label
                ),
            ));
        }
        if step.title.is_empty() {
            errors.push(err(step.line, "a step's ## heading has no title".into()));
        }
        step.prose = cut(&body[range.clone()], range.start, &cuts);
        lesson.steps.push(step);
    }
}

/// `text` (which starts at byte `base` of the body) without the `cuts` ranges.
fn cut(text: &str, base: usize, cuts: &[Range<usize>]) -> String {
    let mut out = String::new();
    let mut at = 0;
    for c in cuts {
        let (s, e) = (c.start.saturating_sub(base), c.end.saturating_sub(base));
        if s >= at && e <= text.len() {
            out.push_str(&text[at..s]);
            at = e;
        }
    }
    out.push_str(&text[at..]);
    out.trim().to_string()
}

fn add_block(
    file: &str,
    step: &mut Step,
    kind: Block,
    line: usize,
    text: &str,
) -> Result<(), LessonError> {
    let err = |line: usize, message: String| LessonError {
        file: file.to_string(),
        line,
        message,
    };
    let name = match kind {
        Block::Setup => "setup",
        Block::Solution => "solution",
        Block::Goal => "goal",
        Block::Hint => "hint",
        Block::Question => "question",
        Block::Trap => "trap",
        Block::TrapPath => "trap-path",
    };
    if text.trim().is_empty() {
        return Err(err(line, format!("{name} block is empty")));
    }
    match kind {
        Block::Setup | Block::Solution => {
            let lines = script::parse(text)
                .map_err(|e| err(line + e.line, format!("{name} block: {}", e.message)))?;
            let into = if kind == Block::Setup {
                &mut step.setup
            } else {
                &mut step.solution
            };
            into.extend(lines);
        }
        Block::Goal => step.goals.push(parse_goal(file, line, text)?),
        Block::Trap => step.traps.push(parse_trap(file, line, text)?),
        Block::TrapPath => {
            let lines = script::parse(text)
                .map_err(|e| err(line + e.line, format!("{name} block: {}", e.message)))?;
            match step.traps.last_mut() {
                Some(t) if t.path.is_empty() => t.path = lines,
                Some(_) => {
                    return Err(err(
                        line,
                        "a trap has one trap-path block; this trap already has one".into(),
                    ))
                }
                None => {
                    return Err(err(
                        line,
                        "a trap-path block follows the trap block it springs".into(),
                    ))
                }
            }
        }
        Block::Hint => step.hints.push(text.trim().to_string()),
        Block::Question => {
            if step.question.is_some() {
                return Err(err(line, "a step has at most one question".into()));
            }
            step.question = Some(parse_question(text).map_err(|m| err(line, m))?);
        }
    }
    Ok(())
}

/// Reads a question block: prompt lines, then `- [ ]` / `- [x]` choices, then an
/// optional explanation.
fn parse_question(text: &str) -> Result<Question, String> {
    let mut prompt = String::new();
    let mut choices = Vec::new();
    let mut answer = None;
    let mut explanation = String::new();
    for raw in text.lines() {
        let t = raw.trim_start();
        let choice = t.strip_prefix("- [ ]").map(|c| (c, false)).or_else(|| {
            t.strip_prefix("- [x]")
                .or_else(|| t.strip_prefix("- [X]"))
                .map(|c| (c, true))
        });
        match choice {
            Some((c, right)) if explanation.is_empty() => {
                if right {
                    if answer.is_some() {
                        return Err(
                            "question marks more than one choice as right ([x]); mark exactly one"
                                .into(),
                        );
                    }
                    answer = Some(choices.len());
                }
                choices.push(c.trim().to_string());
            }
            _ if choices.is_empty() => {
                prompt.push_str(raw);
                prompt.push('\n');
            }
            _ => {
                explanation.push_str(raw);
                explanation.push('\n');
            }
        }
    }
    if prompt.trim().is_empty() {
        return Err("question has no text before its choices".into());
    }
    if choices.len() < 2 {
        return Err(
            "question needs at least two choices, written \"- [ ] wrong\" and \"- [x] right\""
                .into(),
        );
    }
    let answer =
        answer.ok_or("question marks no choice as right; mark exactly one with \"- [x]\"")?;
    Ok(Question {
        prompt: prompt.trim().to_string(),
        choices,
        answer,
        explanation: explanation.trim().to_string(),
    })
}
