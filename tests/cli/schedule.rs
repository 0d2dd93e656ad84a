//! `recall schedule`.

use predicates::prelude::*;

use super::Sandbox;

#[test]
fn schedule_json_is_an_array_with_exactly_the_documented_keys() {
    let out = Sandbox::new()
        .recall("2026-01-01T00:00:00Z")
        .args(["schedule", "--grades", "4,4,3,5", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        rows,
        serde_json::json!([
            {"grade": 4, "repetitions": 1, "easiness": 2.5, "interval": 1},
            {"grade": 4, "repetitions": 2, "easiness": 2.5, "interval": 6},
            {"grade": 3, "repetitions": 3, "easiness": 2.36, "interval": 15},
            {"grade": 5, "repetitions": 4, "easiness": 2.46, "interval": 36},
        ])
    );
}

#[test]
fn schedule_prints_a_table_of_the_reference_sequence() {
    Sandbox::new()
        .recall("2026-01-01T00:00:00Z")
        .args(["schedule", "--grades", "5,5,0,4"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "     3      0            0      1.90       1 d",
        ));
}

#[test]
fn a_grade_outside_0_to_5_is_a_usage_error() {
    for bad in ["6", "-1", "x", "4,,4"] {
        Sandbox::new()
            .recall("2026-01-01T00:00:00Z")
            .args(["schedule", "--grades", bad])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--grades"));
    }
}
