/**
 * Issue 8, "In the browser": the browser bundle, loaded by a page in headless Chromium, pays our
 * server on 127.0.0.1 over WebSocket BTP (RFC 23) with STREAM (RFC 29). The page imports only
 * the bundle; the server side is our createServer behind createBtpNetwork (ilp-plugin-btp
 * listeners and the test connector, with a rate of 2 and a max packet amount, so the payment takes
 * many packets and the exchange rate is applied). About 5-10 s, most of it Chromium's start.
 */
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import BtpPlugin from 'ilp-plugin-btp';
import type { Browser } from 'playwright-core';
import { mergeMap, type Subscription } from 'rxjs';
import { createServer, type Server } from '../../lib';
import { type BtpNetwork, createBtpNetwork } from '../../lib/network';
import { buildBrowserBundle, FORBIDDEN_IN_BUNDLE, type BrowserBuild } from '../../scripts/build-browser';
import { launchChromium } from '../helpers/chromium';

jest.setTimeout(40_000);

const BUNDLE = path.resolve(__dirname, '../../artifacts/browser/ilp-stream-rx.js');
const PAGE_DIR = path.join(__dirname, 'page');
const AMOUNT = 25_000n;
const RATE = 2n;

interface PaymentResult {
  error?: string;
  backend: string;
  hasNodeProcess: boolean;
  sourceAccount: string;
  streamSent: string;
  sent: string;
  delivered: string;
  inFlight: string;
}

/** Serves the page, its script and the bundle (nothing else) on 127.0.0.1. */
async function servePage(bundlePath: string): Promise<HttpServer> {
  const files: Record<string, [string, string]> = {
    '/': [path.join(PAGE_DIR, 'index.html'), 'text/html'],
    '/pay.js': [path.join(PAGE_DIR, 'pay.js'), 'text/javascript'],
    '/ilp-stream-rx.js': [bundlePath, 'text/javascript'],
  };
  const server = createHttpServer((request, response) => {
    const file = files[new URL(request.url ?? '/', 'http://127.0.0.1').pathname];
    if (file === undefined) {
      response.writeHead(404).end();
      return;
    }
    readFile(file[0]).then(
      (body) => response.writeHead(200, { 'content-type': file[1] }).end(body),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

describe('browser bundle in headless Chromium (issue 8)', () => {
  let build: BrowserBuild;
  let network: BtpNetwork | undefined;
  let serverPlugin: BtpPlugin | undefined;
  let server: Server | undefined;
  let http: HttpServer | undefined;
  let browser: Browser | undefined;
  let received: Subscription | undefined;

  beforeAll(async () => {
    build = await buildBrowserBundle({ outfile: BUNDLE });
  });

  afterAll(async () => {
    await browser?.close();
    received?.unsubscribe();
    await server?.close();
    await serverPlugin?.disconnect();
    await network?.close();
    await new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve()));
  });

  it('the bundle carries the noble backend and no Node built-in or node:crypto API', async () => {
    const text = await readFile(build.outfile, 'utf8');
    for (const word of FORBIDDEN_IN_BUNDLE) expect(text.includes(word)).toBe(false);
    expect(build.inputs).toContain('lib/crypto/backend-noble.ts');
    expect(build.inputs).toContain('lib/crypto/active-backend.browser.ts');
    expect(build.inputs.filter((input) => /backend-node|active-backend\.ts$/.test(input))).toEqual([]);
    expect(build.inputs.some((input) => input.includes('node_modules/ws/'))).toBe(false);
  });

  it('the build fails, naming the importer, when the entry reaches a Node built-in (the Node entry does: node:crypto, node:events, ...)', async () => {
    const outfile = path.resolve(__dirname, '../../artifacts/browser/node-entry.js');
    const error = await buildBrowserBundle({ entryPoint: 'lib/index.ts', outfile }).then(
      () => new Error('the build succeeded'),
      (failure: unknown) => failure as Error,
    );
    expect(error.message).toMatch(/Node built-in "node:(crypto|events|stream|http|net|util)" imported by lib\//);
  });

  it('a page pays our server on 127.0.0.1 over WebSocket BTP; the server receives exactly what the page reports delivered', async () => {
    network = await createBtpNetwork({ exchangeRate: Number(RATE), maxPacketAmount: 1_000 });
    serverPlugin = new BtpPlugin({ server: network.serverUrl });
    server = await createServer({ plugin: serverPlugin });
    let serverReceived = 0n;
    received = server.connections$
      .pipe(
        mergeMap((connection) => connection.streams$),
        mergeMap((stream) => stream.money$),
      )
      .subscribe((amount) => (serverReceived += amount));
    const { destinationAccount, sharedSecret } = server.generateAddressAndSecret();
    http = await servePage(build.outfile);

    browser = await launchChromium();
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const query = new URLSearchParams({
      server: network.clientUrl,
      destination: destinationAccount,
      secret: sharedSecret.toString('base64'),
      amount: AMOUNT.toString(),
    });
    await page.goto(`http://127.0.0.1:${(http.address() as AddressInfo).port}/?${query.toString()}`);
    await page.waitForFunction(() => (globalThis as unknown as { paymentResult?: unknown }).paymentResult !== undefined, undefined, {
      timeout: 30_000,
    });
    const result = (await page.evaluate(() => (globalThis as unknown as { paymentResult: unknown }).paymentResult)) as PaymentResult;

    expect(result.error).toBeUndefined();
    expect(pageErrors).toEqual([]);
    expect(result.backend).toBe('noble');
    expect(result.hasNodeProcess).toBe(false);
    expect(result.sourceAccount).toBe('test.btp.client');
    expect([result.sent, result.streamSent, result.inFlight]).toEqual([AMOUNT.toString(), AMOUNT.toString(), '0']);
    expect(result.delivered).toBe((AMOUNT * RATE).toString());
    expect(serverReceived).toBe(BigInt(result.delivered));
    // Many packets: the max packet amount of 1,000 forces at least 25 fulfilled Prepares.
    expect(network.stats.clientToServer.fulfilled).toBeGreaterThanOrEqual(Number(AMOUNT / 1_000n));
  });
});
