import { sql, type Kysely } from 'kysely';
import { isPostgres } from './engine.js';

/**
 * Passkeys (docs/decisions/0019-passkeys.md): the WebAuthn credentials of each user, and the challenges of
 * ceremonies in progress.
 *
 * - `passkeys`: one row per credential. `credential_id` is the authenticator's id (base64url, unique over the
 *   whole service: a discoverable sign-in looks the credential up by it alone); `public_key` is the COSE key the
 *   signatures are checked with; `counter` is the last signature counter seen, for clone detection;
 *   `clone_suspected_at` is set when a validly signed assertion came with a counter that went backwards, and
 *   the credential is refused from then on.
 * - `passkey_challenges`: the random challenge of every ceremony the server started, stored as its SHA-256
 *   (the challenge itself travels back inside the signed client data). A verification deletes the row in one
 *   statement, so a challenge is used at most once, also by two server processes at the same moment. A
 *   registration challenge belongs to the signed-in user who asked for it; a sign-in challenge to nobody yet.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const bytes = isPostgres(db) ? 'bytea' : 'blob';

  await db.schema
    .createTable('passkeys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('credential_id', 'text', (c) => c.notNull().unique())
    .addColumn('public_key', bytes, (c) => c.notNull())
    .addColumn('counter', 'bigint', (c) => c.notNull())
    // JSON array of the transports the authenticator named (usb, nfc, ble, internal, hybrid, …).
    .addColumn('transports', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    // The authenticator model (all zeros when it does not say, as with attestation "none" on most devices).
    .addColumn('aaguid', 'text', (c) => c.notNull())
    .addColumn('device_type', 'text', (c) =>
      c.notNull().check(sql`device_type in ('singleDevice', 'multiDevice')`),
    )
    .addColumn('backed_up', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addColumn('clone_suspected_at', 'bigint')
    .execute();
  await db.schema.createIndex('passkeys_user_idx').on('passkeys').column('user_id').execute();

  await db.schema
    .createTable('passkey_challenges')
    .addColumn('challenge_hash', 'text', (c) => c.primaryKey())
    .addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose in ('registration', 'sign_in')`))
    .addColumn('user_id', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('passkey_challenges_expiry_idx')
    .on('passkey_challenges')
    .column('expires_at')
    .execute();
}
