import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH, createPublicKey, randomBytes, randomUUID, verify, type ECDH } from 'node:crypto';
import { createRequire } from 'node:module';
import type { SendEventAck, VapidPublicKeyResponse } from '@enlets/protocol';
import { resolveSessionToken } from '../src/domain/queries/sessions.js';
import {
  findPushSubscription,
  type PushSubscriptionRecord,
} from '../src/storage/repositories/push-subscriptions.js';
import { DIALECTS } from './helpers/dialects.js';
import { codeOf } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { createActor, newSession, type TestActor } from './helpers/actors.js';
import { createConversation, newClientId, payload } from './helpers/conversations.js';
import { LoopbackPushService } from './helpers/push-service.js';
import { connectWs, type WsClient } from './helpers/ws.js';

/** `http_ece` (the RFC 8188 reference code, CommonJS, untyped): only what this suite calls. */
const ece = createRequire(import.meta.url)('http_ece') as {
  decrypt(
    body: Buffer,
    params: { readonly version: 'aes128gcm'; readonly privateKey: ECDH; readonly authSecret: Buffer },
  ): Buffer;
};

/** A browser's side of a subscription: its P-256 key pair and auth secret, made here as a browser makes them. */
interface Subscriber {
  readonly token: string;
  readonly path: string;
  readonly ecdh: ECDH;
  readonly auth: Buffer;
}

const GRACE_MS = 1200;

