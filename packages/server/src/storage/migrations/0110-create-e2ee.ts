import { sql, type Kysely } from 'kysely';
import { isPostgres } from './engine.js';

/**
 * End-to-end encryption, the server as MLS Delivery Service (docs/decisions/0011-e2ee-design.md): users'
 * identity keys and signed device lists, per-device KeyPackage pools, each conversation's group (suite, epoch,
 * latest GroupInfo), its leaf map (leaf index → user and device), the epoch → seq index of accepted commits, and
 * Welcomes waiting for their device. Everything here is public key material or MLS handshake data; no private
 * key and no message content.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const bytes = isPostgres(db) ? 'bytea' : 'blob';

  await db.schema
    .createTable('e2ee_identities')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id'))
    .addColumn('identity_key', bytes, (c) => c.notNull())
    // The signed device list exactly as uploaded (encodeDeviceList), and its version for the monotonic check.
    .addColumn('device_list', bytes)
    .addColumn('device_list_version', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('e2ee_key_packages')
    // KeyPackageRef (RFC 9420 §5.2), base64url: what a Welcome names the package by.
    .addColumn('ref', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    // The session the package belongs to; it dies with it (claims and listings filter on live sessions).
    .addColumn('device_id', 'text', (c) => c.notNull().references('sessions.id'))
    .addColumn('bytes', bytes, (c) => c.notNull())
    .addColumn('last_resort', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    // Set once when a one-time package is handed out; a claimed package is never handed out again.
    .addColumn('claimed_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('e2ee_key_packages_device_idx')
    .on('e2ee_key_packages')
    .columns(['device_id', 'last_resort', 'claimed_at'])
    .execute();
  // One last-resort package per device.
  await db.schema
    .createIndex('e2ee_key_packages_last_resort_unique')
    .on('e2ee_key_packages')
    .column('device_id')
    .unique()
    .where(sql.ref('last_resort'), '=', 1)
    .execute();

  await db.schema
    .createTable('mls_groups')
    .addColumn('conversation_id', 'text', (c) => c.primaryKey().references('conversations.id'))
    .addColumn('cipher_suite', 'text', (c) => c.notNull())
    // Moved only by compare-and-set (`… SET epoch = e + 1 WHERE epoch = e`): one accepted commit per epoch.
    .addColumn('epoch', 'bigint', (c) => c.notNull())
    .addColumn('group_info', bytes, (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('mls_group_leaves')
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('leaf_index', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('mls_group_leaves_pk', ['conversation_id', 'leaf_index'])
    // A device holds at most one leaf of a group.
    .addUniqueConstraint('mls_group_leaves_device_unique', ['conversation_id', 'device_id'])
    .execute();

  await db.schema
    .createTable('mls_commits')
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    // The epoch the commit was made at (it moved the group to epoch + 1).
    .addColumn('epoch', 'bigint', (c) => c.notNull())
    // Its `mls.commit` event in the conversation's log.
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('mls_commits_pk', ['conversation_id', 'epoch'])
    .execute();

  await db.schema
    .createTable('mls_welcomes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('device_id', 'text', (c) => c.notNull().references('sessions.id'))
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    .addColumn('epoch', 'bigint', (c) => c.notNull())
    .addColumn('bytes', bytes, (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('mls_welcomes_device_idx').on('mls_welcomes').column('device_id').execute();
}
