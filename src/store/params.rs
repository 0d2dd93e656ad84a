//! The learner's FSRS parameters: each `recall optimize` fit, appended with its date and
//! figures to `fsrs_parameters`; the newest kept one is in use. And the scheduling rules the
//! store's projection is computed with.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::params;

use super::{LogEntry, Store, day_from_number, day_number};
use crate::clock::Horizon;
use crate::error::Error;
use crate::scheduler::{Balance, Parameters, Rules};

/// How well a parameter set predicted recall (see `crate::evaluate`): lower is better.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    pub log_loss: f64,
    pub rmse_bins: f64,
}

/// One `recall optimize` run: the fitted parameters, what they were fitted on and judged by,
/// and whether they were kept (put in use).
#[derive(Debug, Clone, PartialEq)]
pub struct FittedParameters {
    pub fitted_at: DateTime<Utc>,
    /// The study day of the fit.
    pub day: NaiveDate,
    pub parameters: Parameters,
    /// Long-term reviews fitted on.
    pub reviews: usize,
    /// The parameters in use before (FSRS-6's defaults on a first fit), on the same reviews.
    pub default: Fit,
    pub optimized: Fit,
    pub kept: bool,
}

/// Why a replay is pending (`meta.replay_pending`) when fits were held back.
pub const FITS_HELD_BACK: &str = "FSRS parameter fits held back";

impl FittedParameters {
    /// Whether this fit may be put in use: dated by the one rule for dates from elsewhere
    /// ([`Horizon`]: not after tomorrow, not before 1970) and every parameter inside FSRS's
    /// own range. The error says which rule it breaks. A fit from a wrong clock or a crafted
    /// file would otherwise win for good, the newest fit being the one in use.
    pub fn plausible(&self, horizon: &Horizon) -> Result<(), String> {
        if !horizon.admits(self.fitted_at) || !horizon.admits_day(self.day) {
            return Err(format!(
                "dated {} (after {} or before 1970)",
                self.fitted_at.format("%Y-%m-%d"),
                horizon.last_day
            ));
        }
        match self.parameters.out_of_bounds() {
            Some(why) => Err(why),
            None => Ok(()),
        }
    }
}

const COLUMNS: &str = "fitted_at, day, parameters, reviews, default_log_loss, default_rmse_bins,
    optimized_log_loss, optimized_rmse_bins, kept";

impl Store {
    /// Appends a fit to the parameter log. A kept fit is put in use at once: the projection
    /// is replayed with it (FSRS's memory states change with the parameters, under SM-2 too).
    pub fn record_parameters(&mut self, fit: &FittedParameters) -> Result<(), Error> {
        self.insert_fit(fit)?;
        if fit.kept {
            self.parameters = Some(fit.parameters);
            self.rebuild()?;
        }
        Ok(())
    }

    /// Adds fits logged elsewhere (another device's, through `recall sync`), skipping those
    /// already here; when the parameters in use change, replays the projection with the new
    /// ones. Returns how many were added.
    pub fn merge_parameters(&mut self, fits: &[FittedParameters]) -> Result<usize, Error> {
        let mut added = 0;
        for fit in fits {
            added += self.insert_fit(fit)?;
        }
        let in_use = self.fitted_parameters()?.map(|f| f.parameters);
        if in_use != self.parameters {
            self.parameters = in_use;
            self.rebuild()?;
        }
        Ok(added)
    }

    /// Every fit, oldest first.
    pub fn parameter_log(&self) -> Result<Vec<FittedParameters>, Error> {
        Ok(self
            .read_fits("ORDER BY fitted_at, id")?
            .into_iter()
            .map(|(_, fit)| fit)
            .collect())
    }

    /// Inserts a fit unless one with its id (time and parameters) is here; 1 if inserted.
    fn insert_fit(&self, fit: &FittedParameters) -> Result<usize, Error> {
        let id = format!(
            "{}-{}",
            fit.fitted_at.timestamp_millis(),
            blake3::hash(fit.parameters.to_string().as_bytes())
                .to_hex()
                .get(..8)
                .unwrap_or_default()
        );
        self.conn
            .execute(
                &format!("INSERT OR IGNORE INTO fsrs_parameters (id, {COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"),
                params![
                    id,
                    fit.fitted_at.timestamp_millis(),
                    day_number(fit.day),
                    fit.parameters.to_string(),
                    fit.reviews as i64,
                    fit.default.log_loss,
                    fit.default.rmse_bins,
                    fit.optimized.log_loss,
                    fit.optimized.rmse_bins,
                    fit.kept,
                ],
            )
            .map_err(|e| self.err(&e))
    }

    /// The fit in use: the newest *plausible* kept one (see [`FittedParameters::plausible`]),
    /// `None` when FSRS-6's defaults are in use. A fit dated in the year 9999 that a database
    /// took in before such fits were held back is skipped, so a local fit takes over from it.
    pub fn fitted_parameters(&self) -> Result<Option<FittedParameters>, Error> {
        Ok(self
            .read_fits("WHERE kept ORDER BY fitted_at DESC, id DESC")?
            .into_iter()
            .map(|(_, fit)| fit)
            .find(|fit| fit.plausible(&self.horizon).is_ok()))
    }

