//! The database schema as an ordered, append-only list of migrations. `PRAGMA user_version`
//! holds how many have run. Never edit a released step: add a new one.

/// Migration steps; step `i` takes the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // v1: the review log (the truth) and the card-state projection (a cache over it).
    //
    // Times are integers so a million-row log stays small and fast: `reviewed_at` is ms since
    // the Unix epoch (UTC); `day`, `*_due` are study days as days since 1970-01-01, fixed at
    // review time so a replay gives the same dates whatever the machine's time zone is later.
    // A NULL `*_repetitions` means the card was new.
    r"
    CREATE TABLE review (
        seq                INTEGER PRIMARY KEY,
        id                 TEXT    NOT NULL UNIQUE,
        card_id            TEXT    NOT NULL,
        reviewed_at        INTEGER NOT NULL,
        day                INTEGER NOT NULL,
        kind               TEXT    NOT NULL CHECK (kind IN
                               ('review', 'drill', 'cram', 'undo', 'skip', 'suspend', 'unsuspend')),
        grade              INTEGER CHECK (grade BETWEEN 0 AND 5),
        duration_ms        INTEGER NOT NULL DEFAULT 0 CHECK (duration_ms >= 0),
        undoes             TEXT,
        before_repetitions INTEGER,
        before_easiness    INTEGER,
        before_interval    INTEGER,
        before_due         INTEGER,
        before_lapses      INTEGER,
        before_reviews     INTEGER,
        after_repetitions  INTEGER,
        after_easiness     INTEGER,
        after_interval     INTEGER,
        after_due          INTEGER,
        after_lapses       INTEGER,
        after_reviews      INTEGER,
        CHECK ((kind = 'undo') = (undoes IS NOT NULL)),
        CHECK ((kind IN ('review', 'drill', 'cram')) = (grade IS NOT NULL))
    );
    CREATE INDEX review_by_card ON review (card_id, reviewed_at);
    CREATE INDEX review_by_day ON review (day);

    -- The log is append-only: history is never rewritten, only added to (an undo is a row).
    CREATE TRIGGER review_no_update BEFORE UPDATE ON review
    BEGIN SELECT RAISE(ABORT, 'the review log is append-only'); END;
    CREATE TRIGGER review_no_delete BEFORE DELETE ON review
    BEGIN SELECT RAISE(ABORT, 'the review log is append-only'); END;

    -- One row per card with any history; rebuildable from `review`. NULL SM-2 columns: a new
    -- card (one that was only skipped or suspended, say).
    CREATE TABLE card_state (
        card_id      TEXT    PRIMARY KEY,
        repetitions  INTEGER,
        easiness     INTEGER,
        interval     INTEGER,
        due          INTEGER,
        lapses       INTEGER NOT NULL DEFAULT 0,
        reviews      INTEGER NOT NULL DEFAULT 0,
        suspended    INTEGER NOT NULL DEFAULT 0,
        leech        INTEGER NOT NULL DEFAULT 0,
        buried_until INTEGER
    ) WITHOUT ROWID;
    CREATE INDEX card_state_by_due ON card_state (due);
    ",
    // v2: exam dates, FSRS, multi-device sync and mock interviews.
    //
    // `until_day` records the exam date a review was scheduled against (`review --until`), so
    // that a replay of the log brings due dates forward exactly as the review did.
    //
    // Mock interviews Kept apart from the review log: an interview is a test of the
    // learner, not a review, and changes no schedule unless it is run with --reschedule (which
    // then also writes ordinary review entries).
    r"
    ALTER TABLE review ADD COLUMN until_day INTEGER;
    ALTER TABLE review ADD COLUMN before_last INTEGER;
    ALTER TABLE review ADD COLUMN before_stability INTEGER;
    ALTER TABLE review ADD COLUMN before_difficulty INTEGER;
    ALTER TABLE review ADD COLUMN after_last INTEGER;
    ALTER TABLE review ADD COLUMN after_stability INTEGER;
    ALTER TABLE review ADD COLUMN after_difficulty INTEGER;
    -- Which device wrote an entry ('' = this one) and its place in that device's log, so that
    -- logs merged from several devices replay in the same order everywhere.
    ALTER TABLE review ADD COLUMN device TEXT NOT NULL DEFAULT '';
    ALTER TABLE review ADD COLUMN device_seq INTEGER;
    ALTER TABLE card_state ADD COLUMN last_review INTEGER;
    ALTER TABLE card_state ADD COLUMN stability INTEGER;
    ALTER TABLE card_state ADD COLUMN difficulty INTEGER;

    -- Settings the projection depends on (the scheduler it was computed with) and this
    -- device's identity for `recall sync`.
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

    CREATE TABLE interview (
        id           TEXT    PRIMARY KEY,
        started_at   INTEGER NOT NULL,
        seed         INTEGER NOT NULL,
        filter       TEXT    NOT NULL,
        questions    INTEGER NOT NULL,
        minutes      INTEGER NOT NULL,
        rescheduled  INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE interview_answer (
        interview_id TEXT    NOT NULL REFERENCES interview (id),
        position     INTEGER NOT NULL,
        card_id      TEXT    NOT NULL,
        answer       TEXT    NOT NULL,
        grade        INTEGER NOT NULL CHECK (grade BETWEEN 0 AND 5),
        duration_ms  INTEGER NOT NULL,
        over_time    INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (interview_id, position)
    ) WITHOUT ROWID;
    ",
    // v3: whether an entry was undone becomes an index lookup (streaks and day counts looked
    // it up with scans, which at a million reviews took seconds).
    r"
    CREATE INDEX IF NOT EXISTS review_by_undoes ON review (undoes) WHERE undoes IS NOT NULL;
    ",
    // v4: the card catalog, so that a launch neither parses unchanged deck files nor loads
    // every card: `status` and the start of `review` become indexed queries over `card` and
    // `card_state`. Like `card_state`, the catalog is a cache: rebuilt from the deck files
    // whenever one of them changes (see `deck::Source` for how a change is seen).
    //
    // `deck_file` lists the files the last run loaded, in load order, with what identifies
    // their content, how many cards it gives the library (`cards`) and where its rows are:
    // positions `first .. first + rows`. `card` holds the loaded cards and `card_copy` the
    // identical copies met in later files, both numbered by `position` in load order. `fresh` is 1 while the card has
    // no scheduled state; the triggers keep it in step with `card_state`, so the first new
    // cards in deck order are an index range, not a scan. `card_state_due` covers what the
    // due queries test, so counting due cards reads two indexes and no table.
    r"
    CREATE TABLE deck_file (
        ord          INTEGER PRIMARY KEY,
        name         TEXT    NOT NULL,
        stamp        TEXT    NOT NULL,
        hash         TEXT    NOT NULL,
        deck_id      TEXT    NOT NULL,
        deck_name    TEXT    NOT NULL,
        description  TEXT    NOT NULL,
        line         INTEGER NOT NULL,
        col          INTEGER NOT NULL,
        cards        INTEGER NOT NULL,
        first        INTEGER NOT NULL,
        rows         INTEGER NOT NULL
    );
    CREATE TABLE card (
        position     INTEGER PRIMARY KEY,
        file         INTEGER NOT NULL,
        id           TEXT    NOT NULL UNIQUE,
        deck         TEXT    NOT NULL,
        front        TEXT    NOT NULL,
        back         TEXT    NOT NULL,
        tags         TEXT    NOT NULL,
        level        TEXT,
        source       TEXT,
        line         INTEGER NOT NULL,
        col          INTEGER NOT NULL,
        fresh        INTEGER NOT NULL
    );
    CREATE TABLE card_copy (
        position     INTEGER PRIMARY KEY,
        file         INTEGER NOT NULL,
        id           TEXT    NOT NULL,
        deck         TEXT    NOT NULL,
        front        TEXT    NOT NULL,
        back         TEXT    NOT NULL,
        tags         TEXT    NOT NULL,
        level        TEXT,
        source       TEXT,
        line         INTEGER NOT NULL,
        col          INTEGER NOT NULL
    );
    CREATE INDEX card_fresh ON card (position) WHERE fresh = 1;
    DROP INDEX card_state_by_due;
    CREATE INDEX card_state_due ON card_state (due, suspended, buried_until, repetitions, interval);
    CREATE INDEX card_state_buried ON card_state (buried_until) WHERE buried_until IS NOT NULL;

    -- Each writes only when the flag changes: rewriting a wide `card` row for every
    -- unchanged state would double the cost of a rebuild.
    CREATE TRIGGER card_state_insert AFTER INSERT ON card_state BEGIN
        UPDATE card SET fresh = (NEW.repetitions IS NULL)
        WHERE id = NEW.card_id AND fresh != (NEW.repetitions IS NULL);
    END;
    CREATE TRIGGER card_state_update AFTER UPDATE OF repetitions ON card_state BEGIN
        UPDATE card SET fresh = (NEW.repetitions IS NULL)
        WHERE id = NEW.card_id AND fresh != (NEW.repetitions IS NULL);
    END;
    CREATE TRIGGER card_state_delete AFTER DELETE ON card_state BEGIN
        UPDATE card SET fresh = 1 WHERE id = OLD.card_id AND fresh != 1;
    END;
    ",
];

/// The schema version this build writes and understands.
pub fn current_version() -> i64 {
    MIGRATIONS.len() as i64
}
