import type { Kysely } from 'kysely';

/**
 * Web Push (docs/decisions/0018-web-push.md): at most one push subscription per device (login session), and the
 * server's VAPID key pair. A subscription names the push service URL that reaches one browser profile and the
 * keys its pushes are encrypted to (RFC 8291); a push carries no conversation content, so none of it is secret
 * in the way messages are, but the endpoint is a capability (whoever knows it can wake that browser) and is
 * never logged. The same DDL runs on both engines.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('push_subscriptions')
    // The device is the login session: the subscription dies with it (ADR 0018).
    .addColumn('session_id', 'text', (c) => c.primaryKey().references('sessions.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('endpoint', 'text', (c) => c.notNull())
    /** The browser's P-256 public key (65 bytes, uncompressed), base64url. */
    .addColumn('p256dh', 'text', (c) => c.notNull())
    /** The browser's 16-byte authentication secret, base64url. */
    .addColumn('auth', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('last_success_at', 'bigint')
    .execute();
  // One endpoint reaches one browser profile: the session that registered it last owns it.
  await db.schema
    .createIndex('push_subscriptions_endpoint')
    .on('push_subscriptions')
    .column('endpoint')
    .unique()
    .execute();
  await db.schema.createIndex('push_subscriptions_user').on('push_subscriptions').column('user_id').execute();

  // One row: the key pair every server process of the deployment signs its VAPID tokens with (RFC 8292).
  await db.schema
    .createTable('push_vapid_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    /** Uncompressed P-256 public key, base64url (what browsers take as `applicationServerKey`). */
    .addColumn('public_key', 'text', (c) => c.notNull())
    /** The 32-byte private scalar, base64url. */
    .addColumn('private_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}