    /// Kept fits are skipped by [`Store::fitted_parameters`] as implausible (by date or
    /// bounds) in another set than when the projection was last computed: the card states
    /// may follow parameters no longer in use, so the log is replayed at the next
    /// `set_algorithm`, once the steps are set (as after an upgrade). The set is kept in
    /// `meta` (`fits_held_back`), so this happens once, not at every open.
    pub(super) fn replay_if_fits_held_back(&mut self) -> Result<(), Error> {
        let held: Vec<String> = self
            .read_fits("WHERE kept ORDER BY fitted_at, id")?
            .into_iter()
            .filter(|(_, fit)| fit.plausible(&self.horizon).is_err())
            .map(|(id, _)| id)
            .collect();
        let held = held.join(",");
        if self.meta("fits_held_back")?.unwrap_or_default() == held {
            return Ok(());
        }
        self.set_meta("fits_held_back", &held)?;
        self.set_meta("replay_pending", FITS_HELD_BACK)?;
        self.replay_pending = true;
        Ok(())
    }

    /// Why the projection is to be replayed at the next `set_algorithm` (see
    /// [`Store::replay_pending`]): `"schema v9"`, [`FITS_HELD_BACK`]; `None` when it is not.
    pub fn replay_reason(&self) -> Result<Option<String>, Error> {
        self.meta("replay_pending")
    }

