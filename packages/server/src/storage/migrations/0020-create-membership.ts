import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('applications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('country_code', 'text', (c) => c.notNull().references('countries.code'))
    .addColumn('agency_id', 'text', (c) => c.references('agencies.id'))
    .addColumn('agency_name', 'text')
    .addColumn('position', 'text', (c) => c.notNull())
    .addColumn('justification', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('verified_at', 'bigint')
    .addColumn('decided_at', 'bigint')
    .addColumn('decided_by', 'text', (c) => c.references('users.id'))
    .addColumn('decision_reason', 'text')
    .addColumn('user_id', 'text', (c) => c.references('users.id'))
    .execute();
  await db.schema
    .createIndex('applications_country_status_idx')
    .on('applications')
    .columns(['country_code', 'status'])
    .execute();
  await db.schema.createIndex('applications_email_idx').on('applications').column('email').execute();
}
