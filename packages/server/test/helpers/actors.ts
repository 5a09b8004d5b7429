import type { Role, UserId } from '@enlets/protocol';
import { openSession } from '../../src/domain/actions/sessions.js';
import { inTransaction } from '../../src/domain/services.js';
import { newId } from '../../src/lib/secrets.js';
import { grantRole, insertUser } from '../../src/storage/repositories/users.js';
import type { TestServer } from './server.js';

export interface TestActor {
  readonly id: UserId;
  readonly email: string;
  readonly password: string;
  /** A bearer token of an open session. */
  readonly token: string;
}

export interface ActorSpec {
  readonly roles?: ReadonlyArray<{ readonly role: Role; readonly scope?: string }>;
  readonly countryCode?: string | null;
  readonly displayName?: string;
  readonly email?: string;
  readonly password?: string;
}

let counter = 0;

/**
 * A factory for suites that need someone signed in with given roles. It writes through the repositories
 * (no HTTP), so suites about one flow do not depend on every other flow; the flows themselves are tested
 * through the API in their own suites.
 */
export async function createActor(server: TestServer, spec: ActorSpec = {}): Promise<TestActor> {
  counter += 1;
  const services = server.built.services;
  const email = spec.email ?? `user${String(counter)}-${newId().slice(0, 8)}@police.example`;
  const password = spec.password ?? `correct horse battery ${String(counter)}`;
  const passwordHash = await services.passwords.hash(password);
  const id = newId<UserId>();
  return inTransaction(services, async (trx) => {
    const now = services.clock.now();
    await insertUser(trx, {
      id,
      email,
      displayName: spec.displayName ?? `Officer ${String(counter)}`,
      countryCode: spec.countryCode === undefined ? 'DE' : spec.countryCode,
      agencyId: null,
      position: 'Analyst',
      status: 'active',
      passwordHash,
      now,
    });
    for (const grant of spec.roles ?? [{ role: 'lea_member' }]) {
      await grantRole(trx, id, { role: grant.role, scope: grant.scope ?? '' }, null, now);
    }
    const session = await openSession(
      services,
      trx,
      id,
      'bearer',
      { ip: '127.0.0.1', userAgent: 'test' },
      'test',
    );
    return { id, email, password, token: session.token };
  });
}

/** Another signed-in session of the same account (a second device, or a fresh login after time passed). */
export async function newSession(server: TestServer, actor: TestActor): Promise<string> {
  const services = server.built.services;
  return inTransaction(services, async (trx) => {
    const session = await openSession(
      services,
      trx,
      actor.id,
      'bearer',
      { ip: '127.0.0.1', userAgent: 'test' },
      'test',
    );
    return session.token;
  });
}
