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

MIGRATIONS.append(
    # 7: the facts of every case (its timeline, who reported it and who acted), kept for
    # statistics after retention erases content. No foreign keys: the facts outlive the rows
    # they were taken from. Existing cases are back-filled from the event log, the cards and
    # the outbox; a decision before a reopen keeps its time and kind but not its reason code
    # (the log holds only its label), and a case's wait for its reporter before a reopen is
    # measured from the questions and answers in the log.
    """
    CREATE TABLE case_facts (
        case_id INTEGER PRIMARY KEY,
        reported_at REAL NOT NULL,
        category TEXT NOT NULL,
        priority INTEGER NOT NULL,
        first_visible_at REAL
    );
    CREATE INDEX case_facts_reported ON case_facts(reported_at);

    CREATE TABLE case_rounds (
        case_id INTEGER NOT NULL,
        round INTEGER NOT NULL,
        started_at REAL NOT NULL,
        reopened_by INTEGER,
        reopened_by_name TEXT,
        first_action_at REAL,
        first_action TEXT,
        first_action_by INTEGER,
        first_action_by_name TEXT,
        paused_seconds REAL NOT NULL DEFAULT 0,
        decided_at REAL,
        decision TEXT,
        reason_code TEXT,
        decided_by INTEGER,
        decided_by_name TEXT,
        PRIMARY KEY (case_id, round)
    );

    CREATE TABLE case_reporters (
        case_id INTEGER NOT NULL,
        reporter_id INTEGER NOT NULL,
        reporter_name TEXT NOT NULL,
        organization TEXT NOT NULL,
        reported_at REAL NOT NULL,
        PRIMARY KEY (case_id, reporter_id)
    );
    CREATE INDEX case_reporters_reporter ON case_reporters(reporter_id);

    WITH shown(case_id, at) AS (
        SELECT case_id, posted_at FROM cards
        UNION ALL
        SELECT case_id, finished_at FROM outbox
        WHERE kind = 'card' AND state = 'sent' AND case_id IS NOT NULL
        UNION ALL
        SELECT listed.value, outbox.finished_at
        FROM outbox, json_each(outbox.payload, '$.case_ids') AS listed
        WHERE outbox.kind = 'digest' AND outbox.state = 'sent'
    ),
    first_shown AS (SELECT case_id, MIN(at) AS at FROM shown GROUP BY case_id)
    INSERT INTO case_facts (case_id, reported_at, category, priority, first_visible_at)
    SELECT cases.id, cases.created_at, cases.category, cases.priority, first_shown.at
    FROM cases LEFT JOIN first_shown ON first_shown.case_id = cases.id;

    INSERT INTO case_reporters (case_id, reporter_id, reporter_name, organization, reported_at)
    SELECT case_id, reporter_id, reporter_name, organization, created_at FROM reports
    WHERE id IN (
        SELECT MIN(id) FROM reports WHERE case_id IS NOT NULL AND status = 'open'
        GROUP BY case_id, reporter_id
    );

    WITH starts(case_id, event_id, at, actor_id, actor_name) AS (
        SELECT id, 0, created_at, NULL, NULL FROM cases
        UNION ALL
        SELECT case_id, id, at, actor_id, actor_name FROM events WHERE kind = 'reopened'
    ),
    spans AS (
        SELECT starts.*,
            ROW_NUMBER() OVER span - 1 AS round,
            COALESCE(LEAD(event_id) OVER span, 9223372036854775807) AS end_id,
            LEAD(event_id) OVER span IS NULL AS last
        FROM starts WINDOW span AS (PARTITION BY case_id ORDER BY event_id)
    ),
    marks AS (
        SELECT spans.*,
            (SELECT MIN(id) FROM events WHERE events.case_id = spans.case_id
                AND events.id > spans.event_id AND events.id < spans.end_id
                AND events.kind IN
                    ('claimed', 'escalated', 'asked', 'note', 'taken_down', 'dismissed')
            ) AS action_id,
            (SELECT MIN(id) FROM events WHERE events.case_id = spans.case_id
                AND events.id > spans.event_id AND events.id < spans.end_id
                AND events.kind IN ('taken_down', 'dismissed')
            ) AS decision_id,
            (SELECT COALESCE(SUM((
                SELECT MIN(resumed.at) FROM events AS resumed
                WHERE resumed.case_id = asked.case_id AND resumed.id > asked.id
                    AND resumed.kind IN
                        ('answered', 'question_cancelled', 'taken_down', 'dismissed')
                ) - asked.at), 0)
                FROM events AS asked WHERE asked.case_id = spans.case_id
                    AND asked.kind = 'asked'
                    AND asked.id > spans.event_id AND asked.id < spans.end_id
            ) AS paused_in_log
        FROM spans
    )
    INSERT INTO case_rounds (
        case_id, round, started_at, reopened_by, reopened_by_name,
        first_action_at, first_action, first_action_by, first_action_by_name,
        paused_seconds, decided_at, decision, reason_code, decided_by, decided_by_name
    )
    SELECT marks.case_id, marks.round, marks.at, marks.actor_id, marks.actor_name,
        action.at, action.kind, action.actor_id, action.actor_name,
        CASE
            WHEN decision.id IS NULL THEN 0
            WHEN marks.last THEN cases.paused_seconds
            ELSE marks.paused_in_log
        END,
        decision.at, decision.kind,
        CASE WHEN marks.last AND decision.id IS NOT NULL
            AND cases.decision_reason NOT LIKE 'text:%' THEN cases.decision_reason END,
        decision.actor_id, decision.actor_name
    FROM marks JOIN cases ON cases.id = marks.case_id
    LEFT JOIN events AS action ON action.id = marks.action_id
    LEFT JOIN events AS decision ON decision.id = marks.decision_id;
    """
)

