import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { CLOSE_CODES } from '@enlets/protocol';
import { createActor, newSession, type TestActor } from '../helpers/actors.js';
import { createConversation, newClientId, payload } from '../helpers/conversations.js';
import { DIALECTS } from '../helpers/dialects.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { connectWs, settle, wsUrl, type WsClient } from '../helpers/ws.js';

/**
 * Fairness (issue 3): one client flooding frames does not raise the other clients' p99 latency by more than 2×,
 * and the flooder is throttled (RATE_LIMITED) or disconnected (4429), with the gateway's default limits.
 *
 * Ten well-behaved members of one conversation each send a message every 100 ms over their socket; a message's
 * latency is the time from its `send` to its `event` frame on the next member's socket. The same is measured
 * once quietly (baseline) and once while an eleventh member floods sends, pings, typing and garbage as fast as
 * its socket takes them. The flooder runs in a child process, as a remote client would: flooding from this
 * process would slow the server down by the flooder's own CPU, not by what the server does with the flood.
 *
 * A flooded window starts when the flooder is told RATE_LIMITED, that is once it is over its limit, plus the
 * time its admitted burst takes to commit: the 60 frames (20 of them writes) of burst the limiter admits first
 * (docs/protocol.md, "Limits") are allowed to any client and are not a flood. (They do cost: a burst of a dozen sends and read marks queues the others' writes for tens of ms on
 * SQLite.) Quiet and flooded windows take turns (five each), so that load from elsewhere on the machine falls
 * on both alike, and the CPU this process (server and well-behaved clients) uses in each is compared as well:
 * the flood may not double it.
 *
 * What is compared is the median over the rounds of each window's p99. On PostgreSQL on this 2-core machine a
 * send costs about eight sequential round trips, so a hiccup anywhere (a GC pause, a descheduled backend) backs
 * the group commit up for 50-150 ms now and then, in quiet windows as often as in flooded ones (measured: about
 * one window in four of either kind); one such window decides a p99 over all samples, whichever kind it falls in.
 * A flood that slowed the others down would show in every flooded window, so in the median too.
 *
 * Before the rounds, one flood runs unmeasured: the first flood of a process compiles the throttling, dropping
 * and closing paths and costs an extra 50-100 ms once (seen in the first round of every run), which is not
 * what a flood costs.
 *
 * The bound is 2 × max(baseline, FLOOR_MS): on an idle machine the baseline p99 can be a millisecond or two,
 * and twice that is within the scheduling noise of a shared 2-core machine, so the floor keeps the test about
 * the flood rather than about the noise. 10 ms: in a CI run on SQLite the quiet windows alone ranged from 3.5 to
 * 15.0 ms (p99 of ~300 samples is their third-highest), so a median quiet p99 of 5.3 ms set a bound of 10.6 ms
 * that a flooded median of 10.7 ms "failed" while one quiet window was at 15.0 ms. A flood that starves the
 * others shows as tens to hundreds of milliseconds in every flooded window (it did before the throttling).
 */

const CLIENTS = 10;
const INTERVAL_MS = 100;
const WINDOW_MS = 3000;
/** See the flooded window's start: the admitted write burst commits before it is measured. */
const BURST_DRAIN_MS = 250;
const WARM_UP_MS = 1000;
/** Quiet and flooded windows, in turns. */
const ROUNDS = 5;
const FLOOR_MS = 10;
/** The flood is given a little longer than its window; the gateway is expected to close it sooner. */
const FLOOD_MS = WINDOW_MS + 1000;

/** The flooder: a plain `ws` client in its own process. Reports what it got as one JSON line on stdout. */
const FLOODER = `
import WebSocket from 'ws';
import { randomUUID } from 'node:crypto';
const { FLOOD_URL: url, FLOOD_TOKEN: token, FLOOD_CONVERSATION: conversationId, FLOOD_MS } = process.env;
const ws = new WebSocket(url);
const codes = {};
let sent = 0;
let closeCode = null;
let done = false;
const finish = () => {
  if (done) return;
  done = true;
  process.stdout.write(JSON.stringify({ sent, codes, closeCode }) + '\\n');
  ws.terminate();
  process.exit(0);
};
const frames = [
  () => JSON.stringify({ type: 'send', requestId: 's' + sent, conversationId,
    event: { clientMessageId: randomUUID(), kind: 'message', payload: 'Zmxvb2Q=' } }),
  () => JSON.stringify({ type: 'ping', requestId: 'p' + sent }),
  () => JSON.stringify({ type: 'typing', conversationId }),
  () => JSON.stringify({ type: 'read', conversationId, seq: 1 }),
];
// Garbage now and then (ten invalid frames would close the connection with 4400 before the rate limit acts).
const next = () => (sent % 100 === 99 ? '{"type":"garbage' : frames[sent % frames.length]());
ws.on('open', () => ws.send(JSON.stringify({ type: 'auth', token })));
ws.on('error', () => undefined);
ws.on('close', (code) => { closeCode = code; finish(); });
ws.on('message', (data) => {
  const frame = JSON.parse(data.toString());
  if (frame.type === 'error') codes[frame.code] = (codes[frame.code] ?? 0) + 1;
  if (frame.code === 'RATE_LIMITED' && codes.RATE_LIMITED === 1) process.stdout.write('limited\\n');
  if (frame.type !== 'ready') return;
  process.stdout.write('flooding\\n');
  const end = Date.now() + Number(FLOOD_MS);
  const pump = () => {
    if (ws.readyState !== WebSocket.OPEN) return; // the close event reports
    if (Date.now() > end) return finish();
    // As fast as the socket takes them: keep its buffer topped up, yielding now and then so that the writes
    // complete (a loop that never yields piles up their callbacks) and the close can arrive.
    for (let i = 0; i < 500 && ws.bufferedAmount < 256 * 1024; i += 1) {
      ws.send(next());
      sent += 1;
    }
    // A full buffer waits for the socket to drain rather than spinning: the flooder must not eat the CPU the
    // server runs on (this machine has two cores), only flood the server.
    if (ws.bufferedAmount >= 256 * 1024) ws._socket.once('drain', pump);
    else setImmediate(pump);
  };
  pump();
});
`;

