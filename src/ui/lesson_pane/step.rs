//! The open lesson's step: its text, goals, hints, "predict, then see" question,
//! "Show me" and the way to the next step.

use leptos::prelude::*;

use crate::lesson::{to_html, Progress, Question};
use crate::ui::confirm::Confirm;
use crate::ui::follow::QrButton;
use crate::ui::handle::{LabHandle, Ui};
use crate::ui::lessons::Lessons;

/// Markdown from a lesson, rendered safely (no raw HTML, no script links).
#[component]
fn Markdown(
    /// The lesson's Markdown.
    text: String,
) -> impl IntoView {
    view! { <div class="md" inner_html=to_html(&text)></div> }
}

/// The step on screen.
#[component]
pub fn StepView() -> impl IntoView {
    let lab = expect_context::<LabHandle>();
    let ui = expect_context::<Ui>();
    let lessons = expect_context::<Lessons>();
    let current = Memo::new(move |_| lessons.current(ui));
    move || {
        let Some((lesson, step)) = current.get() else {
            return ().into_any();
        };
        let id = lesson.id.clone();
        let s = lesson.steps[step].clone();
        let count = lesson.steps.len();
        let has_goals = !s.goals.is_empty();
        let met = Memo::new(move |_| {
            lessons
                .goals
                .with(|g| !g.is_empty() && g.iter().all(|r| r.met))
        });
        let offer_catch_up = RwSignal::new(false);
        let (id_next, id_back, id_list, id_catch, id_reset) =
            (id.clone(), id.clone(), id.clone(), id.clone(), id.clone());
        let next = move |_| {
            if step + 1 >= count {
                lessons.update_progress(&id_next, |p| {
                    p.done.insert(step);
                });
                lessons.leave(lab, ui);
                return;
            }
            if has_goals && !met.get_untracked() {
                offer_catch_up.set(true);
                return;
            }
            lessons.update_progress(&id_next, |p| {
                p.done.insert(step);
            });
            lessons.open_keeping_lab(lab, ui, &id_next, step + 1);
        };
        // Forgetting progress asks first when there is some; the lab on screen stays.
        let ask_reset = RwSignal::new(false);
        let id_forget = id.clone();
        let reset_progress = move |_| {
            if progress_words(&lessons.progress_of(&id_reset), count).is_some() {
                ask_reset.set(true);
            } else {
                lessons.reset_progress(&id_reset);
            }
        };
        let id_note = id.clone();
        let progress_note = move || {
            let words = progress_words(&lessons.progress_of(&id_note), count).unwrap_or_default();
            format!("This forgets {words}. The lab on screen stays as it is.")
        };
        let hints = s.hints.clone();
        let hint_count = hints.len();
        view! {
            <div class="step" data-testid="step">
                <div class="step-nav">
                    <button class="small" data-testid="all-lessons" aria-label="All lessons" on:click=move |_| lessons.show_list()>"Lessons"</button>
                    <select data-testid="step-list" aria-label="Go to a step (opens it from its start)"
                        on:change=move |ev| {
                            if let Ok(i) = event_target_value(&ev).parse::<usize>() {
                                lessons.open_canonical(lab, ui, &id_list, i);
                            }
                        }
                    >
                        {lesson.steps.iter().enumerate().map(|(i, st)| {
                            let done = lessons.progress_of(&lesson.id).done.contains(&i);
                            view! { <option value=i.to_string() selected=i == step>{format!("{} {}. {}", if done { "✓" } else { " " }, i + 1, st.title)}</option> }
                        }).collect_view()}
                    </select>
                    <QrButton small=true />
                    <span class="confirm-wrap confirm-right">
                        <button class="small" data-testid="reset-progress" title="Reset progress in this lesson" aria-label="Reset progress in this lesson" aria-expanded=move || ask_reset.get().to_string() on:click=reset_progress>"Reset"</button>
                        <Confirm
                            open=ask_reset
                            testid="reset-progress-confirm"
                            title="Forget your progress in this lesson?"
                            note=Signal::derive(progress_note)
                            yes="Forget progress"
                            on_yes=Callback::new(move |()| lessons.reset_progress(&id_forget))
                        />
                    </span>
                </div>
                <div class="step-scroll" data-testid="step-text">
                <p class="lesson-name">{lesson.title.clone()}</p>
                <h2 class="step-title" data-testid="step-title">{format!("Step {} of {}: {}", step + 1, count, s.title)}</h2>
                {(step == 0 && !lesson.intro.is_empty()).then(|| view! { <Markdown text=lesson.intro.clone() /> })}
                <Markdown text=s.prose.clone() />
                {s.question.clone().map(|q| view! { <QuestionView id=id.clone() step=step question=q done=met /> })}
                <div class="hints" data-testid="hints">
                    {move || hints.iter().take(lessons.hints.get()).map(|h| view! { <div class="hint"><Markdown text=h.clone() /></div> }).collect_view()}
                </div>
                </div>
                <div class="step-bottom">
                {has_goals.then(|| view! {
                    <h3 class="sr-only">"Goals"</h3>
                    <ul class="goals" data-testid="goals">
                        {s.goals.iter().enumerate().map(|(i, g)| {
                            let ok = move || lessons.goals.with(|r| r.get(i).is_some_and(|r| r.met));
                            view! {
                                <li class="goal" class:met=ok data-testid=format!("goal-{i}") data-met=move || ok().to_string()>
                                    <span class="goal-mark" aria-hidden="true">{move || if ok() { "✓" } else { "○" }}</span>
                                    <span class="sr-only">{move || if ok() { "met: " } else { "not met yet: " }}</span>
                                    {g.label.clone()}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                })}
                {(!s.traps.is_empty()).then(|| {
                    let traps = s.traps.clone();
                    let id = id.clone();
                    view! { <TrapView traps=traps met=met id=id step=step /> }
                })}
                <div class="step-buttons">
                    {(hint_count > 0).then(|| view! {
                        <button data-testid="hint" disabled=move || { lessons.hints.get() >= hint_count } on:click=move |_| lessons.hints.update(|n| *n += 1)>
                            {move || if lessons.hints.get() == 0 { "Hint".to_string() } else { format!("Another hint ({} of {hint_count})", lessons.hints.get()) }}
                        </button>
                    })}
                    {(!s.solution.is_empty()).then(|| view! {
                        <Show when=move || lessons.showing.get() fallback=move || view! {
                            <button data-testid="show-me" on:click=move |_| lessons.show_me(lab, ui)>"Show me"</button>
                        }>
                            <button data-testid="stop-show-me" class="danger" on:click=move |_| lessons.stop_show_me()>"Stop"</button>
                        </Show>
                    })}
                    <button data-testid="back" class="back" disabled=step == 0 on:click=move |_| lessons.open_canonical(lab, ui, &id_back, step.saturating_sub(1))>"Back"</button>
                    <button data-testid="next" class="primary-action" on:click=next>
                        {if step + 1 >= count { "Finish" } else { "Next" }}
                    </button>
                </div>
                <Show when=move || offer_catch_up.get() && !met.get()>
                    <div class="catch-up" role="alert" data-testid="catch-up-offer">
                        <p>"This step's goals are not met yet. Catch up to the start of the next step (your lab is replaced), or keep trying."</p>
                        <button data-testid="catch-up" class="primary-action" on:click={
                            let id = id_catch.clone();
                            move |_| lessons.open_canonical(lab, ui, &id, step + 1)
                        }>"Catch me up"</button>
                        <button on:click=move |_| offer_catch_up.set(false)>"Keep trying"</button>
                    </div>
                </Show>
                </div>
            </div>
        }
        .into_any()
    }
}

/// The traps the student walked into, each with why it matters; once the goals are met,
/// how: cleanly or with a trap. "Try again cleanly" reopens the step's canonical state.
#[component]
fn TrapView(
    /// The step's traps.
    traps: Vec<crate::lesson::Trap>,
    /// The step's goals are met.
    met: Memo<bool>,
    /// The lesson's id.
    id: String,
    /// The step's index.
    step: usize,
) -> impl IntoView {
    let lab = expect_context::<LabHandle>();
    let ui = expect_context::<Ui>();
    let lessons = expect_context::<Lessons>();
    let sprung = move || lessons.traps.with(|r| r.iter().position(|t| t.met));
    let first = traps
        .first()
        .map(|t| t.goal.label.clone())
        .unwrap_or_default();
    let labels: Vec<String> = traps.iter().map(|t| t.goal.label.clone()).collect();
    view! {
        {traps.into_iter().enumerate().map(|(i, t)| {
            let on = move || lessons.traps.with(|r| r.get(i).is_some_and(|r| r.met));
            view! {
                <Show when=on>
                    <div class="trap" role="alert" data-testid=format!("trap-{i}")>
                        <p class="trap-label"><strong>"Trap: "</strong>{t.goal.label.clone()}</p>
                        <Markdown text=t.reason.clone() />
                    </div>
                </Show>
            }
        }).collect_view()}
        <Show when=move || met.get()>
            <p class="step-outcome" data-testid="step-outcome" data-clean=move || sprung().is_none().to_string()>
                {let labels = labels.clone(); move || match sprung() {
                    None => "Goals met cleanly.".to_string(),
                    Some(i) => format!("Goals met with a trap: {}.", labels.get(i).cloned().unwrap_or_default()),
                }}
            </p>
        </Show>
        <Show when=move || sprung().is_some()>
            <button data-testid="try-again" title=format!("Reopen this step as it started (no trap: {first})") on:click={
                let id = id.clone();
                move |_| lessons.open_canonical(lab, ui, &id, step)
            }>"Try again cleanly"</button>
        </Show>
    }
}

/// "Predict, then see": the student picks before acting; the answer shows once the
/// step's goals are met.
#[component]
fn QuestionView(
    /// The lesson's id (progress keeps the answer).
    id: String,
    /// The step's index.
    step: usize,
    question: Question,
    /// The step's goals are met: the model has run it.
    done: Memo<bool>,
) -> impl IntoView {
    let lessons = expect_context::<Lessons>();
    let pid = id.clone();
    let picked = Memo::new(move |_| {
        lessons
            .progress
            .with(|_| lessons.progress_of(&pid).answers.get(&step).copied())
    });
    let answer = question.answer;
    let choices = question.choices.clone();
    let explanation = question.explanation.clone();
    view! {
        <fieldset class="question" data-testid="question">
            <legend>"Predict, then see"</legend>
            <Markdown text=question.prompt.clone() />
            {choices.iter().enumerate().map(|(i, c)| {
                let id = id.clone();
                view! {
                    <label class="choice" class:right=move || done.get() && i == answer class:wrong=move || done.get() && picked.get() == Some(i) && i != answer>
                        <input type="radio" name=format!("q-{step}") data-testid=format!("choice-{i}")
                            prop:checked=move || picked.get() == Some(i)
                            disabled=move || done.get()
                            on:change=move |_| lessons.update_progress(&id, |p| { p.answers.insert(step, i); })
                        />
                        <span class="md-inline" inner_html=to_html(c)></span>
                    </label>
                }
            }).collect_view()}
            <Show when=move || done.get()>
                <div class="answer" data-testid="answer" role="status">
                    <p>{move || match picked.get() {
                        Some(p) if p == answer => "Your prediction was right.".to_string(),
                        Some(_) => format!("Not quite: the answer is choice {}.", answer + 1),
                        None => format!("The answer is choice {}.", answer + 1),
                    }}</p>
                    <Markdown text=explanation.clone() />
                </div>
            </Show>
        </fieldset>
    }
}

/// What a lesson's progress holds, in words ("3 of 9 steps done and 2 answers"), or
/// `None` when there is nothing to lose.
fn progress_words(p: &Progress, steps: usize) -> Option<String> {
    let done = p.done.len();
    let answers = p.answers.len();
    let mut parts = Vec::new();
    if done > 0 {
        parts.push(format!("{done} of {steps} steps done"));
    }
    if answers > 0 {
        parts.push(format!(
            "{answers} {}",
            if answers == 1 { "answer" } else { "answers" }
        ));
    }
    (!parts.is_empty()).then(|| parts.join(" and "))
}
