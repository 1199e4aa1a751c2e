/// The schema, as numbered migrations. Never edit one that has shipped: add the next.
public enum Migrations {
    public struct Migration: Sendable {
        public let version: Int
        public let name: String
        let sql: [String]
    }

    /// The newest version this binary knows.
    public static var latestVersion: Int { all.map(\.version).max() ?? 0 }

    public static let all: [Migration] = [
        Migration(
            version: 1, name: "jobs, workers, fills, checkpoints, events",
            sql: [
                """
                CREATE TABLE jobs (
                    id BIGSERIAL PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    mode TEXT NOT NULL CHECK (mode IN ('backtest', 'paper', 'live')),
                    spec JSONB NOT NULL,
                    labels TEXT[] NOT NULL DEFAULT '{}',
                    desired_state TEXT NOT NULL DEFAULT 'running' CHECK (desired_state IN ('running', 'stopped')),
                    status TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'assigned', 'running', 'completed', 'failed', 'stopped')),
                    epoch BIGINT NOT NULL DEFAULT 0,
                    lease_owner TEXT,
                    lease_expires_at TIMESTAMPTZ,
                    bars_done BIGINT NOT NULL DEFAULT 0,
                    bars_total BIGINT NOT NULL DEFAULT 0,
                    equity DOUBLE PRECISION,
                    last_error TEXT,
                    statistics JSONB,
                    created_by TEXT NOT NULL DEFAULT '',
                    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    started_at TIMESTAMPTZ,
                    finished_at TIMESTAMPTZ
                )
                """,
                "CREATE INDEX jobs_pending ON jobs (id) WHERE status = 'pending' AND desired_state = 'running'",
                "CREATE INDEX jobs_lease_owner ON jobs (lease_owner) WHERE lease_owner IS NOT NULL",
                """
                CREATE TABLE workers (
                    id TEXT PRIMARY KEY,
                    host TEXT NOT NULL,
                    capacity INT NOT NULL,
                    labels TEXT[] NOT NULL DEFAULT '{}',
                    version TEXT NOT NULL DEFAULT '',
                    connected BOOLEAN NOT NULL DEFAULT false,
                    first_seen_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    last_heartbeat_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """,
                """
                CREATE TABLE fills (
                    job_id BIGINT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
                    seq BIGINT NOT NULL,
                    epoch BIGINT NOT NULL,
                    order_id BIGINT NOT NULL,
                    time_ms BIGINT NOT NULL,
                    bar_index BIGINT NOT NULL,
                    side TEXT NOT NULL CHECK (side IN ('BUY', 'SELL')),
                    price DOUBLE PRECISION NOT NULL,
                    quantity DOUBLE PRECISION NOT NULL,
                    fee_base DOUBLE PRECISION NOT NULL,
                    fee_quote DOUBLE PRECISION NOT NULL,
                    liquidity TEXT NOT NULL,
                    tag TEXT NOT NULL DEFAULT '',
                    venue_trade_id TEXT,
                    PRIMARY KEY (job_id, seq)
                )
                """,
                "CREATE UNIQUE INDEX fills_venue_trade_id ON fills (job_id, venue_trade_id) WHERE venue_trade_id IS NOT NULL",
                """
                CREATE TABLE checkpoints (
                    job_id BIGINT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
                    cursor BIGINT NOT NULL,
                    epoch BIGINT NOT NULL,
                    next_fill_seq BIGINT NOT NULL,
                    state BYTEA NOT NULL,
                    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    PRIMARY KEY (job_id, cursor)
                )
                """,
                """
                CREATE TABLE job_events (
                    id BIGSERIAL PRIMARY KEY,
                    job_id BIGINT REFERENCES jobs (id) ON DELETE SET NULL,
                    job_name TEXT NOT NULL DEFAULT '',
                    at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    actor TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    detail TEXT NOT NULL DEFAULT ''
                )
                """,
                "CREATE INDEX job_events_job ON job_events (job_id, id)",
            ]),
        Migration(
            version: 2, name: "coordinator leader row",
            sql: [
                // One row: who leads, under which term, until when (database clock). Every write a
                // leader makes key-share-locks this row and checks its term in the same
                // transaction. `term` is unique, which makes it a key column: a takeover (which
                // changes it) waits for those writes, while a renewal (which changes only
                // `expires_at`) does not.
                """
                CREATE TABLE coordinator_leader (
                    id INT PRIMARY KEY CHECK (id = 1),
                    term BIGINT NOT NULL UNIQUE,
                    holder TEXT NOT NULL,
                    worker_address TEXT NOT NULL,
                    http_url TEXT NOT NULL,
                    elected_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    expires_at TIMESTAMPTZ NOT NULL
                )
                """
            ]),
        Migration(
            version: 3, name: "dashboard: users, sessions, equity curves, worker drain",
            sql: [
                // Dashboard accounts. `password_hash` is PBKDF2-SHA256 with a random salt, in the
                // form `pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>`.
                """
                CREATE TABLE users (
                    name TEXT PRIMARY KEY,
                    password_hash TEXT NOT NULL,
                    created_by TEXT NOT NULL DEFAULT '',
                    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """,
                // Signed-in browsers. Only the SHA-256 of the cookie's token is stored, so a
                // database dump signs nobody in; every coordinator validates every session.
                """
                CREATE TABLE sessions (
                    token_hash BYTEA PRIMARY KEY,
                    user_name TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
                    csrf_token TEXT NOT NULL,
                    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    last_seen_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    expires_at TIMESTAMPTZ NOT NULL
                )
                """,
                "CREATE INDEX sessions_expiry ON sessions (expires_at)",
                // A job's equity and price, sampled at fixed bars (a deterministic replay from a
                // checkpoint writes the same points: inserts are idempotent).
                """
                CREATE TABLE job_curve (
                    job_id BIGINT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
                    bar_index BIGINT NOT NULL,
                    time_ms BIGINT NOT NULL,
                    close DOUBLE PRECISION NOT NULL,
                    equity DOUBLE PRECISION NOT NULL,
                    PRIMARY KEY (job_id, bar_index)
                )
                """,
                // No index on jobs.updated_at, though the dashboard's live feed reads by it: every
                // progress report changes it, and an index would make those updates non-HOT
                // (every index of the row rewritten, hundreds of times a second). The feed's scan
                // reads the table once per half second per coordinator (docs/BENCHMARKS.md).
                // An operator drained this worker: it gets no job until undrained.
                "ALTER TABLE workers ADD COLUMN draining BOOLEAN NOT NULL DEFAULT false",
            ]),
        Migration(
            version: 4, name: "spec revisions: reloads durable and versioned; checkpoint provenance",
            sql: [
                // Each reload is a revision of the job's definition (1 at creation). A revision
                // takes effect at a bar (`effective_bar`, reported by the worker that applied it,
                // under `effective_epoch`); a replay from an older checkpoint applies it at that
                // same bar, so a resumed job trades exactly as the stored fills say it did.
                "ALTER TABLE jobs ADD COLUMN spec_revision BIGINT NOT NULL DEFAULT 1",
                """
                CREATE TABLE job_revisions (
                    job_id BIGINT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
                    revision BIGINT NOT NULL,
                    strategy_config JSONB NOT NULL,
                    created_by TEXT NOT NULL DEFAULT '',
                    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    effective_bar BIGINT,
                    effective_epoch BIGINT,
                    PRIMARY KEY (job_id, revision)
                )
                """,
                """
                INSERT INTO job_revisions (job_id, revision, strategy_config, created_by, created_at)
                SELECT id, 1, coalesce(spec -> 'strategy' -> 'config', '{}'::jsonb), created_by, created_at FROM jobs
                """,
                // What a checkpoint was made under: the definition's revision, the engine that
                // wrote it and the data's content hash. A worker resumes only what it can
                // reproduce bit for bit (empty: written before these were recorded).
                "ALTER TABLE checkpoints ADD COLUMN spec_revision BIGINT NOT NULL DEFAULT 1",
                "ALTER TABLE checkpoints ADD COLUMN engine_version TEXT NOT NULL DEFAULT ''",
                "ALTER TABLE checkpoints ADD COLUMN data_hash TEXT NOT NULL DEFAULT ''",
                "ALTER TABLE fills ADD COLUMN spec_revision BIGINT NOT NULL DEFAULT 1",
            ]),
        Migration(
            version: 5, name: "worker connections: the session an assignment is made for",
            sql: [
                // The coordinator's connection to the worker (one id per connection). A hello
                // sets it in the transaction that reconciles the worker's leases; an assignment
                // locks the row and must find the connection it was decided for, so it is either
                // seen by that reconciliation or refused.
                "ALTER TABLE workers ADD COLUMN session_id TEXT NOT NULL DEFAULT ''"
            ]),
        Migration(
            version: 6, name: "user roles",
            sql: [
                // viewer: reads everything but users; trader: also creates and acts on jobs;
                // admin: also users and workers. Users from before roles: the first one created
                // (start.sh's admin) stays an admin, the others become traders (`ats user list`
                // shows them; `ats user add NAME --role ROLE --replace` changes one).
                """
                ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'viewer'
                    CHECK (role IN ('viewer', 'trader', 'admin'))
                """,
                "UPDATE users SET role = 'trader'",
                """
                UPDATE users SET role = 'admin'
                WHERE name = (SELECT name FROM users ORDER BY created_at, name LIMIT 1)
                """,
            ]),
        Migration(
            version: 7, name: "worker connections in order",
            sql: [
                // Which connection of a worker registered last: (leadership term, connection
                // number). A hello's registration that commits after a newer connection's (its
                // transaction waited behind a stalled database) must not take the worker row back
                // to a connection that is gone; it is refused instead.
                "ALTER TABLE workers ADD COLUMN session_order BIGINT NOT NULL DEFAULT 0"
            ]),
        Migration(
            version: 8, name: "the revision an assignment carried",
            sql: [
                // An assignment carries every revision up to this one in its schedule: only newer
                // ones need a ReloadJob (before, every new job got one for its first revision).
                "ALTER TABLE jobs ADD COLUMN assigned_revision BIGINT NOT NULL DEFAULT 0"
            ]),
        Migration(
            version: 9, name: "venue credentials",
            sql: [
                // A venue's API key and secret, sealed with AES-256-GCM under the coordinator's
                // master key (the name as associated data); only the last 4 characters of the key
                // are kept in the clear, to tell keys apart.
                """
                CREATE TABLE venue_credentials (
                    name TEXT PRIMARY KEY,
                    venue TEXT NOT NULL,
                    key_type TEXT NOT NULL CHECK (key_type IN ('hmac', 'ed25519')),
                    api_key_last4 TEXT NOT NULL,
                    sealed BYTEA NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """
            ]),
        Migration(
            version: 10, name: "order intents and venue trades",
            sql: [
                // A live job's orders, written before they are sent (issue 17): stored only under
                // the job's current epoch and lease; its outcome once known. Kept after the job is
                // deleted, like the audit trail: they are money.
                """
                CREATE TABLE order_intents (
                    client_order_id TEXT PRIMARY KEY,
                    job_id BIGINT NOT NULL,
                    epoch BIGINT NOT NULL,
                    worker TEXT NOT NULL,
                    symbol TEXT NOT NULL,
                    side TEXT NOT NULL,
                    order_type TEXT NOT NULL,
                    time_in_force TEXT NOT NULL,
                    quantity TEXT NOT NULL,
                    price TEXT NOT NULL,
                    decided_at_ms BIGINT NOT NULL,
                    state TEXT NOT NULL DEFAULT 'written'
                        CHECK (state IN ('written', 'accepted', 'rejected', 'not_placed', 'unknown')),
                    venue_order_id BIGINT,
                    code BIGINT,
                    message TEXT,
                    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    resolved_at TIMESTAMPTZ
                )
                """,
                "CREATE INDEX order_intents_job ON order_intents (job_id, state)",
                // Executions as the venue reported them: one row per (venue, symbol, trade id),
                // whoever reported it and however often.
                """
                CREATE TABLE venue_trades (
                    venue TEXT NOT NULL,
                    symbol TEXT NOT NULL,
                    trade_id BIGINT NOT NULL,
                    job_id BIGINT NOT NULL,
                    epoch BIGINT NOT NULL,
                    order_id BIGINT NOT NULL,
                    client_order_id TEXT NOT NULL,
                    side TEXT NOT NULL,
                    price TEXT NOT NULL,
                    quantity TEXT NOT NULL,
                    commission TEXT NOT NULL,
                    commission_asset TEXT NOT NULL,
                    time_ms BIGINT NOT NULL,
                    maker BOOLEAN NOT NULL,
                    recorded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    PRIMARY KEY (venue, symbol, trade_id)
                )
                """,
                "CREATE INDEX venue_trades_job ON venue_trades (job_id, trade_id)",
            ]),
        Migration(
            version: 11, name: "live checkpoints and the reconciling phase",
            sql: [
                // A live job checkpoints before every intent it writes, at the candle it decided
                // on: a later checkpoint at the same cursor (its serial higher, or its epoch)
                // replaces the earlier one. Backtests send serial 0 and keep the first.
                "ALTER TABLE checkpoints ADD COLUMN serial BIGINT NOT NULL DEFAULT 0",
                // What a running job is doing before it trades: 'reconciling' while a resumed live
                // job settles its predecessor's orders and trades with the venue.
                "ALTER TABLE jobs ADD COLUMN phase TEXT NOT NULL DEFAULT ''",
            ]),
        Migration(
            version: 12, name: "the kill switch",
            sql: [
                // A live job the kill switch holds: why (NULL: it does not), and whether its
                // position goes back to its allocation. Only a reduce-only intent is stored for it.
                "ALTER TABLE jobs ADD COLUMN halt_reason TEXT",
                "ALTER TABLE jobs ADD COLUMN halt_flatten BOOLEAN NOT NULL DEFAULT false",
                // The global kill switch: one row while every live job is held (new ones too).
                """
                CREATE TABLE cluster_halt (
                    id INT PRIMARY KEY CHECK (id = 1),
                    reason TEXT NOT NULL,
                    flatten BOOLEAN NOT NULL,
                    at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """,
            ]),
        Migration(
            version: 13, name: "an account's risk budget",
            sql: [
                // One budget for every live job that trades with a credential (its account).
                """
                CREATE TABLE account_limits (
                    credential TEXT PRIMARY KEY,
                    max_gross_exposure DOUBLE PRECISION,
                    max_daily_loss DOUBLE PRECISION,
                    updated_by TEXT NOT NULL,
                    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """,
                // What each live job reported at its last progress, and when.
                "ALTER TABLE jobs ADD COLUMN exposure DOUBLE PRECISION NOT NULL DEFAULT 0",
                "ALTER TABLE jobs ADD COLUMN day_pnl DOUBLE PRECISION NOT NULL DEFAULT 0",
                "ALTER TABLE jobs ADD COLUMN exposure_at TIMESTAMPTZ NOT NULL DEFAULT now()",
                // An intent's worth, and whether it shrinks its job's position.
                "ALTER TABLE order_intents ADD COLUMN notional DOUBLE PRECISION NOT NULL DEFAULT 0",
                "ALTER TABLE order_intents ADD COLUMN reduces BOOLEAN NOT NULL DEFAULT false",
            ]),
        Migration(
            version: 14, name: "a kill carried out",
            sql: [
                // Whether a held job's run has cancelled its orders (and flattened): until then a
                // run that ends any other way (a plain stop, a lost worker) is started again.
                "ALTER TABLE jobs ADD COLUMN halt_done BOOLEAN NOT NULL DEFAULT false"
            ]),
        Migration(
            version: 15, name: "what jobs on a live market saw",
            sql: [
                // Each closed candle once per market, however many jobs traded it (CandlesSeen),
                // in the venue's decimals.
                """
                CREATE TABLE market_candles (
                    endpoint TEXT NOT NULL,
                    symbol TEXT NOT NULL,
                    interval TEXT NOT NULL,
                    open_time_ms BIGINT NOT NULL,
                    open NUMERIC NOT NULL,
                    high NUMERIC NOT NULL,
                    low NUMERIC NOT NULL,
                    close NUMERIC NOT NULL,
                    volume NUMERIC NOT NULL,
                    PRIMARY KEY (endpoint, symbol, interval, open_time_ms)
                )
                """,
                // A job's span of that market: the open time of its bar 0 and of the last candle
                // it traded (a run that starts afresh, with no checkpoint, starts a new span).
                "ALTER TABLE jobs ADD COLUMN market_origin_ms BIGINT",
                "ALTER TABLE jobs ADD COLUMN market_through_ms BIGINT",
                // A live job's venue rules (tick, step, minimum quantity and notional), which a
                // replay of its recording fits orders to as the live run did.
                "ALTER TABLE jobs ADD COLUMN market_rules DOUBLE PRECISION[]",
                // The candle an order was decided on (its open time), for the decision latency.
                "ALTER TABLE order_intents ADD COLUMN candle_open_ms BIGINT NOT NULL DEFAULT 0",
            ]),
        Migration(
            version: 16, name: "recorded candles pruned by age",
            sql: [
                // The retention (ATS_RECORDING_RETENTION_DAYS) deletes candles by open time
                // across every market, a batch at a time.
                "CREATE INDEX market_candles_by_time ON market_candles (open_time_ms)"
            ]),
        Migration(
            version: 17, name: "brackets as order lists",
            sql: [
                // An OCO's stop leg's trigger, and the list both legs were placed in.
                "ALTER TABLE order_intents ADD COLUMN stop_price TEXT NOT NULL DEFAULT ''",
                "ALTER TABLE order_intents ADD COLUMN list_client_order_id TEXT NOT NULL DEFAULT ''",
            ]),
        Migration(
            version: 18, name: "leases renewed per worker",
            sql: [
                // A heartbeat renews its worker's row; a job's lease runs until the later of this
                // and what its assignment granted (JobStore.leaseExpiry), so renewing no longer
                // rewrites every job row the worker runs.
                "ALTER TABLE workers ADD COLUMN lease_expires_at TIMESTAMPTZ"
            ]),
        Migration(
            version: 19, name: "progress beside the job",
            sql: [
                // What a running job reports many times a minute (bars, equity, exposure, the
                // day's P&L) in narrow rows of their own: updated in place (no indexed column
                // changes, room on the page), they no longer rewrite the wide job rows, whose
                // pages then stay all-visible for the list's index-only count.
                """
                CREATE TABLE job_progress (
                    job_id BIGINT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
                    bars_done BIGINT NOT NULL DEFAULT 0,
                    bars_total BIGINT NOT NULL DEFAULT 0,
                    equity DOUBLE PRECISION,
                    exposure DOUBLE PRECISION NOT NULL DEFAULT 0,
                    day_pnl DOUBLE PRECISION NOT NULL DEFAULT 0,
                    exposure_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
                ) WITH (fillfactor = 50)
                """,
                """
                INSERT INTO job_progress (job_id, bars_done, bars_total, equity, exposure, day_pnl, exposure_at, updated_at)
                SELECT id, bars_done, bars_total, equity, exposure, day_pnl, exposure_at, updated_at FROM jobs
                """,
                // The old columns stay (unused from here on): the coordinator leading while the
                // first new one migrates still writes and reads them until it is replaced. A
                // later migration drops them.
                // The live feed looks for jobs changed in the last seconds; job rows change seldom now.
                "CREATE INDEX jobs_updated_at ON jobs (updated_at)",
            ]),
        Migration(
            version: 20, name: "data sets",
            sql: [
                // Bar data registered once (`ats data add`), stored as the catalog under the
                // content hash of its bytes, which workers fetch and check. Every coordinator
                // serves it from here.
                """
                CREATE TABLE datasets (
                    hash TEXT PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    rows BIGINT NOT NULL,
                    first_ms BIGINT NOT NULL,
                    last_ms BIGINT NOT NULL,
                    interval_ms BIGINT NOT NULL,
                    symbol TEXT,
                    bytes BIGINT NOT NULL,
                    source TEXT NOT NULL,
                    format TEXT NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """,
                // The bytes in pieces of ``JobStore/datasetChunkBytes``, stored uncompressed (the
                // columns hardly compress, and a range read then touches only its pieces).
                """
                CREATE TABLE dataset_chunks (
                    hash TEXT NOT NULL REFERENCES datasets (hash) ON DELETE CASCADE,
                    seq INT NOT NULL,
                    bytes BYTEA NOT NULL,
                    PRIMARY KEY (hash, seq)
                )
                """,
                "ALTER TABLE dataset_chunks ALTER COLUMN bytes SET STORAGE EXTERNAL",
                "CREATE INDEX jobs_data_set ON jobs ((spec->'data'->>'hash')) WHERE spec->'data' ? 'hash'",
            ]),
        Migration(
            version: 21, name: "data sets in an object store",
            sql: [
                // The catalog's SHA-256 (what a worker checks a copy from the object store against,
                // told by a coordinator under its MAC), and where and when the leader put it in the
                // object store (`ATS_DATASET_S3_URL`); NULL: not there, workers fetch from a
                // coordinator. A set stored under another URL counts as not there.
                """
                ALTER TABLE datasets ADD COLUMN sha256 TEXT, ADD COLUMN object_store TEXT,
                    ADD COLUMN object_stored_at TIMESTAMPTZ
                """
            ]),
        Migration(
            version: 22, name: "parameter sweeps",
            sql: [
                // A sweep's definition (docs/SWEEPS.md); its chunks are jobs (`jobs.sweep_id`), so
                // they are scheduled, leased, fenced and taken over as jobs are. `state` is what
                // was asked: running, paused or cancelled.
                """
                CREATE TABLE sweeps (
                    id BIGSERIAL PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    spec JSONB NOT NULL,
                    state TEXT NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'paused', 'cancelled')),
                    trials BIGINT NOT NULL,
                    chunks BIGINT NOT NULL,
                    created_by TEXT NOT NULL DEFAULT '',
                    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """,
                "ALTER TABLE jobs ADD COLUMN sweep_id BIGINT REFERENCES sweeps (id)",
                "CREATE INDEX jobs_sweep ON jobs (sweep_id, status) WHERE sweep_id IS NOT NULL",
                // The scheduler's order: every other pending job before a sweep's chunks.
                """
                CREATE INDEX jobs_pending_first ON jobs ((sweep_id IS NOT NULL), id)
                WHERE status = 'pending' AND desired_state = 'running'
                """,
                // The job list shows jobs that are not chunks: its count reads this index alone.
                "CREATE INDEX jobs_listed ON jobs (status, id) WHERE sweep_id IS NULL",
                // A chunk's trials' records (`TrialRecords`), written once, in the transaction that
                // completes the chunk's job under its epoch: a late answer of a stale epoch is refused
                // with the completion, so no trial is counted twice.
                """
                CREATE TABLE sweep_results (
                    sweep_id BIGINT NOT NULL REFERENCES sweeps (id),
                    chunk INT NOT NULL,
                    job_id BIGINT NOT NULL,
                    epoch BIGINT NOT NULL,
                    trials INT NOT NULL,
                    records BYTEA NOT NULL,
                    stored_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    PRIMARY KEY (sweep_id, chunk)
                )
                """,
            ]),
        Migration(
            version: 23, name: "the research ledger",
            sql: [
                // Every trial any sweep ran, per strategy and data (docs/SWEEPS.md "The research
                // ledger"): added in the transaction that stores a chunk's records, so the Deflated
                // Sharpe Ratio can count the trader's whole search, removed sweeps included.
                """
                CREATE TABLE research_ledger (
                    strategy TEXT NOT NULL,
                    data TEXT NOT NULL,
                    sweeps BIGINT NOT NULL DEFAULT 0,
                    trials BIGINT NOT NULL DEFAULT 0,
                    ran BIGINT NOT NULL DEFAULT 0,
                    sharpe_sum DOUBLE PRECISION NOT NULL DEFAULT 0,
                    sharpe_squares DOUBLE PRECISION NOT NULL DEFAULT 0,
                    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    PRIMARY KEY (strategy, data)
                )
                """
            ]),
        Migration(
            version: 24, name: "the engine each sweep chunk ran on",
            sql: [
                // The software version of the worker that completed each chunk: a rolling upgrade
                // in the middle of a sweep would mix engines in one leaderboard, and the report says so.
                "ALTER TABLE sweep_results ADD COLUMN engine TEXT"
            ]),
        Migration(
            version: 25, name: "trained models",
            sql: [
                // Trained ONNX models (issue 20, docs/MODELS.md) by content hash: read and checked
                // when added, fetched by workers by hash. A job's strategy names its model by
                // hash once created (`spec->'strategy'->'config'->>'hash'`).
                """
                CREATE TABLE models (
                    hash TEXT PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    bytes BIGINT NOT NULL,
                    content BYTEA NOT NULL,
                    summary JSONB NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """
            ]),
        Migration(
            version: 26, name: "the series a job's strategy draws",
            sql: [
                // Plot topics (issue 20): each curve point's values of the strategy's series, in
                // the order `job_plots` declares them (NaN where undefined; NULL before this
                // migration or for a strategy that draws none).
                "ALTER TABLE job_curve ADD COLUMN plots DOUBLE PRECISION[]",
                """
                CREATE TABLE job_plots (
                    job_id BIGINT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
                    series JSONB NOT NULL
                )
                """,
            ]),
        Migration(
            version: 27, name: "checkpoints' state compressed by the worker",
            sql: [
                // Workers of this release send a checkpoint's state compressed
                // (CheckpointCompression): its size before, for `ats job checkpoints` (NULL: the
                // state is plain, its size its own). A coordinator of an earlier release would
                // hand such state to workers that cannot read it; it refuses this schema.
                "ALTER TABLE checkpoints ADD COLUMN plain_bytes BIGINT"
            ]),
        Migration(
            version: 28, name: "the jobs table vacuumed after a hundred changes, not a fifth of it",
            sql: [
                // The job list's count reads the `jobs_listed` index alone only where the table's
                // pages are all visible; past about a quarter that are not, PostgreSQL reads the
                // whole table instead (10,000 jobs: 1.5 ms against 9.5 ms of a core, per request).
                // Running jobs leave their rows alone, so the changes that scheduled them could
                // stay short of the default threshold (a fifth of the table) for good, and every
                // list read the table (docs/BENCHMARKS.md, "The list's count and the scheduler's
                // polls"). Vacuuming a table of a few MB whose pages are mostly marked costs
                // milliseconds.
                """
                ALTER TABLE jobs SET (
                    autovacuum_vacuum_threshold = 100, autovacuum_vacuum_scale_factor = 0.01,
                    autovacuum_vacuum_insert_threshold = 100, autovacuum_vacuum_insert_scale_factor = 0.01)
                """
            ]),
        Migration(
            version: 29, name: "what the scheduler asks at every pass, indexed",
            sql: [
                // Each scheduling pass (twice a second and more) asks which active jobs an operator
                // stopped and which have a revision newer than their assignment's: both read every
                // job row without these (10,000 jobs: 6.7 and 2.1 ms a pass; with them 0.02 and
                // 0.1 ms). Both hold only the few active jobs waiting to be acted on.
                """
                CREATE INDEX jobs_stopping ON jobs (id)
                WHERE desired_state = 'stopped' AND status IN ('assigned', 'running')
                """,
                """
                CREATE INDEX jobs_reloading ON jobs (id)
                WHERE spec_revision > assigned_revision AND status IN ('assigned', 'running')
                """,
            ]),
    ]
}
