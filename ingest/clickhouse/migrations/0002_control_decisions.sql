-- Migration 0002: the control decisions added in ResponseRecord v2 (limit_hit, budget reserved and
-- settled, key alias). One ALTER per table (18.16 has no ADD COLUMN IF NOT EXISTS; the runner
-- treats "already exists" on a re-run as done). Rows written before read the defaults.

ALTER TABLE switchyard.responses
    ADD COLUMN limit_hit Nullable(String) AFTER body,
    ADD COLUMN budget_reserved_usd Float64 DEFAULT 0 AFTER limit_hit,
    ADD COLUMN budget_settled_usd Float64 DEFAULT 0 AFTER budget_reserved_usd,
    ADD COLUMN key_alias Nullable(String) AFTER budget_settled_usd;

-- A view's columns are fixed when it is created: recreate the final view to show the new ones.
DROP TABLE IF EXISTS switchyard.responses_final;

CREATE VIEW IF NOT EXISTS switchyard.responses_final AS SELECT * FROM switchyard.responses FINAL;
