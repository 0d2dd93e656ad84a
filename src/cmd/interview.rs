//! `recall interview`: a mock interview, saved, with a report; `--history` lists past ones.

use std::io::IsTerminal;

use crate::cli::InterviewArgs;
use crate::error::Error;
use crate::interview::run::{self, Answered, Setup};
use crate::interview::{self, pick};
use crate::scheduler;
use crate::store::{EntryKind, LogEntry, SavedAnswer, SavedInterview, Store};
use crate::types::ReviewId;

pub fn run(ctx: &super::Context, args: &InterviewArgs) -> Result<(), Error> {
    if args.history {
        let interviews = ctx.store()?.interviews()?;
        return super::print(&interview::history(&interviews));
    }
    let (library, filter) = ctx.selected(&args.filter)?;
    let cards = filter.select(&library)?;
    let seed = args.seed.unwrap_or_else(rand::random);
    let questions = pick(&cards, args.questions as usize, seed);
    let mut store = ctx.store()?;
    let started_at = ctx.clock.now();
    let setup = Setup {
        minutes: args.minutes,
        grading: ctx.config.grading.value,
        colour: ctx.colour,
    };
    let (answered, interrupted) = if std::io::stdin().is_terminal()
        && std::io::stdout().is_terminal()
    {
        let outcome = run::fullscreen(&questions, &setup)?;
        (outcome.answered, outcome.interrupted)
    } else {
        // The interview is saved when it ends; `q` ends it early and keeps the answers.
        super::exit_on_interrupt(
            "this interview was not saved (`q` on a line of its own ends one early, keeping its answers)",
        );
        super::print(&format!(
            "Mock interview: {} on {}, {} min each (seed {seed}). Answer as you would aloud, on one line.\n",
            crate::display::plural(questions.len(), "question"),
            filter.describe(),
            args.minutes
        ))?;
        let answered = run::plain(
            &questions,
            &setup,
            &mut std::io::stdin().lock(),
            &mut std::io::stdout().lock(),
        )?;
        (answered, false)
    };
    let interrupted = || {
        if interrupted {
            Err(Error::Interrupted)
        } else {
            Ok(())
        }
    };
    if answered.is_empty() {
        super::print("\nThe interview ended before any answer; nothing was saved.\n")?;
        return interrupted();
    }
    store.save_interview(&SavedInterview {
        id: ReviewId::generate(started_at.timestamp_millis()).0,
        started_at,
        seed,
        filter: filter.describe(),
        questions: u32::try_from(questions.len()).unwrap_or(u32::MAX),
        minutes: args.minutes,
        rescheduled: args.reschedule,
        answers: answered
            .iter()
            .map(|a| SavedAnswer {
                card_id: a.card.id.clone(),
                answer: a.answer.clone(),
                grade: a.grade,
                duration_ms: a.duration_ms,
                over_time: a.over_time,
            })
            .collect(),
    })?;
    if args.reschedule {
        reschedule(ctx, &mut store, &answered)?;
    }
    let report = interview::report(
        &answered
            .iter()
            .map(|a| (a.card, a.grade, a.duration_ms, a.over_time))
            .collect::<Vec<_>>(),
    );
    let times: Vec<(String, u32, bool)> = answered
        .iter()
        .map(|a| (a.card.front.clone(), a.duration_ms, a.over_time))
        .collect();
    let mut text = format!(
        "\n{}",
        report.render(&times, seed, questions.len(), super::output_width())
    );
    if args.reschedule {
        text.push_str("Each self-grade was also recorded as a review.\n");
    }
    super::print(&text)?;
    interrupted()
}

/// Records each self-grade as a scheduled review of its card (suspended cards excepted).
fn reschedule(
    ctx: &super::Context,
    store: &mut Store,
    answered: &[Answered<'_>],
) -> Result<(), Error> {
    for a in answered {
        let record = store
            .records()?
            .get(&a.card.id)
            .copied()
            .unwrap_or_default();
        if record.suspended {
            continue;
        }
        let now = ctx.clock.now();
        let day = ctx.clock.study_day(now);
        store.append(&LogEntry {
            id: ReviewId::generate(now.timestamp_millis()),
            card_id: a.card.id.clone(),
            reviewed_at: now,
            day,
            kind: EntryKind::Review,
            grade: Some(a.grade),
            duration_ms: a.duration_ms.min(crate::review::session::MAX_ANSWER_MS),
            undoes: None,
            before: record.state,
            after: scheduler::schedule(
                record.state,
                a.grade,
                day,
                a.card.id.as_str(),
                &store.rules(None),
            ),
            until: None,
        })?;
    }
    Ok(())
}
