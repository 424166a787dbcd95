#include "auth/schema.hpp"

namespace orderly::auth {
namespace {

// Times that logic compares (expiry, retirement) are integer milliseconds
// since the epoch in both dialects; created_at is for people (RFC 3339).
constexpr store::Migration kMigrations[] = {
    {100, "auth_users",
     // email is stored lower-cased, so UNIQUE is case-insensitive. roles is a
     // comma-separated list of known role names ("customer,admin").
     "CREATE TABLE users ("
     " id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
     " password_hash TEXT NOT NULL, roles TEXT NOT NULL DEFAULT 'customer',"
     " created_at TEXT NOT NULL, updated_at TEXT NOT NULL);",
     ""},
    {101, "auth_refresh_tokens",
     // Only the SHA-256 of a refresh token is stored. A family is every token
     // descended from one login; reuse of a spent token revokes the family.
     "CREATE TABLE refresh_tokens ("
     " token_hash TEXT PRIMARY KEY, family_id TEXT NOT NULL, user_id TEXT NOT NULL REFERENCES users (id),"
     " expires_at_ms BIGINT NOT NULL, spent_at_ms BIGINT, revoked_at_ms BIGINT, created_at TEXT NOT NULL);"
     "CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);"
     "CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);",
     ""},
    {102, "auth_signing_keys",
     // The Ed25519 secret key is sealed (XChaCha20-Poly1305) under a key kept
     // outside the database; verify_until_ms is set when a newer key takes
     // over: the last moment a token signed by this one can still be valid.
     "CREATE TABLE signing_keys ("
     " kid TEXT PRIMARY KEY, public_key BLOB NOT NULL, sealed_secret BLOB NOT NULL, nonce BLOB NOT NULL,"
     " created_at_ms BIGINT NOT NULL, verify_until_ms BIGINT);",
     "CREATE TABLE signing_keys ("
     " kid TEXT PRIMARY KEY, public_key BYTEA NOT NULL, sealed_secret BYTEA NOT NULL, nonce BYTEA NOT NULL,"
     " created_at_ms BIGINT NOT NULL, verify_until_ms BIGINT);"},
    {103, "auth_token_version",
     // Raised by a role or password change: an admin route refuses an access
     // token whose ver claim is older (the roles in it may be gone).
     "ALTER TABLE users ADD COLUMN token_version BIGINT NOT NULL DEFAULT 0;", ""},
    {104, "auth_password_resets",
     // Only the SHA-256 of a reset token is stored; used_at_ms makes it single use.
     "CREATE TABLE password_resets ("
     " token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users (id),"
     " expires_at_ms BIGINT NOT NULL, used_at_ms BIGINT, created_at TEXT NOT NULL);"
     "CREATE INDEX password_resets_user ON password_resets (user_id);",
     ""},
};

}  // namespace

std::span<const store::Migration> auth_migrations() { return kMigrations; }

}  // namespace orderly::auth
