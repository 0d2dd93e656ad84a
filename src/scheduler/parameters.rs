//! FSRS-6's 21 parameters: the published defaults, or a learner's own as fitted by
//! `recall optimize` from their review log. A value type: parsing, printing and comparing,
//! and the `fsrs` model they make. No clock, no I/O.

use std::cell::RefCell;
use std::fmt;

/// The range FSRS itself keeps each parameter in: the clamps of fsrs-rs 6.6's
/// `clip_parameters` (`parameter_clipper.rs`: stabilities 0.001 to 100 days, difficulty 1 to
/// 10, and so on). Where fsrs-rs narrows a range by its options (w17 and w18 with several
/// relearning steps, w19 with short-term scheduling off) the widest is taken, so every fit
/// the crate can return is inside.
pub const BOUNDS: [(f32, f32); 21] = [
    (0.001, 100.0),
    (0.001, 100.0),
    (0.001, 100.0),
    (0.001, 100.0),
    (1.0, 10.0),
    (0.001, 4.0),
    (0.001, 4.0),
    (0.001, 0.75),
    (0.0, 4.5),
    (0.0, 0.8),
    (0.001, 3.5),
    (0.001, 5.0),
    (0.001, 0.25),
    (0.001, 0.9),
    (0.0, 4.0),
    (0.0, 1.0),
    (1.0, 6.0),
    (0.0, 2.0),
    (0.0, 2.0),
    (0.0, 0.8),
    (0.1, 0.8),
];

/// FSRS-6 parameters (w0..w20; w20 is the forgetting curve's decay).
#[derive(Debug, Clone, Copy)]
pub struct Parameters(pub [f32; 21]);

// Compared bit for bit, so that a stored and a re-read set compare equal exactly when they
// schedule identically (NaN never gets in: `from_slice` refuses it).
impl PartialEq for Parameters {
    fn eq(&self, other: &Parameters) -> bool {
        self.0
            .iter()
            .zip(other.0.iter())
            .all(|(a, b)| a.to_bits() == b.to_bits())
    }
}

impl Eq for Parameters {}

impl Default for Parameters {
    fn default() -> Parameters {
        let mut w = [0.0; 21];
        w.copy_from_slice(&fsrs::DEFAULT_PARAMETERS[..21]);
        Parameters(w)
    }
}

impl Parameters {
    /// 21 finite values FSRS accepts (as `compute_parameters` returns them), or `None`.
    pub fn from_slice(values: &[f32]) -> Option<Parameters> {
        let values: [f32; 21] = values.try_into().ok()?;
        if values.iter().any(|v| !v.is_finite()) {
            return None;
        }
        fsrs::FSRS::new(&values).ok()?;
        Some(Parameters(values))
    }

    /// The first parameter outside FSRS's own range ([`BOUNDS`]), in words: `"w5 = 1e30 is
    /// outside FSRS's range 0.001 to 4"`; `None` when every one is inside. A fit by FSRS is
    /// always inside (the trainer clips each step); one outside came from a damaged or
    /// crafted file, and FSRS would silently clip it to another set than the one shown.
    pub fn out_of_bounds(&self) -> Option<String> {
        self.0
            .iter()
            .zip(BOUNDS)
            .enumerate()
            .find(|(_, (w, (low, high)))| !(low..=high).contains(w))
            .map(|(i, (w, (low, high)))| {
                format!("w{i} = {w:?} is outside FSRS's range {low} to {high}")
            })
    }

    /// The forgetting curve's decay (w20).
    pub fn decay(&self) -> f32 {
        self.0[20]
    }

    /// Runs `f` with the `fsrs` model of these parameters; `None` if FSRS refuses them.
    //
    // The model is built once per thread and parameter set: a replay calls this for every
    // review, and building one checks and clips all 21 values each time.
    pub(crate) fn with_model<T>(&self, f: impl FnOnce(&fsrs::FSRS) -> T) -> Option<T> {
        thread_local! {
            static MODEL: RefCell<Option<(Parameters, fsrs::FSRS)>> = const { RefCell::new(None) };
        }
        MODEL.with(|cell| {
            let mut cell = cell.borrow_mut();
            if cell.as_ref().is_none_or(|(p, _)| p != self) {
                *cell = Some((*self, fsrs::FSRS::new(&self.0).ok()?));
            }
            cell.as_ref().map(|(_, model)| f(model))
        })
    }
}

/// Comma-separated, as stored in the database and printed by `recall optimize --json`.
impl fmt::Display for Parameters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text: Vec<String> = self.0.iter().map(f32::to_string).collect();
        f.write_str(&text.join(","))
    }
}

impl std::str::FromStr for Parameters {
    type Err = String;

    fn from_str(text: &str) -> Result<Parameters, String> {
        let values: Vec<f32> = text
            .split(',')
            .map(|v| v.trim().parse::<f32>())
            .collect::<Result<_, _>>()
            .map_err(|e| format!("not a list of numbers: {e}"))?;
        Parameters::from_slice(&values)
            .ok_or_else(|| format!("not 21 FSRS-6 parameters FSRS accepts: `{text}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_read_back_exactly_what_was_written() {
        let p = Parameters::default();
        assert_eq!(p.to_string().parse::<Parameters>(), Ok(p));
        assert!((p.decay() - fsrs::FSRS6_DEFAULT_DECAY).abs() < 1e-6);
        assert!("1,2,3".parse::<Parameters>().is_err(), "too few");
        assert!(Parameters::from_slice(&[f32::NAN; 21]).is_none());
    }

    #[test]
    fn fsrs_defaults_are_inside_the_bounds_and_a_huge_value_is_named() {
        assert_eq!(Parameters::default().out_of_bounds(), None);
        let mut w = Parameters::default().0;
        w[5] = 1e30;
        assert_eq!(
            Parameters(w).out_of_bounds().as_deref(),
            Some("w5 = 1e30 is outside FSRS's range 0.001 to 4")
        );
    }
}
