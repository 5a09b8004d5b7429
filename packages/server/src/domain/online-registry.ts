import type { UserId } from '@enlets/protocol';
import type { Logger } from 'pino';
import { newId } from '../lib/secrets.js';
import {
  listOnlineUsers,
  markUserOffline,
  markUserOnline,
  registerServerProcess,
  removeDeadServerProcesses,
  removeServerProcess,
  renewServerProcess,
} from '../storage/repositories/online-users.js';
import type { Services } from './services.js';

/** Missed heartbeats after which a process counts as dead and its users as offline. */
const MISSED_HEARTBEATS = 3;

/** Who is online: the gateway records its users' first and last connections and asks for snapshots. */
export interface OnlineUsers {
  /** The user's first live connection on this process. */
  userConnected(userId: UserId): Promise<void>;
  /** The user's last connection on this process closed; resolves to whether they are still online elsewhere. */
  userDisconnected(userId: UserId): Promise<boolean>;
  /** Of `userIds`, those connected to any live process. */
  onlineAmong(userIds: readonly string[]): Promise<ReadonlySet<UserId>>;
  stop(): Promise<void>;
}

/**
 * A single process (no cluster bus configured): its own connections are the whole truth, and the database is
 * spared a write per connecting user (a login storm on SQLite would queue them behind every message commit).
 */
export class LocalOnlineUsers implements OnlineUsers {
  readonly #isConnectedHere: (userId: string) => boolean;

  constructor(isConnectedHere: (userId: string) => boolean) {
    this.#isConnectedHere = isConnectedHere;
  }

  userConnected(): Promise<void> {
    return Promise.resolve();
  }

  userDisconnected(): Promise<boolean> {
    return Promise.resolve(false);
  }

  onlineAmong(userIds: readonly string[]): Promise<ReadonlySet<UserId>> {
    return Promise.resolve(new Set(userIds.filter((id) => this.#isConnectedHere(id)) as UserId[]));
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Who is online in the whole cluster, kept in the shared database (migration 0190): this process registers
 * itself, renews a heartbeat, and records which users have a live connection here. A presence snapshot asks the
 * database, so a device connecting to any process sees contacts connected to every other one, including processes
 * that started after they connected. A process that dies stops renewing; the next heartbeat of any other
 * process forgets it and reports its users, so that those not connected anywhere else are announced offline.
 */
export class OnlineRegistry implements OnlineUsers {
  readonly processId = newId();
  readonly #services: Services;
  readonly #log: Logger;
  readonly #heartbeatMs: number;
  /** Users with a live connection here: what is re-recorded when this process had been taken for dead. */
  readonly #local = new Set<string>();
  readonly #onUsersOfDeadProcesses: (userIds: readonly UserId[]) => void;
  #registered: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #beat: Promise<void> | undefined;
  #stopped = false;

  constructor(services: Services, onUsersOfDeadProcesses: (userIds: readonly UserId[]) => void) {
    this.#services = services;
    this.#log = services.log.child({ component: 'online-registry' });
    this.#heartbeatMs = services.config.presenceHeartbeatMs;
    this.#onUsersOfDeadProcesses = onUsersOfDeadProcesses;
  }

  /** Registers this process and starts its heartbeat (on the first connection, so idle apps cost nothing). */
  #ensureRegistered(): Promise<void> {
    this.#registered ??= (async () => {
      await registerServerProcess(this.#services.db, this.processId, this.#services.clock.now());
      this.#timer = setInterval(() => {
        this.#beat ??= this.#heartbeat().finally(() => {
          this.#beat = undefined;
        });
      }, this.#heartbeatMs);
      this.#timer.unref();
    })();
    return this.#registered;
  }

  async #heartbeat(): Promise<void> {
    if (this.#stopped) return;
    const { db, clock } = this.#services;
    try {
      const now = clock.now();
      if (!(await renewServerProcess(db, this.processId, now))) {
        // Taken for dead after a long stall: register anew and record this process's users again.
        await registerServerProcess(db, this.processId, now);
        for (const userId of this.#local) await markUserOnline(db, this.processId, userId, now);
      }
      const gone = await removeDeadServerProcesses(db, this.#aliveSince());
      if (gone.length === 0) return;
      const stillOnline = await listOnlineUsers(db, gone, this.#aliveSince());
      const offline = gone.filter((id) => !stillOnline.has(id));
      if (offline.length > 0) this.#onUsersOfDeadProcesses(offline);
    } catch (error) {
      this.#log.warn({ err: error }, 'online registry heartbeat failed');
    }
  }

  #aliveSince(): number {
    return this.#services.clock.now() - this.#heartbeatMs * MISSED_HEARTBEATS;
  }

  /** The user's first live connection on this process. */
  async userConnected(userId: UserId): Promise<void> {
    this.#local.add(userId);
    await this.#ensureRegistered();
    await markUserOnline(this.#services.db, this.processId, userId, this.#services.clock.now());
  }

  /** The user's last connection on this process closed; resolves to whether they are still online elsewhere. */
  async userDisconnected(userId: UserId): Promise<boolean> {
    this.#local.delete(userId);
    await this.#ensureRegistered();
    await markUserOffline(this.#services.db, this.processId, userId);
    return (await listOnlineUsers(this.#services.db, [userId], this.#aliveSince())).has(userId);
  }

  /** Of `userIds`, those connected to any live process of the cluster. */
  onlineAmong(userIds: readonly string[]): Promise<ReadonlySet<UserId>> {
    return listOnlineUsers(this.#services.db, userIds, this.#aliveSince());
  }

  /** A clean stop: this process's entries go (its clients reconnect to another process). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#beat;
    if (this.#registered === undefined) return;
    try {
      await this.#registered;
      await removeServerProcess(this.#services.db, this.processId);
    } catch (error) {
      this.#log.warn({ err: error }, 'online registry: removing this process failed');
    }
  }
}
