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
    {105, "auth_refresh_families",
     // What a user sees of a session (GET /auth/sessions): one row a refresh
     // family, written with its first token and touched at each rotation.
     // Revocation stays on the tokens (refresh_tokens.revoked_at_ms). Families
     // from before this migration have no row: they are not listed, and end
     // with logout-all or their expiry.
     "CREATE TABLE refresh_families ("
     " family_id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users (id),"
     " created_at_ms BIGINT NOT NULL, last_used_at_ms BIGINT NOT NULL,"
     " user_agent TEXT NOT NULL, address TEXT NOT NULL);"
     "CREATE INDEX refresh_families_user ON refresh_families (user_id);",
     ""},
    {106, "auth_email_verification",
     // Only the SHA-256 of a verification token is stored; used_at_ms makes
     // it single use. Accounts from before this migration start unverified.
     "ALTER TABLE users ADD COLUMN email_verified_at_ms BIGINT;"
     "CREATE TABLE email_verifications ("
     " token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users (id),"
     " expires_at_ms BIGINT NOT NULL, used_at_ms BIGINT, created_at TEXT NOT NULL);"
     "CREATE INDEX email_verifications_user ON email_verifications (user_id);",
     ""},
    {107, "auth_audit_log",
     // Append-only, each row chained to the one before by its hash
     // (audit_chain.hpp). The triggers stop an UPDATE or DELETE by mistake;
     // one made on purpose (triggers dropped) is what `orderly audit verify`
     // finds.
     "CREATE TABLE audit_log ("
     " seq BIGINT PRIMARY KEY, id TEXT NOT NULL UNIQUE, at TEXT NOT NULL, actor TEXT NOT NULL,"
     " action TEXT NOT NULL, subject TEXT NOT NULL, address TEXT NOT NULL, request_id TEXT NOT NULL,"
     " prev_hash TEXT NOT NULL, hash TEXT NOT NULL);"
     "CREATE INDEX audit_log_actor ON audit_log (actor, seq);"
     "CREATE INDEX audit_log_action ON audit_log (action, seq);"
     "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
     " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;"
     "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
     " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;",
     "CREATE TABLE audit_log ("
     " seq BIGINT PRIMARY KEY, id TEXT NOT NULL UNIQUE, at TEXT NOT NULL, actor TEXT NOT NULL,"
     " action TEXT NOT NULL, subject TEXT NOT NULL, address TEXT NOT NULL, request_id TEXT NOT NULL,"
     " prev_hash TEXT NOT NULL, hash TEXT NOT NULL);"
     "CREATE INDEX audit_log_actor ON audit_log (actor, seq);"
     "CREATE INDEX audit_log_action ON audit_log (action, seq);"
     "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS"
     " $$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;"
     "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log"
     " FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();"},
    {108, "auth_mfa_totp",
     // The TOTP secret is sealed with the key ring (the user id as associated
     // data); last_used_step makes each code work once. Recovery codes and
     // login challenges are stored only as SHA-256. users.mfa_enabled_at_ms
     // is set when a first code confirmed the enrolment.
     "ALTER TABLE users ADD COLUMN mfa_enabled_at_ms BIGINT;"
     "CREATE TABLE mfa_totp ("
     " user_id TEXT PRIMARY KEY REFERENCES users (id), sealed_secret BLOB NOT NULL, nonce BLOB NOT NULL,"
     " confirmed_at_ms BIGINT, last_used_step BIGINT NOT NULL DEFAULT -1, created_at TEXT NOT NULL);"
     "CREATE TABLE mfa_recovery_codes ("
     " code_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users (id), used_at_ms BIGINT,"
     " created_at TEXT NOT NULL);"
     "CREATE INDEX mfa_recovery_codes_user ON mfa_recovery_codes (user_id);"
     "CREATE TABLE mfa_challenges ("
     " challenge_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users (id),"
     " expires_at_ms BIGINT NOT NULL, used_at_ms BIGINT, created_at TEXT NOT NULL);",
     "ALTER TABLE users ADD COLUMN mfa_enabled_at_ms BIGINT;"
     "CREATE TABLE mfa_totp ("
     " user_id TEXT PRIMARY KEY REFERENCES users (id), sealed_secret BYTEA NOT NULL, nonce BYTEA NOT NULL,"
     " confirmed_at_ms BIGINT, last_used_step BIGINT NOT NULL DEFAULT -1, created_at TEXT NOT NULL);"
     "CREATE TABLE mfa_recovery_codes ("
     " code_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users (id), used_at_ms BIGINT,"
     " created_at TEXT NOT NULL);"
     "CREATE INDEX mfa_recovery_codes_user ON mfa_recovery_codes (user_id);"
     "CREATE TABLE mfa_challenges ("
     " challenge_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users (id),"
     " expires_at_ms BIGINT NOT NULL, used_at_ms BIGINT, created_at TEXT NOT NULL);"},
};

}  // namespace

std::span<const store::Migration> auth_migrations() { return kMigrations; }

}  // namespace orderly::auth
