import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerConsole } from '../../../src/http/console-route.js';

// Who gets the dev token from /console/settings.json: the console's page on this machine, or curl there.
describe('the console settings in dev mode', () => {
  let app: FastifyInstance;
  before(async () => {
    app = Fastify();
    await registerConsole(app, { namespaces: [], devToken: async () => 'the-dev-token' });
  });
  after(() => app.close());

  async function devTokenFor(remoteAddress: string, headers: Record<string, string>): Promise<string | undefined> {
    const res = await app.inject({ method: 'GET', url: '/console/settings.json', remoteAddress, headers });
    assert.equal(res.statusCode, 200, res.body);
    return (res.json() as { devToken?: string }).devToken;
  }

  test('goes to this machine under each loopback name, from each loopback address', async () => {
    const cases: [string, string][] = [
      ['127.0.0.1', 'localhost:8083'],
      ['127.0.0.1', '127.0.0.1:8083'],
      ['::1', '[::1]:8083'],
      ['::ffff:127.0.0.1', 'localhost:9999'],
    ];
    for (const [peer, host] of cases) {
      assert.equal(await devTokenFor(peer, { host, 'sec-fetch-site': 'same-origin' }), 'the-dev-token', `${peer} asking for ${host}`);
    }
  });

  test('never goes to another machine, whatever Host it sends (a dev service on HOST=0.0.0.0 is reachable from the LAN)', async () => {
    for (const peer of ['192.168.1.50', '10.0.0.7', 'fe80::1', '::ffff:192.168.1.50']) {
      assert.equal(await devTokenFor(peer, { host: 'localhost:8083' }), undefined, peer);
    }
  });

  test('never goes to a name that is not loopback, as a site that rebinds its name to 127.0.0.1 sends', async () => {
    assert.equal(await devTokenFor('127.0.0.1', { host: 'rebind.evil.example:8083', 'sec-fetch-site': 'same-origin', origin: 'http://rebind.evil.example:8083' }), undefined);
  });
});
