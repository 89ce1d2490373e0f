"""Numbered schema migrations; `PRAGMA user_version` records how many have run."""

MIGRATIONS: list[str] = [
    # 1: cases, reports, items, the event log, cards, the outbox and the durable inbox
    """
    CREATE TABLE cases (
        id INTEGER PRIMARY KEY,
        category TEXT NOT NULL,
        priority INTEGER NOT NULL,
        state TEXT NOT NULL,
        state_before TEXT,
        claimed_by INTEGER,
        claimed_by_name TEXT,
        decided_by INTEGER,
        decided_by_name TEXT,
        decision_reason TEXT,
        created_at REAL NOT NULL,
        clock_start REAL NOT NULL,
        first_action_at REAL,
        decided_at REAL
    );
    CREATE INDEX cases_state ON cases(state);

    CREATE TABLE reports (
        id INTEGER PRIMARY KEY,
        case_id INTEGER REFERENCES cases(id),
        reporter_id INTEGER NOT NULL,
        reporter_name TEXT NOT NULL,
        organization TEXT NOT NULL,
        chat_id INTEGER NOT NULL,
        command_message_id INTEGER NOT NULL,
        category TEXT,
        note TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL,
        created_at REAL NOT NULL,
        UNIQUE (chat_id, command_message_id)
    );
    CREATE INDEX reports_case ON reports(case_id);
    CREATE INDEX reports_reporter ON reports(reporter_id);

    CREATE TABLE items (
        id INTEGER PRIMARY KEY,
        chat_id INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        reporter_id INTEGER NOT NULL,
        report_id INTEGER REFERENCES reports(id),
        state TEXT NOT NULL DEFAULT 'draft',
        kind TEXT NOT NULL,
        identity TEXT NOT NULL,
        origin TEXT NOT NULL,
        text TEXT,
        file_id TEXT,
        file_unique_id TEXT,
        media_group_id TEXT,
        received_at REAL NOT NULL,
        UNIQUE (chat_id, message_id)
    );
    CREATE INDEX items_identity ON items(identity);
    CREATE INDEX items_report ON items(report_id);
    CREATE INDEX items_draft ON items(reporter_id, state);

    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases(id),
        at REAL NOT NULL,
        actor_id INTEGER,
        actor_name TEXT,
        kind TEXT NOT NULL,
        detail TEXT
    );
    CREATE INDEX events_case ON events(case_id);
    CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
    CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

    CREATE TABLE cards (
        case_id INTEGER NOT NULL REFERENCES cases(id),
        chat_id INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        live INTEGER NOT NULL DEFAULT 1,
        posted_at REAL NOT NULL,
        PRIMARY KEY (chat_id, message_id)
    );
    CREATE INDEX cards_case ON cards(case_id, chat_id, live);

    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        chat_id INTEGER NOT NULL,
        priority INTEGER NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        case_id INTEGER,
        state TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        not_before REAL NOT NULL DEFAULT 0,
        created_at REAL NOT NULL,
        finished_at REAL,
        result TEXT,
        error TEXT
    );
    CREATE INDEX outbox_pending ON outbox(state, priority, id);

    CREATE TABLE inbox (
        id INTEGER PRIMARY KEY,
        dedup_key TEXT NOT NULL UNIQUE,
        update_id INTEGER NOT NULL,
        payload TEXT NOT NULL,
        received_at REAL NOT NULL,
        processed_at REAL
    );
    CREATE INDEX inbox_pending ON inbox(processed_at, id);

    CREATE TABLE users (
        user_id INTEGER PRIMARY KEY,
        chosen_language TEXT,
        telegram_language TEXT,
        blocked_at REAL
    );

    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
]

MIGRATIONS.append(
    # 2: timers that must survive restarts (draft notices and expiry, reminders, alarms)
    """
    CREATE TABLE timers (
        key TEXT PRIMARY KEY,
        due REAL NOT NULL
    );
    CREATE INDEX timers_due ON timers(due);
    """
)

MIGRATIONS.append(
    # 3: the conversation around a case: reason pickers, prompts, questions, evidence copies
    """
    ALTER TABLE cards ADD COLUMN picker TEXT;
    ALTER TABLE cases ADD COLUMN waiting_since REAL;
    ALTER TABLE cases ADD COLUMN paused_seconds REAL NOT NULL DEFAULT 0;
    CREATE TABLE prompts (
        chat_id INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        case_id INTEGER NOT NULL REFERENCES cases(id),
        kind TEXT NOT NULL,
        moderator_id INTEGER NOT NULL,
        created_at REAL NOT NULL,
        PRIMARY KEY (chat_id, message_id)
    );
    CREATE TABLE questions (
        chat_id INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        case_id INTEGER NOT NULL REFERENCES cases(id),
        created_at REAL NOT NULL,
        PRIMARY KEY (chat_id, message_id)
    );
    CREATE TABLE case_messages (
        chat_id INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        case_id INTEGER NOT NULL REFERENCES cases(id),
        PRIMARY KEY (chat_id, message_id)
    );
    """
)

MIGRATIONS.append(
    # 4: where content came from, for "earlier cases about the same origin"
    """
    ALTER TABLE items ADD COLUMN source TEXT;
    CREATE INDEX items_source ON items(source);
    """
)

MIGRATIONS.append(
    # 5: the names the bot has seen, so mentions of on-duty moderators read as names
    """
    ALTER TABLE users ADD COLUMN name TEXT;
    """
)

MIGRATIONS.append(
    # 6: an update that keeps failing is set aside (kept, listed for the admins), not retried
    # forever and not lost; who has opened a private chat with the bot (alerts can reach them)
    """
    ALTER TABLE inbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE inbox ADD COLUMN set_aside_at REAL;
    ALTER TABLE inbox ADD COLUMN error TEXT;
    ALTER TABLE users ADD COLUMN private_chat_at REAL;
    """
)
