/**
 * Prepares a database for the fan-out benchmark: a Secretariat admin and N LEA members `u0..uN-1`, each with an
 * open bearer session, written to a tokens file for the load generator's adapter.
 *   DATABASE_URL=sqlite:/tmp/enlets-bench/bench.db node --conditions=source --import tsx bench/fanout/prepare.ts 1000 /tmp/enlets-bench/tokens.json
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadConfig } from '../../packages/server/src/config/config.js';
import { openServices } from '../../packages/server/src/services-factory.js';
import { inTransaction } from '../../packages/server/src/domain/services.js';
import { openSession } from '../../packages/server/src/domain/actions/sessions.js';
import { newId } from '../../packages/server/src/lib/secrets.js';
import { grantRole, insertUser } from '../../packages/server/src/storage/repositories/users.js';
import type { UserId } from '@enlets/protocol';

const count = Number(process.argv[2] ?? 1000);
const out = process.argv[3] ?? '/tmp/enlets-bench/tokens.json';

const handle = await openServices(loadConfig());
const { services } = handle;
const passwordHash = await services.passwords.hash('bench password, not for production');
const origin = { ip: '127.0.0.1', userAgent: 'bench' };

const result = await inTransaction(services, async (trx) => {
  const now = services.clock.now();
  const make = async (name: string, role: 'secretariat_admin' | 'lea_member'): Promise<string> => {
    const id = newId<UserId>();
    await insertUser(trx, {
      id,
      email: `${name}@bench.enlets.test`,
      displayName: name,
      countryCode: 'DE',
      agencyId: null,
      position: 'Bench',
      status: 'active',
      passwordHash,
      now,
    });
    await grantRole(trx, id, { role, scope: '' }, null, now);
    return (await openSession(services, trx, id, 'bearer', origin, 'bench')).token;
  };
  const admin = await make('bench-admin', 'secretariat_admin');
  const users: string[] = [];
  for (let i = 0; i < count; i += 1) users.push(await make(`u${String(i)}`, 'lea_member'));
  return { admin, users };
});
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(result));
await handle.close();
console.log(`prepared ${String(count)} users; tokens in ${out}`);
