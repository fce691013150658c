-- People who can sign in, their browser sessions and their API tokens. Secrets are
-- never stored in the clear: passwords as argon2 PHC strings, tokens as SHA-256.
create table users (
    id integer primary key,
    -- Compared without regard to case, so "Ada" and "ada" are one person.
    name text not null unique collate nocase,
    -- argon2id PHC string; null for users known only through a trusted proxy header
    -- or created for API tokens, who cannot sign in with a password.
    password_hash text,
    created_at text not null
);

create table sessions (
    -- SHA-256 (hex) of the cookie value; the cookie itself is never stored.
    token_hash text primary key,
    user_id integer not null references users (id) on delete cascade,
    -- Sent back with every form post of this session. Kept in the clear because pages
    -- must render it; alone it grants nothing.
    csrf_token text not null,
    created_at text not null,
    -- RFC 3339 UTC like every time here, so text comparison orders it correctly.
    expires_at text not null
);

create index sessions_user on sessions (user_id);
create index sessions_expires on sessions (expires_at);

create table api_tokens (
    id integer primary key,
    -- SHA-256 (hex) of the token; the token is shown once when created.
    token_hash text not null unique,
    user_id integer not null references users (id) on delete cascade,
    -- What the token is for, as its creator described it ("digest cron", "laptop").
    label text not null,
    created_at text not null,
    last_used_at text,
    -- Set when the token is withdrawn; the row stays so its label can be shown.
    revoked_at text
);

create index api_tokens_user on api_tokens (user_id);
