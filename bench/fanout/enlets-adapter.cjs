'use strict';
// Load-generator adapter for ENLETS Messenger (the peers' bench: ../shared/bench-peers/loadgen/adapters/adapter.d.ts).
// `bench/fanout/run.sh` copies it next to the peers' adapters as `enlets.js`.
//   accounts: prepared by bench/fanout/prepare.ts (users u0..uN-1 with bearer tokens in --tokens-file)
//   rooms:    prepareRooms creates open channels room0..roomR-1 through the API (ids saved to --rooms-file)
//   join:     POST /api/v1/channels/:id/join per room (a real membership, with its system event)
//   send:     a `send` frame over the WebSocket; the body (with the loadgen's markers) is the opaque payload
//   delivery: every `event` frame of kind message, the sender's own included (acks are not counted)
const fs = require('fs');
const WebSocket = require('ws');
const { MARK_RE } = require('../lib');

let tokens;
let rooms;
const tokensOf = (cfg) => (tokens ??= JSON.parse(fs.readFileSync(cfg.tokensFile, 'utf8')));
const roomsOf = (cfg) => (rooms ??= JSON.parse(fs.readFileSync(cfg.roomsFile, 'utf8')));

async function api(cfg, token, method, path, body) {
  const res = await fetch(`${cfg.httpUrl}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 200)}`);
  return text ? JSON.parse(text) : {};
}

module.exports = {
  name: 'enlets',
  describe: 'ENLETS Messenger: WebSocket frames, durable send (ack after commit), opaque base64 payloads',
  defaults(o) {
    const host = o.host || '127.0.0.1';
    const port = o.port || 8080;
    // --ports 18090,18092: clients are spread over several server processes (cluster mode), by index.
    const ports = String(o.ports || port)
      .split(',')
      .map(Number);
    return {
      host,
      port,
      ports,
      httpUrl: `http://${host}:${port}`,
      url: `ws://${host}:${port}/api/v1/ws`,
      tokensFile: o['tokens-file'] || '/tmp/enlets-bench/tokens.json',
      roomsFile: o['rooms-file'] || '/tmp/enlets-bench/rooms.json',
      timeoutMs: Number(o['op-timeout-ms'] || 60000),
    };
  },
  async prepareRooms(cfg, roomIds) {
    const { admin } = tokensOf(cfg);
    const map = {};
    for (const r of roomIds) {
      const created = await api(cfg, admin, 'POST', '/channels', {
        name: `room${r}`,
        tlp: 'GREEN',
        joinMode: 'open',
        listed: true,
        readOnly: false,
        leaveAllowed: true,
        scopeKind: 'adhoc',
      });
      map[r] = created.id ?? created.conversationId;
    }
    fs.writeFileSync(cfg.roomsFile, JSON.stringify(map));
  },
  connect(cfg, idx, onMarkers, onClose) {
    const token = tokensOf(cfg).users[idx];
    const port = cfg.ports[idx % cfg.ports.length];
    const own = { ...cfg, httpUrl: `http://${cfg.host}:${port}` };
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${cfg.host}:${port}/api/v1/ws`, {
        perMessageDeflate: false,
        handshakeTimeout: cfg.timeoutMs,
      });
      let ready = false;
      let n = 0;
      ws.on('error', (e) => {
        if (!ready) reject(e);
      });
      ws.on('close', () => {
        if (ready && onClose) onClose();
      });
      ws.on('open', () => ws.send(JSON.stringify({ type: 'auth', token })));
      ws.on('message', (data) => {
        const s = data.toString();
        if (s.startsWith('{"type":"event"')) {
          const m = /"payload":"([A-Za-z0-9+/=]*)"/.exec(s);
          if (!m) return;
          const body = Buffer.from(m[1], 'base64').toString('latin1');
          MARK_RE.lastIndex = 0;
          const out = [];
          let k;
          while ((k = MARK_RE.exec(body)) !== null) out.push(Number(k[1]), Number(k[2]));
          if (out.length) onMarkers(out);
          return;
        }
        if (!ready && s.startsWith('{"type":"ready"')) {
          ready = true;
          resolve({
            async join(roomIds) {
              const joined = [];
              for (const r of roomIds) {
                try {
                  await api(own, token, 'POST', `/channels/${roomsOf(cfg)[r]}/join`, {});
                  joined.push(r);
                } catch {
                  /* counted as not joined */
                }
              }
              return joined;
            },
            send(r, body) {
              n += 1;
              const id = `${idx}-${n}-${Date.now()}`.padEnd(16, '0');
              ws.send(
                `{"type":"send","requestId":"${id}","conversationId":"${roomsOf(cfg)[r]}","event":{"clientMessageId":"${id}","kind":"message","payload":"${Buffer.from(body, 'latin1').toString('base64')}"}}`,
              );
            },
            close() {
              return new Promise((res) => {
                ws.once('close', res);
                ws.close();
                setTimeout(res, 2000).unref();
              });
            },
          });
        } else if (!ready && s.includes('"type":"error"')) reject(new Error(s));
      });
    });
  },
};
