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
    // v5: activity projections, so that `recall stats` reads one row per study day and one per
    // card instead of scanning the log (any pass over a million reviews costs 0.1 to 1.3 s; a
    // scan at every `stats` took 1.1 s). Like `card_state` they are caches over `review`: kept
    // up to date by the triggers below in the transaction that appends, and recomputed by
    // `Store::rebuild` (whose replay of the log counts the same answers).
    //
    // What counts is what `Store::answers` returns: every review, drill and cram entry that no
    // undo names (whether that undo was itself undone or not). Merged logs arrive in any order,
    // so an answer inserted after an undo of it is not counted, and only the first undo of an
    // answer takes it back.
    //
    // 21 is `store::MATURE_DAYS` (SQL text cannot name the Rust constant; the property tests
    // hold the two together). Should it change, a new migration must redefine the view and
    // the answer trigger, and refill.
    //
    // Triggers rather than Rust at each write: every writer (append, merge, sync, bulk load)
    // then keeps the projections without having to remember them.
    r"
    -- One answer's contribution to the activity figures: whether it passed (grade 3+), and
    -- whether it is a scheduled review testing a young card (interval before it under 21
    -- days) or a mature one. A new card's first review tests nothing and is neither. Answers
    -- are the entries with a grade (the CHECK on `review` ties grades to the three answer
    -- kinds); testing that rather than `kind IN (...)` matters in triggers, where an IN list
    -- builds a temporary table at every insert (bulk loads eight times slower, measured).
    CREATE VIEW answer_activity AS
    SELECT seq, id, card_id, day, grade >= 3 AS passed, duration_ms,
           ifnull(kind = 'review' AND before_interval < 21, 0) AS young,
           ifnull(kind = 'review' AND before_interval >= 21, 0) AS mature
    FROM review
    WHERE grade IS NOT NULL;

    -- One row per study day with an answer (days since 1970-01-01; times in ms).
    CREATE TABLE day_activity (
        day           INTEGER PRIMARY KEY,
        answers       INTEGER NOT NULL,
        passed        INTEGER NOT NULL,
        time_ms       INTEGER NOT NULL,
        young_passed  INTEGER NOT NULL,
        young_total   INTEGER NOT NULL,
        mature_passed INTEGER NOT NULL,
        mature_total  INTEGER NOT NULL
    );

    -- One row per card with a scheduled review that tested it (young or mature).
    CREATE TABLE card_activity (
        card_id TEXT    PRIMARY KEY,
        passed  INTEGER NOT NULL,
        total   INTEGER NOT NULL
    ) WITHOUT ROWID;

    -- An answer counts unless an undo of it arrived first. The view's expressions are spelt
    -- out on NEW: reading the row back through the view doubled the triggers' cost per insert
    -- (4 against 2 µs, which a million-entry bulk load or merge pays a million times).
    CREATE TRIGGER review_activity_answer AFTER INSERT ON review
    WHEN NEW.grade IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM review u WHERE u.undoes = NEW.id)
    BEGIN
        INSERT INTO day_activity (day, answers, passed, time_ms,
                                  young_passed, young_total, mature_passed, mature_total)
        SELECT NEW.day, 1, passed, NEW.duration_ms,
               young * passed, young, mature * passed, mature
        FROM (SELECT NEW.grade >= 3 AS passed,
                     ifnull(NEW.kind = 'review' AND NEW.before_interval < 21, 0) AS young,
                     ifnull(NEW.kind = 'review' AND NEW.before_interval >= 21, 0) AS mature)
        WHERE true
        ON CONFLICT (day) DO UPDATE SET
            answers = answers + excluded.answers,
            passed = passed + excluded.passed,
            time_ms = time_ms + excluded.time_ms,
            young_passed = young_passed + excluded.young_passed,
            young_total = young_total + excluded.young_total,
            mature_passed = mature_passed + excluded.mature_passed,
            mature_total = mature_total + excluded.mature_total;
        INSERT INTO card_activity (card_id, passed, total)
        SELECT NEW.card_id, NEW.grade >= 3, 1
        WHERE NEW.kind = 'review' AND NEW.before_interval IS NOT NULL
        ON CONFLICT (card_id) DO UPDATE SET
            passed = passed + excluded.passed,
            total = total + excluded.total;
    END;

    -- The first undo of an answer takes its contribution back (nothing, if the answer has not
    -- arrived yet: it will not be counted when it does); rows left empty go.
    CREATE TRIGGER review_activity_undo AFTER INSERT ON review
    WHEN NEW.kind = 'undo'
     AND NOT EXISTS (SELECT 1 FROM review u WHERE u.undoes = NEW.undoes AND u.seq <> NEW.seq)
    BEGIN
        INSERT INTO day_activity (day, answers, passed, time_ms,
                                  young_passed, young_total, mature_passed, mature_total)
        SELECT day, -1, -passed, -duration_ms, -young * passed, -young, -mature * passed, -mature
        FROM answer_activity WHERE id = NEW.undoes
        ON CONFLICT (day) DO UPDATE SET
            answers = answers + excluded.answers,
            passed = passed + excluded.passed,
            time_ms = time_ms + excluded.time_ms,
            young_passed = young_passed + excluded.young_passed,
            young_total = young_total + excluded.young_total,
            mature_passed = mature_passed + excluded.mature_passed,
            mature_total = mature_total + excluded.mature_total;
        DELETE FROM day_activity
        WHERE day = (SELECT day FROM answer_activity WHERE id = NEW.undoes) AND answers = 0;
        INSERT INTO card_activity (card_id, passed, total)
        SELECT card_id, -passed, -1
        FROM answer_activity WHERE id = NEW.undoes AND young + mature > 0
        ON CONFLICT (card_id) DO UPDATE SET
            passed = passed + excluded.passed,
            total = total + excluded.total;
        DELETE FROM card_activity
        WHERE card_id = (SELECT card_id FROM answer_activity WHERE id = NEW.undoes) AND total = 0;
    END;

    -- Fill both from the log as it stands, so an upgraded database is right at once.
    INSERT INTO day_activity (day, answers, passed, time_ms,
                              young_passed, young_total, mature_passed, mature_total)
    SELECT day, count(*), sum(passed), sum(duration_ms),
           sum(young * passed), sum(young), sum(mature * passed), sum(mature)
    FROM answer_activity
    WHERE id NOT IN (SELECT undoes FROM review WHERE undoes IS NOT NULL)
    GROUP BY day;
    INSERT INTO card_activity (card_id, passed, total)
    SELECT card_id, sum(passed), count(*)
    FROM answer_activity
    WHERE young + mature > 0 AND id NOT IN (SELECT undoes FROM review WHERE undoes IS NOT NULL)
    -- `+`: scan and sort (0.5 s at a million reviews) rather than walk `review_by_card`, whose
    -- order costs a random table read per row (1.4 s).
    GROUP BY +card_id;
    ",
    // v6: the learner's own FSRS parameters, fitted by `recall optimize`. Kept in the
    // database rather than the config file because they are derived from this log and belong
    // with it: `rebuild` replays with them and a copied database carries them. Append-only
    // like `review` (a later fit adds a row; the newest kept row is in use), so the history
    // of fits, each with its date and figures, stays readable. Rows that were not kept record
    // that a fit was tried and lost to the parameters in use.
    r"
    CREATE TABLE fsrs_parameters (
        id                  TEXT    PRIMARY KEY,
        fitted_at           INTEGER NOT NULL,
        day                 INTEGER NOT NULL,
        parameters          TEXT    NOT NULL,
        reviews             INTEGER NOT NULL,
        default_log_loss    REAL    NOT NULL,
        default_rmse_bins   REAL    NOT NULL,
        optimized_log_loss  REAL    NOT NULL,
        optimized_rmse_bins REAL    NOT NULL,
        kept                INTEGER NOT NULL
    );
    CREATE TRIGGER fsrs_parameters_no_update BEFORE UPDATE ON fsrs_parameters
    BEGIN SELECT RAISE(ABORT, 'the parameter log is append-only'); END;
    CREATE TRIGGER fsrs_parameters_no_delete BEFORE DELETE ON fsrs_parameters
    BEGIN SELECT RAISE(ABORT, 'the parameter log is append-only'); END;
    ",
    // v7: the due count and today's queue from indexes over `card_state` alone. Each due card
    // used to be looked up in `card` to learn whether it is loaded and where it stands in deck
    // order, and the queue read and sorted every due card: 68,000 of each for a learner back
    // after nine months (issue 18). `position` is that place in deck order, NULL when no
    // loaded card has the id (its history outlived its deck); the catalog's rewrite sets it
    // for every row, the trigger for a row inserted later. Both partial indexes hold exactly
    // the cards that can be due and cover every column their queries read (a column tested
    // only by the index's WHERE still has the table row read, so all are listed):
    // `card_state_queue` in due order, for the due count; `card_state_by_interval` by interval
    // then due day and deck order, so that the queue is merged from the head of each
    // interval's run, whose first cards are its most overdue (see `Store::catalog_due`).
    r"
    ALTER TABLE card_state ADD COLUMN position INTEGER;
    UPDATE card_state SET position = c.position FROM card c WHERE c.id = card_state.card_id;
    CREATE INDEX card_state_queue
    ON card_state (due, buried_until, interval, position, suspended, repetitions)
    WHERE position IS NOT NULL AND repetitions IS NOT NULL AND suspended = 0;
    CREATE INDEX card_state_by_interval
    ON card_state (interval, due, position, buried_until, suspended, repetitions)
    WHERE position IS NOT NULL AND repetitions IS NOT NULL AND suspended = 0;
    CREATE TRIGGER card_state_position AFTER INSERT ON card_state
    WHEN NEW.position IS NULL
    BEGIN
        UPDATE card_state SET position = c.position FROM card c
        WHERE c.id = NEW.card_id AND card_state.card_id = NEW.card_id;
    END;
    ",
    // v8: what `stats` reads of every card, in deck order, without the card's text. Read from
    // the table, the 100k cards of a large collection are 38 MB of pages for 7 MB of these
    // columns; the index covers them (see `Store::catalog_facts`).
    r"
    CREATE INDEX card_facts ON card (position, id, file, level, source);
    ",
    // v9: learning and relearning steps (issue 24). A card on a same-day step keeps the step
    // and its due time in its state, so that quitting, a crash or another terminal never
    // loses it: `step` is `index + 1` on the learning steps and `-(index + 1)` on the
    // relearning ones (see `scheduler::steps::Learning::code`), `step_due` the time it is
    // due in ms since the Unix epoch. Like every other column here, a replay of the log
    // recomputes them (each entry's time and grade give the step). The partial index holds
    // only cards on a step, so today's learning cards are a short range, never a scan.
    //
    // The log records the step before and after each entry as well, so that an entry read
    // back is the entry written (a replay recomputes them all the same).
    //
    // FSRS's stability and difficulty are kept as FSRS computes them (`f32`) rather than in
    // thousandths: rounding between same-day reviews drifted several percent from fsrs-rs for
    // short stabilities. `card_state` takes the new unit in place (it is a projection); the
    // log is append-only, so new entries write the REAL columns `*_s`, `*_d` and old ones keep
    // their thousandths, read as `coalesce(before_s, before_stability / 1000.0)`.
    r"
    UPDATE card_state SET stability = stability / 1000.0, difficulty = difficulty / 1000.0
    WHERE stability IS NOT NULL;
    ALTER TABLE review ADD COLUMN before_s REAL;
    ALTER TABLE review ADD COLUMN before_d REAL;
    ALTER TABLE review ADD COLUMN after_s REAL;
    ALTER TABLE review ADD COLUMN after_d REAL;
    ALTER TABLE review ADD COLUMN before_step INTEGER;
    ALTER TABLE review ADD COLUMN before_step_due INTEGER;
    ALTER TABLE review ADD COLUMN after_step INTEGER;
    ALTER TABLE review ADD COLUMN after_step_due INTEGER;
    ALTER TABLE card_state ADD COLUMN step INTEGER;
    ALTER TABLE card_state ADD COLUMN step_due INTEGER;
    CREATE INDEX card_state_step ON card_state (step_due, due, suspended, buried_until, position)
    WHERE step_due IS NOT NULL;
    -- The projection was computed by the old rules (no steps, drills left out of FSRS): the
    -- next open that knows the learner's settings replays the log (`Store::set_algorithm`).
    INSERT OR REPLACE INTO meta (key, value)
    SELECT 'replay_pending', 'schema v9' WHERE EXISTS (SELECT 1 FROM review);
    ",
    // v10: a card of the learner's own deck can override a bundled card (`override = true`),
    // taking its id and history. The catalog keeps which ids each deck file overrides, so a
    // file kept unread is checked against the others as its parse would be. A list per file
    // rather than a flag per card: overrides are few, and `card`/`card_copy` rows stay as wide
    // as they were.
    r"
    ALTER TABLE deck_file ADD COLUMN overrides TEXT NOT NULL DEFAULT '';
    ",
    // v11: how far `recall sync` has read each device's file in a sync folder, so that a sync
    // reads only what was appended since (at a million reviews, reading every file whole took
    // 8 to 21 s and a gigabyte on a sync that found nothing new). `mark` is a hash of the
    // file's length up to `offset` and of the bytes at its two ends, and `lines` the lines
    // before `offset` (a warning names a later line by its number): a file rewritten or cut
    // short no longer matches and is read again from its start (merging is idempotent, so a
    // read too many costs only time). This device's own file has a row too: how much of it
    // this device wrote, so that a sync checks its file without reading it.
    //
    // A table rather than keys in `meta`: one row per device, updated in the same transaction
    // as the entries merged from its file.
    //
    // `review_by_device`: this device's own entries past the last one synced, found without
    // reading the million entries merged from another device (a scan of the log by `seq` took
    // 0.4 s on a device whose log came from elsewhere, and a sync reads them twice).
    r"
    CREATE INDEX review_by_device ON review (device, seq);
    CREATE TABLE sync_file (
        device TEXT    PRIMARY KEY,
        offset INTEGER NOT NULL CHECK (offset >= 0),
        lines  INTEGER NOT NULL CHECK (lines >= 0),
        mark   TEXT    NOT NULL
    ) WITHOUT ROWID;
    ",
    // v12: the log's two CHECKs on `kind` say the same with `=` and `OR` instead of `IN`
    // lists. In a CHECK, `SQLite` builds an IN list of more than two values into a temporary
    // b-tree at every insert (it hoists it out of the row loop only in queries): two per
    // entry. A sync merging a million entries took 10.1 s (7.7 s of user CPU); 7.6 s (5.4 s)
    // without them. The same predicates (`kind` is NOT NULL, so no NULL case differs), so no
    // row can pass one and fail the other: only the table's SQL text changes, which
    // `SQLite`'s documented procedure for a change that leaves the stored rows as they are
    // does in `sqlite_schema` (rebuilding a million-row table with all its indexes, triggers
    // and the view over it would cost an upgrade seconds and restate all of them). The
    // `replace`s match v1's text exactly; `Store::migrate` bumps the schema cookie, so other
    // connections read it again.
    r"
    PRAGMA writable_schema = ON;
    UPDATE sqlite_schema
    SET sql = replace(replace(sql,
        'CHECK (kind IN
                               (''review'', ''drill'', ''cram'', ''undo'', ''skip'', ''suspend'', ''unsuspend''))',
        'CHECK (kind = ''review'' OR kind = ''drill'' OR kind = ''cram'' OR kind = ''undo''
                                  OR kind = ''skip'' OR kind = ''suspend'' OR kind = ''unsuspend'')'),
        'CHECK ((kind IN (''review'', ''drill'', ''cram'')) = (grade IS NOT NULL))',
        'CHECK ((kind = ''review'' OR kind = ''drill'' OR kind = ''cram'') = (grade IS NOT NULL))')
    WHERE type = 'table' AND name = 'review';
    PRAGMA writable_schema = RESET;
    ",
    // v13: the index for this device's own entries holds only them. Every query through
    // `review_by_device` asked for `device = ''` (the entries not yet written to this device's
    // sync file, how many there are, whether an id is one's own), yet it held a key for each
    // entry merged from another device too: its 23-byte name again, beside the row's. A device
    // that merged a million entries from another kept 36 MB of them (11% of its database),
    // built at the merge's end in 0.37 s of the 5.1 s it took and written twice (to the WAL,
    // then by the checkpoint). A partial index on `seq` alone serves the same queries (SQLite
    // uses it when a query's WHERE has `device = ''`, which each of them does).
    r"
    DROP INDEX review_by_device;
    CREATE INDEX review_own ON review (seq) WHERE device = '';
    ",
];

/// The schema version this build writes and understands.
pub fn current_version() -> i64 {
    MIGRATIONS.len() as i64
}