MIGRATIONS.append(
    # 8: fair share. The outbox and the inbox take turns between senders (a reporter's flood
    # never goes ahead of another reporter's first report); evidence is copied under its card up
    # to a budget, the rest on demand (which items each chat has); captions keep their
    # formatting; a typed remark waits as the note of the next report; strangers are answered
    # once a day; reports per reporter per hour are counted.
    """
    ALTER TABLE outbox ADD COLUMN fair_key TEXT;
    ALTER TABLE outbox ADD COLUMN turn INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX outbox_order ON outbox(state, priority, turn, id);
    CREATE INDEX outbox_turns ON outbox(fair_key, state, priority, turn);

    ALTER TABLE inbox ADD COLUMN chat_id INTEGER;
    ALTER TABLE inbox ADD COLUMN turn INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX inbox_order ON inbox(processed_at, turn, id);
    CREATE INDEX inbox_turns ON inbox(chat_id, processed_at, turn);

    ALTER TABLE items ADD COLUMN entities TEXT;

    CREATE TABLE evidence_queued (
        chat_id INTEGER NOT NULL,
        case_id INTEGER NOT NULL,
        identity TEXT NOT NULL,
        PRIMARY KEY (chat_id, case_id, identity)
    );

    ALTER TABLE users ADD COLUMN draft_note TEXT;
    ALTER TABLE users ADD COLUMN stranger_answered_at REAL;

    CREATE INDEX reports_reporter_time ON reports(reporter_id, created_at);
    """
)

MIGRATIONS.append(
    # 9: retention. The event log stays append-only except for exactly what retention erases:
    # the text of a decided case's notes, questions, answers, escalation notes and reasons, and
    # only after an `erased` event recorded for that case. Items remember when their content
    # was erased, so cards say so and no evidence is copied from them again.
    """
    ALTER TABLE items ADD COLUMN erased_at REAL;
    DROP TRIGGER events_append_only_update;
    CREATE TRIGGER events_erase_only BEFORE UPDATE ON events
        WHEN NOT (
            NEW.id IS OLD.id AND NEW.case_id IS OLD.case_id AND NEW.at IS OLD.at
            AND NEW.actor_id IS OLD.actor_id AND NEW.actor_name IS OLD.actor_name
            AND NEW.kind IS OLD.kind AND NEW.detail IS NULL
            AND OLD.kind IN ('note', 'asked', 'answered', 'escalated', 'taken_down', 'dismissed')
            AND (SELECT state FROM cases WHERE cases.id = OLD.case_id)
                IN ('taken_down', 'dismissed')
            AND EXISTS (
                SELECT 1 FROM events AS erased
                WHERE erased.case_id = OLD.case_id AND erased.kind = 'erased'
                    AND erased.id > OLD.id
            )
        )
        BEGIN
            SELECT RAISE(ABORT, 'events are append-only (retention erases decided cases'' text)');
        END;
    """
)

MIGRATIONS.append(
    # 10: lookups that stay flat as history grows. Items know their case, so "earlier cases
    # about the same origin" and "this same post" read one index range instead of joining every
    # report of a much-reported channel; a reporter's cases, the queue and the outbox's rows of a
    # case each have an index shaped like their query; the outbox finds each chat's next row
    # without reading the rest; a card remembers what its chat shows, so an edit that would
    # change nothing is not sent.
    """
    ALTER TABLE items ADD COLUMN case_id INTEGER;
    UPDATE items SET case_id = (SELECT case_id FROM reports WHERE reports.id = items.report_id)
        WHERE report_id IS NOT NULL;
    CREATE INDEX items_case ON items(case_id, report_id, message_id);
    CREATE INDEX items_source_case ON items(source, case_id);
    DROP INDEX items_source;
    CREATE INDEX items_identity_case ON items(identity, case_id);
    DROP INDEX items_identity;

    CREATE INDEX reports_reporter_case ON reports(reporter_id, case_id);
    CREATE INDEX cases_undecided ON cases(priority, clock_start, id)
        WHERE state IN ('new', 'escalated', 'waiting');

    CREATE INDEX outbox_case ON outbox(case_id, state, kind, chat_id);
    CREATE INDEX outbox_chat_order ON outbox(state, chat_id, priority, turn, id);

    ALTER TABLE cards ADD COLUMN shown TEXT;
    """
)
