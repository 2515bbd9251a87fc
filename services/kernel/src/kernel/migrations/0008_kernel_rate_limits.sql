-- Request budgets shared by a service's processes (kernel.ratelimits, ADR 34). One row per budget and key (a
-- user, a client address), kept as GCRA keeps a token bucket: the instant the bucket is full again. Each
-- granted request pushes that instant on by one interval (1 / rate); a request is refused when it would push
-- it further than `capacity` intervals ahead of now. Instants are the database's clock, the one every process
-- of the service agrees on. UNLOGGED: no WAL for a write per request, and what a crash loses (everyone's
-- budget whole again) is harmless. A full bucket's row says nothing an absent one does not: the retention
-- pruner deletes them.
CREATE UNLOGGED TABLE rate_limit_buckets (
    budget text NOT NULL,
    key text NOT NULL,
    full_at double precision NOT NULL,  -- seconds since the epoch
    PRIMARY KEY (budget, key)
);

-- One call per request, atomic under the row's lock: concurrent requests of one key queue for microseconds,
-- never past each other, so no burst of parallel requests gets more than the budget.
CREATE FUNCTION rate_limit_take(
    p_budget text, p_key text, p_capacity double precision, p_rate double precision,
    OUT refused_for double precision, OUT empty_for double precision
) LANGUAGE plpgsql AS $$
DECLARE
    v_now double precision := extract(epoch FROM clock_timestamp());
    v_step double precision := 1 / p_rate;
    v_horizon double precision := p_capacity * v_step;
    v_full_at double precision;
BEGIN
    INSERT INTO rate_limit_buckets (budget, key, full_at) VALUES (p_budget, p_key, v_now)
        ON CONFLICT DO NOTHING;
    SELECT b.full_at INTO v_full_at FROM rate_limit_buckets AS b
        WHERE b.budget = p_budget AND b.key = p_key FOR UPDATE;
    v_full_at := greatest(v_full_at, v_now) + v_step;
    refused_for := greatest(0, v_full_at - v_now - v_horizon);
    IF refused_for = 0 THEN
        UPDATE rate_limit_buckets AS b SET full_at = v_full_at WHERE b.budget = p_budget AND b.key = p_key;
        empty_for := greatest(0, v_full_at + v_step - v_now - v_horizon);
    ELSE
        empty_for := refused_for;
    END IF;
END $$;