for (const dialect of DIALECTS) {
  describe(`push: Web Push wake-ups [${dialect}]`, () => {
    let server: TestServer;
    let pushService: LoopbackPushService;
    let anna: TestActor;
    let bruno: TestActor;
    let carla: TestActor;
    const sockets: WsClient[] = [];

    before(async () => {
      pushService = new LoopbackPushService();
      await pushService.start();
      server = await startTestServer(dialect, {
        config: { pushGraceMs: GRACE_MS, pushAllowLoopbackHttp: true },
      });
      anna = await createActor(server, { displayName: 'Anna' });
      bruno = await createActor(server, { displayName: 'Bruno' });
      carla = await createActor(server, { displayName: 'Carla' });
    });
    after(async () => {
      for (const ws of sockets) await ws.close();
      await server.close();
      await pushService.stop();
    });

    /** A new device of `actor` subscribed at a fresh endpoint of the loopback push service. */
    const subscribe = async (actor: TestActor): Promise<Subscriber> => {
      const token = await newSession(server, actor);
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16);
      const path = `/push/${randomUUID()}`;
      const res = await server.api.put(
        '/api/v1/me/push-subscription',
        {
          endpoint: `${pushService.origin}${path}`,
          expirationTime: null,
          keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
        },
        { token },
      );
      assert.equal(res.status, 204, JSON.stringify(res.body));
      return { token, path, ecdh, auth };
    };
    const send = async (
      conversationId: string,
      text: string,
      extra: Readonly<Record<string, unknown>> = {},
    ): Promise<number> => {
      const res = await server.api.post<SendEventAck>(
        `/api/v1/conversations/${conversationId}/events`,
        { clientMessageId: newClientId(), kind: 'message', payload: payload(text), ...extra },
        { token: anna.token },
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.seq;
    };
    /** Everything the server had to push for what was sent so far has been pushed (or decided against). */
    const settled = (): Promise<void> => server.built.push.idle();
    /** The stored subscription of the device signed in with `token`. */
    const storedFor = async (token: string): Promise<PushSubscriptionRecord | undefined> => {
      const actor = await resolveSessionToken(server.built.services, token);
      assert.ok(actor !== undefined, 'a live session');
      return findPushSubscription(server.database.db, actor.session.id);
    };
    const group = (...members: TestActor[]): Promise<string> =>
      createConversation(server, { kind: 'group', members: members.map((m) => ({ id: m.id })) });

    it('hands out one VAPID public key and refuses push endpoints the server must not contact', async () => {
      const first = await server.api.get<VapidPublicKeyResponse>('/api/v1/push/vapid-public-key', {
        token: anna.token,
      });
      assert.equal(first.status, 200);
      assert.equal(Buffer.from(first.body.publicKey, 'base64url').length, 65, 'an uncompressed P-256 point');
      const again = await server.api.get<VapidPublicKeyResponse>('/api/v1/push/vapid-public-key', {
        token: bruno.token,
      });
      assert.equal(again.body.publicKey, first.body.publicKey, 'made once, then kept');
      assert.equal((await server.api.get('/api/v1/push/vapid-public-key')).status, 401);

      const keys = {
        p256dh: createECDH('prime256v1').generateKeys().toString('base64url'),
        auth: randomBytes(16).toString('base64url'),
      };
      const refused: ReadonlyArray<readonly [string, string]> = [
        ['http://push.example.com/x', 'not_https'],
        ['http://10.0.0.5/x', 'not_https'],
        ['https://10.0.0.5/x', 'ip_address'],
        ['https://[::1]/x', 'ip_address'],
        ['https://metadata.internal/x', 'local_name'],
        ['https://intranet/x', 'local_name'],
        ['https://push.example.com:8443/x', 'port'],
        ['https://user:pw@push.example.com/x', 'credentials'],
      ];
      for (const [endpoint, reason] of refused) {
        const res = await server.api.put(
          '/api/v1/me/push-subscription',
          { endpoint, keys },
          { token: anna.token },
        );
        assert.equal(res.status, 422, endpoint);
        assert.equal(codeOf(res), 'PUSH_ENDPOINT_NOT_ALLOWED', endpoint);
        assert.deepEqual((res.body as { error: { details: unknown } }).error.details, { reason }, endpoint);
      }
      const badKey = await server.api.put(
        '/api/v1/me/push-subscription',
        { endpoint: 'https://push.example.com/x', keys: { ...keys, p256dh: 'AAAA' } },
        { token: anna.token },
      );
      assert.equal(codeOf(badKey), 'VALIDATION_FAILED');
      const publicService = await server.api.put(
        '/api/v1/me/push-subscription',
        { endpoint: 'https://fcm.googleapis.com/fcm/send/abc', keys },
        { token: anna.token },
      );
      assert.equal(publicService.status, 204, 'https on a public name is what real push services are');
      const removed = await server.api.delete('/api/v1/me/push-subscription', { token: anna.token });
      assert.equal(removed.status, 204);
      assert.equal(await storedFor(anna.token), undefined);
    });

    it('wakes an offline member with one encrypted push that carries no content, signed with our VAPID key', async () => {
      const { publicKey } = (
        await server.api.get<VapidPublicKeyResponse>('/api/v1/push/vapid-public-key', { token: bruno.token })
      ).body;
      const brunoPhone = await subscribe(bruno);
      const annaLaptop = await subscribe(anna);
      const conversationId = await group(anna, bruno);
      const canary = `CANARY-${randomUUID()}`;
      // A burst: one wake-up for all of it.
      await send(conversationId, `first ${canary}`);
      await send(conversationId, `second ${canary}`);
      await send(conversationId, `third ${canary}`);
      await settled();

      const pushes = pushService.to(brunoPhone.path);
      assert.equal(pushes.length, 1, 'three messages within the window: one push');
      assert.equal(
        pushService.to(annaLaptop.path).length,
        0,
        'the sender is never woken by their own message',
      );
      const push = pushes[0];
      assert.ok(push !== undefined);

      // RFC 8030 headers: a lifetime, an urgency, and one topic for every wake-up (so they replace each other).
      assert.ok(Number(push.headers['ttl']) > 0 && Number(push.headers['ttl']) <= 86_400);
      assert.equal(push.headers['urgency'], 'normal');
      assert.equal(push.headers['topic'], 'enlets-wake');
      assert.equal(push.headers['content-encoding'], 'aes128gcm');

      // RFC 8292: `vapid t=<JWT>, k=<our public key>`, the JWT signed ES256 by the key browsers subscribed with.
      const authorization = String(push.headers['authorization']);
      const match = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(authorization);
      assert.ok(match, authorization);
      const [, jwt = '', k] = match;
      assert.equal(k, publicKey);
      const [header = '', claims = '', signature = ''] = jwt.split('.');
      assert.deepEqual(JSON.parse(Buffer.from(header, 'base64url').toString()), { typ: 'JWT', alg: 'ES256' });
      const point = Buffer.from(publicKey, 'base64url');
      const key = createPublicKey({
        key: {
          kty: 'EC',
          crv: 'P-256',
          x: point.subarray(1, 33).toString('base64url'),
          y: point.subarray(33, 65).toString('base64url'),
        },
        format: 'jwk',
      });
      assert.ok(
        verify(
          'sha256',
          Buffer.from(`${header}.${claims}`),
          { key, dsaEncoding: 'ieee-p1363' },
          Buffer.from(signature, 'base64url'),
        ),
        'ES256 signature by the server VAPID key',
      );
      const payloadClaims = JSON.parse(Buffer.from(claims, 'base64url').toString()) as {
        aud: string;
        exp: number;
        sub: string;
      };
      assert.equal(payloadClaims.aud, pushService.origin, 'aud is the push service origin');
      const nowSeconds = Date.now() / 1000;
      assert.ok(payloadClaims.exp > nowSeconds, 'not expired');
      assert.ok(payloadClaims.exp <= nowSeconds + 24 * 3600, 'exp at most 24 h ahead');
      assert.match(payloadClaims.sub, /^(mailto:|https:)/);

      // RFC 8291: only the browser's keys open it, and inside is a wake-up and nothing else.
      const plain = ece.decrypt(push.body, {
        version: 'aes128gcm',
        privateKey: brunoPhone.ecdh,
        authSecret: brunoPhone.auth,
      });
      assert.deepEqual(JSON.parse(plain.toString('utf8')), { v: 1, type: 'wake' });
      const everything = Buffer.concat([
        push.body,
        plain,
        Buffer.from(JSON.stringify(push.headers)),
        Buffer.from(push.path),
      ]).toString('latin1');
      for (const secret of [canary, conversationId, anna.id, 'Anna']) {
        for (const form of [
          secret,
          Buffer.from(secret).toString('base64'),
          Buffer.from(secret).toString('base64url'),
        ]) {
          assert.ok(!everything.includes(form), `the push reveals nothing of ${secret}`);
        }
      }
      assert.ok((await storedFor(brunoPhone.token)) !== undefined, 'a push that was accepted keeps it');
    });

    it('marks a push for a mention as urgent', async () => {
      const phone = await subscribe(bruno);
      const conversationId = await group(anna, bruno);
      await send(conversationId, 'have a look, Bruno', { mentions: [bruno.id] });
      await settled();
      assert.equal(pushService.to(phone.path).length, 1);
      assert.equal(pushService.to(phone.path)[0]?.headers['urgency'], 'high');
    });

    it('does not wake anyone for a muted conversation', async () => {
      const phone = await subscribe(bruno);
      const conversationId = await group(anna, bruno);
      const muted = await server.api.patch(
        `/api/v1/conversations/${conversationId}/me`,
        { muted: true },
        { token: phone.token },
      );
      assert.equal(muted.status, 200, JSON.stringify(muted.body));
      await send(conversationId, 'nobody needs to hear this now');
      await settled();
      assert.equal(pushService.to(phone.path).length, 0, 'muted: no push');

      // Unmuted, the same device is woken again.
      await server.api.patch(
        `/api/v1/conversations/${conversationId}/me`,
        { muted: false },
        { token: phone.token },
      );
      await send(conversationId, 'now it matters');
      await settled();
      assert.equal(pushService.to(phone.path).length, 1);
    });

    it('does not wake a device whose WebSocket is open (it reports the message delivered in time)', async () => {
      const online = await subscribe(carla);
      const offline = await subscribe(bruno);
      const conversationId = await group(anna, bruno, carla);
      const ws = await connectWs(server, { token: online.token });
      sockets.push(ws);
      const seq = await send(conversationId, 'you are here already');
      // As the web client does: the event arrives on the socket, the device stores it and reports it delivered.
      await ws.waitFor((f) => f.type === 'event' && (f['event'] as { seq?: number }).seq === seq);
      ws.send({ type: 'delivered', positions: [{ conversationId, seq }] });
      await ws.request({ type: 'ping' });
      await server.built.gateway.flushDeliveries();
      await settled();
      assert.equal(pushService.to(online.path).length, 0, 'live on the WebSocket: no push');
      assert.equal(pushService.to(offline.path).length, 1, 'the offline member of the same message is woken');
    });

    it('removes a subscription the push service says is gone (410), and one whose session ended', async () => {
      const stale = await subscribe(bruno);
      pushService.answers.set(stale.path, 410);
      const conversationId = await group(anna, bruno);
      await send(conversationId, 'anyone there?');
      await settled();
      assert.equal(pushService.to(stale.path).length, 1);
      assert.equal(await storedFor(stale.token), undefined);
      await send(conversationId, 'still?');
      await settled();
      assert.equal(pushService.to(stale.path).length, 1, 'never tried again');

      const leaving = await subscribe(carla);
      const leavingSession = await resolveSessionToken(server.built.services, leaving.token);
      assert.ok(leavingSession !== undefined);
      assert.ok((await findPushSubscription(server.database.db, leavingSession.session.id)) !== undefined);
      const logout = await server.api.post('/api/v1/auth/logout', undefined, { token: leaving.token });
      assert.equal(logout.status, 204, JSON.stringify(logout.body));
      await settled();
      assert.equal(
        await findPushSubscription(server.database.db, leavingSession.session.id),
        undefined,
        'the subscription ended with its session',
      );
    });
  });
}