interface FloodReport {
  readonly sent: number;
  readonly codes: Readonly<Record<string, number>>;
  readonly closeCode: number | null;
}

/**
 * Starts the flooder; resolves `started` once it is over its rate limit (told RATE_LIMITED) and `report` when
 * it is done.
 */
function startFlooder(
  server: TestServer,
  token: string,
  conversationId: string,
): { started: Promise<void>; report: Promise<FloodReport> } {
  const child = spawn(process.execPath, ['--input-type=module', '-e', FLOODER], {
    cwd: new URL('../..', import.meta.url).pathname,
    env: {
      ...process.env,
      FLOOD_URL: wsUrl(server),
      FLOOD_TOKEN: token,
      FLOOD_CONVERSATION: conversationId,
      FLOOD_MS: String(FLOOD_MS),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // A remote flooder spends its own machine's CPU, not the server's. Here it shares two cores with the server,
  // the database and the ten clients: at the lowest priority it floods on the CPU they leave idle.
  if (child.pid !== undefined) setPriority(child.pid, 19);
  let out = '';
  let signalStart: () => void = () => undefined;
  const started = new Promise<void>((resolve) => {
    signalStart = resolve;
  });
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
    if (out.includes('limited\n')) signalStart();
  });
  const report = new Promise<FloodReport>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code !== 0 || line === undefined) reject(new Error(`flooder exited ${String(code)}: ${out}`));
      else resolve(JSON.parse(line) as FloodReport);
    });
  });
  return { started, report };
}

function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(sorted.length * q) - 1)] ?? NaN;
}
const p99 = (samples: readonly number[]): number => quantile(samples, 0.99);
const p50 = (samples: readonly number[]): number => quantile(samples, 0.5);
const median = p50;

