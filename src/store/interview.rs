//! Saved mock interviews.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{Store, store_error};
use crate::error::Error;
use crate::types::{CardId, Grade};

/// One answered interview question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedAnswer {
    pub card_id: CardId,
    pub answer: String,
    pub grade: Grade,
    pub duration_ms: u32,
    pub over_time: bool,
}

/// An interview as saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedInterview {
    pub id: String,
    pub started_at: DateTime<Utc>,
    pub seed: u64,
    /// The filter, in words.
    pub filter: String,
    /// Questions planned.
    pub questions: u32,
    pub minutes: u32,
    pub rescheduled: bool,
    pub answers: Vec<SavedAnswer>,
}

impl SavedInterview {
    /// Answers graded 3 (Hard) or better.
    pub fn passed(&self) -> usize {
        self.answers.iter().filter(|a| a.grade.passed()).count()
    }
}

impl Store {
    /// Saves an interview and its answers in one transaction.
    pub fn save_interview(&mut self, interview: &SavedInterview) -> Result<(), Error> {
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| store_error(&path, &e);
        let tx = self.conn.transaction().map_err(fail)?;
        tx.execute(
            "INSERT INTO interview (id, started_at, seed, filter, questions, minutes, rescheduled)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                interview.id,
                interview.started_at.timestamp_millis(),
                // SQLite integers are signed; the seed's bits are kept as they are.
                interview.seed as i64,
                interview.filter,
                interview.questions,
                interview.minutes,
                interview.rescheduled
            ],
        )
        .map_err(fail)?;
        for (position, answer) in interview.answers.iter().enumerate() {
            tx.execute(
                "INSERT INTO interview_answer
                    (interview_id, position, card_id, answer, grade, duration_ms, over_time)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    interview.id,
                    position as i64,
                    answer.card_id.0,
                    answer.answer,
                    answer.grade.value(),
                    answer.duration_ms,
                    answer.over_time
                ],
            )
            .map_err(fail)?;
        }
        tx.commit().map_err(fail)
    }

    /// Every saved interview, oldest first.
    pub fn interviews(&self) -> Result<Vec<SavedInterview>, Error> {
        let fail = |e: rusqlite::Error| store_error(&self.path, &e);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, started_at, seed, filter, questions, minutes, rescheduled
                 FROM interview ORDER BY started_at, rowid",
            )
            .map_err(fail)?;
        let mut interviews: Vec<SavedInterview> = stmt
            .query_map([], |row| {
                Ok(SavedInterview {
                    id: row.get(0)?,
                    started_at: DateTime::from_timestamp_millis(row.get(1)?).unwrap_or_default(),
                    seed: row.get::<_, i64>(2)? as u64,
                    filter: row.get(3)?,
                    questions: row.get(4)?,
                    minutes: row.get(5)?,
                    rescheduled: row.get(6)?,
                    answers: Vec::new(),
                })
            })
            .map_err(fail)?
            .collect::<Result<_, _>>()
            .map_err(fail)?;
        let mut answers = self
            .conn
            .prepare(
                "SELECT card_id, answer, grade, duration_ms, over_time FROM interview_answer
                 WHERE interview_id = ?1 ORDER BY position",
            )
            .map_err(fail)?;
        for interview in &mut interviews {
            interview.answers = answers
                .query_map(params![interview.id], |row| {
                    Ok(SavedAnswer {
                        card_id: CardId(row.get(0)?),
                        answer: row.get(1)?,
                        grade: Grade::new(row.get(2)?).unwrap_or(Grade::AGAIN),
                        duration_ms: row.get(3)?,
                        over_time: row.get(4)?,
                    })
                })
                .map_err(fail)?
                .collect::<Result<_, _>>()
                .map_err(fail)?;
        }
        Ok(interviews)
    }
}