    /// Every fit `clauses` select, with its id.
    fn read_fits(&self, clauses: &str) -> Result<Vec<(String, FittedParameters)>, Error> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {COLUMNS}, id FROM fsrs_parameters {clauses}"
            ))
            .map_err(|e| self.err(&e))?;
        let rows = stmt
            .query_map([], |row| {
                let text: String = row.get(2)?;
                let id: String = row.get(9)?;
                Ok((
                    (id, text),
                    FittedParameters {
                        fitted_at: DateTime::from_timestamp_millis(row.get(0)?).unwrap_or_default(),
                        day: day_from_number(row.get(1)?),
                        parameters: Parameters::default(),
                        reviews: row.get::<_, i64>(3)? as usize,
                        default: Fit {
                            log_loss: row.get(4)?,
                            rmse_bins: row.get(5)?,
                        },
                        optimized: Fit {
                            log_loss: row.get(6)?,
                            rmse_bins: row.get(7)?,
                        },
                        kept: row.get(8)?,
                    },
                ))
            })
            .map_err(|e| self.err(&e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.err(&e))?;
        rows.into_iter()
            .map(|((id, text), fit)| {
                let parameters = text.parse().map_err(|message| Error::Store {
                    path: self.path.clone(),
                    message: format!(
                        "holds FSRS parameters recall cannot use ({message}); run `recall optimize` to fit new ones"
                    ),
                })?;
                Ok((id, FittedParameters { parameters, ..fit }))
            })
            .collect()
    }

    /// The ids of every entry an undo takes back (an index lookup), for passes that stream
    /// the log with [`Store::log_for_each`] and must skip them.
    pub fn undone_entries(&self) -> Result<std::collections::HashSet<String>, Error> {
        let mut stmt = self
            .conn
            .prepare("SELECT undoes FROM review WHERE undoes IS NOT NULL")
            .map_err(|e| self.err(&e))?;
        let ids = stmt
            .query_map([], |row| row.get(0))
            .map_err(|e| self.err(&e))?;
        ids.collect::<Result<_, _>>().map_err(|e| self.err(&e))
    }

    /// The learner's FSRS parameters in use; `None`: FSRS-6's defaults.
    pub fn parameters(&self) -> Option<Parameters> {
        self.parameters
    }

    /// The rules answers are scheduled by: the store's algorithm and parameters, and `until`.
    pub fn rules(&self, until: Option<NaiveDate>) -> Rules {
        Rules {
            algorithm: self.algorithm,
            until,
            parameters: self.parameters,
            steps: self.steps,
        }
    }

    /// Sets the learning and relearning steps answers and replays follow (the config's
    /// `learning_steps` and `relearning_steps`).
    pub fn set_steps(&mut self, steps: crate::scheduler::StepRules) {
        self.steps = steps;
    }

    /// `entry` with the due date that appending it now would give it: load balancing and easy
    /// days applied as [`Store::append`] applies them (nothing is written). What the grade
    /// keys show.
    pub fn preview(&self, entry: &LogEntry) -> Result<LogEntry, Error> {
        super::balance::balanced(&self.conn, entry, self.balance).map_err(|e| self.err(&e))
    }

    /// Sets how answers appended from now on choose their due date within the fuzz range
    /// (load balancing, easy days: the config's `load_balance` and `easy_days`). Recorded
    /// due dates make replays independent of it.
    pub fn set_balance(&mut self, balance: Balance) {
        self.balance = balance;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::{Algorithm, CardState};
    use crate::store::{EntryKind, LogEntry};
    use crate::types::{CardId, Grade, ReviewId};

    fn fit(parameters: Parameters, at_ms: i64, kept: bool) -> FittedParameters {
        let fitted_at = DateTime::from_timestamp_millis(at_ms).unwrap();
        FittedParameters {
            fitted_at,
            day: fitted_at.date_naive(),
            parameters,
            reviews: 500,
            default: Fit {
                log_loss: 0.45,
                rmse_bins: 0.06,
            },
            optimized: Fit {
                log_loss: 0.44,
                rmse_bins: 0.04,
            },
            kept,
        }
    }

    /// Bug: the newest kept fit was in use whatever its date, so a fit dated 9999-12-31 (with
    /// parameters of 1e30) taken in from a sync folder stayed in use for good, and a later
    /// local `optimize` that kept its fit changed nothing.
    #[test]
    fn a_stored_fit_with_an_impossible_date_or_range_is_skipped_and_a_local_fit_takes_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("recall.db");
        let now = DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let horizon = Horizon::of(&crate::clock::Clock::fixed(now, 4));
        let mut huge = Parameters::default().0;
        huge[5] = 1e30;
        let huge = Parameters(huge);
        let mut w = Parameters::default().0;
        w[2] = 20.0;
        let slow = Parameters::from_slice(&w).unwrap();
        let year_9999 = DateTime::parse_from_rfc3339("9999-12-31T00:00:00Z")
            .unwrap()
            .timestamp_millis();
        {
            // What an older recall stored from a hostile sync folder, beside an honest fit.
            let store = Store::open_at(&path, horizon).unwrap();
            store
                .insert_fit(&fit(slow, now.timestamp_millis() - 1_000, true))
                .unwrap();
            store
                .insert_fit(&fit(huge, now.timestamp_millis(), true))
                .unwrap();
            store
                .insert_fit(&fit(Parameters::default(), year_9999, true))
                .unwrap();
        }
        let mut store = Store::open_at(&path, horizon).unwrap();
        assert_eq!(
            store.parameters(),
            Some(slow),
            "the newest plausible fit is in use"
        );
        assert!(
            store.replay_pending(),
            "card states computed with a fit no longer in use are replayed"
        );
        store.rebuild().unwrap();
        drop(store);
        let store = Store::open_at(&path, horizon).unwrap();
        assert!(!store.replay_pending(), "once, not at every open");

        // A local fit made now takes over from the one dated 9999.
        let mut store = store;
        let mut w = Parameters::default().0;
        w[2] = 7.0;
        let local = Parameters::from_slice(&w).unwrap();
        store
            .record_parameters(&fit(local, now.timestamp_millis() + 60_000, true))
            .unwrap();
        assert_eq!(store.parameters(), Some(local));
        assert_eq!(
            store.fitted_parameters().unwrap().unwrap().parameters,
            local
        );
    }

    #[test]
    fn a_kept_fit_schedules_fsrs_from_then_on_and_an_unkept_one_changes_nothing() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .set_algorithm(Algorithm::Fsrs {
                desired_retention: 90,
            })
            .unwrap();
        let day: NaiveDate = "2026-01-05".parse().unwrap();
        let card = CardId("c".into());
        let after =
            crate::scheduler::schedule(CardState::New, Grade::GOOD, day, "c", &store.rules(None));
        store
            .append(&LogEntry {
                id: ReviewId("r1".into()),
                card_id: card.clone(),
                reviewed_at: day.and_hms_opt(9, 0, 0).unwrap().and_utc(),
                day,
                kind: EntryKind::Review,
                grade: Some(Grade::GOOD),
                duration_ms: 1000,
                undoes: None,
                until: None,
                before: CardState::New,
                after,
            })
            .unwrap();
        let interval = |store: &Store| {
            store.records().unwrap()[&card]
                .state
                .memory()
                .unwrap()
                .interval
        };
        assert_eq!(
            interval(&store),
            2,
            "FSRS-6's default first interval for Good"
        );
        assert_eq!(store.fitted_parameters().unwrap(), None);

        // A learner whose first Good lasts 20 days.
        let mut w = Parameters::default().0;
        w[2] = 20.0;
        let slow = Parameters::from_slice(&w).unwrap();
        store.record_parameters(&fit(slow, 1_000, false)).unwrap();
        assert_eq!(
            interval(&store),
            2,
            "a fit that was not kept is only logged"
        );
        store.record_parameters(&fit(slow, 2_000, true)).unwrap();
        assert_eq!(store.parameters(), Some(slow));
        assert_eq!(interval(&store), 20);
        let records = store.records().unwrap();
        store.rebuild().unwrap();
        assert_eq!(
            store.records().unwrap(),
            records,
            "rebuild replays with them"
        );
        assert_eq!(store.parameter_log().unwrap().len(), 2);
        assert_eq!(
            store.fitted_parameters().unwrap(),
            Some(fit(slow, 2_000, true))
        );
        // Merging the same fits again (a sync) adds nothing.
        assert_eq!(
            store.merge_parameters(&[fit(slow, 2_000, true)]).unwrap(),
            0
        );
    }
}