for (const dialect of DIALECTS) {
  describe(`realtime/fairness [${dialect}]`, () => {
    let server: TestServer;
    let members: TestActor[];
    let flooder: TestActor;
    let conversation: string;
    let clients: WsClient[];

    before(async () => {
      server = await startTestServer(dialect);
      members = [];
      for (let i = 0; i < CLIENTS; i += 1) members.push(await createActor(server));
      flooder = await createActor(server);
      conversation = await createConversation(server, {
        members: [...members, flooder].map((m) => ({ id: m.id })),
      });
      clients = [];
      for (const m of members) clients.push(await connectWs(server, { token: await newSession(server, m) }));
    });
    after(async () => {
      for (const c of clients) await c.close();
      await server.close();
    });

    /**
     * Every client sends a message every INTERVAL_MS for `windowMs`; returns the latencies (ms) from each send to
     * its event on the next client's socket, once all arrived.
     */
    const measure = async (phase: string, windowMs: number): Promise<number[]> => {
      const sentAt = new Map<string, { readonly at: number; readonly observer: number }>();
      const latencies: number[] = [];
      const listeners = clients.map((client, index) => {
        const listener = (data: Buffer): void => {
          const text = data.toString('utf8');
          if (!text.startsWith('{"type":"event"')) return;
          const { event } = JSON.parse(text) as { event: { clientMessageId: string | null } };
          const sent = event.clientMessageId === null ? undefined : sentAt.get(event.clientMessageId);
          if (sent?.observer !== index) return;
          latencies.push(performance.now() - sent.at);
        };
        client.ws.on('message', listener);
        return listener;
      });
      const intervals: NodeJS.Timeout[] = [];
      const starts = clients.map((client, index) => {
        let n = 0;
        const tick = (): void => {
          const clientMessageId = newClientId();
          sentAt.set(clientMessageId, { at: performance.now(), observer: (index + 1) % CLIENTS });
          n += 1;
          client.send({
            type: 'send',
            requestId: `${phase}-${String(index)}-${String(n)}`,
            conversationId: conversation,
            event: {
              clientMessageId,
              kind: 'message',
              payload: payload(`${phase} ${String(index)}:${String(n)}`),
            },
          });
        };
        // Each client on its own beat, spread over the interval: ten sends at the same instant would measure
        // how a burst queues, not how the flood slows the others down.
        return setTimeout(
          () => {
            tick();
            intervals.push(setInterval(tick, INTERVAL_MS));
          },
          (index * INTERVAL_MS) / CLIENTS,
        );
      });
      await settle(windowMs);
      for (const t of starts) clearTimeout(t);
      for (const i of intervals) clearInterval(i);
      const deadline = performance.now() + 10_000;
      while (latencies.length < sentAt.size && performance.now() < deadline) await settle(20);
      clients.forEach((client, index) => client.ws.off('message', listeners[index]!));
      assert.equal(latencies.length, sentAt.size, `${phase}: every message arrived`);
      for (const c of clients) {
        assert.equal(c.closeInfo, undefined, `${phase}: a well-behaved client was disconnected`);
        assert.ok(
          !c.frames.some((f) => f['code'] === 'RATE_LIMITED'),
          `${phase}: a well-behaved client was throttled`,
        );
      }
      return latencies;
    };

    it('keeps the p99 latency of the others within 2× while one client floods, and throttles or cuts the flooder', async () => {
      await measure('warm-up', WARM_UP_MS);
      const warmUpFlood = startFlooder(server, await newSession(server, flooder), conversation);
      await warmUpFlood.started;
      await measure('warm-up-flood', WARM_UP_MS);
      await warmUpFlood.report;
      const baseline: number[] = [];
      const flooded: number[] = [];
      const reports: FloodReport[] = [];
      // Quiet and flooded windows take turns, so that load from elsewhere on the machine falls on both alike.
      // CPU of this process (server and the ten clients) per phase: what the flood costs the server.
      const cpu = { baseline: 0, flood: 0 };
      const timed = async (phase: keyof typeof cpu, run: () => Promise<number[]>): Promise<number[]> => {
        const start = process.cpuUsage();
        const samples = await run();
        const used = process.cpuUsage(start);
        cpu[phase] += (used.user + used.system) / 1000;
        return samples;
      };
      const rounds: Array<{ readonly quiet: number; readonly flooded: number }> = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        const quiet = await timed('baseline', () => measure(`baseline-${String(round)}`, WINDOW_MS));
        const flood = startFlooder(server, await newSession(server, flooder), conversation);
        await flood.started;
        // The write burst every client is allowed (20 sends and read marks at once) is told RATE_LIMITED on its
        // 21st write, while those 20 still commit; on PostgreSQL that takes tens of ms. Not a flood: let it drain.
        await settle(BURST_DRAIN_MS);
        const loud = await timed('flood', () => measure(`flood-${String(round)}`, WINDOW_MS));
        reports.push(await flood.report);
        baseline.push(...quiet);
        flooded.push(...loud);
        rounds.push({ quiet: p99(quiet), flooded: p99(loud) });
      }

      // The median over the rounds of each window's p99 (about 300 samples per window); see the top of the file.
      const [before, during] = [median(rounds.map((r) => r.quiet)), median(rounds.map((r) => r.flooded))];
      const bound = 2 * Math.max(before, FLOOR_MS);
      console.log(
        `fairness [${dialect}]: p99 ${before.toFixed(1)} ms quiet, ${during.toFixed(1)} ms under flood ` +
          `(median of the rounds' p99; over all samples ${p99(baseline).toFixed(1)}/${p99(flooded).toFixed(1)} ms; per round quiet/flooded ${rounds.map((r) => `${r.quiet.toFixed(1)}/${r.flooded.toFixed(1)}`).join(', ')} ms; ` +
          `p50 ${p50(baseline).toFixed(1)}/${p50(flooded).toFixed(1)} ms, ` +
          `${String(baseline.length)}/${String(flooded.length)} samples), bound ${bound.toFixed(1)} ms; ` +
          `server process CPU ${cpu.baseline.toFixed(0)} ms quiet, ${cpu.flood.toFixed(0)} ms flooded; flooders: ` +
          reports
            .map(
              (r) =>
                `sent ${String(r.sent)} frames, got ${JSON.stringify(r.codes)}, closed ${String(r.closeCode)}`,
            )
            .join('; '),
      );
      for (const report of reports) {
        assert.ok(
          (report.codes['RATE_LIMITED'] ?? 0) > 0 || report.closeCode === CLOSE_CODES.RATE_LIMITED,
          `the flooder was neither throttled nor disconnected: ${JSON.stringify(report)}`,
        );
      }
      assert.ok(during <= bound, `p99 under flood ${during.toFixed(1)} ms > ${bound.toFixed(1)} ms`);
      // Latency on a shared machine is noisy; CPU is not: the flood may not double what the server process uses
      // (it used about 4× before the gateway stopped reading from flooders, see THROTTLE_MS).
      assert.ok(
        cpu.flood <= 2 * cpu.baseline,
        `the flood cost ${cpu.flood.toFixed(0)} ms of CPU against ${cpu.baseline.toFixed(0)} ms quiet`,
      );
    });
  });
}
