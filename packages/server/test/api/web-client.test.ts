import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { DIALECTS } from '../helpers/dialects.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** A stand-in for `packages/web/dist`: the server only needs the shape of a Vite build. */
function fakeBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'enlets-web-dist-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><script type="module" src="/assets/index-abc123.js"></script>',
  );
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'export {};\n');
  // The build's compressed copies (packages/web/vite.config.ts); their content differs on purpose, so a test can
  // tell which file was sent.
  writeFileSync(join(dir, 'assets', 'index-abc123.js.br'), brotliCompressSync('export {}; // br\n'));
  writeFileSync(join(dir, 'assets', 'index-abc123.js.gz'), gzipSync('export {}; // gz\n'));
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  return dir;
}

for (const dialect of DIALECTS) {
  describe(`http/web-client [${dialect}]`, () => {
    describe('with a built client', () => {
      let server: TestServer;
      let dir: string;
      before(async () => {
        dir = fakeBuild();
        server = await startTestServer(dialect, { config: { webDir: dir } });
      });
      after(async () => {
        await server.close();
        rmSync(dir, { recursive: true, force: true });
      });

      it('serves index.html at / and at client routes, revalidated, under the strict web CSP', async () => {
        for (const path of ['/', '/conversations/abc', '/index.html']) {
          const res = await fetch(`${server.url}${path}`);
          assert.equal(res.status, 200, path);
          assert.match(await res.text(), /index-abc123\.js/);
          assert.equal(res.headers.get('cache-control'), 'no-cache');
          const csp = res.headers.get('content-security-policy') ?? '';
          assert.match(
            csp,
            /default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' ws:\/\/localhost:8080/,
          );
          assert.match(csp, /frame-ancestors 'none'.*base-uri 'none'.*object-src 'none'/);
          assert.doesNotMatch(csp, /unsafe-/);
          assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
        }
      });

      it('serves hashed assets as immutable and other files revalidated', async () => {
        const asset = await fetch(`${server.url}/assets/index-abc123.js`);
        assert.equal(asset.status, 200);
        assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
        const icon = await fetch(`${server.url}/favicon.svg`);
        assert.equal(icon.status, 200);
        assert.equal(icon.headers.get('cache-control'), 'no-cache');
        assert.equal((await fetch(`${server.url}/assets/missing.js`)).status, 404);
        assert.equal((await fetch(`${server.url}/missing.png`)).status, 404);
        assert.notEqual((await fetch(`${server.url}/assets/..%2f..%2fetc%2fpasswd`)).status, 200);
      });

      it('sends the build’s compressed copy a browser accepts, and the file itself to others', async () => {
        const url = `${server.url}/assets/index-abc123.js`;
        const br = await fetch(url, { headers: { 'accept-encoding': 'br, gzip' } });
        assert.equal(br.headers.get('content-encoding'), 'br');
        assert.match(br.headers.get('vary') ?? '', /accept-encoding/i);
        assert.equal(await br.text(), 'export {}; // br\n');
        assert.equal(br.headers.get('cache-control'), 'public, max-age=31536000, immutable');
        const gz = await fetch(url, { headers: { 'accept-encoding': 'gzip' } });
        assert.equal(gz.headers.get('content-encoding'), 'gzip');
        assert.equal(await gz.text(), 'export {}; // gz\n');
        const plain = await fetch(url, { headers: { 'accept-encoding': 'identity' } });
        assert.equal(plain.headers.get('content-encoding'), null);
        assert.equal(await plain.text(), 'export {};\n');
      });

      it('leaves the API, /health and the API documentation alone', async () => {
        const unknown = await server.api.get('/api/v1/nothing-here');
        assert.equal(unknown.status, 404);
        assert.equal((unknown.body['error'] as { code: string }).code, 'ROUTE_NOT_FOUND');
        const api = await fetch(`${server.url}/api/other`);
        assert.equal(api.status, 404);
        const health = await fetch(`${server.url}/health`);
        assert.equal(health.status, 200);
        assert.match(health.headers.get('content-security-policy') ?? '', /^default-src 'none'/);
        assert.equal((await fetch(`${server.url}/api/docs/json`)).status, 200);
      });
    });

    describe('without a built client', () => {
      let server: TestServer;
      let dir: string;
      before(async () => {
        dir = mkdtempSync(join(tmpdir(), 'enlets-web-none-'));
        server = await startTestServer(dialect, { config: { webDir: dir } });
      });
      after(async () => {
        await server.close();
        rmSync(dir, { recursive: true, force: true });
      });

      it('still runs the API and says at / that the client is not built', async () => {
        const res = await fetch(`${server.url}/`);
        assert.equal(res.status, 503);
        assert.match(await res.text(), /web client is not built.*npm run build/s);
        assert.equal((await server.api.get('/health')).status, 200);
      });
    });
  });
}
